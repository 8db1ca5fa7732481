package io.optsync.nifi.connector;

import org.apache.nifi.components.state.Scope;
import org.apache.nifi.state.MockStateManager;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class StateCipherTest {
    private static final StateCipher CIPHER = StateCipher.of("service-1", List.of("password", "client-secret"));

    @Test
    void aSealedValueOpensOnlyUnderTheSameSecretsServiceAndKey() {
        final String sealed = CIPHER.seal("token.access", "live-token-123");
        assertThat(sealed).startsWith("sealed1:").doesNotContain("live-token-123");
        assertThat(CIPHER.seal("token.access", "live-token-123")).as("a fresh IV each time").isNotEqualTo(sealed);
        assertThat(CIPHER.open("token.access", sealed)).contains("live-token-123");
        assertThat(StateCipher.of("service-1", List.of("password", "client-secret")).open("token.access", sealed))
                .as("another node with the same sensitive properties").contains("live-token-123");
        assertThat(StateCipher.of("service-1", List.of("changed", "client-secret")).open("token.access", sealed)).as("a changed password").isEmpty();
        assertThat(StateCipher.of("service-2", List.of("password", "client-secret")).open("token.access", sealed)).as("another service").isEmpty();
        assertThat(CIPHER.open("token.refresh", sealed)).as("passed off as another key").isEmpty();
    }

    @Test
    void anythingElseInStateDoesNotOpen() {
        final String sealed = CIPHER.seal("token.access", "live-token-123");
        final char[] tampered = sealed.toCharArray();
        tampered[tampered.length - 3] = tampered[tampered.length - 3] == 'A' ? 'B' : 'A';
        assertThat(CIPHER.open("token.access", new String(tampered))).isEmpty();
        assertThat(CIPHER.open("token.access", "live-token-123")).as("plaintext an earlier version wrote").isEmpty();
        assertThat(CIPHER.open("token.access", "sealed1:!!")).isEmpty();
        assertThat(CIPHER.open("token.access", "sealed1:")).isEmpty();
        assertThat(CIPHER.open("token.access", null)).isEmpty();
    }

    @Test
    void aTokenSealedUnderOtherSecretsIsNotUsedButReplacedByOneSignIn() throws Exception {
        final MockStateManager state = new MockStateManager(new io.optsync.nifi.connector.acton.ActOnConnectorService());
        final AtomicInteger grants = new AtomicInteger();
        final SharedToken.Grant grant = refresh -> new SharedToken.Token("token-" + grants.incrementAndGet(), "refresh-" + grants.get(),
                Instant.now().plusSeconds(3600));
        assertThat(new SharedToken(state, Clock.systemUTC(), CIPHER).access(grant)).isEqualTo("token-1");
        assertThat(new SharedToken(state, Clock.systemUTC(), CIPHER).access(grant)).as("a second node of the cluster").isEqualTo("token-1");
        assertThat(grants).hasValue(1);

        final SharedToken afterPasswordChange = new SharedToken(state, Clock.systemUTC(), StateCipher.of("service-1", List.of("new", "client-secret")));
        final String[] refreshGiven = {"unset"};
        assertThat(afterPasswordChange.access(refresh -> {
            refreshGiven[0] = refresh;
            return grant.obtain(refresh);
        })).isEqualTo("token-2");
        assertThat(refreshGiven[0]).as("a refresh token it cannot open is not offered to the vendor").isNull();
        final Map<String, String> stored = new HashMap<>(state.getState(Scope.CLUSTER).toMap());
        assertThat(stored.values()).noneMatch(v -> v.contains("token-") || v.contains("refresh-"));
    }
}
