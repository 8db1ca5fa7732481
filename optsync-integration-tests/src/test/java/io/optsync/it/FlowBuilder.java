package io.optsync.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a flow inside a process group through NiFi's REST API, as a user would on the canvas. */
final class FlowBuilder {
    private static final Map<String, Object> NEW = Map.of("version", 0);
    private final NiFiRest rest;
    private final String group;

    FlowBuilder(final NiFiRest rest, final String group) {
        this.rest = rest;
        this.group = group;
    }

    String group() {
        return group;
    }

    static String parameterContext(final NiFiRest rest, final String name, final String description, final List<Map<String, Object>> parameters)
            throws IOException, InterruptedException {
        final List<Map<String, Object>> wrapped = new ArrayList<>();
        parameters.forEach(p -> wrapped.add(Map.of("parameter", p)));
        final Map<String, Object> component = new LinkedHashMap<>();
        component.put("name", name);
        component.put("description", description);
        component.put("parameters", wrapped);
        return rest.post("/parameter-contexts", Map.of("revision", NEW, "component", component)).path("id").asText();
    }

    static Map<String, Object> parameter(final String name, final String value, final boolean sensitive, final String description) {
        final Map<String, Object> parameter = new LinkedHashMap<>();
        parameter.put("name", name);
        parameter.put("sensitive", sensitive);
        parameter.put("value", value);
        parameter.put("description", description);
        return parameter;
    }

    static FlowBuilder group(final NiFiRest rest, final String parentId, final String name, final String contextId) throws IOException, InterruptedException {
        final Map<String, Object> component = new LinkedHashMap<>();
        component.put("name", name);
        component.put("position", Map.of("x", 0, "y", 0));
        component.put("parameterContext", Map.of("id", contextId));
        return new FlowBuilder(rest, rest.post("/process-groups/" + parentId + "/process-groups", Map.of("revision", NEW, "component", component)).path("id").asText());
    }

    private JsonNode bundle(final String listPath, final String listField, final String type) throws IOException, InterruptedException {
        for (final JsonNode candidate : rest.get(listPath).path(listField)) {
            if (candidate.path("type").asText().equals(type)) {
                return candidate.path("bundle");
            }
        }
        throw new IllegalStateException("NiFi offers no " + type);
    }

    String service(final String type, final String name, final Map<String, String> properties) throws IOException, InterruptedException {
        final Map<String, Object> component = new LinkedHashMap<>();
        component.put("type", type);
        component.put("bundle", bundle("/flow/controller-service-types", "controllerServiceTypes", type));
        component.put("name", name);
        component.put("properties", properties);
        return rest.post("/process-groups/" + group + "/controller-services", Map.of("revision", NEW, "component", component)).path("id").asText();
    }

    String processor(final String type, final String name, final int x, final int y, final Map<String, String> properties, final String schedule,
                     final List<String> autoTerminated) throws IOException, InterruptedException {
        final Map<String, Object> create = new LinkedHashMap<>();
        create.put("type", type);
        create.put("bundle", bundle("/flow/processor-types", "processorTypes", type));
        create.put("name", name);
        create.put("position", Map.of("x", x, "y", y));
        final JsonNode created = rest.post("/process-groups/" + group + "/processors", Map.of("revision", NEW, "component", create));
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("properties", properties);
        config.put("schedulingPeriod", schedule);
        config.put("autoTerminatedRelationships", autoTerminated);
        final Map<String, Object> update = new LinkedHashMap<>();
        update.put("id", created.path("id").asText());
        update.put("config", config);
        rest.put("/processors/" + created.path("id").asText(), Map.of("revision", created.path("revision"), "component", update));
        return created.path("id").asText();
    }

    /** An Output Port of the group: what a user connects the group to, from outside, without editing it. */
    String outputPort(final int x, final int y, final String name) throws IOException, InterruptedException {
        return rest.post("/process-groups/" + group + "/output-ports", Map.of("revision", NEW, "component", Map.of("name", name, "position",
                Map.of("x", x, "y", y)))).path("id").asText();
    }

    void label(final String text, final int x, final int y, final int width, final int height) throws IOException, InterruptedException {
        final Map<String, Object> component = new LinkedHashMap<>();
        component.put("label", text);
        component.put("position", Map.of("x", x, "y", y));
        component.put("width", width);
        component.put("height", height);
        component.put("style", Map.of("font-size", "14px"));
        rest.post("/process-groups/" + group + "/labels", Map.of("revision", NEW, "component", component));
    }

    /** How a connection pushes back on the processor before it. */
    enum BackPressure {
        /** NiFi's default: at 10,000 FlowFiles or 1 GB the processor before it waits; the work after it drains it. */
        DEFAULT,
        /**
         * None (0 disables it): for a connection that only a user drains (into an Output Port) or that loops back into its
         * own source (retry), which must never stop the flow by filling up. What it holds waits, nothing is lost.
         */
        NONE
    }

    /**
     * A connection; {@code balanced}, it spreads its FlowFiles round robin over the nodes of a cluster (what a primary-only
     * source hands over, so that the work after it runs on every node; a standalone NiFi ignores it).
     */
    void connect(final String source, final String sourceType, final String destination, final String destinationType, final List<String> relationships,
                 final boolean balanced, final BackPressure backPressure) throws IOException, InterruptedException {
        final Map<String, Object> component = new LinkedHashMap<>();
        if (balanced) {
            component.put("loadBalanceStrategy", "ROUND_ROBIN");
            component.put("loadBalanceCompression", "DO_NOT_COMPRESS");
        }
        component.put("source", Map.of("id", source, "groupId", group, "type", sourceType));
        component.put("destination", Map.of("id", destination, "groupId", group, "type", destinationType));
        component.put("selectedRelationships", relationships);
        component.put("backPressureObjectThreshold", backPressure == BackPressure.NONE ? 0 : 10000);
        component.put("backPressureDataSizeThreshold", backPressure == BackPressure.NONE ? "0 B" : "1 GB");
        rest.post("/process-groups/" + group + "/connections", Map.of("revision", NEW, "component", component));
    }

    void connect(final String source, final String destination, final String... relationships) throws IOException, InterruptedException {
        connect(source, "PROCESSOR", destination, "PROCESSOR", List.of(relationships), false, BackPressure.DEFAULT);
    }

    /** A retry relationship looped back into its processor, with no back pressure: a full self-loop would stop it for good. */
    void retryLoop(final String processor, final String relationship) throws IOException, InterruptedException {
        connect(processor, "PROCESSOR", processor, "PROCESSOR", List.of(relationship), false, BackPressure.NONE);
    }

    /** An Output Port at (x, y) that takes one relationship of each source processor, with no back pressure. */
    String outputPort(final int x, final int y, final String name, final String relationship, final String... sources) throws IOException, InterruptedException {
        final String port = outputPort(x, y, name);
        for (final String source : sources) {
            connect(source, "PROCESSOR", port, "OUTPUT_PORT", List.of(relationship), false, BackPressure.NONE);
        }
        return port;
    }
}
