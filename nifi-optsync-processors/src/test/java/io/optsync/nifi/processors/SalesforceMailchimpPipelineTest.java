package io.optsync.nifi.processors;

import io.optsync.nifi.connector.ConnectorTestRunners;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.SalesforceSimulator;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Salesforce ↔ Mailchimp through the four processors against the simulators, and the calls to push 10,000 opt-outs to Mailchimp. */
class SalesforceMailchimpPipelineTest {
    private final SalesforceSimulator salesforce = new SalesforceSimulator();
    private final MailchimpSimulator mailchimp = new MailchimpSimulator();

    @AfterEach
    void stop() {
        salesforce.close();
        mailchimp.close();
    }

    @Test
    void optOutsCrossBothWaysAndAnAddressNotOnTheAudienceIsAddedAsUnsubscribed() throws Exception {
        final SalesforceSimulator.SfRecord ann = salesforce.create("Contact", "Ann", "Lee", "Ann.Lee@example.com");
        final SalesforceSimulator.SfRecord annLead = salesforce.create("Lead", "Ann", "Lee", "ann.lee@example.com");
        final SalesforceSimulator.SfRecord bob = salesforce.create("Contact", "Bob", "Ray", "bob.ray@example.com");
        final SalesforceSimulator.SfRecord cat = salesforce.create("Contact", "Cat", "Kim", "cat.kim@example.com");
        salesforce.setOptedOut(cat.id(), true);
        mailchimp.put("ann.lee@example.com", "subscribed", Instant.now());
        mailchimp.put("bob.ray@example.com", "subscribed", Instant.now());
        salesforce.start(0);
        mailchimp.start(0);

        // Mailchimp -> Salesforce: Ann unsubscribes through a campaign link, Bob's address is cleaned (hard bounce)
        mailchimp.setStatus("ann.lee@example.com", "unsubscribed");
        mailchimp.setStatus("bob.ray@example.com", "cleaned");
        for (final String object : new String[] {"Contact", "Lead"}) {
            final PipelineDirection toSalesforce = new PipelineDirection("members", SourceEncoding.MAILCHIMP, object).withHardBounces();
            ConnectorTestSupport.mailchimp(toSalesforce.fetch, mailchimp);
            ConnectorTestSupport.salesforce(toSalesforce.push, salesforce);
            toSalesforce.run();
        }
        assertThat(salesforce.record(ann.id()).optedOut()).isTrue();
        assertThat(salesforce.record(annLead.id()).optedOut()).as("every record with the address").isTrue();
        assertThat(salesforce.record(bob.id()).optedOut()).as("cleaned is a hard bounce").isTrue();

        // Salesforce -> Mailchimp: Cat is not on the audience; she is added as unsubscribed so that no import can subscribe her
        final PipelineDirection toMailchimp = new PipelineDirection("Contact", SourceEncoding.SALESFORCE, "members").withHardBounces();
        ConnectorTestSupport.salesforce(toMailchimp.fetch, salesforce);
        ConnectorTestSupport.mailchimp(toMailchimp.push, mailchimp);
        toMailchimp.run();
        assertThat(mailchimp.member("cat.kim@example.com").status()).isEqualTo("unsubscribed");
        assertThat(mailchimp.member("bob.ray@example.com").status()).as("a cleaned member stays cleaned").isEqualTo("cleaned");
        assertThat(mailchimp.complianceRefusals()).as("nothing tried to subscribe anybody").isZero();
    }

    @Test
    void tenThousandOptOutsTakeTwentyBatchWrites() throws Exception {
        mailchimp.start(0);
        final TestRunner push = RecordTestSupport.runner(new PushCrmFieldUpdates(), RecordTestSupport.Format.JSON);
        push.setProperty(OptOutProperties.OBJECT, "members");
        ConnectorTestSupport.mailchimp(push, mailchimp);
        final int pushed = 10_000;
        push.enqueue(IntStream.range(0, pushed).mapToObj(i -> "{\"optsync_email\":\"member" + i + "@example.com\",\"optsync_opted_out\":true,"
                + "\"optsync_bounce\":\"NONE\"}").collect(Collectors.joining(",", "[", "]")).getBytes(StandardCharsets.UTF_8));
        push.run();
        final long writes = mailchimp.stats().calls("POST /3.0/lists/{id}");
        final long unsubscribed = mailchimp.all().stream().filter(m -> m.status().equals("unsubscribed")).count();
        System.out.printf(Locale.ROOT, "FIGURE push %,d opt-outs to Mailchimp: %d batch writes (goal ceil(%,d / 500) = %d), %d calls in all; %,d unsubscribed; "
                + "highest concurrency %d (Mailchimp allows 10)%n", pushed, writes, pushed, (pushed + 499) / 500, mailchimp.stats().totalCalls(), unsubscribed,
                mailchimp.stats().maxConcurrent());
        assertThat(writes).isEqualTo((pushed + 499) / 500);
        assertThat(mailchimp.stats().totalCalls()).as("no lookup: writes go by address").isEqualTo(writes);
        assertThat(unsubscribed).isEqualTo(pushed);
    }

    @Test
    void aScopeOnTheNewsletterFieldStillLetsEveryOptOutThrough() throws Exception {
        final Map<String, String> newsletter = Map.of("in@example.com", "true", "in.out@example.com", "true", "out.out@example.com", "false",
                "out.bounced@example.com", "false", "out.in@example.com", "false");
        for (final Map.Entry<String, String> entry : newsletter.entrySet()) {
            final SalesforceSimulator.SfRecord contact = salesforce.create("Contact", "A", "B", entry.getKey());
            salesforce.setField(contact.id(), "Newsletter__c", entry.getValue());
            if (entry.getKey().contains(".out@")) {
                salesforce.setOptedOut(contact.id(), true);
            } else if (entry.getKey().contains("bounced")) {
                salesforce.bounce(contact.id());
            }
            mailchimp.put(entry.getKey(), "subscribed", Instant.now());
        }
        salesforce.start(0);
        mailchimp.start(0);

        final PipelineDirection toMailchimp = new PipelineDirection("Contact", SourceEncoding.SALESFORCE, "members").withHardBounces();
        ConnectorTestSupport.salesforce(toMailchimp.fetch, salesforce);
        ConnectorTestRunners.reconfigured(toMailchimp.fetch, toMailchimp.fetch.getControllerService("connector"), Map.of("Scope", "Newsletter__c = TRUE"));
        ConnectorTestSupport.mailchimp(toMailchimp.push, mailchimp);
        toMailchimp.run();

        assertThat(toMailchimp.fetch.getFlowFilesForRelationship(FetchCrmRecords.REL_SUCCESS).stream()
                .mapToLong(f -> Long.parseLong(f.getAttribute("record.count"))).sum()).as("the 2 in scope and the 2 opted out or bounced outside it")
                .isEqualTo(4);
        assertThat(mailchimp.member("out.out@example.com").status()).as("opted out outside the scope").isEqualTo("unsubscribed");
        assertThat(mailchimp.member("out.bounced@example.com").status()).as("bounced outside the scope").isEqualTo("unsubscribed");
        assertThat(mailchimp.member("in.out@example.com").status()).isEqualTo("unsubscribed");
        assertThat(mailchimp.member("in@example.com").status()).isEqualTo("subscribed");
        assertThat(mailchimp.member("out.in@example.com").status()).isEqualTo("subscribed");
    }
}
