package io.optsync.it;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A Salesforce template running in a real NiFi against seeded simulators: Salesforce with ActiveCampaign or with
 * Act-On. Salesforce holds Contacts and Leads (a fifth opted out, some bounced, some converted Leads); the partner
 * holds its own opt-outs, some of them for addresses Salesforce holds, and contacts for addresses Salesforce opted out.
 */
final class SalesforceScenario implements AutoCloseable {
    static final String ACTIVECAMPAIGN = "activecampaign";
    static final String ACTON = "act-on";
    static final String MAILCHIMP = "mailchimp";

    final String partnerName;
    final SalesforceSimulator salesforce = new SalesforceSimulator();
    final ActiveCampaignSimulator activeCampaign;
    final ActOnSimulator actOn;
    final MailchimpSimulator mailchimp;
    final SimulatorServer partner;
    /** Addresses opted out (or hard-bounced) in Salesforce at the start, that the partner must end up opting out. */
    final Set<String> salesforceOptOuts = new HashSet<>();
    /** Addresses opted out in the partner at the start, that every Salesforce record must end up opted out for. */
    final Set<String> partnerOptOuts = new HashSet<>();
    final Set<String> salesforceOptedOutBefore;
    final NiFiInstance nifi;
    NiFiRest rest;
    TemplateRunner template;
    AuditDatabase audit;
    Instant running;

    private SalesforceScenario(final String partnerName, final String name) throws IOException {
        this.partnerName = partnerName;
        salesforce.seed(400, 17);
        activeCampaign = partnerName.equals(ACTIVECAMPAIGN) ? new ActiveCampaignSimulator() : null;
        actOn = partnerName.equals(ACTON) ? new ActOnSimulator().seed(60, 23) : null;
        mailchimp = partnerName.equals(MAILCHIMP) ? new MailchimpSimulator().seed(150, 31) : null;
        partner = activeCampaign != null ? activeCampaign : actOn != null ? actOn : mailchimp;
        final List<SalesforceSimulator.SfRecord> contacts = salesforce.all("Contact");
        for (int i = 0; i < contacts.size(); i++) {
            final SalesforceSimulator.SfRecord contact = contacts.get(i);
            final String email = contact.email().toLowerCase(Locale.ROOT);
            if (contact.optedOut() || contact.bounced()) {
                salesforceOptOuts.add(email);
                if (activeCampaign != null) { // ActiveCampaign must hold the contact to unsubscribe it
                    final var ac = activeCampaign.create(email, "Sf", "Contact" + i);
                    activeCampaign.setStatus(ac.id(), 1, 1);
                    activeCampaign.setStatus(ac.id(), 2, 1);
                }
            } else if (i % 9 == 0) { // opted out in the partner, subscribed in Salesforce
                partnerOptOuts.add(email);
                if (activeCampaign != null) {
                    final var ac = activeCampaign.create(email, "Ac", "Contact" + i);
                    activeCampaign.setStatus(ac.id(), 1, 2);
                    if (i % 2 == 0) {
                        activeCampaign.bounceHard(ac.id());
                    }
                } else if (mailchimp != null) {
                    mailchimp.put(email, i % 2 == 0 ? "unsubscribed" : "cleaned", Instant.now());
                } else {
                    actOn.optOut(email);
                }
            }
        }
        if (activeCampaign != null) {
            activeCampaign.seed(200, 29); // contacts Salesforce does not hold
        }
        salesforceOptedOutBefore = optedOutInSalesforce();
        salesforce.start(0);
        partner.start(0);
        nifi = NiFiInstance.create(name);
    }

    static SalesforceScenario start(final String partnerName, final String name) throws IOException, InterruptedException {
        final SalesforceScenario scenario = new SalesforceScenario(partnerName, name);
        try {
            scenario.audit = AuditDatabase.postgres();
            scenario.rest = scenario.nifi.start(Duration.ofMinutes(3));
            final PairTemplate pair = switch (partnerName) {
                case ACTIVECAMPAIGN -> Templates.SALESFORCE_ACTIVECAMPAIGN;
                case MAILCHIMP -> Templates.SALESFORCE_MAILCHIMP;
                default -> Templates.SALESFORCE_ACTON;
            };
            scenario.template = TemplateRunner.upload(scenario.rest, pair.file());
            scenario.template.auditTo(scenario.audit);
            scenario.parameters().applyTo(scenario.template);
            scenario.template.enableServicesAndStart();
            scenario.running = Instant.now();
            return scenario;
        } catch (final java.sql.SQLException e) {
            scenario.close();
            throw new IOException("the audit database did not start", e);
        } catch (final IOException | InterruptedException | RuntimeException e) {
            scenario.close();
            throw e;
        }
    }

    /** The parameters that point the template at the simulators. */
    SimulatorParameters parameters() {
        final SimulatorParameters partnerParameters = activeCampaign != null ? SimulatorParameters.activeCampaign(activeCampaign)
                : mailchimp != null ? SimulatorParameters.mailchimp(mailchimp) : SimulatorParameters.actOn(actOn);
        return SimulatorParameters.salesforce(salesforce).and(partnerParameters);
    }

    /** The credentials a scenario gives, none of which may appear in an exported flow or a log. */
    /** The credentials, and every token the simulators handed out. */
    List<String> secrets() {
        final List<String> all = new java.util.ArrayList<>(parameters().secrets());
        all.addAll(salesforce.issuedSecrets());
        all.addAll(partner.issuedSecrets());
        return all;
    }

    Set<String> optedOutInSalesforce() {
        final Set<String> out = new HashSet<>();
        for (final String type : List.of("Contact", "Lead")) {
            salesforce.all(type).stream().filter(SalesforceSimulator.SfRecord::optedOut).forEach(r -> out.add(r.email().toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    /** Whether the partner has every Salesforce opt-out, and Salesforce every partner opt-out. */
    boolean settled() {
        final boolean toPartner;
        if (activeCampaign != null) {
            toPartner = salesforceOptOuts.stream().allMatch(e -> activeCampaign.withEmail(e).stream().allMatch(c -> !c.statuses().containsValue(1)));
        } else if (mailchimp != null) {
            toPartner = salesforceOptOuts.stream().allMatch(e -> mailchimp.member(e) != null && !mailchimp.member(e).status().equals("subscribed"));
        } else {
            toPartner = new HashSet<>(actOn.optOutAddresses()).containsAll(salesforceOptOuts);
        }
        final boolean toSalesforce = partnerOptOuts.stream().allMatch(e -> salesforce.withEmail(e).stream()
                .filter(r -> !r.converted()).allMatch(SalesforceSimulator.SfRecord::optedOut));
        return toPartner && toSalesforce;
    }

    void awaitSettled(final Duration timeout) throws IOException, InterruptedException {
        TemplateRunner.waitFor(timeout, "both directions to settle", this::settled);
    }

    @Override
    public void close() {
        nifi.close();
        salesforce.close();
        partner.close();
        if (audit != null) {
            audit.close();
        }
    }
}
