package io.optsync.nifi.processors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BlastRadiusTest {

    @Test
    void limitsByCountAndByShare() {
        assertThat(new BlastRadius(null, null).isSet()).isFalse();
        assertThat(new BlastRadius(null, null).exceededBy(1_000_000, 1)).isNull();
        assertThat(new BlastRadius(100, null).exceededBy(100, 1000)).isNull();
        assertThat(new BlastRadius(100, null).exceededBy(101, 1000)).contains("Max Changes Per Run (100)");
        assertThat(new BlastRadius(null, 20).exceededBy(20, 100)).isNull();
        assertThat(new BlastRadius(null, 20).exceededBy(21, 100)).contains("Max Change Share (20%)");
        assertThat(new BlastRadius(null, 20).exceededBy(0, 0)).isNull();
        assertThat(new BlastRadius(0, null).exceededBy(1, 1)).as("0 holds every change").isNotNull();
    }
}
