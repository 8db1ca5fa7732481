package io.optsync.nifi.processors;

import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed scenario of the NetSuite ↔ Mailchimp issue, through the four processors against the simulators: opted out
 * in NetSuite (soft or confirmed) → unsubscribed in Mailchimp with the default setup, which today's sync services leave
 * off; unsubscribed in Mailchimp → Soft Opt-Out on every NetSuite record with the address.
 */
class NetSuiteMailchimpPipelineTest {
    private final NetSuiteSimulator netSuite = new NetSuiteSimulator();
    private final MailchimpSimulator mailchimp = new MailchimpSimulator();

    @AfterEach
    void stop() {
        netSuite.close();
        mailchimp.close();
    }

    @Test
    void optOutsCrossBothWaysAndReachEveryRecordWithTheAddress() throws Exception {
        final NetSuiteSimulator.Entity softOut = netSuite.create("customer", "soft.out@example.com", "2");
        final NetSuiteSimulator.Entity customer = netSuite.create("customer", "Ann.Lee@example.com", "1");
        final NetSuiteSimulator.Entity contact = netSuite.create("contact", "ann.lee@example.com", "3");
        final NetSuiteSimulator.Entity lead = netSuite.lead("ann.lee@example.com", "1");
        netSuite.create("customer", "stays@example.com", "1");
        mailchimp.put("soft.out@example.com", "subscribed", Instant.now());
        mailchimp.put("ann.lee@example.com", "subscribed", Instant.now());
        mailchimp.put("stays@example.com", "subscribed", Instant.now());
        netSuite.start(0);
        mailchimp.start(0);
        netSuite.recipientUnsubscribe("confirmed.out@example.com", true); // nobody holds it: nothing happens
        final NetSuiteSimulator.Entity confirmedOut = netSuite.create("contact", "confirmed.out@example.com", "1");
        netSuite.recipientUnsubscribe("confirmed.out@example.com", true);

        // NetSuite -> Mailchimp, as the template does it: soft and confirmed opt-outs alike
        for (final String object : new String[] {"customer", "contact"}) {
            final PipelineDirection toMailchimp = new PipelineDirection(object, SourceEncoding.NETSUITE, "members");
            ConnectorTestSupport.netSuite(toMailchimp.fetch, netSuite);
            ConnectorTestSupport.mailchimp(toMailchimp.push, mailchimp);
            toMailchimp.run();
        }
        assertThat(mailchimp.member("soft.out@example.com").status()).as("Soft Opt-Out").isEqualTo("unsubscribed");
        assertThat(mailchimp.member("confirmed.out@example.com").status()).as("Confirmed Opt-Out, added as unsubscribed").isEqualTo("unsubscribed");
        assertThat(mailchimp.member("stays@example.com").status()).isEqualTo("subscribed");
        assertThat(confirmedOut.status()).isEqualTo("4");

        // Mailchimp -> NetSuite: Ann unsubscribes through a campaign link
        mailchimp.setStatus("ann.lee@example.com", "unsubscribed");
        for (final String object : new String[] {"customer", "contact"}) {
            final PipelineDirection toNetSuite = new PipelineDirection("members", SourceEncoding.MAILCHIMP, object).withHardBounces();
            ConnectorTestSupport.mailchimp(toNetSuite.fetch, mailchimp);
            ConnectorTestSupport.netSuite(toNetSuite.push, netSuite);
            toNetSuite.run();
        }
        assertThat(netSuite.entity("customer", customer.id()).status()).isEqualTo("2");
        assertThat(netSuite.entity("customer", lead.id()).status()).as("the lead is a customer record too").isEqualTo("2");
        assertThat(netSuite.entity("contact", contact.id()).status()).as("a soft opt-out over the confirmed opt-in").isEqualTo("2");
        assertThat(netSuite.entity("customer", softOut.id()).status()).isEqualTo("2");
        assertThat(netSuite.withEmail("stays@example.com")).allSatisfy(e -> assertThat(e.status()).isEqualTo("1"));
        assertThat(mailchimp.complianceRefusals()).isZero();
    }

    @Test
    void aCustomOptOutFieldIsMappedWithNoCode() throws Exception {
        final NetSuiteSimulator.Entity flagged = netSuite.create("customer", "flagged@example.com", "1"); // soft opt-in, but the custom box says out
        flagged.custom("custentity_email_optout", "T");
        final NetSuiteSimulator.Entity clear = netSuite.create("customer", "clear@example.com", "1");
        clear.custom("custentity_email_optout", "F");
        mailchimp.put("flagged@example.com", "subscribed", Instant.now());
        mailchimp.put("clear@example.com", "subscribed", Instant.now());
        netSuite.start(0);
        mailchimp.start(0);

        final PipelineDirection toMailchimp = new PipelineDirection("customer", SourceEncoding.CUSTOM, "members");
        ConnectorTestSupport.netSuite(toMailchimp.fetch, netSuite);
        ConnectorTestRunners.reconfigured(toMailchimp.fetch, toMailchimp.fetch.getControllerService("connector"), Map.of("Extra Fields", "custentity_email_optout"));
        toMailchimp.filter.setProperty(OptOutProperties.OPT_OUT_FIELD, "/fields/custentity_email_optout");
        toMailchimp.filter.setProperty(OptOutProperties.OPTED_OUT_VALUES, "T");
        toMailchimp.filter.setProperty(OptOutProperties.SUBSCRIBED_VALUES, "F");
        ConnectorTestSupport.mailchimp(toMailchimp.push, mailchimp);
        toMailchimp.run();

        assertThat(mailchimp.member("flagged@example.com").status()).as("the custom field, by configuration alone").isEqualTo("unsubscribed");
        assertThat(mailchimp.member("clear@example.com").status()).isEqualTo("subscribed");
    }

    @Test
    void anOptedOutRecordOutsideTheScopedListStillPropagates() throws Exception {
        final Map<String, NetSuiteSimulator.Entity> records = scopedAccount();
        final PipelineDirection toMailchimp = scopedSync(Map.of("Scope", "custentity_newsletter = 'T'"));

        assertThat(fetchedEmails(toMailchimp)).as("the scope, and the opt-outs outside it")
                .containsExactlyInAnyOrder("in.scope@example.com", "in.scope.out@example.com", "outside.out@example.com");
        assertThat(mailchimp.member("outside.out@example.com").status()).as("opted out outside the scope").isEqualTo("unsubscribed");
        assertThat(mailchimp.member("in.scope.out@example.com").status()).isEqualTo("unsubscribed");
        assertThat(mailchimp.member("in.scope@example.com").status()).isEqualTo("subscribed");
        assertThat(mailchimp.member("outside.in@example.com").status()).isEqualTo("subscribed");
        assertThat(records.get("outside.in@example.com").status()).isEqualTo("1");
    }

    @Test
    void ignoreNarrowsTheScopeToTheOptOutsWithinIt() throws Exception {
        scopedAccount();
        final PipelineDirection toMailchimp = scopedSync(Map.of("Scope", "custentity_newsletter = 'T'", "Opt-Outs Outside Scope", "Ignore"));

        assertThat(fetchedEmails(toMailchimp)).containsExactlyInAnyOrder("in.scope@example.com", "in.scope.out@example.com");
        assertThat(mailchimp.member("in.scope.out@example.com").status()).isEqualTo("unsubscribed");
        assertThat(mailchimp.member("outside.out@example.com").status()).as("narrowed on purpose").isEqualTo("subscribed");
    }

    /** Customers on and off the newsletter list (a custom box), subscribed or opted out, all subscribed in Mailchimp. */
    private Map<String, NetSuiteSimulator.Entity> scopedAccount() throws Exception {
        final Map<String, NetSuiteSimulator.Entity> records = new java.util.LinkedHashMap<>();
        for (final String[] row : new String[][] {{"in.scope@example.com", "1", "T"}, {"in.scope.out@example.com", "2", "T"},
                {"outside.out@example.com", "2", "F"}, {"outside.in@example.com", "1", "F"}}) {
            final NetSuiteSimulator.Entity entity = netSuite.create("customer", row[0], row[1]);
            entity.custom("custentity_newsletter", row[2]);
            records.put(row[0], entity);
            mailchimp.put(row[0], "subscribed", Instant.now());
        }
        netSuite.start(0);
        mailchimp.start(0);
        return records;
    }

    private PipelineDirection scopedSync(final Map<String, String> scope) throws Exception {
        final PipelineDirection toMailchimp = new PipelineDirection("customer", SourceEncoding.NETSUITE, "members");
        ConnectorTestSupport.netSuite(toMailchimp.fetch, netSuite);
        ConnectorTestRunners.reconfigured(toMailchimp.fetch, toMailchimp.fetch.getControllerService("connector"), scope);
        ConnectorTestSupport.mailchimp(toMailchimp.push, mailchimp);
        toMailchimp.run();
        return toMailchimp;
    }

    private static java.util.List<String> fetchedEmails(final PipelineDirection direction) throws java.io.IOException {
        final java.util.List<String> emails = new java.util.ArrayList<>();
        for (final var flowFile : direction.fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS)) {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(flowFile.toByteArray()).forEach(r -> emails.add(r.path("email").asText()));
        }
        return emails;
    }

    @Test
    void anOptInUpdatesOnlyRecordsInsideTheScopeWhileAnOptOutReachesThemAll() throws Exception {
        final NetSuiteSimulator.Entity inside = netSuite.create("customer", "back@example.com", "2");
        inside.custom("custentity_newsletter", "T");
        final NetSuiteSimulator.Entity outside = netSuite.create("contact", "back@example.com", "2");
        outside.custom("custentity_newsletter", "F");
        final NetSuiteSimulator.Entity leaving = netSuite.create("contact", "leaving@example.com", "1");
        leaving.custom("custentity_newsletter", "F");
        Thread.sleep(1_100); // Mailchimp's change comes after NetSuite's last (whole-second) modification
        mailchimp.put("back@example.com", "subscribed", Instant.now()); // a confirmed re-subscription, newer than the opt-outs
        mailchimp.put("leaving@example.com", "unsubscribed", Instant.now());
        netSuite.start(0);
        mailchimp.start(0);

        for (final String object : new String[] {"customer", "contact"}) {
            final PipelineDirection toNetSuite = new PipelineDirection("members", SourceEncoding.MAILCHIMP, object).alsoPushingSubscribed();
            toNetSuite.push.setProperty(PushCrmFieldUpdates.PROPAGATE_OPT_INS, "true");
            ConnectorTestSupport.mailchimp(toNetSuite.fetch, mailchimp);
            ConnectorTestSupport.netSuite(toNetSuite.push, netSuite);
            ConnectorTestRunners.reconfigured(toNetSuite.push, toNetSuite.push.getControllerService("connector"), Map.of("Scope", "custentity_newsletter = 'T'"));
            toNetSuite.run();
        }
        assertThat(netSuite.entity("customer", inside.id()).status()).as("opted in: inside the scope").isEqualTo("1");
        assertThat(netSuite.entity("contact", outside.id()).status()).as("outside the scope an opt-in changes nothing").isEqualTo("2");
        assertThat(netSuite.entity("contact", leaving.id()).status()).as("an opt-out reaches a record outside the scope").isEqualTo("2");
    }
}
