package io.optsync.nifi.processors;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OverlayMapTest {

    @Test
    void laysEntriesOverTheBaseWithoutCopyingIt() {
        final Map<String, Object> base = new LinkedHashMap<>();
        base.put("a", 1);
        base.put("b", 2);
        final OverlayMap map = new OverlayMap(base, new String[] {"b", "c"}, new Object[] {20, null});
        assertThat(map.get("a")).isEqualTo(1);
        assertThat(map.get("b")).isEqualTo(20);
        assertThat(map.get("c")).isNull();
        assertThat(map.containsKey("c")).isTrue();
        assertThat(map.containsKey("z")).isFalse();
        assertThat(map).hasSize(3);
        assertThat(map.keySet()).containsExactly("a", "b", "c");
        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", 1);
        expected.put("b", 20);
        expected.put("c", null);
        assertThat(map).isEqualTo(expected);
        assertThat(map.hashCode()).isEqualTo(expected.hashCode());
        base.put("d", 4);
        assertThat(map.get("d")).as("a view, not a copy").isEqualTo(4);
    }

    @Test
    void refusesMismatchedOverlays() {
        assertThatThrownBy(() -> new OverlayMap(Map.of(), new String[] {"a"}, new Object[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
