package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NAR loads in a real NiFi 2.3.0: its processors and connectors are offered, and nothing is logged at ERROR; it
 * carries the libraries it was tested with, its parent NAR only NiFi's service interfaces.
 */
class NarLoadsIT {

    @Test
    void theNarCarriesItsHttpClientAndTakesOnlyTheServicesApiFromItsParent() throws Exception {
        final Path nar;
        try (Stream<Path> nars = Files.list(NiFiInstance.ourNars())) {
            nar = nars.filter(p -> p.getFileName().toString().endsWith(".nar")).findFirst().orElseThrow();
        }
        try (JarFile jar = new JarFile(nar.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Nar-Dependency-Id")).isEqualTo("nifi-standard-services-api-nar");
            final List<String> bundled = Collections.list(jar.entries()).stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("META-INF/bundled-dependencies/")).map(n -> n.substring("META-INF/bundled-dependencies/".length())).toList();
            assertThat(bundled).as("the HTTP client and JSON library the tests ran with")
                    .anyMatch(n -> n.startsWith("okhttp-4.")).anyMatch(n -> n.startsWith("okio-")).anyMatch(n -> n.startsWith("kotlin-stdlib-"))
                    .anyMatch(n -> n.startsWith("jackson-databind-")).anyMatch(n -> n.startsWith("failsafe-"));
            assertThat(bundled).as("no NiFi API the parent NAR provides").noneMatch(n -> n.startsWith("nifi-api-") || n.startsWith("nifi-utils-")
                    || n.startsWith("nifi-record-2") || n.startsWith("nifi-record-sink-api-"));
        }
    }

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
