package io.optsync.nifi.optout;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomValueSetTest {

    @Test
    void decodesTheUsersValuesIgnoringCaseAndSpaces() {
        final CustomValueSet set = CustomValueSet.of(List.of("Y", "Do Not Email"), List.of("N"));
        final OptOutDecoder decoder = set.decoder();
        assertThat(decoder.decode("y").status()).isEqualTo(OptOutStatus.OPTED_OUT);
        assertThat(decoder.decode(" do not email ").status()).isEqualTo(OptOutStatus.OPTED_OUT);
        assertThat(decoder.decode("N").status()).isEqualTo(OptOutStatus.SUBSCRIBED);
        assertThat(decoder.decode("yes").isUnrecognized()).isTrue();
        assertThat(decoder.decode(null).kind()).isEqualTo(Decoding.Kind.ABSENT);
        assertThat(set.encode(true)).isEqualTo("Y");
        assertThat(set.encode(false)).isEqualTo("N");
    }

    @Test
    void withoutSubscribedValuesNothingIsSubscribed() {
        final CustomValueSet set = CustomValueSet.of(List.of("X"), List.of());
        assertThat(set.decoder().decode("").kind()).isEqualTo(Decoding.Kind.ABSENT);
        assertThat(set.decoder().decode("anything").isUnrecognized()).isTrue();
        assertThatThrownBy(() -> set.encode(false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesAmbiguousOrEmptySets() {
        assertThatThrownBy(() -> CustomValueSet.of(List.of(), List.of("N"))).hasMessageContaining("at least one");
        assertThatThrownBy(() -> CustomValueSet.of(List.of("Yes"), List.of("YES "))).hasMessageContaining("both");
        assertThatThrownBy(() -> CustomValueSet.of(List.of(" "), List.of("N"))).hasMessageContaining("blank");
        assertThatThrownBy(() -> CustomValueSet.of(List.of("x".repeat(65)), List.of())).hasMessageContaining("longer");
    }

    @Test
    void splitsPropertyLists() {
        assertThat(CustomValueSet.splitList(" Y, yes ,,1 ")).containsExactly("Y", "yes", "1");
        assertThat(CustomValueSet.splitList(null)).isEmpty();
        assertThat(CustomValueSet.of(List.of("Y", "y"), List.of()).optedOutValues()).containsExactly("Y");
    }
}
