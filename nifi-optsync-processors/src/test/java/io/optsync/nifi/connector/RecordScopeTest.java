package io.optsync.nifi.connector;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecordScopeTest {

    @Test
    void aScopeLetsOptOutsThroughByDefault() {
        assertThat(new RecordScope("list = 'A' OR list = 'B'", true).where("status = 2")).isEqualTo("((list = 'A' OR list = 'B') OR status = 2)");
    }

    @Test
    void ignoreKeepsOnlyTheScope() {
        assertThat(new RecordScope("list = 'A' OR list = 'B'", false).where("status = 2")).isEqualTo("(list = 'A' OR list = 'B')");
    }

    @Test
    void noScopeAddsNothing() {
        assertThat(RecordScope.NONE.where("status = 2")).isNull();
        assertThat(new RecordScope("  ", false).where("status = 2")).isNull();
    }
}
