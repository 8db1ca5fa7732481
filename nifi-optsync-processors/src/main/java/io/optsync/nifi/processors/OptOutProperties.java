package io.optsync.nifi.processors;

import io.optsync.nifi.optout.CustomValueSet;
import io.optsync.nifi.optout.OptOutDecoder;
import org.apache.nifi.components.AllowableValue;
import org.apache.nifi.components.DescribedValue;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.components.ValidationContext;
import org.apache.nifi.components.ValidationResult;
import org.apache.nifi.context.PropertyContext;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.record.path.validation.RecordPathValidator;
import org.apache.nifi.serialization.RecordReaderFactory;
import org.apache.nifi.serialization.RecordSetWriterFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The property descriptors of the optsync record processors, in one place, and how they turn into settings. */
final class OptOutProperties {

    static final PropertyDescriptor RECORD_READER = new PropertyDescriptor.Builder()
            .name("Record Reader")
            .description("Reads the incoming records.")
            .identifiesControllerService(RecordReaderFactory.class)
            .required(true)
            .build();

    static final PropertyDescriptor RECORD_WRITER = new PropertyDescriptor.Builder()
            .name("Record Writer")
            .description("Writes the outgoing records. With 'Inherit Record Schema' the canonical fields are added to each record's "
                    + "schema; a writer with a schema of its own must list them to keep them.")
            .identifiesControllerService(RecordSetWriterFactory.class)
            .required(true)
            .build();

    static final PropertyDescriptor CONNECTOR = new PropertyDescriptor.Builder()
            .name("Connector")
            .description("The vendor connector to read from or write to.")
            .required(true)
            .identifiesControllerService(io.optsync.nifi.connector.OptOutConnectorService.class)
            .build();

    static final PropertyDescriptor OBJECT = new PropertyDescriptor.Builder()
            .name("Object")
            .description("The connector's object to read or write: a CRM module such as Contacts or Leads, or a list such as Act-On's optout.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .build();

    static final PropertyDescriptor OPT_OUT_FIELD = new PropertyDescriptor.Builder()
            .name("Opt-Out Field")
            .description("RecordPath to the opt-out value, for example /email_opt_out (SugarCRM), /HasOptedOutOfEmail (Salesforce), "
                    + "/status (Mailchimp) or /contactLists[*]/status (ActiveCampaign, one value per list).")
            .required(true)
            .addValidator(new RecordPathValidator())
            .expressionLanguageSupported(ExpressionLanguageScope.NONE)
            .build();

    static final PropertyDescriptor EMAIL_FIELD = new PropertyDescriptor.Builder()
            .name("E-mail Field")
            .description("RecordPath to the e-mail address, for example /email1, /Email or /email_address. It must select one text value.")
            .required(true)
            .addValidator(new RecordPathValidator())
            .expressionLanguageSupported(ExpressionLanguageScope.NONE)
            .build();

    static final PropertyDescriptor SOURCE_ENCODING = new PropertyDescriptor.Builder()
            .name("Source Encoding")
            .description("How the source system encodes opt-out. A value the encoding does not know goes to failure: it is never read as subscribed.")
            .required(true)
            .allowableValues(SourceEncoding.class)
            .defaultValue(SourceEncoding.AUTO_DETECT)
            .build();

    static final PropertyDescriptor OPTED_OUT_VALUES = new PropertyDescriptor.Builder()
            .name("Opted-Out Values")
            .description("Comma-separated values that mean opted out, for example Y,Yes,Do Not Email. Case and surrounding spaces are ignored.")
            .required(true)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(SOURCE_ENCODING, SourceEncoding.CUSTOM)
            .build();

    static final PropertyDescriptor SUBSCRIBED_VALUES = new PropertyDescriptor.Builder()
            .name("Subscribed Values")
            .description("Comma-separated values that mean subscribed, for example N,No. Leave empty if no value means subscribed.")
            .required(false)
            .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
            .dependsOn(SOURCE_ENCODING, SourceEncoding.CUSTOM)
            .build();

    static final PropertyDescriptor HARD_BOUNCE_FIELD = new PropertyDescriptor.Builder()
            .name("Hard Bounce Field")
            .description("Optional RecordPath to a hard-bounce indicator, for example /IsEmailBounced (Salesforce), /invalid_email (SugarCRM) "
                    + "or /bounced_hard (ActiveCampaign count). true/1/yes or a count above zero is a hard bounce.")
            .required(false)
            .addValidator(new RecordPathValidator())
            .build();

    static final PropertyDescriptor SOFT_BOUNCE_FIELD = new PropertyDescriptor.Builder()
            .name("Soft Bounce Field")
            .description("Optional RecordPath to a soft-bounce indicator, for example /bounced_soft (ActiveCampaign count). A soft bounce is "
                    + "recorded but never counts as an opt-out.")
            .required(false)
            .addValidator(new RecordPathValidator())
            .build();

    static final PropertyDescriptor ACCEPT_INTERNATIONALIZED = new PropertyDescriptor.Builder()
            .name("Accept Internationalized Addresses")
            .description("Whether e-mail addresses with non-ASCII characters (RFC 6531, such as josé@example.com) are accepted. When false "
                    + "they go to failure, for targets that cannot store them.")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("true")
            .build();

    static final PropertyDescriptor EMAIL_OUTPUT_FIELD = canonicalName("Normalized E-mail Field Name", "optsync_email",
            "Name of the field that receives the normalized e-mail address, lower(trim(address)).");
    static final PropertyDescriptor OPTED_OUT_OUTPUT_FIELD = canonicalName("Opted-Out Field Name", "optsync_opted_out",
            "Name of the boolean field that says whether the record is opted out: true, false, or null when unknown.");
    static final PropertyDescriptor BOUNCE_OUTPUT_FIELD = canonicalName("Bounce Field Name", "optsync_bounce",
            "Name of the field that receives the bounce kind: NONE, SOFT or HARD.");
    static final PropertyDescriptor REASON_OUTPUT_FIELD = canonicalName("Reason Field Name", "optsync_reason",
            "Name of the field that receives how the opt-out value was read, for example 'SugarCRM v4_1 \"1\": opted out'.");

    static final PropertyDescriptor HARD_BOUNCE_IS_OPT_OUT = new PropertyDescriptor.Builder()
            .name("Hard Bounce Counts as Opt-Out")
            .description("Whether a hard-bounced address is routed as opted out even when it is not unsubscribed. A soft bounce never is.")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("true")
            .build();

    static final AllowableValue FAILED_BY_REASON = new AllowableValue("One FlowFile per Reason", "One FlowFile per Reason",
            "The failed records of an input with the same reason and field leave together");
    static final AllowableValue FAILED_BY_RECORD = new AllowableValue("One FlowFile per Record", "One FlowFile per Record",
            "Each failed record leaves in a FlowFile of its own");

    static final PropertyDescriptor FAILURE_GRANULARITY = new PropertyDescriptor.Builder()
            .name("Failed Records")
            .description("How the records that fail leave on 'failure': together, one FlowFile per reason and field for each input "
                    + "FlowFile (as ValidateRecord does), so that a bad batch is one FlowFile and not thousands; or one FlowFile per record, "
                    + "with the offending value and the record's index in attributes.")
            .required(true)
            .allowableValues(FAILED_BY_REASON, FAILED_BY_RECORD)
            .defaultValue(FAILED_BY_REASON)
            .build();

    /** The properties that read an opt-out value from a source record. */
    static final List<PropertyDescriptor> DECODING = List.of(OPT_OUT_FIELD, EMAIL_FIELD, SOURCE_ENCODING, OPTED_OUT_VALUES,
            SUBSCRIBED_VALUES, HARD_BOUNCE_FIELD, SOFT_BOUNCE_FIELD, ACCEPT_INTERNATIONALIZED);

    /** The names of the canonical fields. */
    static final List<PropertyDescriptor> CANONICAL_NAMES = List.of(EMAIL_OUTPUT_FIELD, OPTED_OUT_OUTPUT_FIELD, BOUNCE_OUTPUT_FIELD,
            REASON_OUTPUT_FIELD);

    private OptOutProperties() {
    }

    private static PropertyDescriptor canonicalName(final String name, final String defaultValue, final String description) {
        return new PropertyDescriptor.Builder()
                .name(name)
                .description(description)
                .required(true)
                .defaultValue(defaultValue)
                .addValidator(StandardValidators.NON_BLANK_VALIDATOR)
                .build();
    }

    /** A copy of {@code descriptor} that is shown and used only when {@code property} has {@code value}. */
    static PropertyDescriptor onlyWhen(final PropertyDescriptor descriptor, final PropertyDescriptor property, final DescribedValue value) {
        return new PropertyDescriptor.Builder().fromPropertyDescriptor(descriptor).dependsOn(property, value).build();
    }

    static OptOutRecordDecoder.Settings decoderSettings(final PropertyContext context) {
        final SourceEncoding source = SourceEncoding.fromValue(context.getProperty(SOURCE_ENCODING).getValue());
        final OptOutDecoder decoder = switch (source) {
            case AUTO_DETECT -> null;
            case CUSTOM -> customValueSet(context).decoder();
            default -> source.encoding().decoder();
        };
        return new OptOutRecordDecoder.Settings(
                FieldSelector.of(context.getProperty(OPT_OUT_FIELD).getValue()),
                FieldSelector.of(context.getProperty(EMAIL_FIELD).getValue()),
                decoder,
                optionalSelector(context, HARD_BOUNCE_FIELD),
                optionalSelector(context, SOFT_BOUNCE_FIELD),
                context.getProperty(ACCEPT_INTERNATIONALIZED).asBoolean());
    }

    static CanonicalFields.Names canonicalNames(final PropertyContext context) {
        return new CanonicalFields.Names(
                context.getProperty(EMAIL_OUTPUT_FIELD).getValue().trim(),
                context.getProperty(OPTED_OUT_OUTPUT_FIELD).getValue().trim(),
                context.getProperty(BOUNCE_OUTPUT_FIELD).getValue().trim(),
                context.getProperty(REASON_OUTPUT_FIELD).getValue().trim());
    }

    private static FieldSelector optionalSelector(final PropertyContext context, final PropertyDescriptor descriptor) {
        final String path = context.getProperty(descriptor).getValue();
        return path == null || path.isBlank() ? null : FieldSelector.of(path);
    }

    private static CustomValueSet customValueSet(final PropertyContext context) {
        return CustomValueSet.of(CustomValueSet.splitList(context.getProperty(OPTED_OUT_VALUES).getValue()),
                CustomValueSet.splitList(context.getProperty(SUBSCRIBED_VALUES).getValue()));
    }

    /** Checks what single properties cannot: a custom value set that makes sense, and distinct canonical field names. */
    static Collection<ValidationResult> validate(final ValidationContext context, final boolean decoding) {
        final List<ValidationResult> results = new ArrayList<>();
        if (decoding && SourceEncoding.CUSTOM.getValue().equals(context.getProperty(SOURCE_ENCODING).getValue())
                && context.getProperty(OPTED_OUT_VALUES).isSet()) {
            try {
                customValueSet(context);
            } catch (final IllegalArgumentException e) {
                results.add(new ValidationResult.Builder().subject(OPTED_OUT_VALUES.getName()).valid(false)
                        .explanation(e.getMessage()).build());
            }
        }
        final Set<String> names = new HashSet<>();
        for (final PropertyDescriptor descriptor : CANONICAL_NAMES) {
            final String name = context.getProperty(descriptor).getValue();
            if (name != null && !names.add(name.trim())) {
                results.add(new ValidationResult.Builder().subject(descriptor.getName()).valid(false)
                        .explanation("the canonical field names must differ; '" + name.trim() + "' is used twice").build());
            }
        }
        return results;
    }
}
