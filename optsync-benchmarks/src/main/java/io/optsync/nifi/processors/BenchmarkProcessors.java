package io.optsync.nifi.processors;

import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.Relationship;

import java.util.Set;

/**
 * Gives the benchmarks the optsync processors as NiFi runs them when only "opted out" is connected. NiFi reports the
 * other relationships as auto-terminated and FilterOptedOut then does not write their records; nifi-mock's
 * MockProcessContext answers "not auto-terminated" for every relationship, so this stands in for NiFi's answer.
 */
public final class BenchmarkProcessors {
    private BenchmarkProcessors() {
    }

    public static FilterOptedOut filterKeepingOnlyOptedOut() {
        return new FilterOptedOut() {
            @Override
            Set<Relationship> relationshipsNotWritten(final ProcessContext context) {
                return Set.of(REL_SUBSCRIBED, REL_UNKNOWN);
            }
        };
    }

    public static NormalizeOptOutValue normalize() {
        return new NormalizeOptOutValue();
    }

    public static FilterOptedOut filter() {
        return new FilterOptedOut();
    }

    public static Relationship optedOut() {
        return FilterOptedOut.REL_OPTED_OUT;
    }

    public static Relationship normalized() {
        return NormalizeOptOutValue.REL_SUCCESS;
    }
}
