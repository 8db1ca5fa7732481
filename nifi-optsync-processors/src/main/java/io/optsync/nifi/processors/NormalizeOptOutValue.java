package io.optsync.nifi.processors;

import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.InputRequirement.Requirement;
import org.apache.nifi.annotation.behavior.SideEffectFree;
import org.apache.nifi.annotation.behavior.SupportsBatching;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.MultiProcessorUseCase;
import org.apache.nifi.annotation.documentation.ProcessorConfiguration;
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
@Tags({"optsync", "opt-out", "unsubscribe", "email", "consent", "record", "normalize", "crm", "marketing"})
@CapabilityDescription("Reads each record's e-mail opt-out value in its vendor's encoding (SugarCRM \"0\"/\"1\", Salesforce booleans, "
        + "ActiveCampaign list statuses, Mailchimp member statuses, Act-On list membership, NetSuite subscription statuses, or a custom "
        + "value set) and adds canonical fields: the normalized e-mail address lower(trim(email)), an opted-out flag (true, false, or null "
        + "when unknown), the bounce kind and the reason. A value the encoding does not know is never read as subscribed: the record goes "
        + "to failure in a FlowFile of its own whose attributes name the reason, field, value and record index. An absent value gives an "
        + "unknown status. An invalid e-mail address is a failure, never a key.")
@WritesAttributes({
    @WritesAttribute(attribute = "record.count", description = "The number of records in the outgoing FlowFile"),
    @WritesAttribute(attribute = "mime.type", description = "The MIME type of the Record Writer"),
    @WritesAttribute(attribute = "optsync.failure.reason", description = "On failure: why the record could not be decoded"),
    @WritesAttribute(attribute = "optsync.failure.field", description = "On failure: the RecordPath of the field at fault"),
    @WritesAttribute(attribute = "optsync.failure.value", description = "On failure: the offending value (of the FlowFile's first record), quoted and cut to 120 characters"),
    @WritesAttribute(attribute = "optsync.failure.record.index", description = "On failure: the 0-based index in the incoming FlowFile of the FlowFile's first record"),
    @WritesAttribute(attribute = "record.error.message", description = "On failure: the same reason, under NiFi's usual name")
})
@SeeAlso({FilterOptedOut.class})
@UseCase(
        description = "Normalize the e-mail opt-out flag of SugarCRM contacts, whatever the Sugar version stores (\"1\", \"0\", true, \"True\").",
        keywords = {"sugarcrm", "email_opt_out", "normalize", "opt-out"},
        configuration = """
                Set "Record Reader" to a JsonTreeReader and "Record Writer" to a JsonRecordSetWriter that inherits the record schema.
                Set "Opt-Out Field" to /email_opt_out and "E-mail Field" to /email1.
                Set "Source Encoding" to "SugarCRM v4_1" (legacy REST) or "SugarCRM v10".
                Connect "success" to the next step and "failure" to where a person can look at the records and their reason attribute.
                """)
@UseCase(
        description = "Read a custom opt-out field such as a Salesforce Do_Not_Email__c picklist holding Y or N, with no code.",
        keywords = {"custom field", "value set", "picklist"},
        configuration = """
                Set "Opt-Out Field" to /Do_Not_Email__c and "E-mail Field" to /Email.
                Set "Source Encoding" to "Custom value set", "Opted-Out Values" to Y,Yes and "Subscribed Values" to N,No.
                Any other value goes to failure with the value in optsync.failure.value.
                """)
@MultiProcessorUseCase(
        description = "Keep CRM opt-outs and a marketing platform in step: fetch changed records, normalize their opt-out values, keep the "
                + "opted-out ones and write them to the other system.",
        keywords = {"opt-out sync", "unsubscribe sync", "crm", "marketing automation"},
        configurations = {
            @ProcessorConfiguration(processorClass = NormalizeOptOutValue.class, configuration = """
                    Set "Opt-Out Field", "E-mail Field" and "Source Encoding" for the source system.
                    Connect "success" to FilterOptedOut.
                    """),
            @ProcessorConfiguration(processorClass = FilterOptedOut.class, configuration = """
                    Keep "Status Source" at "Canonical fields". Connect "opted out" to the processor that writes to the target system;
                    auto-terminate "subscribed" and "unknown" unless opt-ins are propagated.
                    """)
        })
public class NormalizeOptOutValue extends AbstractOptOutRecordProcessor {

    static final Relationship REL_SUCCESS = new Relationship.Builder()
            .name("success")
            .description("Records whose opt-out value was read, with the canonical fields added; their status may be opted out, subscribed or unknown")
            .build();

    static final Relationship REL_FAILURE = new Relationship.Builder()
            .name("failure")
            .description("The records that could not be read (unknown value, invalid e-mail address, wrong type), one FlowFile per reason and "
                    + "field (or per record: Failed Records) with the reason in attributes; or a whole FlowFile that could not be parsed")
            .build();

    private static final List<PropertyDescriptor> PROPERTIES;

    static {
        final List<PropertyDescriptor> properties = new ArrayList<>();
        properties.add(OptOutProperties.RECORD_READER);
        properties.add(OptOutProperties.RECORD_WRITER);
        properties.add(OptOutProperties.FAILURE_GRANULARITY);
        properties.addAll(OptOutProperties.DECODING);
        properties.addAll(OptOutProperties.CANONICAL_NAMES);
        PROPERTIES = List.copyOf(properties);
    }

    private static final Set<Relationship> RELATIONSHIPS = Set.of(REL_SUCCESS, REL_NO_ADDRESS, REL_FAILURE);

    private volatile OptOutRecordDecoder.Settings settings;
    private volatile CanonicalFields.Names canonicalNames;

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
        return OptOutProperties.validate(context, true);
    }

    @OnScheduled
    public void onScheduled(final ProcessContext context) {
        settings = OptOutProperties.decoderSettings(context);
        canonicalNames = OptOutProperties.canonicalNames(context);
    }

    @Override
    protected Relationship failureRelationship() {
        return REL_FAILURE;
    }

    @Override
    protected RecordRouter newRouter() {
        return router(new OptOutRecordDecoder(settings)::decode, verdict -> REL_SUCCESS, new CanonicalFields(canonicalNames));
    }
}
