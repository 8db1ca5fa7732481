package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Regenerates the flow definitions in {@code templates/}: builds each flow in a real NiFi through its REST API and
 * downloads it with "Download flow definition". Runs only when asked:
 * {@code ./mvnw verify -pl optsync-integration-tests -am -Dit.test=BuildTemplatesIT -Doptsync.templates.write=true}.
 */
@EnabledIfSystemProperty(named = "optsync.templates.write", matches = "true")
class BuildTemplatesIT {

    @Test
    void buildAndDownloadEveryTemplate() throws Exception {
        try (NiFiInstance nifi = NiFiInstance.create("build-templates")) {
            final NiFiRest rest = nifi.start(Duration.ofMinutes(3));
            final String root = rest.get("/flow/process-groups/root").path("processGroupFlow").path("id").asText();
            for (final PairTemplate template : Templates.ALL) {
                final String group = template.build(rest, root);
                final JsonNode definition = NiFiRest.JSON.readTree(rest.getText("/process-groups/" + group + "/download"));
                final Path file = Path.of(System.getProperty("optsync.templates")).resolve(template.file());
                Files.writeString(file, NiFiRest.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(definition) + "\n");
            }
        }
    }
}
