package io.optsync.simulators;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * SugarCRM's data as both REST APIs see it ({@code shared/vendor-apis.md} sections 2 to 4): Contacts and Leads linked to
 * shared {@code email_addresses} rows. An address is one row however many records use it, matched by its upper-cased
 * form, so an opt-out set through one record shows on every record with that address (F6). {@code date_modified} has
 * one-second precision and changes on every save through the API, but not when the campaign unsubscribe link flips an
 * address (F7). Writes to records on the ACL-denied list are dropped silently (F8).
 */
public final class SugarStore {
    public static final List<String> MODULES = List.of("Contacts", "Leads");

    /** One row of {@code email_addresses}. */
    public static final class Address {
        final String id;
        final String address;
        boolean optOut;
        boolean invalid;

        Address(final String id, final String address) {
            this.id = id;
            this.address = address;
        }

        public String address() {
            return address;
        }

        public boolean optOut() {
            return optOut;
        }

        String caps() {
            return address.toUpperCase(Locale.ROOT);
        }
    }

    /**
     * A Contact or Lead with its linked addresses, the primary one first. Its {@code date_modified} and its links
     * change only through the store, which keeps its indexes with them.
     */
    public static final class Bean {
        final String module;
        final String id;
        String firstName;
        String lastName;
        private Instant dateModified;
        private final List<Address> linked = new ArrayList<>();

        Bean(final String module, final String id) {
            this.module = module;
            this.id = id;
        }

        public String id() {
            return id;
        }

        public String module() {
            return module;
        }

        public Instant dateModified() {
            return dateModified;
        }

        /** The linked addresses, the primary one first (a read-only view). */
        public List<Address> addresses() {
            return java.util.Collections.unmodifiableList(linked);
        }

        public Address primary() {
            return linked.isEmpty() ? null : linked.getFirst();
        }

        /** {@code email_opt_out} as Sugar fills it: the primary address's flag. */
        public boolean emailOptOut() {
            return primary() != null && primary().optOut;
        }
    }

    private final Clock clock;
    private final Map<String, Map<String, Bean>> modules = new LinkedHashMap<>();
    private final Map<String, Address> addressesByCaps = new LinkedHashMap<>();
    private final Map<String, Address> addressesById = new java.util.HashMap<>();
    private final Set<String> aclDenied = new HashSet<>();
    /** Each module's records in (date_modified, id) order, as {@code ORDER BY date_modified, id} reads them. */
    private final Map<String, NavigableSet<Bean>> byModified = new java.util.HashMap<>();
    /** The records linked to each address row. */
    private final Map<Address, Set<Bean>> linkedTo = new java.util.HashMap<>();

    /** (date_modified, id): the order of every read, and of the store's index. */
    static final Comparator<Bean> MODIFIED_ORDER = Comparator.comparing((Bean b) -> b.dateModified).thenComparing(b -> b.id);

    public SugarStore(final Clock clock) {
        this.clock = clock;
        MODULES.forEach(module -> {
            modules.put(module, new LinkedHashMap<>());
            byModified.put(module, new TreeSet<>(MODIFIED_ORDER));
        });
    }

    public SugarStore() {
        this(Clock.systemUTC());
    }

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * Seeds {@code contacts} Contacts and a tenth as many Leads: about a quarter opted out, 3% sharing an address
     * with another Contact, and every tenth Lead sharing a Contact's address. The same seed gives the same data.
     */
    public synchronized SugarStore seed(final int contacts, final long seed) {
        final Random random = new Random(seed);
        final Instant base = now().minus(30, ChronoUnit.DAYS);
        for (int i = 0; i < contacts; i++) {
            final int person = random.nextInt(33) == 0 && i > 0 ? random.nextInt(i) : i;
            final Bean bean = create("Contacts", "Contact" + i, "Person" + person, "person" + person + "@example" + (person % 5) + ".com",
                    base.plusSeconds(i));
            if (random.nextInt(4) == 0) {
                bean.primary().optOut = true;
            }
        }
        for (int i = 0; i < contacts / 10; i++) {
            final String email = i % 10 == 0 ? "person" + i + "@example" + (i % 5) + ".com" : "lead" + i + "@leads.example.org";
            create("Leads", "Lead" + i, "Lead" + i, email, base.plusSeconds(i));
        }
        return this;
    }

    /** Creates a record with a primary address (sharing the address row when it exists). */
    public synchronized Bean create(final String module, final String firstName, final String lastName, final String email, final Instant modified) {
        final Bean bean = new Bean(module, UUID.randomUUID().toString());
        bean.firstName = firstName;
        bean.lastName = lastName;
        bean.dateModified = modified.truncatedTo(ChronoUnit.SECONDS);
        modules.get(module).put(bean.id, bean);
        byModified.get(module).add(bean);
        if (email != null) {
            link(bean, address(email));
        }
        return bean;
    }

    private void link(final Bean bean, final Address address) {
        bean.linked.add(address);
        linkedTo.computeIfAbsent(address, a -> new java.util.LinkedHashSet<>()).add(bean);
    }

    /** A save's {@code email} list: the record's links become exactly these addresses, in this order. */
    synchronized void replaceAddresses(final Bean bean, final List<Address> addresses) {
        for (final Address old : bean.linked) {
            linkedTo.get(old).remove(bean);
        }
        bean.linked.clear();
        addresses.stream().distinct().forEach(address -> link(bean, address));
    }

    /** A save's {@code email1}: this address becomes the record's primary one (linked if it was not). */
    synchronized void makePrimary(final Bean bean, final Address address) {
        final List<Address> addresses = new ArrayList<>(bean.linked);
        addresses.remove(address);
        addresses.addFirst(address);
        replaceAddresses(bean, addresses);
    }

    /** Moves a record's {@code date_modified}, keeping the (date_modified, id) index in order. */
    private void stamp(final Bean bean, final Instant at) {
        final NavigableSet<Bean> index = byModified.get(bean.module);
        index.remove(bean);
        bean.dateModified = at;
        index.add(bean);
    }

    /** A user adding a further (non-primary) address to a record in the UI: the record's date_modified moves. */
    public synchronized void addAddress(final String module, final String id, final String email) {
        final Bean bean = bean(module, id);
        link(bean, address(email));
        stamp(bean, now());
    }

    /**
     * A user setting the opt-out of one address of a record in the UI (any address, not only the primary one): the
     * shared row changes and the record's date_modified moves.
     */
    public synchronized void optOutAddressInUi(final String module, final String id, final String email, final boolean optOut) {
        final Bean bean = bean(module, id);
        for (final Address address : bean.linked) {
            if (address.address.equalsIgnoreCase(email)) {
                address.optOut = optOut;
            }
        }
        stamp(bean, now());
    }

    /** The address row with this id, or {@code null}. */
    synchronized Address addressById(final String id) {
        return addressesById.get(id);
    }

    /** The address row of this address (any case), or {@code null}. */
    synchronized Address existingAddress(final String email) {
        return addressesByCaps.get(email.toUpperCase(Locale.ROOT));
    }

    Address address(final String email) {
        return addressesByCaps.computeIfAbsent(email.toUpperCase(Locale.ROOT), caps -> {
            final Address row = new Address(UUID.randomUUID().toString(), email);
            addressesById.put(row.id, row);
            return row;
        });
    }

    public synchronized Bean bean(final String module, final String id) {
        final Map<String, Bean> beans = modules.get(module);
        return beans == null ? null : beans.get(id);
    }

    synchronized Collection<Bean> beans(final String module) {
        return modules.getOrDefault(module, Map.of()).values();
    }

    boolean hasModule(final String module) {
        return modules.containsKey(module);
    }

    /** Records sorted by {@code date_modified} then id, as {@code ORDER BY date_modified, id} returns them (a copy). */
    public synchronized List<Bean> sortedByModified(final String module) {
        return new ArrayList<>(byModified.get(module));
    }

    /**
     * The module's records from {@code from} on (all of them when {@code null}) in (date_modified, id) order, or in
     * reverse order: a live view of the index, so a read costs what it returns, not the size of the module. The caller
     * holds the store's monitor while it iterates.
     */
    NavigableSet<Bean> modifiedFrom(final String module, final Instant from, final boolean descending) {
        final NavigableSet<Bean> index = byModified.get(module);
        NavigableSet<Bean> view = index;
        if (from != null && !index.isEmpty()) {
            final Bean probe = new Bean(module, "");
            probe.dateModified = from;
            view = index.tailSet(probe, true);
        }
        return descending ? view.descendingSet() : view;
    }

    /** The records of the module linked to any of these addresses (upper-cased), in (date_modified, id) order. */
    synchronized List<Bean> withAnyAddress(final String module, final Collection<String> caps) {
        final Set<Bean> found = new TreeSet<>(MODIFIED_ORDER);
        for (final String address : caps) {
            final Address row = addressesByCaps.get(address);
            if (row != null) {
                linkedTo.getOrDefault(row, Set.of()).stream().filter(b -> b.module.equals(module)).forEach(found::add);
            }
        }
        return new ArrayList<>(found);
    }

    /** A save through the API: sets the flag on the shared address row and stamps {@code date_modified}. */
    synchronized boolean save(final Bean bean, final Address address, final boolean optOut) {
        if (aclDenied.contains(bean.id)) {
            return false;
        }
        address.optOut = optOut;
        stamp(bean, now());
        return true;
    }

    synchronized boolean touch(final Bean bean) {
        if (aclDenied.contains(bean.id)) {
            return false;
        }
        stamp(bean, now());
        return true;
    }

    /** The campaign unsubscribe link: a raw UPDATE of the address rows that leaves {@code date_modified} alone (F7). */
    public synchronized int campaignUnsubscribe(final String email) {
        final Address address = addressesByCaps.get(email.toUpperCase(Locale.ROOT));
        if (address == null) {
            return 0;
        }
        address.optOut = true;
        return 1;
    }

    /** A user opting a record out in the Sugar UI: the shared row changes and the record's date_modified moves. */
    public synchronized void optOutInUi(final String module, final String id, final boolean optOut) {
        final Bean bean = bean(module, id);
        bean.primary().optOut = optOut;
        stamp(bean, now());
    }

    /** {@code count} users' changes in the UI: the first contacts in id order flip their opt-out. */
    public synchronized int changeInUi(final int count) {
        int changedCount = 0;
        for (final Bean bean : modules.get("Contacts").values()) {
            if (changedCount == count) {
                break;
            }
            if (bean.primary() != null) {
                optOutInUi("Contacts", bean.id, !bean.primary().optOut);
                changedCount++;
            }
        }
        return changedCount;
    }

    /** The id of this address's {@code email_addresses} row, or {@code null}: {@link #denyAcl} takes it too. */
    public synchronized String addressRowId(final String email) {
        final Address row = existingAddress(email);
        return row == null ? null : row.id;
    }

    /** Writes to this record, or address row, are dropped silently from now on. */
    public synchronized void denyAcl(final String id) {
        aclDenied.add(id);
    }

    boolean isAclDenied(final String id) {
        return aclDenied.contains(id);
    }

    /** Every record whose address is this one, in any module. */
    public synchronized List<Bean> beansWithEmail(final String email) {
        final List<Bean> found = new ArrayList<>();
        for (final String module : MODULES) {
            found.addAll(withAnyAddress(module, List.of(email.toUpperCase(Locale.ROOT))));
        }
        return found;
    }

    /** Whether the address is opted out, or {@code null} when Sugar does not know it. */
    public synchronized Boolean isOptedOut(final String email) {
        final Address address = addressesByCaps.get(email.toUpperCase(Locale.ROOT));
        return address == null ? null : address.optOut;
    }

    /** The opted-out addresses, lower-cased. */
    public synchronized List<String> optedOutAddresses() {
        final List<String> out = new ArrayList<>();
        addressesByCaps.values().forEach(a -> {
            if (a.optOut) {
                out.add(a.address.toLowerCase(Locale.ROOT));
            }
        });
        return out;
    }

    public synchronized int size(final String module) {
        return modules.get(module).size();
    }
}
