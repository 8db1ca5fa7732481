package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Imports a template into a running NiFi and runs it, as a user would: upload, fill the parameters, enable, start. */
final class TemplateRunner {
    private final NiFiRest rest;
    private final String group;
    private AuditDatabase audit;

    private TemplateRunner(final NiFiRest rest, final String group) {
        this.rest = rest;
        this.group = group;
    }

    static TemplateRunner upload(final NiFiRest rest, final String file) throws IOException, InterruptedException {
        final String root = rest.get("/flow/process-groups/root").path("processGroupFlow").path("id").asText();
        final byte[] definition = Files.readAllBytes(Path.of(System.getProperty("optsync.templates", "../templates")).resolve(file));
        return new TemplateRunner(rest, rest.uploadFlow(root, file.replace(".json", ""), definition).path("id").asText());
    }

    String group() {
        return group;
    }

    /** Sets parameter values (sensitive ones as sensitive) through NiFi's asynchronous parameter-context update. */
    void parameters(final Map<String, String> values, final List<String> sensitive) throws IOException, InterruptedException {
        final String context = rest.get("/process-groups/" + group).path("component").path("parameterContext").path("id").asText();
        final JsonNode current = rest.get("/parameter-contexts/" + context);
        final List<Map<String, Object>> parameters = new ArrayList<>();
        values.forEach((name, value) -> {
            final Map<String, Object> parameter = new LinkedHashMap<>();
            parameter.put("name", name);
            parameter.put("value", value);
            parameter.put("sensitive", sensitive.contains(name));
            parameters.add(Map.of("parameter", parameter));
        });
        final Map<String, Object> body = Map.of("revision", current.path("revision"), "id", context,
                "component", Map.of("id", context, "parameters", parameters));
        final JsonNode request = rest.post("/parameter-contexts/" + context + "/update-requests", body).path("request");
        final String path = "/parameter-contexts/" + context + "/update-requests/" + request.path("requestId").asText();
        waitFor(Duration.ofMinutes(2), "the parameter update", () -> {
            final JsonNode state = rest.get(path).path("request");
            if (!state.path("failureReason").isMissingNode() && !state.path("failureReason").isNull()) {
                throw new IllegalStateException("parameter update failed: " + state.path("failureReason").asText());
            }
            return state.path("complete").asBoolean();
        });
    }

    /** Points the template's Audit Database service at {@code database}, where {@link #assertCleanRun} looks for the audit rows. */
    void auditTo(final AuditDatabase database) throws IOException, InterruptedException {
        audit = database;
        parameters(database.parameters(), List.of());
    }

    void enableServicesAndStart() throws IOException, InterruptedException {
        rest.put("/flow/process-groups/" + group + "/controller-services", Map.of("id", group, "state", "ENABLED"));
        waitFor(Duration.ofMinutes(2), "the controller services to enable", () -> {
            for (final JsonNode service : rest.get("/flow/process-groups/" + group + "/controller-services").path("controllerServices")) {
                if (!"ENABLED".equals(service.path("component").path("state").asText())) {
                    return false;
                }
            }
            return true;
        });
        rest.put("/flow/process-groups/" + group, Map.of("id", group, "state", "RUNNING"));
    }

    void stop() throws IOException, InterruptedException {
        rest.put("/flow/process-groups/" + group, Map.of("id", group, "state", "STOPPED"));
    }

    /** Sets properties of every processor of the group whose name starts with {@code namePrefix} (stopped). */
    void processorProperties(final String namePrefix, final Map<String, String> properties) throws IOException, InterruptedException {
        for (final JsonNode processor : rest.get("/flow/process-groups/" + group).path("processGroupFlow").path("flow").path("processors")) {
            if (processor.path("component").path("name").asText().startsWith(namePrefix)) {
                final String id = processor.path("id").asText();
                rest.put("/processors/" + id, Map.of("revision", rest.get("/processors/" + id).path("revision"),
                        "component", Map.of("id", id, "config", Map.of("properties", properties))));
            }
        }
    }

    /** Sets properties of the group's controller services whose name starts with {@code namePrefix} (disabled). */
    void serviceProperties(final String namePrefix, final Map<String, String> properties) throws IOException, InterruptedException {
        for (final JsonNode service : rest.get("/flow/process-groups/" + group + "/controller-services").path("controllerServices")) {
            if (service.path("component").path("name").asText().startsWith(namePrefix)) {
                final String id = service.path("id").asText();
                rest.put("/controller-services/" + id, Map.of("revision", rest.get("/controller-services/" + id).path("revision"),
                        "component", Map.of("id", id, "properties", properties)));
            }
        }
    }

    /**
     * The value of the counter {@code name} for each processor of the group whose name starts with {@code namePrefix},
     * by processor name (0 for one that has not counted yet).
     */
    Map<String, Long> counter(final String name, final String namePrefix) throws IOException, InterruptedException {
        final Map<String, Long> values = new LinkedHashMap<>();
        final Map<String, String> names = new LinkedHashMap<>();
        for (final JsonNode processor : rest.get("/flow/process-groups/" + group).path("processGroupFlow").path("flow").path("processors")) {
            final String processorName = processor.path("component").path("name").asText();
            if (processorName.startsWith(namePrefix)) {
                names.put(processor.path("id").asText(), processorName);
                values.put(processorName, 0L);
            }
        }
        for (final JsonNode counter : rest.get("/counters").path("counters").path("aggregateSnapshot").path("counters")) {
            final String context = counter.path("context").asText(); // "FetchCrmRecords (<processor id>)"
            names.forEach((id, processorName) -> {
                if (name.equals(counter.path("name").asText()) && context.contains(id)) {
                    values.put(processorName, counter.path("valueCount").asLong());
                }
            });
        }
        return values;
    }

    /** Each connection of the group as "source -[relationships]-> destination", with its FlowFiles queued now. */
    Map<String, Long> queuedPerConnection() throws IOException, InterruptedException {
        final Map<String, Long> queued = new LinkedHashMap<>();
        for (final JsonNode connection : rest.get("/flow/process-groups/" + group).path("processGroupFlow").path("flow").path("connections")) {
            queued.put(describe(connection.path("component")), connection.path("status").path("aggregateSnapshot").path("flowFilesQueued").asLong());
        }
        return queued;
    }

    /** Each connection's back-pressure threshold in FlowFiles (0: none), named as {@link #queuedPerConnection} names it. */
    Map<String, Long> backPressurePerConnection() throws IOException, InterruptedException {
        final Map<String, Long> thresholds = new LinkedHashMap<>();
        for (final JsonNode connection : rest.get("/flow/process-groups/" + group).path("processGroupFlow").path("flow").path("connections")) {
            thresholds.put(describe(connection.path("component")), connection.path("component").path("backPressureObjectThreshold").asLong());
        }
        return thresholds;
    }

    private static String describe(final JsonNode connection) {
        final List<String> relationships = new ArrayList<>();
        connection.path("selectedRelationships").forEach(r -> relationships.add(r.asText()));
        return connection.path("source").path("name").asText() + " -" + relationships + "-> " + connection.path("destination").path("name").asText()
                + " (" + connection.path("id").asText().substring(0, 8) + ")";
    }

    /** The bulletins NiFi holds (the last 5 minutes) of this group's components, as "LEVEL source: message". */
    List<String> bulletins() throws IOException, InterruptedException {
        final List<String> all = new ArrayList<>();
        for (final JsonNode entity : rest.get("/flow/bulletin-board?groupId=" + group).path("bulletinBoard").path("bulletins")) {
            final JsonNode bulletin = entity.path("bulletin");
            all.add(bulletin.path("level").asText() + " " + bulletin.path("sourceName").asText() + ": " + bulletin.path("message").asText());
        }
        return all;
    }

    /** The bulletins at ERROR level, as "source: message". */
    List<String> errorBulletins() throws IOException, InterruptedException {
        final List<String> errors = new ArrayList<>();
        for (final JsonNode entity : rest.get("/flow/bulletin-board").path("bulletinBoard").path("bulletins")) {
            final JsonNode bulletin = entity.path("bulletin");
            if ("ERROR".equals(bulletin.path("level").asText())) {
                errors.add(bulletin.path("sourceName").asText() + ": " + bulletin.path("message").asText());
            }
        }
        return errors;
    }

    /**
     * On a cluster: the FlowFiles each node has taken in, summed over the processors whose name starts with
     * {@code prefix}, by node ("address:port").
     */
    Map<String, Long> flowFilesInPerNode(final String prefix) throws IOException, InterruptedException {
        final Map<String, Long> perNode = new LinkedHashMap<>();
        final JsonNode status = rest.get("/flow/process-groups/" + group + "/status?recursive=true&nodewise=true").path("processGroupStatus");
        for (final JsonNode node : status.path("nodeSnapshots")) {
            long in = 0;
            for (final JsonNode processor : node.path("statusSnapshot").path("processorStatusSnapshots")) {
                final JsonNode snapshot = processor.path("processorStatusSnapshot");
                if (snapshot.path("name").asText().startsWith(prefix)) {
                    in += snapshot.path("flowFilesIn").asLong();
                }
            }
            perNode.put(node.path("address").asText() + ":" + node.path("apiPort").asText(), in);
        }
        return perNode;
    }

    /** FlowFiles queued on the connections that carry a relationship (for example "audit"). */
    long queuedOn(final String relationship) throws IOException, InterruptedException {
        long queued = 0;
        final JsonNode flow = rest.get("/flow/process-groups/" + group).path("processGroupFlow").path("flow");
        for (final JsonNode connection : flow.path("connections")) {
            for (final JsonNode selected : connection.path("component").path("selectedRelationships")) {
                if (selected.asText().equals(relationship)) {
                    queued += connection.path("status").path("aggregateSnapshot").path("flowFilesQueued").asLong();
                }
            }
        }
        return queued;
    }

    /**
     * What every template run must end with: no bulletin at ERROR, audit rows in the audit database and none left on
     * 'audit' (the database took them all), and none of {@code secrets} (credentials, and the tokens and session ids
     * the vendors handed out) in the exported flow, in NiFi's log or in any component's state.
     */
    void assertCleanRun(final NiFiInstance nifi, final java.util.Collection<String> secrets) throws IOException, InterruptedException {
        assertThat(errorBulletins()).isEmpty();
        waitFor(Duration.ofSeconds(30), "the audit trail in the database", () -> {
            try {
                return audit.count() > 0;
            } catch (final java.sql.SQLException e) {
                throw new IOException(e);
            }
        });
        assertThat(queuedOn("audit")).as("audit records the database could not take").isZero();
        final String exported = download();
        final String log = nifi.appLog();
        final Map<String, String> state = stateValues();
        assertThat(state.keySet()).as("the connectors share their tokens through cluster state").anyMatch(key -> key.endsWith("/ token.access"));
        for (final String secret : secrets) {
            assertThat(exported).as("exported flow").doesNotContain(secret);
            assertThat(log).as("NiFi's log").doesNotContain(secret);
            assertThat(state).as("component state, as View State shows it").allSatisfy((key, value) -> assertThat(value).doesNotContain(secret));
        }
    }

    /**
     * What View State shows of every processor and controller service of the group, read through NiFi's REST API: each
     * value under "component name / scope / key".
     */
    Map<String, String> stateValues() throws IOException, InterruptedException {
        final Map<String, String> values = new LinkedHashMap<>();
        final JsonNode flow = rest.get("/flow/process-groups/" + group).path("processGroupFlow").path("flow");
        for (final JsonNode processor : flow.path("processors")) {
            collectState(values, processor.path("component").path("name").asText(), rest.get("/processors/" + processor.path("id").asText() + "/state"));
        }
        for (final JsonNode service : rest.get("/flow/process-groups/" + group + "/controller-services").path("controllerServices")) {
            collectState(values, service.path("component").path("name").asText(),
                    rest.get("/controller-services/" + service.path("id").asText() + "/state"));
        }
        return values;
    }

    private static void collectState(final Map<String, String> values, final String component, final JsonNode state) {
        for (final String scope : List.of("localState", "clusterState")) {
            for (final JsonNode entry : state.path("componentState").path(scope).path("state")) {
                values.put(component + " / " + scope + " / " + entry.path("key").asText(), entry.path("value").asText());
            }
        }
    }

    String download() throws IOException, InterruptedException {
        return rest.getText("/process-groups/" + group + "/download");
    }

    interface Check {
        boolean done() throws IOException, InterruptedException;
    }

    static void waitFor(final Duration timeout, final String what, final Check check) throws IOException, InterruptedException {
        final Instant deadline = Instant.now().plus(timeout);
        while (!check.done()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(500);
        }
    }
}
