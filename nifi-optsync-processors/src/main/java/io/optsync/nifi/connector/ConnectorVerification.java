package io.optsync.nifi.connector;

import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The steps of a connector's Verify, over a vendor client: one read of one record of each object, as a full read
 * starts (so a sign-in, a Scope, a permission and the object itself are all tried), stopping after its first page. A
 * refused or unreachable connection skips the reads after it. Nothing is written.
 */
final class ConnectorVerification {
    private static final String HIDDEN = "********";

    private ConnectorVerification() {
    }

    static List<ConfigVerificationResult> readOneOfEach(final AbstractConnectorService.Client client, final ConnectorProfile profile) {
        final List<ConfigVerificationResult> results = new ArrayList<>();
        ConnectorException refused = null;
        for (final String object : profile.objects()) {
            final String step = "Read " + profile.system() + " " + object;
            if (refused != null) {
                results.add(result(step, Outcome.SKIPPED, "not tried: the connection failed (" + refused.code() + ")"));
                continue;
            }
            final int[] read = {0};
            try {
                client.fetch(new FetchRequest(object, FetchMode.FULL, Watermark.START, 1), new PageHandler() {
                    @Override
                    public void accept(final List<SourceRecord> page) {
                        read[0] += page.size();
                    }

                    @Override
                    public boolean resumable(final String cursor) {
                        return false; // one page is enough
                    }
                });
                results.add(successful(step, read[0] == 0 ? "signed in; " + object + " holds no record yet"
                        : "signed in and read " + (read[0] == 1 ? "a record" : read[0] + " records") + " of " + object + " from " + client.endpoint(object, false)));
            } catch (final ConnectorException e) {
                results.add(failed(step, e.code() + ": " + e.getMessage()));
                if (e.isConnectionFailure()) {
                    refused = e;
                }
            }
        }
        return results;
    }

    /** The results with every secret taken out of their explanations (a vendor's error may quote what it was sent). */
    static List<ConfigVerificationResult> redacted(final List<ConfigVerificationResult> results, final Collection<String> secrets) {
        return results.stream().map(r -> result(r.getVerificationStepName(), r.getOutcome(), redact(r.getExplanation(), secrets))).toList();
    }

    static String redact(final String text, final Collection<String> secrets) {
        String clean = text == null ? "" : text;
        for (final String secret : secrets) {
            if (secret != null && secret.length() >= 4) {
                clean = clean.replace(secret, HIDDEN);
            }
        }
        return clean;
    }

    static ConfigVerificationResult successful(final String step, final String explanation) {
        return result(step, Outcome.SUCCESSFUL, explanation);
    }

    static ConfigVerificationResult failed(final String step, final String explanation) {
        return result(step, Outcome.FAILED, explanation);
    }

    private static ConfigVerificationResult result(final String step, final Outcome outcome, final String explanation) {
        return new ConfigVerificationResult.Builder().verificationStepName(step).outcome(outcome).explanation(explanation).build();
    }
}
