package io.optsync.nifi.processors;

import io.optsync.nifi.connector.FetchMode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which reads one run of FetchCrmRecords makes: incremental by default; a full read when the full-resync interval has
 * passed since the last one (or there has never been one); and, besides an incremental read, the opted-out set when the
 * reconciliation interval has passed. A full read sees every opted-out record, so it stands for a reconciliation too.
 * A {@code null} interval means never.
 */
record FetchSchedule(Duration fullResyncInterval, Duration reconciliationInterval) {

    List<FetchMode> due(final Instant now, final Instant lastFull, final Instant lastReconciliation) {
        final List<FetchMode> modes = new ArrayList<>(2);
        final boolean fullDue = lastFull == null
                ? fullResyncInterval != null
                : fullResyncInterval != null && !now.isBefore(lastFull.plus(fullResyncInterval));
        modes.add(fullDue ? FetchMode.FULL : FetchMode.INCREMENTAL);
        if (!fullDue && reconciliationInterval != null && (lastReconciliation == null || !now.isBefore(lastReconciliation.plus(reconciliationInterval)))) {
            modes.add(FetchMode.OPTED_OUT);
        }
        return modes;
    }
}
