package io.optsync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.SimResponse;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;
import io.optsync.simulators.SugarV41Simulator;
import org.apache.nifi.components.state.Scope;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.LogMessage;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input corpus in {@code src/test/resources/bad-input/}: opt-out values in every vendor encoding, e-mail
 * addresses, whole documents, vendor pages (served by the simulators in place of a real page), records given to
 * PushCrmFieldUpdates and vendor replies to writes. Each case must end on a failure path with a reason: the failure
 * relationship with {@code optsync.failure.reason}, unknown with the reason in the record (an absent value), a fetch
 * that emits nothing, keeps its watermark and says why (the page is read again next run), or retry with the reason.
 * No processor may throw, nothing may be dropped, nobody may be routed as subscribed. Prints the figures.
 */
class BadInputCorpusTest {
    private static final Map<String, AtomicInteger> ENDINGS = new LinkedHashMap<>();
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger THROWN = new AtomicInteger();
    private static final AtomicInteger DROPPED = new AtomicInteger();
    private static final Map<String, Integer> PER_FILE = new LinkedHashMap<>();

    @AfterAll
    static void printFigures() {
        final int explained = ENDINGS.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.printf(Locale.ROOT, "FIGURE bad-input corpus: %d cases run %s; ended on a failure path with a reason: %d %s; thrown: %d; dropped: %d%n",
                CASES.get(), PER_FILE, explained, ENDINGS, THROWN.get(), DROPPED.get());
    }

    private static void ended(final String how) {
        ENDINGS.computeIfAbsent(how, k -> new AtomicInteger()).incrementAndGet();
    }

    // ---- the corpus files

    private static List<JsonNode> corpus(final String file) {
        try (InputStream in = BadInputCorpusTest.class.getResourceAsStream("/bad-input/" + file)) {
            final List<JsonNode> cases = new ArrayList<>();
            RecordTestSupport.JSON.readTree(in).forEach(cases::add);
            PER_FILE.put(file, cases.size());
            return cases;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Expands {@code {"$repeat": s, "times": n, "prefix": p, "suffix": q}} into p + s×n + q (huge values kept out of the files). */
    private static JsonNode expand(final JsonNode node) {
        if (node != null && node.isObject() && node.has("$repeat")) {
            return JsonNodeFactory.instance.textNode(node.path("prefix").asText("") + node.get("$repeat").asText().repeat(node.get("times").asInt())
                    + node.path("suffix").asText(""));
        }
        return node;
    }

    private static String text(final JsonNode node) {
        final JsonNode expanded = expand(node);
        return expanded.isTextual() ? expanded.asText() : expanded.toString();
    }

    private static Stream<DynamicTest> tests(final String file, final CaseRunner runner) {
        return corpus(file).stream().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            CASES.incrementAndGet();
            try {
                runner.run(c);
            } catch (final AssertionError e) {
                if (String.valueOf(e.getMessage()).contains("Could not invoke methods annotated") || e.getCause() != null) {
                    THROWN.incrementAndGet();
                }
                throw e;
            }
        }));
    }

    @FunctionalInterface
    private interface CaseRunner {
        void run(JsonNode c) throws Exception;
    }

    // ---- record processors: values, addresses, documents

    private static TestRunner normalize(final String encoding) {
        final TestRunner runner = RecordTestSupport.runner(new NormalizeOptOutValue(), RecordTestSupport.Format.JSON);
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/opt_out");
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/email");
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, encoding);
        runner.setProperty(OptOutProperties.ACCEPT_INTERNATIONALIZED, "false");
        return runner;
    }

    private static TestRunner filterDecoding(final String encoding) {
        final TestRunner runner = RecordTestSupport.runner(new FilterOptedOut(), RecordTestSupport.Format.JSON);
        runner.setProperty(FilterOptedOut.STATUS_SOURCE, StatusSource.DECODE_SOURCE_FIELDS);
        runner.setProperty(OptOutProperties.OPT_OUT_FIELD, "/opt_out");
        runner.setProperty(OptOutProperties.EMAIL_FIELD, "/email");
        runner.setProperty(OptOutProperties.SOURCE_ENCODING, encoding);
        runner.setProperty(OptOutProperties.ACCEPT_INTERNATIONALIZED, "false");
        return runner;
    }

    /** One record through NormalizeOptOutValue, then through FilterOptedOut decoding: both must end it the same way. */
    private static void throughBoth(final String encoding, final String content, final String expect, final String reason) {
        final TestRunner normalize = normalize(encoding);
        normalize.enqueue(content.getBytes(StandardCharsets.UTF_8));
        normalize.run();
        normalize.assertQueueEmpty();
        final TestRunner filter = filterDecoding(encoding);
        filter.enqueue(content.getBytes(StandardCharsets.UTF_8));
        filter.run();
        filter.assertQueueEmpty();
        assertThat(filter.getFlowFilesForRelationship(FilterOptedOut.REL_SUBSCRIBED)).as("never subscribed").isEmpty();
        assertThat(filter.getFlowFilesForRelationship(FilterOptedOut.REL_OPTED_OUT)).as("never opted out").isEmpty();
        if (expect.equals("unknown")) {
            final List<JsonNode> normalized = RecordTestSupport.records(normalize.getFlowFilesForRelationship(NormalizeOptOutValue.REL_SUCCESS));
            assertThat(normalized).hasSize(1);
            assertThat(normalized.getFirst().get("optsync_opted_out").isNull()).isTrue();
            assertThat(normalized.getFirst().get("optsync_reason").asText()).contains(reason);
            final List<JsonNode> unknown = RecordTestSupport.records(filter.getFlowFilesForRelationship(FilterOptedOut.REL_UNKNOWN));
            assertThat(unknown).hasSize(1);
            assertThat(unknown.getFirst().get("optsync_reason").asText()).contains(reason);
            ended("unknown, reason in the record");
            return;
        }
        if (expect.equals("no address")) { // nothing to sync, nothing wrong: a relationship of its own, not a failure
            assertThat(RecordTestSupport.records(single(normalize, AbstractOptOutRecordProcessor.REL_NO_ADDRESS))).hasSize(1);
            assertThat(RecordTestSupport.records(single(filter, AbstractOptOutRecordProcessor.REL_NO_ADDRESS))).hasSize(1);
            assertThat(normalize.getFlowFilesForRelationship(NormalizeOptOutValue.REL_FAILURE)).isEmpty();
            ended("no address");
            return;
        }
        for (final MockFlowFile failed : List.of(single(normalize, NormalizeOptOutValue.REL_FAILURE), single(filter, FilterOptedOut.REL_FAILURE))) {
            assertThat(failed.getAttribute(OptOutAttributes.FAILURE_REASON)).isNotBlank().contains(reason);
            assertThat(failed.isPenalized()).isTrue();
        }
        assertThat(normalize.getFlowFilesForRelationship(NormalizeOptOutValue.REL_SUCCESS)).isEmpty();
        ended("failure");
    }

    private static MockFlowFile single(final TestRunner runner, final Relationship relationship) {
        final List<MockFlowFile> routed = runner.getFlowFilesForRelationship(relationship);
        if (routed.size() != 1) {
            DROPPED.incrementAndGet();
        }
        assertThat(routed).as("one FlowFile on %s", relationship.getName()).hasSize(1);
        return routed.getFirst();
    }

    private static String oneRecord(final JsonNode email, final JsonNode value) {
        final ObjectNode record = RecordTestSupport.JSON.createObjectNode();
        if (email != null && !email.path("$absent").asBoolean()) {
            record.set("email", expand(email));
        }
        record.set("opt_out", expand(value));
        return "[" + record + "]";
    }

    @TestFactory
    Stream<DynamicTest> optOutValuesInEveryEncoding() {
        return tests("values.json", c -> throughBoth(c.get("encoding").asText(),
                oneRecord(JsonNodeFactory.instance.textNode("ann@example.com"), c.get("value")), c.get("expect").asText(), c.get("reason").asText()));
    }

    @TestFactory
    Stream<DynamicTest> eMailAddresses() {
        return tests("emails.json", c -> throughBoth("sugarcrm-v4_1", oneRecord(c.get("email"), JsonNodeFactory.instance.textNode("1")),
                c.path("expect").asText("failure"), c.get("reason").asText()));
    }

    @TestFactory
    Stream<DynamicTest> documentsThatAreNotRecords() {
        return tests("documents.json", c -> throughBoth("sugarcrm-v4_1", text(c.get("content")), "failure", c.get("reason").asText()));
    }

    // ---- vendor pages read by FetchCrmRecords

    private record Vendor(SimulatorServer sim, String version, String object, String encoding, String fetchEndpoint) {
    }

    private static Vendor vendor(final String name) throws Exception {
        return switch (name) {
            case "act-on" -> {
                final ActOnSimulator sim = new ActOnSimulator();
                sim.seed(30, 3);
                sim.start(0);
                yield new Vendor(sim, null, "optout", "act-on", "GET /api/1/list/optout");
            }
            case "sugarcrm-v10" -> new Vendor(new SugarV10Simulator(sugarStore()).start(0), "v10", "Contacts", "sugarcrm-v10",
                    "POST /rest/v10/{Module}/filter");
            case "sugarcrm-v4_1" -> new Vendor(new SugarV41Simulator(sugarStore()).start(0), "v4_1", "Contacts", "sugarcrm-v4_1",
                    "POST /service/v4_1/rest.php get_entry_list");
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static SugarStore sugarStore() {
        final SugarStore store = new SugarStore().seed(30, 3);
        store.create("Contacts", "A", "Target", "a@example.com", Instant.now());
        return store;
    }

    private static void connect(final TestRunner runner, final Vendor vendor) {
        if (vendor.version() == null) {
            ConnectorTestSupport.actOn(runner, vendor.sim());
        } else {
            ConnectorTestSupport.sugar(runner, vendor.sim(), vendor.version());
        }
    }

    private static SimResponse canned(final JsonNode c) {
        final Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", c.get("contentType").asText());
        return new SimResponse(c.get("status").asInt(), headers, text(c.get("body")).getBytes(StandardCharsets.UTF_8));
    }

    private static TestRunner fetch(final Vendor vendor) throws InitializationException {
        final TestRunner fetch = RecordTestSupport.fetch(vendor.object());
        fetch.setProperty(FetchCrmRecords.FULL_RESYNC_INTERVAL, "0 sec");
        fetch.setProperty(FetchCrmRecords.RECONCILIATION_INTERVAL, "0 sec");
        connect(fetch, vendor);
        return fetch;
    }

    @TestFactory
    Stream<DynamicTest> vendorPages() {
        return tests("vendor-pages.json", c -> {
            final Vendor vendor = vendor(c.get("vendor").asText());
            try (SimulatorServer ignored = vendor.sim()) {
                final TestRunner fetch = fetch(vendor);
                vendor.sim().answerNext(vendor.fetchEndpoint(), canned(c));
                fetch.run();
                final String reason = c.get("reason").asText();
                final List<MockFlowFile> read = fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS);
                switch (c.get("expect").asText()) {
                    case "re-read" -> {
                        assertThat(read).as("nothing emitted from a malformed page").isEmpty();
                        assertThat(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_FAILURE)).isEmpty();
                        assertThat(fetch.getStateManager().getState(Scope.CLUSTER).get(FetchCrmRecords.STATE_WATERMARK)).as("watermark kept").isNull();
                        // a bulletin: WARN for a page that may read next time, ERROR for a refusal the user must mend (SugarCRM's Access Denied)
                        assertThat(Stream.concat(fetch.getLogger().getWarnMessages().stream(), fetch.getLogger().getErrorMessages().stream())
                                .map(LogMessage::getMsg).toList()).anySatisfy(m -> assertThat(m).contains(reason));
                        fetch.clearTransferState();
                        fetch.run();
                        assertThat(count(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS))).as("read again on the next run").isPositive();
                        ended("fetch emitted nothing and re-read the page next run");
                    }
                    case "record-failure" -> {
                        final MockFlowFile failed = single(fetch, FetchCrmRecords.REL_FAILURE);
                        assertThat(failed.getAttribute(OptOutAttributes.FAILURE_REASON)).contains(reason);
                        assertThat(failed.getContent()).isNotBlank();
                        assertThat(emails(read)).as("the rest of the page goes on").contains("good@example.com");
                        ended("failure");
                    }
                    case "normalize-failure" -> {
                        final TestRunner normalize = normalize(vendor.encoding());
                        ConnectorTestSupport.pass(read, normalize);
                        normalize.run(read.size());
                        final MockFlowFile failed = single(normalize, NormalizeOptOutValue.REL_FAILURE);
                        assertThat(failed.getAttribute(OptOutAttributes.FAILURE_REASON)).contains(reason);
                        assertThat(emails(normalize.getFlowFilesForRelationship(NormalizeOptOutValue.REL_SUCCESS))).contains("good@example.com");
                        ended("failure");
                    }
                    case "normalize-no-address" -> { // an address entry with no address: nothing to sync, and no failure
                        final TestRunner normalize = normalize(vendor.encoding());
                        ConnectorTestSupport.pass(read, normalize);
                        normalize.run(read.size());
                        assertThat(RecordTestSupport.records(single(normalize, AbstractOptOutRecordProcessor.REL_NO_ADDRESS))).hasSize(1);
                        assertThat(normalize.getFlowFilesForRelationship(NormalizeOptOutValue.REL_FAILURE)).isEmpty();
                        assertThat(emails(normalize.getFlowFilesForRelationship(NormalizeOptOutValue.REL_SUCCESS))).contains("good@example.com");
                        ended("no address");
                    }
                    default -> throw new IllegalArgumentException(c.get("expect").asText());
                }
            }
        });
    }

    private static List<String> emails(final List<MockFlowFile> flowFiles) {
        return RecordTestSupport.records(flowFiles).stream().map(r -> r.path("email").asText()).toList();
    }

    private static long count(final List<MockFlowFile> flowFiles) {
        return flowFiles.stream().mapToLong(f -> Long.parseLong(f.getAttribute(OptOutAttributes.RECORD_COUNT))).sum();
    }

    // ---- PushCrmFieldUpdates: bad records, and bad vendor replies to writes

    private static TestRunner push(final Vendor vendor) {
        final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
        push.setProperty(OptOutProperties.OBJECT, vendor.object());
        connect(push, vendor);
        return push;
    }

    private static final Set<Relationship> PUSH_OUTCOMES = Set.of(PushCrmFieldUpdates.REL_SUCCESS, PushCrmFieldUpdates.REL_FAILURE,
            PushCrmFieldUpdates.REL_RETRY, PushCrmFieldUpdates.REL_HELD);

    private static long pushedOut(final TestRunner push) {
        return PUSH_OUTCOMES.stream().mapToLong(r -> count(push.getFlowFilesForRelationship(r))).sum();
    }

    @TestFactory
    Stream<DynamicTest> recordsGivenToThePush() {
        return tests("push-inputs.json", c -> {
            final Vendor vendor = vendor("act-on");
            try (SimulatorServer ignored = vendor.sim()) {
                final TestRunner push = push(vendor);
                final String content = text(c.get("content"));
                push.enqueue(content.getBytes(StandardCharsets.UTF_8));
                push.run();
                push.assertQueueEmpty();
                final List<MockFlowFile> failed = push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_FAILURE);
                assertThat(failed).as("on failure").isNotEmpty();
                assertThat(failed).allSatisfy(f -> assertThat(f.getAttribute(OptOutAttributes.FAILURE_REASON)).isNotBlank().contains(c.get("reason").asText()));
                final boolean readable = !c.get("reason").asText().equals("could not read the records");
                if (readable) {
                    final int records = RecordTestSupport.JSON.readTree(content).size();
                    if (pushedOut(push) != records) {
                        DROPPED.incrementAndGet();
                    }
                    assertThat(pushedOut(push)).as("every record accounted for").isEqualTo(records);
                }
                ended("failure");
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> vendorRepliesToWrites() {
        return tests("write-replies.json", c -> {
            final Vendor vendor = vendor(c.get("vendor").asText());
            try (SimulatorServer ignored = vendor.sim()) {
                final TestRunner push = push(vendor);
                final byte[] optOut = "[{\"optsync_email\":\"a@example.com\",\"optsync_opted_out\":true,\"optsync_bounce\":\"NONE\"}]".getBytes(StandardCharsets.UTF_8);
                push.enqueue(optOut);
                vendor.sim().answerNext(c.get("endpoint").asText(), canned(c));
                push.run();
                push.assertQueueEmpty();
                assertThat(pushedOut(push)).as("the record is accounted for").isEqualTo(1);
                assertThat(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS)).as("not taken as written").isEmpty();
                final String expect = c.get("expect").asText();
                final MockFlowFile ended = single(push, expect.equals("retry") ? PushCrmFieldUpdates.REL_RETRY : PushCrmFieldUpdates.REL_FAILURE);
                assertThat(ended.getAttribute(expect.equals("retry") ? OptOutAttributes.RETRY_REASON : OptOutAttributes.FAILURE_REASON)).contains(c.get("reason").asText());
                if (expect.equals("retry")) { // the loop a template has: the next attempt writes it
                    push.clearTransferState();
                    ConnectorTestSupport.pass(List.of(ended), push);
                    push.run();
                    assertThat(count(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS))).as("written on the retry").isEqualTo(1);
                    ended("retry, then written");
                } else {
                    ended("failure");
                }
            }
        });
    }
}
