package io.optsync.nifi.processors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.csv.CSVReader;
import org.apache.nifi.csv.CSVRecordSetWriter;
import org.apache.nifi.json.JsonRecordSetWriter;
import org.apache.nifi.json.JsonTreeReader;
import org.apache.nifi.processor.Processor;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Test runners wired with NiFi's real JSON and CSV record services. */
final class RecordTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();

    enum Format { JSON, CSV }

    private RecordTestSupport() {
    }

    static TestRunner runner(final Processor processor, final Format format) {
        final TestRunner runner = TestRunners.newTestRunner(processor);
        try {
            final ControllerService reader = format == Format.JSON ? new JsonTreeReader() : new CSVReader();
            final ControllerService writer = format == Format.JSON ? new JsonRecordSetWriter() : new CSVRecordSetWriter();
            runner.addControllerService("reader", reader);
            runner.addControllerService("writer", writer);
        } catch (final InitializationException e) {
            throw new IllegalStateException(e);
        }
        runner.enableControllerService(runner.getControllerService("reader"));
        runner.enableControllerService(runner.getControllerService("writer"));
        runner.setProperty(OptOutProperties.RECORD_READER, "reader");
        runner.setProperty(OptOutProperties.RECORD_WRITER, "writer");
        return runner;
    }

    /** A FetchCrmRecords with the JSON writer, reading {@code object}; its connector is still to be added. */
    static TestRunner fetch(final String object) {
        final TestRunner fetch = TestRunners.newTestRunner(FetchCrmRecords.class);
        try {
            fetch.addControllerService("writer", new JsonRecordSetWriter());
        } catch (final InitializationException e) {
            throw new IllegalStateException(e);
        }
        fetch.enableControllerService(fetch.getControllerService("writer"));
        fetch.setProperty(OptOutProperties.RECORD_WRITER, "writer");
        fetch.setProperty(OptOutProperties.OBJECT, object);
        return fetch;
    }

    /** A PushCrmFieldUpdates with the JSON reader and writer, writing to {@code object}; its connector is still to be added. */
    static TestRunner push(final String object) {
        final TestRunner push = runner(new PushCrmFieldUpdates(), Format.JSON);
        push.setProperty(OptOutProperties.OBJECT, object);
        return push;
    }

    /** The records of a JSON FlowFile written by JsonRecordSetWriter (an array). */
    static List<JsonNode> records(final MockFlowFile flowFile) {
        try {
            final JsonNode array = JSON.readTree(flowFile.getContent());
            final List<JsonNode> records = new ArrayList<>();
            array.forEach(records::add);
            return records;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All records of all FlowFiles routed to a relationship, in order. */
    static List<JsonNode> records(final List<MockFlowFile> flowFiles) {
        final List<JsonNode> records = new ArrayList<>();
        flowFiles.forEach(flowFile -> records.addAll(records(flowFile)));
        return records;
    }
}
