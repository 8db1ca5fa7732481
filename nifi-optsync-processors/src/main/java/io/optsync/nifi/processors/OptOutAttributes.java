package io.optsync.nifi.processors;

/** FlowFile attributes the optsync record processors write. */
final class OptOutAttributes {
    static final String RECORD_COUNT = "record.count";
    static final String RECORD_ERROR_MESSAGE = "record.error.message";
    static final String FAILURE_REASON = "optsync.failure.reason";
    static final String FAILURE_FIELD = "optsync.failure.field";
    static final String FAILURE_VALUE = "optsync.failure.value";
    static final String FAILURE_RECORD_INDEX = "optsync.failure.record.index";
    static final String RETRY_REASON = "optsync.retry.reason";

    private OptOutAttributes() {
    }
}
