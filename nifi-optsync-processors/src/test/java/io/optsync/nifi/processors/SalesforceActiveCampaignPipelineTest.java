package io.optsync.nifi.processors;

import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.SalesforceSimulator;
import org.apache.nifi.components.state.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed scenario of the Salesforce ↔ ActiveCampaign issue, through the four processors against the simulators.
 * ActiveCampaign's own integration unchecks Email Opt Out whenever the person subscribes to any list; optsync does not,
 * unless opt-in propagation is on and the consent is newer than the opt-out.
 */
class SalesforceActiveCampaignPipelineTest {
    private final SalesforceSimulator salesforce = new SalesforceSimulator();
    private final ActiveCampaignSimulator activeCampaign = new ActiveCampaignSimulator();

    @AfterEach
    void stop() {
        salesforce.close();
        activeCampaign.close();
    }

    /** An ActiveCampaign contact with list statuses given as pairs: list, status, list, status... */
    private ActiveCampaignSimulator.Contact onLists(final String email, final int... listsAndStatuses) {
        final ActiveCampaignSimulator.Contact contact = activeCampaign.create(email, "First", "Last");
        for (int i = 0; i < listsAndStatuses.length; i += 2) {
            activeCampaign.setStatus(contact.id(), listsAndStatuses[i], listsAndStatuses[i + 1]);
        }
        return contact;
    }

    private PipelineDirection activeCampaignToSalesforce() throws Exception {
        final PipelineDirection direction = new PipelineDirection("contacts", SourceEncoding.ACTIVECAMPAIGN, "Contact").withHardBounces().alsoPushingSubscribed();
        ConnectorTestSupport.activeCampaign(direction.fetch, activeCampaign, "1,2");
        ConnectorTestSupport.salesforce(direction.push, salesforce);
        return direction;
    }

    @Test
    void unsubscribeFromAllListsOrAHardBounceChecksTheBoxAndASubscriptionLeavesItChecked() throws Exception {
        salesforce.start(0);
        activeCampaign.start(0);
        final SalesforceSimulator.SfRecord ann = salesforce.create("Contact", "Ann", "Lee", "Ann.Lee@example.com");
        final SalesforceSimulator.SfRecord bob = salesforce.create("Contact", "Bob", "Ray", "bob.ray@example.com");
        final var acAnn = onLists("ann.lee@example.com", 1, 1, 2, 1);
        final var acBob = onLists("bob.ray@example.com", 1, 1);
        final PipelineDirection direction = activeCampaignToSalesforce();
        direction.run();
        assertThat(salesforce.record(ann.id()).optedOut()).as("both subscribed: nothing to write").isFalse();

        // unsubscribed from every list -> box checked
        activeCampaign.setStatus(acAnn.id(), 1, 2);
        activeCampaign.setStatus(acAnn.id(), 2, 2);
        Thread.sleep(1100);
        direction.run();
        assertThat(salesforce.record(ann.id()).optedOut()).as("unsubscribed from all lists").isTrue();

        // a hard bounce -> box checked, by default
        activeCampaign.bounceHard(acBob.id());
        Thread.sleep(1100);
        direction.run();
        assertThat(salesforce.record(bob.id()).optedOut()).as("hard bounce").isTrue();

        // subscribes to a list again -> box stays checked: opt-in propagation is off
        activeCampaign.setStatus(acAnn.id(), 1, 1);
        Thread.sleep(1100);
        direction.run();
        assertThat(direction.pushed(PushCrmFieldUpdates.REL_SUCCESS)).as("the subscription reached the push").isPositive();
        assertThat(salesforce.record(ann.id()).optedOut()).as("a list subscription does not uncheck it").isTrue();

        // opt-in propagation on, but the consent is older than the box checked in Salesforce since -> stays checked
        direction.push.setProperty(PushCrmFieldUpdates.PROPAGATE_OPT_INS, "true");
        Thread.sleep(50);
        salesforce.setOptedOut(ann.id(), true); // a user ticks it again in Salesforce: the opt-out is now newer
        direction.fetch.getStateManager().clear(Scope.CLUSTER); // read ActiveCampaign whole again
        direction.run();
        assertThat(salesforce.record(ann.id()).optedOut()).as("consent older than the opt-out").isTrue();

        // opt-in propagation on and a newer consent -> unchecked
        Thread.sleep(1100);
        activeCampaign.setStatus(acAnn.id(), 2, 1);
        Thread.sleep(1100);
        direction.run();
        assertThat(salesforce.record(ann.id()).optedOut()).as("newer consent with opt-in propagation on").isFalse();
        assertThat(salesforce.record(bob.id()).optedOut()).as("a bounce is never cleared by a consent").isTrue();
    }

    @Test
    void withHardBouncesNotCountingABounceLeavesTheBoxAlone() throws Exception {
        salesforce.start(0);
        activeCampaign.start(0);
        final SalesforceSimulator.SfRecord bob = salesforce.create("Contact", "Bob", "Ray", "bob.ray@example.com");
        final var acBob = onLists("bob.ray@example.com", 1, 1);
        activeCampaign.bounceHard(acBob.id());
        final PipelineDirection direction = activeCampaignToSalesforce();
        direction.filter.setProperty(OptOutProperties.HARD_BOUNCE_IS_OPT_OUT, "false");
        direction.push.setProperty(OptOutProperties.HARD_BOUNCE_IS_OPT_OUT, "false");
        direction.run();
        assertThat(direction.pushed(PushCrmFieldUpdates.REL_SUCCESS)).as("the bounced, still active contact reached the push").isEqualTo(1);
        assertThat(salesforce.record(bob.id()).optedOut()).as("Hard Bounce Counts as Opt-Out off").isFalse();
    }

    @Test
    void aSalesforceOptOutUnsubscribesFromEveryMappedListAndNobodyIsResubscribed() throws Exception {
        salesforce.start(0);
        activeCampaign.start(0);
        final SalesforceSimulator.SfRecord ann = salesforce.create("Contact", "Ann", "Lee", "ann.lee@example.com");
        final SalesforceSimulator.SfRecord cat = salesforce.create("Lead", "Cat", "Kim", "cat.kim@example.com");
        final var acAnn = onLists("ann.lee@example.com", 1, 1, 2, 1);
        final var acCat = onLists("cat.kim@example.com", 1, 2); // unsubscribed in ActiveCampaign; subscribed in Salesforce
        salesforce.setOptedOut(ann.id(), true);

        for (final String object : new String[] {"Contact", "Lead"}) {
            final PipelineDirection direction = new PipelineDirection(object, SourceEncoding.SALESFORCE, "contacts").withHardBounces().alsoPushingSubscribed();
            ConnectorTestSupport.salesforce(direction.fetch, salesforce);
            ConnectorTestSupport.activeCampaign(direction.push, activeCampaign, "1,2");
            direction.run();
        }
        assertThat(activeCampaign.contact(acAnn.id()).statuses()).isEqualTo(Map.of(1, 2, 2, 2));
        assertThat(activeCampaign.contact(acCat.id()).statuses()).as("Salesforce's subscribed Lead moves no list back to active").isEqualTo(Map.of(1, 2));
        assertThat(activeCampaign.resubscribes()).isZero();
        assertThat(salesforce.record(cat.id()).optedOut()).isFalse();
    }
}
