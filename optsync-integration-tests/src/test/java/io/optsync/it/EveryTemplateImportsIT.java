package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every flow definition in {@code templates/} imports into a real NiFi with "Upload flow definition": its processors
 * are all optsync's or NiFi's own, it brings a parameter context whose sensitive parameters hold no value, and it holds
 * labels that say what each part does; no funnel is a dead end, failures, held records and the audit trail leave through
 * Output Ports, and no connection that only a user drains, or that loops back, can fill up and stop the flow.
 */
class EveryTemplateImportsIT {

    @Test
    void everyTemplateImports() throws Exception {
        final List<Path> templates;
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("optsync.templates", "../templates")))) {
            templates = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(templates).isNotEmpty();
        try (NiFiInstance nifi = NiFiInstance.create("every-template")) {
            final NiFiRest rest = nifi.start(Duration.ofMinutes(3));
            for (final Path template : templates) {
                final TemplateRunner imported = TemplateRunner.upload(rest, template.getFileName().toString());
                final JsonNode flow = rest.get("/flow/process-groups/" + imported.group()).path("processGroupFlow").path("flow");
                assertThat(flow.path("processors").size()).as(template + " processors").isPositive();
                assertThat(flow.path("labels").size()).as(template + " labels").isPositive();
                final List<String> types = new ArrayList<>();
                flow.path("processors").forEach(p -> types.add(p.path("component").path("type").asText()));
                assertThat(types).allSatisfy(type -> assertThat(type).startsWith("io.optsync.nifi.processors."));
                for (final JsonNode processor : flow.path("processors")) {
                    assertThat(processor.path("component").path("validationErrors").findValuesAsText("").toString()
                            + processor.path("component").path("validationErrors"))
                            .as(template + " " + processor.path("component").path("name").asText() + ": every relationship connected or auto-terminated")
                            .doesNotContain("is not connected");
                }
                assertThat(flow.path("funnels").size()).as(template + ": no dead-end funnel").isZero();
                final List<String> sinks = new ArrayList<>();
                for (final JsonNode service : rest.get("/flow/process-groups/" + imported.group() + "/controller-services").path("controllerServices")) {
                    if (service.path("component").path("type").asText().equals("org.apache.nifi.record.sink.db.DatabaseRecordSink")) {
                        sinks.add(service.path("id").asText());
                    }
                }
                assertThat(sinks).as(template + ": the audit trail goes to a database, through NiFi's DatabaseRecordSink").hasSize(1);
                for (final JsonNode processor : flow.path("processors")) {
                    if (processor.path("component").path("type").asText().endsWith(".PushCrmFieldUpdates")) {
                        assertThat(processor.path("component").path("config").path("properties").path("Audit Record Sink").asText())
                                .as(template + " " + processor.path("component").path("name").asText() + " audits to the database").isEqualTo(sinks.getFirst());
                    }
                }
                final List<String> ports = new ArrayList<>();
                flow.path("outputPorts").forEach(p -> ports.add(p.path("component").path("name").asText()));
                assertThat(ports).as(template + ": failures, held records and the audit trail leave through Output Ports")
                        .contains("audit", "held").anySatisfy(name -> assertThat(name).startsWith("failure "));
                for (final JsonNode connection : flow.path("connections")) {
                    final JsonNode component = connection.path("component");
                    final boolean intoPort = component.path("destination").path("type").asText().equals("OUTPUT_PORT");
                    final boolean selfLoop = component.path("source").path("id").asText().equals(component.path("destination").path("id").asText());
                    if (intoPort || selfLoop) { // only a user drains these, or they loop back: full, they would stop the flow
                        assertThat(component.path("backPressureObjectThreshold").asLong()).as(template + " " + component.path("selectedRelationships")
                                + ": no back pressure").isZero();
                        assertThat(component.path("backPressureDataSizeThreshold").asText()).as(template + ": no back pressure by size").startsWith("0");
                    }
                }
                final String context = rest.get("/process-groups/" + imported.group()).path("component").path("parameterContext").path("id").asText();
                assertThat(context).as(template + " parameter context").isNotEmpty();
                for (final JsonNode parameter : rest.get("/parameter-contexts/" + context).path("component").path("parameters")) {
                    if (parameter.path("parameter").path("sensitive").asBoolean()) {
                        assertThat(parameter.path("parameter").path("value").isNull() || parameter.path("parameter").path("value").isMissingNode())
                                .as(template + " " + parameter.path("parameter").path("name").asText() + " holds no value").isTrue();
                    }
                }
            }
        }
    }
}
