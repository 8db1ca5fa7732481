package io.optsync.it;

import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * templates/netsuite-mailchimp-optout-sync.json in a real NiFi 2.3.0 against the simulators: NetSuite opt-outs (soft
 * and confirmed) unsubscribe the Mailchimp member, by default; Mailchimp unsubscribes and cleaned addresses set Soft
 * Opt-Out on every NetSuite record with the address. Nobody is re-subscribed, NetSuite sees at most the connector's
 * 2 concurrent calls, no bulletin at ERROR, no credential in the exported flow or NiFi's log.
 */
class NetSuiteMailchimpTemplateIT {

    @Test
    void optOutsArriveBothWays() throws Exception {
        final NetSuiteSimulator netSuite = new NetSuiteSimulator().seed(300, 41);
        final MailchimpSimulator mailchimp = new MailchimpSimulator().seed(100, 43);
        final Set<String> netSuiteOptOuts = new HashSet<>();
        final Set<String> mailchimpOptOuts = new HashSet<>();
        final List<NetSuiteSimulator.Entity> entities = netSuite.all();
        for (int i = 0; i < entities.size(); i++) {
            final String email = entities.get(i).email().toLowerCase(Locale.ROOT);
            if (entities.get(i).status().equals("2") || entities.get(i).status().equals("4")) {
                netSuiteOptOuts.add(email);
                if (i % 2 == 0) {
                    mailchimp.put(email, "subscribed", Instant.now()); // subscribed in Mailchimp: must be unsubscribed
                }
            } else if (i % 7 == 0 && netSuite.withEmail(email).stream().noneMatch(e -> e.status().equals("2") || e.status().equals("4"))) {
                mailchimp.put(email, i % 2 == 0 ? "unsubscribed" : "cleaned", Instant.now());
                mailchimpOptOuts.add(email);
            }
        }
        netSuite.start(0);
        mailchimp.start(0);
        try (NiFiInstance nifi = NiFiInstance.create("netsuite-mailchimp"); AuditDatabase audit = AuditDatabase.postgres()) {
            final NiFiRest rest = nifi.start(Duration.ofMinutes(3));
            final TemplateRunner template = TemplateRunner.upload(rest, Templates.NETSUITE_MAILCHIMP.file());
            template.auditTo(audit);
            final SimulatorParameters parameters = SimulatorParameters.netSuite(netSuite).and(SimulatorParameters.mailchimp(mailchimp));
            parameters.applyTo(template);
            template.enableServicesAndStart();
            final Instant running = Instant.now();
            TemplateRunner.waitFor(Duration.ofMinutes(4), "both directions to settle", () ->
                    netSuiteOptOuts.stream().allMatch(e -> mailchimp.member(e) != null && !mailchimp.member(e).status().equals("subscribed"))
                            && mailchimpOptOuts.stream().allMatch(e -> netSuite.withEmail(e).stream().allMatch(n -> n.status().equals("2"))));
            System.out.printf(Locale.ROOT, "FIGURE template netsuite-mailchimp in a real NiFi: %d NetSuite opt-outs and %d Mailchimp opt-outs settled both ways "
                            + "%.1f s after the flow started; NetSuite calls %d, highest concurrency %d (cap 2), refused %d; Mailchimp calls %d, highest "
                            + "concurrency %d; NetSuite sign-ins %d%n", netSuiteOptOuts.size(), mailchimpOptOuts.size(),
                    Duration.between(running, Instant.now()).toMillis() / 1000.0, netSuite.stats().totalCalls(), netSuite.stats().maxConcurrent(),
                    netSuite.stats().faults("concurrency-limit"), mailchimp.stats().totalCalls(), mailchimp.stats().maxConcurrent(), netSuite.grants());

            assertThat(mailchimp.complianceRefusals()).as("nobody re-subscribed in Mailchimp").isZero();
            final List<String> stillConfirmedOut = new ArrayList<>();
            netSuite.all().stream().filter(e -> e.status().equals("4")).forEach(e -> stillConfirmedOut.add(e.id()));
            assertThat(stillConfirmedOut).as("confirmed opt-outs stay").isNotEmpty();
            assertThat(netSuite.stats().maxConcurrent()).isLessThanOrEqualTo(2);
            assertThat(netSuite.stats().faults("concurrency-limit")).isZero();
            assertThat(mailchimp.stats().maxConcurrent()).isLessThanOrEqualTo(10);
            assertThat(netSuite.grants()).as("one NetSuite sign-in").isEqualTo(1);
            final List<String> secrets = new ArrayList<>(parameters.secrets());
            secrets.addAll(netSuite.issuedSecrets());
            template.assertCleanRun(nifi, secrets);
        } finally {
            netSuite.close();
            mailchimp.close();
        }
    }
}
