package io.optsync.it;

import io.optsync.simulators.ActOnSimulator;
import io.optsync.simulators.ActiveCampaignSimulator;
import io.optsync.simulators.MailchimpSimulator;
import io.optsync.simulators.NetSuiteSimulator;
import io.optsync.simulators.SalesforceSimulator;
import io.optsync.simulators.SimulatorServer;
import io.optsync.simulators.SugarStore;
import io.optsync.simulators.SugarV10Simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One system of a template in {@link MonthSoakIT}: its simulator, seeded, and what a user of that system does during
 * the month. Adding a vendor to the soak is one implementation here.
 */
interface SoakSystem {
    /** The system as the template's services, processors and bulletins name it. */
    String name();

    SimulatorServer simulator();

    SimulatorParameters parameters();

    /** How long the connector waits before it signs in again once a sign-in was refused (Act-On's 5 password grants an hour). */
    default Duration signInSpacing() {
        return Duration.ZERO;
    }

    /** A CRM: the records, some without an address and some with an address that is none, opted out in its UI. */
    interface Crm extends SoakSystem {
        /** A new subscribed record with {@code email}; {@code null}: a record without an address. */
        void create(String email);

        /** A user opts out the subscribed record with a valid address that changed longest ago; returns its address. */
        String optOutOne();

        /** Whether every record with {@code address} is opted out. */
        boolean optedOutEverywhere(String address);

        /** The valid addresses opted out now. */
        Set<String> optedOut();

        /** The addresses {@link #optOutOne} will give in its next {@code count} calls (unless records change meanwhile). */
        List<String> nextOptOuts(int count);
    }

    /** A marketing platform: its opt-outs, some for addresses the CRM holds. */
    interface Partner extends SoakSystem {
        /** Makes sure it holds a subscribed contact for each address, where it must hold one to unsubscribe it. */
        void holds(Collection<String> addresses);

        /** Of {@code addresses}, those a sync can opt out here: all, but where only the contacts it holds can be. */
        default Set<String> reachable(final Set<String> addresses) {
            return addresses;
        }

        /**
         * How many of the {@code asked} opt-outs a day a sync can write here in a day of {@code daySeconds}: all, but where
         * the vendor's request rate bounds the writes.
         */
        default int optOutsPerDay(final int asked, final int daySeconds) {
            return asked;
        }

        /** A recipient unsubscribes in one of its campaigns. */
        void optOut(String address);

        /** The addresses opted out now. */
        Set<String> optedOut();
    }

    private static boolean valid(final String email) {
        return email != null && email.contains("@");
    }

    private static String identity(final String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    /** SugarCRM through REST v10, its flags in each of the encodings real instances hold. */
    static Crm sugarCrm(final int contacts) {
        final SugarStore store = new SugarStore().seed(contacts, 13);
        final SugarV10Simulator sugar = new SugarV10Simulator(store);
        sugar.mixedFlags(true);
        return new Crm() {
            @Override
            public String name() {
                return "SugarCRM";
            }

            @Override
            public SimulatorServer simulator() {
                return sugar;
            }

            @Override
            public SimulatorParameters parameters() {
                return SimulatorParameters.sugarCrm(sugar, "v10");
            }

            @Override
            public void create(final String email) {
                store.create("Contacts", "Soak", "Contact", email, Instant.now());
            }

            @Override
            public String optOutOne() {
                final SugarStore.Bean bean = subscribed().findFirst().orElseThrow();
                store.optOutInUi("Contacts", bean.id(), true);
                return identity(bean.primary().address());
            }

            private Stream<SugarStore.Bean> subscribed() {
                return store.sortedByModified("Contacts").stream().filter(b -> !b.emailOptOut() && b.primary() != null && valid(b.primary().address()));
            }

            @Override
            public boolean optedOutEverywhere(final String address) {
                return store.beansWithEmail(address).stream().allMatch(SugarStore.Bean::emailOptOut);
            }

            @Override
            public Set<String> optedOut() {
                return store.optedOutAddresses().stream().filter(SoakSystem::valid).collect(Collectors.toSet());
            }

            @Override
            public List<String> nextOptOuts(final int count) {
                return subscribed().limit(count).map(b -> identity(b.primary().address())).toList();
            }
        };
    }

    /** Salesforce Contacts and Leads; a hard bounce counts as an opt-out. */
    static Crm salesforce(final int contacts) {
        final SalesforceSimulator salesforce = new SalesforceSimulator().seed(contacts, 17);
        return new Crm() {
            @Override
            public String name() {
                return "Salesforce";
            }

            @Override
            public SimulatorServer simulator() {
                return salesforce;
            }

            @Override
            public SimulatorParameters parameters() {
                return SimulatorParameters.salesforce(salesforce);
            }

            @Override
            public void create(final String email) {
                salesforce.create("Contact", "Soak", "Contact", email);
            }

            @Override
            public String optOutOne() {
                final SalesforceSimulator.SfRecord contact = subscribed().findFirst().orElseThrow();
                salesforce.setOptedOut(contact.id(), true);
                return identity(contact.email());
            }

            private Stream<SalesforceSimulator.SfRecord> subscribed() {
                return salesforce.all("Contact").stream().filter(r -> valid(r.email()) && !r.optedOut() && !r.bounced())
                        .sorted(Comparator.comparing(SalesforceSimulator.SfRecord::modstamp).thenComparing(SalesforceSimulator.SfRecord::id));
            }

            @Override
            public boolean optedOutEverywhere(final String address) {
                return salesforce.withEmail(address).stream().filter(r -> !r.converted()).allMatch(SalesforceSimulator.SfRecord::optedOut);
            }

            @Override
            public Set<String> optedOut() {
                return salesforce.all("Contact").stream().filter(r -> valid(r.email()) && (r.optedOut() || r.bounced()))
                        .map(r -> identity(r.email())).collect(Collectors.toSet());
            }

            @Override
            public List<String> nextOptOuts(final int count) {
                return subscribed().limit(count).map(r -> identity(r.email())).toList();
            }
        };
    }

    /** NetSuite customers and contacts; soft and confirmed opt-outs count, and a sync sets Soft Opt-Out. */
    static Crm netSuite(final int entities) {
        final NetSuiteSimulator netSuite = new NetSuiteSimulator().seed(entities, 41);
        final Set<String> optedOut = Set.of("2", "4");
        return new Crm() {
            @Override
            public String name() {
                return "NetSuite";
            }

            @Override
            public SimulatorServer simulator() {
                return netSuite;
            }

            @Override
            public SimulatorParameters parameters() {
                return SimulatorParameters.netSuite(netSuite);
            }

            @Override
            public void create(final String email) {
                netSuite.create("customer", email, "1");
            }

            @Override
            public String optOutOne() {
                final NetSuiteSimulator.Entity entity = subscribed().findFirst().orElseThrow();
                netSuite.setStatus(entity.type(), entity.id(), "2");
                return identity(entity.email());
            }

            private Stream<NetSuiteSimulator.Entity> subscribed() {
                return netSuite.all().stream().filter(e -> valid(e.email()) && e.status().equals("1"))
                        .sorted(Comparator.comparing(NetSuiteSimulator.Entity::lastModified).thenComparing(e -> e.type() + "/" + e.id()));
            }

            @Override
            public boolean optedOutEverywhere(final String address) {
                return netSuite.withEmail(address).stream().allMatch(e -> optedOut.contains(e.status()));
            }

            @Override
            public Set<String> optedOut() {
                return netSuite.all().stream().filter(e -> valid(e.email()) && optedOut.contains(e.status())).map(e -> identity(e.email()))
                        .collect(Collectors.toSet());
            }

            @Override
            public List<String> nextOptOuts(final int count) {
                return subscribed().limit(count).map(e -> identity(e.email())).toList();
            }
        };
    }

    /** Act-On's opt-out list, seeded with opt-outs of addresses no CRM holds. */
    static Partner actOn() {
        final ActOnSimulator actOn = new ActOnSimulator().seed(100, 21);
        return new Partner() {
            @Override
            public String name() {
                return "Act-On";
            }

            @Override
            public SimulatorServer simulator() {
                return actOn;
            }

            @Override
            public SimulatorParameters parameters() {
                return SimulatorParameters.actOn(actOn);
            }

            @Override
            public Duration signInSpacing() {
                return Duration.ofMinutes(12);
            }

            @Override
            public void holds(final Collection<String> addresses) {
                // Act-On takes an opt-out for any address
            }

            @Override
            public void optOut(final String address) {
                actOn.optOut(address);
            }

            @Override
            public Set<String> optedOut() {
                return new HashSet<>(actOn.optOutAddresses());
            }
        };
    }

    /** ActiveCampaign with lists 1 and 2 mapped: it unsubscribes only the contacts it holds. */
    static Partner activeCampaign() {
        final ActiveCampaignSimulator activeCampaign = new ActiveCampaignSimulator().seed(200, 29);
        return new Partner() {
            @Override
            public String name() {
                return "ActiveCampaign";
            }

            @Override
            public SimulatorServer simulator() {
                return activeCampaign;
            }

            @Override
            public SimulatorParameters parameters() {
                return SimulatorParameters.activeCampaign(activeCampaign);
            }

            @Override
            public void holds(final Collection<String> addresses) {
                for (final String address : addresses) {
                    if (activeCampaign.withEmail(address).isEmpty()) {
                        final ActiveCampaignSimulator.Contact contact = activeCampaign.create(address, "Soak", "Contact");
                        activeCampaign.setStatus(contact.id(), 1, 1);
                        activeCampaign.setStatus(contact.id(), 2, 1);
                    }
                }
            }

            @Override
            public Set<String> reachable(final Set<String> addresses) {
                return addresses.stream().filter(a -> !activeCampaign.withEmail(a).isEmpty()).collect(Collectors.toSet());
            }

            /** Unsubscribed from every list the contact is on (one with lists still active is no opt-out in ActiveCampaign's terms). */
            @Override
            public void optOut(final String address) {
                if (activeCampaign.withEmail(address).isEmpty()) {
                    activeCampaign.create(address, "Soak", "Contact");
                }
                for (final ActiveCampaignSimulator.Contact contact : activeCampaign.withEmail(address)) {
                    for (final int list : List.copyOf(contact.statuses().isEmpty() ? List.of(1) : contact.statuses().keySet())) {
                        activeCampaign.setStatus(contact.id(), list, 2);
                    }
                }
            }

            @Override
            public Set<String> optedOut() {
                return activeCampaign.all().stream().collect(Collectors.groupingBy(c -> identity(c.email()))).entrySet().stream()
                        .filter(e -> e.getValue().stream().allMatch(c -> !c.statuses().containsValue(1) && c.statuses().containsValue(2)))
                        .map(java.util.Map.Entry::getKey).collect(Collectors.toSet());
            }
        };
    }

    /** A Mailchimp audience: an opt-out upserts the member as unsubscribed. */
    static Partner mailchimp() {
        final MailchimpSimulator mailchimp = new MailchimpSimulator().seed(150, 31);
        return new Partner() {
            @Override
            public String name() {
                return "Mailchimp";
            }

            @Override
            public SimulatorServer simulator() {
                return mailchimp;
            }

            @Override
            public SimulatorParameters parameters() {
                return SimulatorParameters.mailchimp(mailchimp);
            }

            @Override
            public void holds(final Collection<String> addresses) {
                // an unsubscribe of an address the audience lacks adds it as unsubscribed
            }

            @Override
            public void optOut(final String address) {
                mailchimp.put(address, "unsubscribed", Instant.now());
            }

            @Override
            public Set<String> optedOut() {
                return mailchimp.all().stream().filter(m -> !m.status().equals("subscribed")).map(m -> identity(m.email())).collect(Collectors.toSet());
            }
        };
    }
}
