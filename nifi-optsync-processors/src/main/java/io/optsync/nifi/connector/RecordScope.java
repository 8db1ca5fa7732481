package io.optsync.nifi.connector;

import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.controller.ConfigurationContext;
import org.apache.nifi.processor.util.StandardValidators;

import java.util.List;

/**
 * A user's scope on the records a connector reads and writes (a list, segment or saved search, said as a condition in
 * the vendor's query language), and whether it also hides opt-outs. By default it does not: a scope limits which
 * records a sync reads, and which records an opt-in may update, but a record outside it that is opted out is read all
 * the same, and an opt-out reaches every record with the address, because an opt-out from anywhere must reach
 * everywhere.
 *
 * @param condition the vendor's condition, or {@code null} for every record
 * @param optOutsOutside whether opted-out records outside the condition are read too
 */
public record RecordScope(String condition, boolean optOutsOutside) {

    /** No scope: every record is read. */
    public static final RecordScope NONE = new RecordScope(null, true);

    public static final AllowableValue PROPAGATE = new AllowableValue("Propagate", "Propagate",
            "Records outside the Scope are read too when they are opted out (or hard-bounced): the scope limits what is synced in general, "
                    + "never which opt-outs are honoured. The default, and what the law and the recipient expect.");
    public static final AllowableValue IGNORE = new AllowableValue("Ignore", "Ignore",
            "Only records within the Scope are read: an opt-out made on a record outside it does not reach the target. Narrower; use it only "
                    + "when the records outside the scope belong to another brand or business that keeps its own consent.");

    public static final PropertyDescriptor OPT_OUTS_OUTSIDE_SCOPE = new PropertyDescriptor.Builder()
            .name("Opt-Outs Outside Scope")
            .description("What happens to an opted-out record that the Scope leaves out. Has no effect without a Scope.")
            .required(true)
            .allowableValues(PROPAGATE, IGNORE)
            .defaultValue(PROPAGATE.getValue())
            .build();

    public RecordScope {
        if (condition != null && condition.isBlank()) {
            condition = null;
        }
    }

    /** "Scope", a condition in the vendor's query language, explained with the vendor's own example. */
    public static PropertyDescriptor property(final String language, final String example) {
        return new PropertyDescriptor.Builder()
                .name("Scope")
                .description("Limits the records this service reads, as a " + language + " condition, for example " + example + ". Empty reads "
                        + "every record. Opted-out records outside the scope are still read unless Opt-Outs Outside Scope says Ignore: a scope "
                        + "never hides an opt-out by default.")
                .required(false)
                .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
                .build();
    }

    /** The scope that {@code scope} and {@link #OPT_OUTS_OUTSIDE_SCOPE} configure. */
    public static RecordScope of(final ConfigurationContext context, final PropertyDescriptor scope) {
        return new RecordScope(context.getProperty(scope).getValue(), !IGNORE.getValue().equals(context.getProperty(OPT_OUTS_OUTSIDE_SCOPE).getValue()));
    }

    /** The condition alone, for a lookup that asks which records lie in the scope; {@code null} without a scope. */
    public String restriction() {
        return condition == null ? null : "(" + condition + ")";
    }

    /** A lookup of the records that hold some addresses, with a further condition or none ({@code null}). */
    @FunctionalInterface
    public interface Lookup {
        List<RecordRef> find(String restriction) throws ConnectorException;
    }

    /**
     * Looks records up and marks those outside the scope ({@link RecordRef#outsideScope()}), which an opt-in must not
     * update. The second lookup, restricted to the scope, is made only when a record found could take an opt-in (it
     * is opted out now): an opt-out push, the usual one, costs no more calls.
     *
     * @param couldTakeOptIn whether a record is opted out in a way an opt-in may undo
     */
    public List<RecordRef> lookUp(final Lookup lookup, final java.util.function.Predicate<RecordRef> couldTakeOptIn) throws ConnectorException {
        final List<RecordRef> found = lookup.find(null);
        if (condition == null || found.stream().noneMatch(couldTakeOptIn)) {
            return found;
        }
        final java.util.Set<String> inScope = new java.util.HashSet<>();
        lookup.find(restriction()).forEach(r -> inScope.add(r.id()));
        return found.stream().map(r -> inScope.contains(r.id()) ? r
                : new RecordRef(r.object(), r.id(), r.email(), r.optOutValue(), r.modifiedAt(), true)).toList();
    }

    /**
     * The condition a read adds, or {@code null} when it adds none.
     *
     * @param optedOut the vendor's condition for an opted-out (or hard-bounced) record
     */
    public String where(final String optedOut) {
        if (condition == null) {
            return null;
        }
        return optOutsOutside ? "(" + restriction() + " OR " + optedOut + ")" : restriction();
    }
}
