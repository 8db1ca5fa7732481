package io.optsync.nifi.processors;

import io.optsync.nifi.optout.BounceKind;
import io.optsync.nifi.optout.OptOutStatus;

/** What became of one record: its canonical values, or why it cannot be used. */
sealed interface RecordVerdict {

    /**
     * @param email the normalized e-mail address
     * @param status the opt-out status the record says
     * @param bounce the bounce kind it says
     * @param reason how the status was read
     */
    record Canonical(String email, OptOutStatus status, BounceKind bounce, String reason) implements RecordVerdict {
    }

    /**
     * @param reason why the record cannot be used
     * @param field the field (RecordPath or name) at fault
     * @param value the offending value, for display
     */
    record Failure(String reason, String field, Object value) implements RecordVerdict {
    }

    /** The record holds no e-mail address (absent or empty): there is nothing to sync, and nothing wrong with it. */
    record NoAddress() implements RecordVerdict {
    }
}
