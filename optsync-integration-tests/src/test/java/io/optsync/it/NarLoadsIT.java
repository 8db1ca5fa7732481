package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The NAR loads in a real NiFi 2.3.0: its processors and connectors are offered, and nothing is logged at ERROR. */
class NarLoadsIT {

    @Test
    void nifiLoadsTheNarAndOffersItsComponents() throws Exception {
        try (NiFiInstance nifi = NiFiInstance.create("nar-loads")) {
            final NiFiRest rest = nifi.start(Duration.ofMinutes(3));
            assertThat(rest.get("/flow/about").path("about").path("version").asText()).isEqualTo("2.3.0");

            final List<String> processors = new ArrayList<>();
            for (final JsonNode type : rest.get("/flow/processor-types").path("processorTypes")) {
                if (type.path("type").asText().startsWith("io.optsync")) {
                    processors.add(type.path("type").asText());
                    assertThat(type.path("bundle").path("artifact").asText()).isEqualTo("nifi-optsync-nar");
                }
            }
            assertThat(processors).containsExactlyInAnyOrder("io.optsync.nifi.processors.FetchCrmRecords",
                    "io.optsync.nifi.processors.NormalizeOptOutValue", "io.optsync.nifi.processors.FilterOptedOut",
                    "io.optsync.nifi.processors.PushCrmFieldUpdates");

            final List<String> services = new ArrayList<>();
            for (final JsonNode type : rest.get("/flow/controller-service-types").path("controllerServiceTypes")) {
                if (type.path("type").asText().startsWith("io.optsync")) {
                    services.add(type.path("type").asText());
                }
            }
            assertThat(services).containsExactlyInAnyOrder("io.optsync.nifi.connector.acton.ActOnConnectorService",
                    "io.optsync.nifi.connector.sugarcrm.SugarCrmConnectorService", "io.optsync.nifi.connector.salesforce.SalesforceConnectorService",
                    "io.optsync.nifi.connector.activecampaign.ActiveCampaignConnectorService", "io.optsync.nifi.connector.mailchimp.MailchimpConnectorService",
                    "io.optsync.nifi.connector.netsuite.NetSuiteConnectorService");

            assertThat(rest.get("/flow/bulletin-board").path("bulletinBoard").path("bulletins").findValuesAsText("level")).doesNotContain("ERROR");
            assertThat(nifi.appLog()).contains("nifi-optsync-nar").doesNotContain("Failed to load NAR");
        }
    }
}
