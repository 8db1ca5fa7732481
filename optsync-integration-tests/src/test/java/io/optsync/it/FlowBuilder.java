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

    String funnel(final int x, final int y) throws IOException, InterruptedException {
        return rest.post("/process-groups/" + group + "/funnels", Map.of("revision", NEW, "component", Map.of("position", Map.of("x", x, "y", y))))
                .path("id").asText();
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

    void connect(final String source, final String sourceType, final String destination, final String destinationType, final List<String> relationships)
            throws IOException, InterruptedException {
        connect(source, sourceType, destination, destinationType, relationships, false);
    }

    /**
     * A connection; {@code balanced}, it spreads its FlowFiles round robin over the nodes of a cluster (what a primary-only
     * source hands over, so that the work after it runs on every node; a standalone NiFi ignores it).
     */
    void connect(final String source, final String sourceType, final String destination, final String destinationType, final List<String> relationships,
                 final boolean balanced) throws IOException, InterruptedException {
        final Map<String, Object> component = new LinkedHashMap<>();
        if (balanced) {
            component.put("loadBalanceStrategy", "ROUND_ROBIN");
            component.put("loadBalanceCompression", "DO_NOT_COMPRESS");
        }
        component.put("source", Map.of("id", source, "groupId", group, "type", sourceType));
        component.put("destination", Map.of("id", destination, "groupId", group, "type", destinationType));
        component.put("selectedRelationships", relationships);
        component.put("backPressureObjectThreshold", 10000);
        component.put("backPressureDataSizeThreshold", "1 GB");
        rest.post("/process-groups/" + group + "/connections", Map.of("revision", NEW, "component", component));
    }

    void connect(final String source, final String destination, final String... relationships) throws IOException, InterruptedException {
        connect(source, "PROCESSOR", destination, "PROCESSOR", List.of(relationships));
    }

    /** A funnel at (x, y) that collects one relationship of each source processor. */
    String funnel(final int x, final int y, final String relationship, final String... sources) throws IOException, InterruptedException {
        final String funnel = funnel(x, y);
        for (final String source : sources) {
            connect(source, "PROCESSOR", funnel, "FUNNEL", List.of(relationship));
        }
        return funnel;
    }
}
