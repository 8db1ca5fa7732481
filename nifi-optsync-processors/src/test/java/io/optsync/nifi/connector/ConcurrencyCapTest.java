package io.optsync.nifi.connector;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@org.junit.jupiter.api.Timeout(10)
class ConcurrencyCapTest {

    @Test
    void aNodeWithNoPartFailsRetryablyInsteadOfHoldingItsThread() {
        final ConcurrencyCap cap = new ConcurrencyCap(1, Duration.ofMillis(200));
        cap.share(2, 1); // one connection, two nodes: the second node's part is 0
        assertThat(cap.allowed()).isZero();
        assertThatThrownBy(cap::acquire).isInstanceOf(ConnectorException.class).hasMessageContaining("no share")
                .satisfies(e -> assertThat(((ConnectorException) e).isRetryable()).isTrue());
    }

    @Test
    void aBusySlotIsWaitedForUntilItIsReleased() throws Exception {
        final ConcurrencyCap cap = new ConcurrencyCap(1, Duration.ofMillis(200));
        cap.acquire();
        final CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            try {
                cap.acquire();
            } catch (final InterruptedException | ConnectorException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(400); // longer than the longest wait for a part: a busy slot is not a missing part
        assertThat(second).isNotDone();
        cap.release();
        second.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aPartThatComesLetsTheWaitingCallGo() throws Exception {
        final ConcurrencyCap cap = new ConcurrencyCap(2, Duration.ofSeconds(10));
        cap.share(0, 0); // a node that joins: nothing until it is settled
        final CompletableFuture<Void> call = CompletableFuture.runAsync(() -> {
            try {
                cap.acquire();
            } catch (final InterruptedException | ConnectorException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(call).isNotDone();
        cap.share(2, 0);
        call.get(5, TimeUnit.SECONDS);
    }
}
