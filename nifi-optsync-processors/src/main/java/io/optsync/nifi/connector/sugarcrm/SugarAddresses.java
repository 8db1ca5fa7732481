package io.optsync.nifi.connector.sugarcrm;

import io.optsync.nifi.connector.SourceRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The addresses of the records most recently read or looked up by v4_1, by record id, so that a write right after a
 * lookup knows whether an address is the primary one (v4_1 writes the primary through {@code email1}). Bounded;
 * thread-safe. v10 keeps none: it reads a record fresh right before writing it.
 */
final class SugarAddresses {
    /** One address of a record as Sugar returned it. */
    record Address(String email, Object optOut, Object invalid, boolean primary) {
        boolean is(final String normalized) {
            return email.trim().toLowerCase(Locale.ROOT).equals(normalized);
        }
    }

    private static final int MAX = 50_000;
    private final Map<String, List<Address>> byId = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(final Map.Entry<String, List<Address>> eldest) {
            return size() > MAX;
        }
    };

    synchronized void remember(final String id, final List<Address> addresses) {
        byId.put(id, List.copyOf(addresses));
    }

    synchronized List<Address> of(final String id) {
        return byId.get(id);
    }

    /** Remembers a record's addresses, then {@link #sourceRecords}. */
    List<SourceRecord> remembered(final String module, final String id, final Instant modified, final String firstName, final String lastName,
                                  final List<Address> addresses) {
        remember(id, addresses);
        return sourceRecords(module, id, modified, firstName, lastName, addresses);
    }

    /** One source record per address of a record: Sugar keeps the opt-out on the address. */
    static List<SourceRecord> sourceRecords(final String module, final String id, final Instant modified, final String firstName, final String lastName,
                                            final List<Address> addresses) {
        final List<SourceRecord> out = new ArrayList<>(addresses.size());
        for (final Address address : addresses) {
            final Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("first_name", firstName);
            fields.put("last_name", lastName);
            fields.put("primary_address", address.primary());
            out.add(new SourceRecord(module, id, address.email(), address.optOut(), SugarCrmConnectorService.flag(address.invalid()), modified, fields));
        }
        return out;
    }
}
