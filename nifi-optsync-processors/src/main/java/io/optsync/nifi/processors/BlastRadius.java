package io.optsync.nifi.processors;

/**
 * The blast-radius guard of a push: the most target records one run may change, as a count and as a percentage of the
 * records the run received. Either may be {@code null} (no limit).
 *
 * @param maxChanges the most changes in one run
 * @param maxSharePercent the most changes as a percentage of the records received
 */
record BlastRadius(Integer maxChanges, Integer maxSharePercent) {

    boolean isSet() {
        return maxChanges != null || maxSharePercent != null;
    }

    /**
     * @return why a run with {@code changes} changes out of {@code seen} records is over the guard, or {@code null}
     */
    String exceededBy(final int changes, final int seen) {
        if (maxChanges != null && changes > maxChanges) {
            return "this run would change " + changes + " target records, more than Max Changes Per Run (" + maxChanges + ")";
        }
        if (maxSharePercent != null && seen > 0 && changes * 100L > (long) maxSharePercent * seen) {
            return "this run would change " + changes + " target records for " + seen + " records received, more than Max Change Share ("
                    + maxSharePercent + "%)";
        }
        return null;
    }
}
