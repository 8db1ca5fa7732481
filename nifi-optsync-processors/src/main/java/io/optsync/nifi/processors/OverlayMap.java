package io.optsync.nifi.processors;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A read-only map of a record's values with a few entries laid over them, so that adding canonical fields to a record
 * costs a few references instead of a copy of every value. Keys laid over replace the base's keys of the same name.
 */
final class OverlayMap extends AbstractMap<String, Object> {
    private final Map<String, Object> base;
    private final String[] keys;
    private final Object[] values;

    OverlayMap(final Map<String, Object> base, final String[] keys, final Object[] values) {
        if (keys.length != values.length) {
            throw new IllegalArgumentException("keys and values differ in length");
        }
        this.base = base;
        this.keys = keys;
        this.values = values;
    }

    private int indexOf(final Object key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public Object get(final Object key) {
        final int index = indexOf(key);
        return index >= 0 ? values[index] : base.get(key);
    }

    @Override
    public boolean containsKey(final Object key) {
        return indexOf(key) >= 0 || base.containsKey(key);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private final Iterator<Entry<String, Object>> own = base.entrySet().iterator();
                    private int overlay;
                    private Entry<String, Object> next = advance();

                    private Entry<String, Object> advance() {
                        while (own.hasNext()) {
                            final Entry<String, Object> entry = own.next();
                            if (indexOf(entry.getKey()) < 0) {
                                return entry;
                            }
                        }
                        if (overlay < keys.length) {
                            final int i = overlay++;
                            return new SimpleImmutableEntry<>(keys[i], values[i]);
                        }
                        return null;
                    }

                    @Override
                    public boolean hasNext() {
                        return next != null;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (next == null) {
                            throw new NoSuchElementException();
                        }
                        final Entry<String, Object> current = next;
                        next = advance();
                        return current;
                    }
                };
            }

            @Override
            public int size() {
                int size = keys.length;
                for (final String key : base.keySet()) {
                    if (indexOf(key) < 0) {
                        size++;
                    }
                }
                return size;
            }
        };
    }
}
