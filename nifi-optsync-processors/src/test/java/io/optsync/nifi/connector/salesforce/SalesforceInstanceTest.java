package io.optsync.nifi.connector.salesforce;

import io.optsync.nifi.connector.ConnectorException;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SalesforceInstanceTest {

    private final SalesforceInstance production = new SalesforceInstance(HttpUrl.get("https://login.salesforce.com"));
    private final SalesforceInstance testServer = new SalesforceInstance(HttpUrl.get("http://127.0.0.1:8443"));

    @ParameterizedTest
    @ValueSource(strings = {"https://acme.my.salesforce.com", "https://na211.salesforce.com", "https://acme--dev.sandbox.my.salesforce.com",
            "https://acme.lightning.force.com", "https://login.salesforce.com"})
    void aSalesforceInstanceOverHttpsIsCalled(final String instance) throws ConnectorException {
        assertThat(production.instance(instance)).isEqualTo(HttpUrl.get(instance));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://acme.my.salesforce.com", "https://evil.example.com", "https://salesforce.com.evil.example",
            "https://evilsalesforce.com", "https://acme.my.salesforce.com:8443", "http://127.0.0.1:8443", "not a url"})
    void anyOtherInstanceIsRefusedWithoutSendingTheToken(final String instance) {
        assertThatThrownBy(() -> production.instance(instance)).isInstanceOf(ConnectorException.class)
                .satisfies(e -> assertThat(((ConnectorException) e).isConnectionFailure()).isTrue())
                .satisfies(e -> assertThat(((ConnectorException) e).isRetryable()).isFalse());
    }

    @Test
    void aTestServerMayNameItselfOverItsOwnScheme() throws ConnectorException {
        assertThat(testServer.instance("http://127.0.0.1:8443")).isEqualTo(HttpUrl.get("http://127.0.0.1:8443"));
        assertThatThrownBy(() -> testServer.instance("http://127.0.0.1:9999")).isInstanceOf(ConnectorException.class);
        assertThatThrownBy(() -> testServer.instance("http://example.com:8443")).isInstanceOf(ConnectorException.class);
    }

    @Test
    void aNextPageIsFollowedOnlyOnTheInstance() throws ConnectorException {
        final HttpUrl instance = HttpUrl.get("https://acme.my.salesforce.com");
        assertThat(SalesforceInstance.next(instance, "/services/data/v62.0/query/01gD0000002HU6KIAW-2000"))
                .isEqualTo(HttpUrl.get("https://acme.my.salesforce.com/services/data/v62.0/query/01gD0000002HU6KIAW-2000"));
        for (final String elsewhere : new String[] {"https://evil.example.com/services/data/v62.0/query/x", "//evil.example.com/x",
                "http://acme.my.salesforce.com/services/data/v62.0/query/x", "https://acme.my.salesforce.com:444/x"}) {
            assertThatThrownBy(() -> SalesforceInstance.next(instance, elsewhere)).as(elsewhere).isInstanceOf(ConnectorException.class)
                    .hasMessageContaining("nextRecordsUrl").hasMessageNotContaining("/x");
        }
    }
}
