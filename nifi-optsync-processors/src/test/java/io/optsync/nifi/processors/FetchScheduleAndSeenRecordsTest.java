package io.optsync.nifi.processors;

import io.optsync.nifi.connector.FetchMode;
import io.optsync.nifi.connector.SourceRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FetchScheduleAndSeenRecordsTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final FetchSchedule DEFAULTS = new FetchSchedule(Duration.ofHours(24), Duration.ofHours(1));

    @Test
    void aFirstRunReadsEverything() {
        assertThat(DEFAULTS.due(NOW, null, null, false)).as("a full read begins, after the incremental read")
                .containsExactly(FetchMode.INCREMENTAL, FetchMode.FULL);
        assertThat(new FetchSchedule(null, null).due(NOW, null, null, false)).containsExactly(FetchMode.INCREMENTAL);
    }

    @Test
    void laterRunsAreIncrementalWithReconciliationWhenDue() {
        assertThat(DEFAULTS.due(NOW, NOW.minusSeconds(60), NOW.minusSeconds(60), false)).containsExactly(FetchMode.INCREMENTAL);
        assertThat(DEFAULTS.due(NOW, NOW.minusSeconds(60), NOW.minusSeconds(3600), false)).containsExactly(FetchMode.INCREMENTAL, FetchMode.OPTED_OUT);
        assertThat(DEFAULTS.due(NOW, NOW.minus(Duration.ofHours(24)), NOW.minusSeconds(3600), false))
                .as("a full read that begins stands for the reconciliation").containsExactly(FetchMode.INCREMENTAL, FetchMode.FULL);
        assertThat(new FetchSchedule(null, Duration.ofHours(1)).due(NOW, null, null, false)).containsExactly(FetchMode.INCREMENTAL, FetchMode.OPTED_OUT);
    }

    @Test
    void aFullReadThatStoppedGoesOnEveryRunAfterTheChanges() {
        assertThat(DEFAULTS.due(NOW, NOW.minusSeconds(60), NOW.minusSeconds(60), true)).containsExactly(FetchMode.INCREMENTAL, FetchMode.FULL);
        assertThat(DEFAULTS.due(NOW, null, NOW.minusSeconds(3600), true)).as("an unfinished full read does not stand for the reconciliation")
                .containsExactly(FetchMode.INCREMENTAL, FetchMode.OPTED_OUT, FetchMode.FULL);
        assertThat(new FetchSchedule(null, null).due(NOW, null, null, true)).as("full reads turned off: the unfinished one is dropped")
                .containsExactly(FetchMode.INCREMENTAL);
    }

    private static SourceRecord record(final String id, final Instant modified) {
        return new SourceRecord("Contacts", id, id + "@example.com", "1", false, modified, Map.of());
    }

    @Test
    void theOverlapIsNotEmittedTwiceButAChangedRecordIs() {
        final SeenRecords first = SeenRecords.decode(null);
        assertThat(first.seenBefore(record("a", NOW.minusSeconds(10)))).isFalse();
        assertThat(first.seenBefore(record("b", NOW))).isFalse();
        final String stored = first.encode(NOW.minusSeconds(60));

        final SeenRecords second = SeenRecords.decode(stored);
        assertThat(second.seenBefore(record("a", NOW.minusSeconds(10)))).isTrue();
        assertThat(second.seenBefore(record("b", NOW))).isTrue();
        assertThat(second.seenBefore(record("b", NOW.plusSeconds(1)))).as("changed again").isFalse();
        assertThat(second.seenBefore(new SourceRecord("Contacts", "a", "a@example.com", "0", false, NOW.minusSeconds(10), Map.of())))
                .as("changed within the same second: whole-second vendors show the same time").isFalse();
        assertThat(second.encode(NOW.minusSeconds(5)).split("\n")).as("only keys inside the window are kept").hasSize(2);
    }

    @Test
    void stateStaysWithinWhatNiFisStateProvidersCanWrite() {
        final SeenRecords seen = SeenRecords.decode(null);
        for (int i = 0; i < 100_000; i++) { // a bulk update: 100,000 records with UUID ids, long addresses, all in the window
            seen.seenBefore(new SourceRecord("Contacts", java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16)}).toString(),
                    "a.rather.long.address.number" + i + "@subdomain.example-company.com", "1", false, NOW.plusMillis(i), Map.of()));
        }
        final String stored = seen.encode(Instant.EPOCH);
        final int bytes = stored.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertThat(bytes).as("NiFi's local state journal refuses a value over 65,535 bytes").isLessThanOrEqualTo(SeenRecords.MAX_BYTES)
                .isLessThan(65_535);
        assertThat(stored).contains("number99999@").doesNotContain("number0@");
        assertThat(SeenRecords.decode(stored).seenBefore(new SourceRecord("Contacts", java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) 99_999,
                (byte) (99_999 >> 8), (byte) (99_999 >> 16)}).toString(), "a.rather.long.address.number99999@subdomain.example-company.com", "1", false,
                NOW.plusMillis(99_999), Map.of()))).as("the newest key is kept").isTrue();
    }

    @Test
    void aBulkChangeLargerThanTheSeenKeysIsNotReadAgainAndAgain() {
        // 12,000 records changed in the same few seconds: more than the kept keys can hold
        final java.util.List<SourceRecord> bulk = new java.util.ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            bulk.add(new SourceRecord("Contacts", "id" + i, "p" + i + "@example.com", "1", false, NOW.plusSeconds(i / 4_000), Map.of()));
        }
        final SeenRecords first = SeenRecords.decode(null);
        bulk.forEach(first::seenBefore);
        final String stored = first.encode(NOW.minusSeconds(60));
        assertThat(stored.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(SeenRecords.MAX_BYTES);
        final SeenRecords second = SeenRecords.decode(stored);
        assertThat(bulk.stream().filter(r -> !second.seenBefore(r)).count()).as("the next run reading the window again emits none of them").isZero();
        assertThat(second.seenBefore(new SourceRecord("Contacts", "id1", "p1@example.com", "1", false, NOW.plusSeconds(10), Map.of())))
                .as("a change after the bulk is new").isFalse();
        final SeenRecords third = SeenRecords.decode(second.encode(NOW.minusSeconds(50)));
        assertThat(bulk.stream().filter(r -> !third.seenBefore(r)).count()).as("nor the run after it").isZero();
    }
}
