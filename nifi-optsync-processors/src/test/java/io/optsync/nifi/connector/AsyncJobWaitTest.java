package io.optsync.nifi.connector;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class AsyncJobWaitTest {

    @Test
    void readsTheStatusUntilTheJobIsDone() throws Exception {
        final AtomicInteger reads = new AtomicInteger();
        final String outcome = new AsyncJobWait(Duration.ofSeconds(10), Duration.ofMillis(1)).await("a job", () -> reads.incrementAndGet() < 4 ? null : "done");
        assertThat(outcome).isEqualTo("done");
        assertThat(reads).hasValue(4);
    }

    @Test
    void givesUpOnceTheWaitIsOverAndSaysSoWithNull() throws Exception {
        final AtomicInteger reads = new AtomicInteger();
        final long started = System.nanoTime();
        final Object outcome = new AsyncJobWait(Duration.ofMillis(50), Duration.ofMillis(1)).await("a job", () -> {
            reads.incrementAndGet();
            return null;
        });
        assertThat(outcome).isNull();
        assertThat(reads.get()).as("pauses double (1, 2, 4, ... ms: at most 7 reads in 50 ms; a fixed 1 ms pause would make about 50)").isBetween(1, 7);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
}
