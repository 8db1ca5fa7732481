package io.optsync.nifi.processors;

import io.optsync.nifi.connector.FetchMode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Which reads one run of FetchCrmRecords makes, in the order it makes them, each committed on its own: the incremental
 * read, always; the opted-out set when the reconciliation interval has passed since the last one; and a full read when
 * the full-resync interval has passed since the last one began (or there has never been one), or when the last one
 * stopped before its end. A full read that begins in this run sees every opted-out record, so it stands for the
 * opted-out read. A {@code null} interval means never.
 */
record FetchSchedule(Duration fullResyncInterval, Duration reconciliationInterval) {

    List<FetchMode> due(final Instant now, final Instant lastFull, final Instant lastReconciliation, final boolean fullUnfinished) {
        final List<FetchMode> modes = new ArrayList<>(3);
        modes.add(FetchMode.INCREMENTAL);
        final boolean fullBegins = fullResyncInterval != null && !fullUnfinished && (lastFull == null || !now.isBefore(lastFull.plus(fullResyncInterval)));
        if (!fullBegins && reconciliationInterval != null && (lastReconciliation == null || !now.isBefore(lastReconciliation.plus(reconciliationInterval)))) {
            modes.add(FetchMode.OPTED_OUT);
        }
        if (fullBegins || fullResyncInterval != null && fullUnfinished) {
            modes.add(FetchMode.FULL);
        }
        return modes;
    }
}
