package io.optsync.nifi.processors;

import org.apache.nifi.json.JsonRecordSetWriter;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.reporting.InitializationException;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.apache.nifi.util.TestRunners;

import java.util.List;

/** One direction of a template as the templates run it: fetch, decode and keep the opted-out records in one pass, push. */
final class PipelineDirection {
    final TestRunner fetch;
    final TestRunner filter = RecordTestSupport.runner(new FilterOptedOut(), RecordTestSupport.Format.JSON);
    final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
    private boolean pushSubscribed;

    PipelineDirection(final String sourceObject, final SourceEncoding encoding, final String targetObject) throws InitializationException {
        fetch = TestRunners.newTestRunner(FetchCrmRecords.class);
        fetch.addControllerService("writer", new JsonRecordSetWriter());
        fetch.enableControllerService(fetch.getControllerService("writer"));
        fetch.setProperty(OptOutProperties.RECORD_WRITER, "writer");
        fetch.setProperty(OptOutProperties.OBJECT, sourceObject);
        filter.setProperty(FilterOptedOut.STATUS_SOURCE, StatusSource.DECODE_SOURCE_FIELDS);
        filter.setProperty(OptOutProperties.OPT_OUT_FIELD, "/opt_out");
        filter.setProperty(OptOutProperties.EMAIL_FIELD, "/email");
        filter.setProperty(OptOutProperties.SOURCE_ENCODING, encoding);
        push.setProperty(OptOutProperties.OBJECT, targetObject);
    }

    /** Reads the source's hard bounces (the fetched {@code hard_bounce}), which count as opt-outs by default. */
    PipelineDirection withHardBounces() {
        filter.setProperty(OptOutProperties.HARD_BOUNCE_FIELD, "/hard_bounce");
        return this;
    }

    /**
     * Sends the subscribed records to the push as well, with their modification time as the consent time: what a
     * flow that propagates opt-ins does, so that the push's decision rule, not the flow's shape, keeps opt-outs.
     */
    PipelineDirection alsoPushingSubscribed() {
        pushSubscribed = true;
        push.setProperty(PushCrmFieldUpdates.CONSENT_TIME_PATH, "/modified_at");
        return this;
    }

    /** One round: every step runs over what the step before produced. */
    void run() {
        fetch.clearTransferState();
        fetch.run();
        step(fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS), filter);
        final List<MockFlowFile> toPush = new java.util.ArrayList<>(filter.getFlowFilesForRelationship(FilterOptedOut.REL_OPTED_OUT));
        if (pushSubscribed) {
            toPush.addAll(filter.getFlowFilesForRelationship(FilterOptedOut.REL_SUBSCRIBED));
        }
        step(toPush, push);
    }

    private static void step(final List<MockFlowFile> input, final TestRunner next) {
        next.clearTransferState();
        ConnectorTestSupport.pass(input, next);
        if (!input.isEmpty()) {
            next.run(input.size());
        }
    }

    long pushed(final Relationship relationship) {
        return push.getFlowFilesForRelationship(relationship).stream().mapToLong(f -> Long.parseLong(f.getAttribute("record.count"))).sum();
    }
}
