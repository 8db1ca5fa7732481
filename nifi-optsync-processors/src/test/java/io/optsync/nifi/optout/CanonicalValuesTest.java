package io.optsync.nifi.optout;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CanonicalValuesTest {

    @Test
    void readsTheOptedOutFlagBack() {
        assertThat(CanonicalValues.optedOutFlag(true).status()).isEqualTo(OptOutStatus.OPTED_OUT);
        assertThat(CanonicalValues.optedOutFlag("false").status()).isEqualTo(OptOutStatus.SUBSCRIBED);
        assertThat(CanonicalValues.optedOutFlag("").kind()).isEqualTo(Decoding.Kind.ABSENT);
        assertThat(CanonicalValues.optedOutFlag(null).kind()).isEqualTo(Decoding.Kind.ABSENT);
        assertThat(CanonicalValues.optedOutFlag("1").isUnrecognized()).as("only what optsync writes").isTrue();
    }

    @Test
    void readsBounceKindsBack() {
        assertThat(CanonicalValues.bounceKind("HARD")).isEqualTo(BounceKind.HARD);
        assertThat(CanonicalValues.bounceKind(" soft ")).isEqualTo(BounceKind.SOFT);
        assertThat(CanonicalValues.bounceKind(null)).isEqualTo(BounceKind.NONE);
        assertThat(CanonicalValues.bounceKind("")).isEqualTo(BounceKind.NONE);
        assertThat(CanonicalValues.bounceKind("VERY")).isNull();
        assertThat(CanonicalValues.bounceKind(new Object[0])).isNull();
    }

    @Test
    void readsBounceIndicators() {
        assertThat(BounceFlags.isBounced(true)).isTrue();
        assertThat(BounceFlags.isBounced("1")).isTrue();
        assertThat(BounceFlags.isBounced("3")).as("a bounce count").isTrue();
        assertThat(BounceFlags.isBounced(2L)).isTrue();
        assertThat(BounceFlags.isBounced(0)).isFalse();
        assertThat(BounceFlags.isBounced("no")).isFalse();
        assertThat(BounceFlags.isBounced(null)).isFalse();
        assertThat(BounceFlags.isBounced("")).isFalse();
        assertThat(BounceFlags.isBounced("-1")).isNull();
        assertThat(BounceFlags.isBounced("sometimes")).isNull();
        assertThat(BounceFlags.isBounced(1.5)).isNull();
        assertThat(BounceFlags.strongest(BounceKind.SOFT, BounceKind.HARD)).isEqualTo(BounceKind.HARD);
        assertThat(BounceFlags.strongest(BounceKind.SOFT, BounceKind.NONE)).isEqualTo(BounceKind.SOFT);
    }
}
