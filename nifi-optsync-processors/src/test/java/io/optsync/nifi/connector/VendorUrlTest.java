package io.optsync.nifi.connector;

import io.optsync.nifi.connector.activecampaign.ActiveCampaignConnectorService;
import io.optsync.nifi.connector.acton.ActOnConnectorService;
import io.optsync.nifi.connector.mailchimp.MailchimpConnectorService;
import io.optsync.nifi.connector.netsuite.NetSuiteConnectorService;
import io.optsync.nifi.connector.salesforce.SalesforceConnectorService;
import io.optsync.nifi.connector.sugarcrm.SugarCrmConnectorService;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every connector's vendor URL: https only, unless Allow Plain HTTP is true; never with credentials in it; never shown. */
class VendorUrlTest {

    /** Each connector and the name of its vendor URL property. */
    static List<Map.Entry<ControllerService, String>> connectors() {
        return List.of(Map.entry(new SugarCrmConnectorService(), "Site URL"), Map.entry(new ActOnConnectorService(), "Base URL"),
                Map.entry(new SalesforceConnectorService(), "Login URL"), Map.entry(new ActiveCampaignConnectorService(), "Base URL"),
                Map.entry(new MailchimpConnectorService(), "Base URL"), Map.entry(new NetSuiteConnectorService(), "Host"));
    }

    private static ValidationResult urlSet(final Map.Entry<ControllerService, String> connector, final String plainHttp, final String url) {
        final TestRunner runner = ConnectorTestRunners.hostRunner();
        final ControllerService service = ConnectorTestRunners.added(runner, "c", connector.getKey());
        if (plainHttp == null) {
            runner.removeProperty(service, ConnectorProperties.ALLOW_PLAIN_HTTP);
        } else {
            runner.setProperty(service, ConnectorProperties.ALLOW_PLAIN_HTTP, plainHttp);
        }
        final PropertyDescriptor property = service.getPropertyDescriptor(connector.getValue());
        return runner.setProperty(service, property, url);
    }

    @ParameterizedTest
    @MethodSource("connectors")
    void httpIsRefusedByDefaultAndNamesTheWayOut(final Map.Entry<ControllerService, String> connector) {
        final ValidationResult refused = urlSet(connector, null, "http://crm.example.com:8080/secret-path");
        assertThat(refused.isValid()).isFalse();
        assertThat(refused.toString()).contains("Allow Plain HTTP").doesNotContain("crm.example.com", "secret-path");
        assertThat(urlSet(connector, "false", "http://crm.example.com").isValid()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("connectors")
    void httpIsAcceptedOnlyWhenAllowedAndHttpsAlways(final Map.Entry<ControllerService, String> connector) {
        assertThat(urlSet(connector, "true", "http://127.0.0.1:8080").isValid()).isTrue();
        assertThat(urlSet(connector, null, "https://crm.example.com").isValid()).isTrue();
        assertThat(urlSet(connector, "false", "HTTPS://crm.example.com/").isValid()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("connectors")
    void aUrlWithCredentialsOrWithoutAHostIsRefusedWithoutBeingShown(final Map.Entry<ControllerService, String> connector) {
        final ValidationResult withPassword = urlSet(connector, "true", "https://admin:hunter2@crm.example.com");
        assertThat(withPassword.isValid()).isFalse();
        assertThat(withPassword.toString()).doesNotContain("hunter2", "admin:");
        assertThat(urlSet(connector, "true", "crm.example.com").isValid()).isFalse();
        assertThat(urlSet(connector, "true", "ftp://crm.example.com").isValid()).isFalse();
        assertThat(urlSet(connector, "true", "https:///nohost").isValid()).isFalse();
    }
}
