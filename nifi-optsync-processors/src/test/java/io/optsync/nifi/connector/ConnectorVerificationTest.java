package io.optsync.nifi.connector;

import io.optsync.nifi.optout.OptOutEncoding;
import org.apache.nifi.components.ConfigVerificationResult;
import org.apache.nifi.components.ConfigVerificationResult.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The steps of Verify over a client that records what it is asked: reads only, one page of one record per object. */
class ConnectorVerificationTest {
    private static final ConnectorProfile PROFILE = new ConnectorProfile("Vendor", List.of("Contacts", "Leads"), 100, 5, OptOutEncoding.SALESFORCE,
            false, Set.of("opt_out"));

    /** A vendor with 3 records per object, 1 per page; it writes nothing and says so loudly if asked to. */
    private static class Recording implements AbstractConnectorService.Client {
        final List<String> calls = new ArrayList<>();
        ConnectorException refusal;

        @Override
        public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
            if (refusal != null) {
                calls.add("refused " + request.object());
                throw refusal;
            }
            for (int page = 0; page < 3; page++) {
                calls.add(request.mode() + " " + request.object() + " page " + page + " of " + request.pageSize());
                PageHandler.deliver(pages, List.of(new SourceRecord(request.object(), "id" + page, "a" + page + "@example.com", "false", false,
                        java.time.Instant.EPOCH, Map.of())));
                if (!PageHandler.goOn(pages, request, "after " + page)) {
                    break;
                }
            }
            return Watermark.START;
        }

        @Override
        public Map<String, List<RecordRef>> lookupByEmail(final String object, final Collection<String> emails) {
            throw new AssertionError("Verify looked up addresses");
        }

        @Override
        public List<WriteOutcome> write(final String object, final List<FieldUpdate> updates) {
            throw new AssertionError("Verify wrote");
        }

        @Override
        public String endpoint(final String object, final boolean write) {
            return "https://vendor.example.com/" + object;
        }
    }

    @Test
    void readsOnePageOfOneRecordOfEachObjectAndNothingElse() {
        final Recording vendor = new Recording();
        final List<ConfigVerificationResult> results = ConnectorVerification.readOneOfEach(vendor, PROFILE);

        assertThat(vendor.calls).containsExactly("FULL Contacts page 0 of 1", "FULL Leads page 0 of 1");
        assertThat(results).extracting(ConfigVerificationResult::getVerificationStepName).containsExactly("Read Vendor Contacts", "Read Vendor Leads");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.getOutcome()).isEqualTo(Outcome.SUCCESSFUL);
            assertThat(r.getExplanation()).contains("read a record of").contains("https://vendor.example.com/");
        });
    }

    @Test
    void aRefusedSignInFailsTheFirstReadAndSkipsTheRest() {
        final Recording vendor = new Recording();
        vendor.refusal = new ConnectorException("401", "the vendor refused the sign-in: invalid_client", false);
        final List<ConfigVerificationResult> results = ConnectorVerification.readOneOfEach(vendor, PROFILE);

        assertThat(vendor.calls).containsExactly("refused Contacts");
        assertThat(results).extracting(ConfigVerificationResult::getOutcome).containsExactly(Outcome.FAILED, Outcome.SKIPPED);
        assertThat(results.getFirst().getExplanation()).isEqualTo("401: the vendor refused the sign-in: invalid_client");
    }

    @Test
    void anObjectThatCannotBeReadFailsAloneWhenTheConnectionIsFine() {
        final Recording vendor = new Recording() {
            @Override
            public Watermark fetch(final FetchRequest request, final PageHandler pages) throws ConnectorException {
                if (request.object().equals("Contacts")) {
                    throw new ConnectorException("MALFORMED_QUERY", "the Scope does not compile: unexpected token 'AN'", false);
                }
                return super.fetch(request, pages);
            }
        };
        final List<ConfigVerificationResult> results = ConnectorVerification.readOneOfEach(vendor, PROFILE);

        assertThat(results).extracting(ConfigVerificationResult::getOutcome).containsExactly(Outcome.FAILED, Outcome.SUCCESSFUL);
        assertThat(results.getFirst().getExplanation()).contains("Scope does not compile");
    }

    @Test
    void noSecretSurvivesInAnExplanation() {
        final List<ConfigVerificationResult> results = ConnectorVerification.redacted(List.of(ConnectorVerification.failed("Read Mailchimp members",
                "unreachable: https://0123456789abcdef.api.mailchimp.com (UnknownHostException: 0123456789abcdef.api.mailchimp.com)")),
                List.of("0123456789abcdef", "ab"));

        assertThat(results.getFirst().getExplanation()).doesNotContain("0123456789abcdef").contains("https://********.api.mailchimp.com");
    }
}
