package io.optsync.nifi.processors;

import io.optsync.nifi.optout.PropagationPolicy;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.InputRequirement.Requirement;
import org.apache.nifi.annotation.behavior.SideEffectFree;
import org.apache.nifi.annotation.behavior.SupportsBatching;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.Relationship;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

@SideEffectFree
@SupportsBatching
@InputRequirement(Requirement.INPUT_REQUIRED)
@Tags({"optsync", "opt-out", "unsubscribe", "email", "consent", "record", "filter", "route", "bounce"})
@CapabilityDescription("Routes records by opt-out status to 'opted out', 'subscribed' and 'unknown'. The status comes from the canonical "
        + "fields NormalizeOptOutValue writes, or is decoded here from the source system's own fields in the same pass. A hard bounce counts "
        + "as opted out unless 'Hard Bounce Counts as Opt-Out' is false; a soft bounce never does. Unknown is never routed as subscribed. "
        + "Records for an auto-terminated relationship are not written at all, so keeping only the opted-out records costs one pass.")
@WritesAttributes({
    @WritesAttribute(attribute = "record.count", description = "The number of records in the outgoing FlowFile"),
    @WritesAttribute(attribute = "mime.type", description = "The MIME type of the Record Writer"),
    @WritesAttribute(attribute = "optsync.failure.reason", description = "On failure: why the record could not be routed"),
    @WritesAttribute(attribute = "optsync.failure.field", description = "On failure: the field at fault"),
    @WritesAttribute(attribute = "optsync.failure.value", description = "On failure: the offending value (of the FlowFile's first record), quoted and cut to 120 characters"),
    @WritesAttribute(attribute = "optsync.failure.record.index", description = "On failure: the 0-based index in the incoming FlowFile of the FlowFile's first record"),
    @WritesAttribute(attribute = "record.error.message", description = "On failure: the same reason, under NiFi's usual name")
})
@SeeAlso({NormalizeOptOutValue.class})
@UseCase(
        description = "Keep only the opted-out records that NormalizeOptOutValue produced.",
        keywords = {"opted out", "filter", "unsubscribed"},
        configuration = """
                Keep "Status Source" at "Canonical fields" and the canonical field names at the values NormalizeOptOutValue uses.
                Connect "opted out" to the next step; auto-terminate "subscribed" and "unknown" (their records are then not written).
                """)
@UseCase(
        description = "Get the opted-out records of a raw vendor export in one pass: decode, normalize and filter at once.",
        keywords = {"one pass", "decode", "export", "opted out"},
        configuration = """
                Set "Status Source" to "Decode source fields".
                Set "Opt-Out Field", "E-mail Field" and "Source Encoding" as for NormalizeOptOutValue, for example /HasOptedOutOfEmail,
                /Email and Salesforce.
                Connect "opted out" and "failure"; auto-terminate "subscribed" and "unknown".
                """)
public class FilterOptedOut extends AbstractOptOutRecordProcessor {

    static final Relationship REL_OPTED_OUT = new Relationship.Builder()
            .name("opted out")
            .description("Records that are opted out, or hard-bounced while hard bounces count as opt-outs")
            .build();

    static final Relationship REL_SUBSCRIBED = new Relationship.Builder()
            .name("subscribed")
            .description("Records that are subscribed and not hard-bounced (a soft bounce does not change this)")
            .build();

    static final Relationship REL_UNKNOWN = new Relationship.Builder()
            .name("unknown")
            .description("Records whose status is unknown: no value, or a value that says neither (pending, unconfirmed, archived)")
            .build();

    static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("The records whose status cannot be read, one FlowFile per reason and field (or per record: Failed Records) with "
                    + "the reason in attributes; or a whole FlowFile that could not be parsed")
            .build();

    static final PropertyDescriptor STATUS_SOURCE = new PropertyDescriptor.Builder()
            .name("Status Source")
            .description("Where each record's status is read from.")
            .required(true)
            .allowableValues(StatusSource.class)
            .defaultValue(StatusSource.CANONICAL_FIELDS)
            .build();

    private static final List<PropertyDescriptor> PROPERTIES;

    static {
        final List<PropertyDescriptor> properties = new ArrayList<>();
        properties.add(OptOutProperties.RECORD_READER);
        properties.add(OptOutProperties.RECORD_WRITER);
        properties.add(OptOutProperties.FAILURE_GRANULARITY);
        properties.add(STATUS_SOURCE);
        properties.add(OptOutProperties.HARD_BOUNCE_IS_OPT_OUT);
        for (final PropertyDescriptor decoding : OptOutProperties.DECODING) {
            properties.add(OptOutProperties.onlyWhen(decoding, STATUS_SOURCE, StatusSource.DECODE_SOURCE_FIELDS));
        }
        properties.addAll(OptOutProperties.CANONICAL_NAMES);
        PROPERTIES = List.copyOf(properties);
    }

    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_OPTED_OUT, REL_SUBSCRIBED, REL_UNKNOWN, REL_NO_ADDRESS, REL_FAILURE);

    private volatile boolean decodeHere;
    private volatile OptOutRecordDecoder.Settings settings;
    private volatile CanonicalFields.Names canonicalNames;
    private volatile PropagationPolicy policy;

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    public Set<Relationship> getRelationships() {
        return RELATIONSHIPS;
    }

    @Override
    protected Collection<ValidationResult> customValidate(final ValidationContext context) {
        return OptOutProperties.validate(context,
                StatusSource.DECODE_SOURCE_FIELDS.getValue().equals(context.getProperty(STATUS_SOURCE).getValue()));
    }

    @OnScheduled
    public void onScheduled(final ProcessContext context) {
        decodeHere = StatusSource.DECODE_SOURCE_FIELDS.getValue().equals(context.getProperty(STATUS_SOURCE).getValue());
        settings = decodeHere ? OptOutProperties.decoderSettings(context) : null;
        canonicalNames = OptOutProperties.canonicalNames(context);
        policy = new PropagationPolicy(false, context.getProperty(OptOutProperties.HARD_BOUNCE_IS_OPT_OUT).asBoolean());
    }

    @Override
    protected Relationship failureRelationship() {
        return REL_FAILURE;
    }

    @Override
    protected RecordRouter newRouter() {
        final CanonicalFields canonical = new CanonicalFields(canonicalNames);
        final PropagationPolicy routingPolicy = policy;
        if (decodeHere) {
            return router(new OptOutRecordDecoder(settings)::decode, verdict -> relationshipFor(routingPolicy, verdict), canonical);
        }
        return router(canonical::readBack, verdict -> relationshipFor(routingPolicy, verdict), null);
    }

    private static Relationship relationshipFor(final PropagationPolicy policy, final RecordVerdict.Canonical verdict) {
        return switch (policy.effectiveStatus(verdict.status(), verdict.bounce())) {
            case OPTED_OUT -> REL_OPTED_OUT;
            case SUBSCRIBED -> REL_SUBSCRIBED;
            case UNKNOWN -> REL_UNKNOWN;
        };
    }
}
