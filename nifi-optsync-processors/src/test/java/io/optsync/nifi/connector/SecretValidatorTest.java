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
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SecretValidatorTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef"; // a Mailchimp key without its "-us19"

    @Test
    void aMistypedKeyIsRefusedWithoutBeingShown() throws Exception {
        final TestRunner runner = ConnectorTestRunners.hostRunner();
        final MailchimpConnectorService mailchimp = new MailchimpConnectorService();
        runner.addControllerService("mc", mailchimp);
        final PropertyDescriptor apiKey = mailchimp.getPropertyDescriptor("API Key");
        final ValidationResult result = runner.setProperty(mailchimp, apiKey, KEY);
        assertThat(result.isValid()).isFalse();
        assertThat(result.toString()).as("what NiFi shows in the UI and the log").doesNotContain(KEY).contains("API Key", "-us19", "not shown");
        assertThat(result.getInput()).isNull();
        assertThat(runner.setProperty(mailchimp, apiKey, KEY + "-us19").isValid()).isTrue();
    }

    @Test
    void everySensitivePropertyOfEveryConnectorIsValidatedWithoutItsValue() {
        final List<ControllerService> connectors = List.of(new SugarCrmConnectorService(), new ActOnConnectorService(), new SalesforceConnectorService(),
                new ActiveCampaignConnectorService(), new MailchimpConnectorService(), new NetSuiteConnectorService());
        int sensitive = 0;
        for (final ControllerService connector : connectors) {
            for (final PropertyDescriptor property : connector.getPropertyDescriptors()) {
                if (property.isSensitive()) {
                    sensitive++;
                    assertThat(property.getValidators()).as(connector.getClass().getSimpleName() + " " + property.getName())
                            .isNotEmpty().allMatch(SecretValidator.class::isInstance);
                }
            }
        }
        assertThat(sensitive).isGreaterThanOrEqualTo(10);
    }
}
