package io.optsync.nifi.processors;

import io.optsync.nifi.connector.ConnectorException;
import io.optsync.nifi.connector.ConnectorProfile;
import io.optsync.nifi.connector.FieldUpdate;
import io.optsync.nifi.connector.OptOutConnectorService;
import io.optsync.nifi.connector.RecordRef;
import io.optsync.nifi.connector.WriteOutcome;
import io.optsync.nifi.optout.BounceKind;
import io.optsync.nifi.optout.CanonicalValues;
import io.optsync.nifi.optout.Decoding;
import io.optsync.nifi.optout.EmailAddress;
import io.optsync.nifi.optout.InvalidEmailAddressException;
import io.optsync.nifi.optout.OptOutState;
import io.optsync.nifi.optout.OptOutStatus;
import io.optsync.nifi.optout.PropagationDecision;
import io.optsync.nifi.optout.PropagationPolicy;
import org.apache.nifi.annotation.behavior.DynamicProperty;
import org.apache.nifi.annotation.behavior.InputRequirement;
import org.apache.nifi.annotation.behavior.InputRequirement.Requirement;
import org.apache.nifi.annotation.behavior.WritesAttribute;
import org.apache.nifi.annotation.behavior.WritesAttributes;
import org.apache.nifi.annotation.documentation.CapabilityDescription;
import org.apache.nifi.annotation.documentation.SeeAlso;
import org.apache.nifi.annotation.documentation.Tags;
import org.apache.nifi.annotation.documentation.UseCase;
import org.apache.nifi.annotation.lifecycle.OnScheduled;
import org.apache.nifi.components.PropertyDescriptor;
import org.apache.nifi.expression.ExpressionLanguageScope;
import org.apache.nifi.flowfile.FlowFile;
import org.apache.nifi.processor.ProcessContext;
import org.apache.nifi.processor.ProcessSession;
import org.apache.nifi.processor.Relationship;
import org.apache.nifi.processor.util.StandardValidators;
import org.apache.nifi.record.path.validation.RecordPathValidator;
import org.apache.nifi.record.sink.RecordSinkService;
import org.apache.nifi.serialization.record.Record;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

@InputRequirement(Requirement.INPUT_REQUIRED)
@Tags({"optsync", "crm", "opt-out", "unsubscribe", "push", "write", "sugarcrm", "act-on", "salesforce"})
@CapabilityDescription("Writes the opt-out status (and any other chosen field) of incoming records to a target system through a connector. "
        + "Each record's normalized e-mail address is looked up in the target, and every record with that address is written, not only "
        + "the first. What is written follows optsync's decision rule: an opt-out always wins; a subscribed status is written only with "
        + "Propagate Opt-Ins on and a consent time newer than the target's opt-out; a target already in the wanted state is not written. "
        + "Writes go in batches of the vendor's maximum under its request rate; what is worth retrying is retried with back-off. Each "
        + "record goes to success, failure (with the vendor's reason) or retry. Existing records are updated, never deleted; a missing "
        + "record is created only when Create Missing Records says so and the connector can.")
@DynamicProperty(name = "A target field name", value = "A RecordPath to the value in the incoming record",
        description = "Writes the selected value to that field of every target record with the address, for example a lead score.",
        expressionLanguageScope = ExpressionLanguageScope.NONE)
@WritesAttributes({
    @WritesAttribute(attribute = "optsync.failure.reason", description = "On failure: the vendor's reason, or why the record could not be written"),
    @WritesAttribute(attribute = "optsync.retry.reason", description = "On retry: why the write is to be tried again (the last reason of the batch)"),
    @WritesAttribute(attribute = "optsync.failure.field", description = "On failure: the field at fault, or 'connector'"),
    @WritesAttribute(attribute = "optsync.failure.value", description = "On failure: the offending value or the vendor's error code (of the FlowFile's first record)"),
    @WritesAttribute(attribute = "optsync.failure.record.index", description = "On failure: the 0-based index in the incoming FlowFile of the FlowFile's first record"),
    @WritesAttribute(attribute = "record.count", description = "The records in the outgoing FlowFile"),
    @WritesAttribute(attribute = "mime.type", description = "The Record Writer's MIME type")
})
@SeeAlso({FetchCrmRecords.class, NormalizeOptOutValue.class, FilterOptedOut.class})
@UseCase(
        description = "Write SugarCRM opt-outs to Act-On's opt-out list.",
        keywords = {"act-on", "opt-out list", "push"},
        configuration = """
                Feed it the "opted out" records of FilterOptedOut.
                Set "Connector" to an ActOnConnectorService and "Object" to optout; keep the field paths at the canonical fields.
                Connect "retry" back to this processor and "failure" to where a person can look at the vendor's reason.
                """)
public class PushCrmFieldUpdates extends AbstractOptOutRecordProcessor {

    static final PropertyDescriptor EMAIL_PATH = new PropertyDescriptor.Builder()
            .name("E-mail Field")
            .description("RecordPath to the normalized e-mail address.")
            .required(true)
            .defaultValue("/optsync_email")
            .addValidator(new RecordPathValidator())
            .build();

    static final PropertyDescriptor OPTED_OUT_PATH = new PropertyDescriptor.Builder()
            .name("Opted-Out Field")
            .description("RecordPath to the canonical opted-out flag (true, false, or empty for unknown).")
            .required(true)
            .defaultValue("/optsync_opted_out")
            .addValidator(new RecordPathValidator())
            .build();

    static final PropertyDescriptor BOUNCE_PATH = new PropertyDescriptor.Builder()
            .name("Bounce Field")
            .description("RecordPath to the canonical bounce kind (NONE, SOFT, HARD).")
            .required(true)
            .defaultValue("/optsync_bounce")
            .addValidator(new RecordPathValidator())
            .build();

    static final PropertyDescriptor CONSENT_TIME_PATH = new PropertyDescriptor.Builder()
            .name("Consent Time Field")
            .description("RecordPath to when a subscribed record gave its consent (ISO-8601), for example /modified_at. Without it, no "
                    + "subscribed status is ever written.")
            .required(false)
            .addValidator(new RecordPathValidator())
            .build();

    static final PropertyDescriptor PROPAGATE_OPT_INS = new PropertyDescriptor.Builder()
            .name("Propagate Opt-Ins")
            .description("Whether a subscribed status may move a target from opted out to subscribed, when its consent is newer than the "
                    + "target's opt-out. Off: opt-outs only.")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("false")
            .build();

    static final PropertyDescriptor CREATE_MISSING = new PropertyDescriptor.Builder()
            .name("Create Missing Records")
            .description("Whether an address with no record in the target is created there (when the connector can). Off: it is "
                    + "counted as not found and the record goes to success.")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("false")
            .build();

    static final PropertyDescriptor DRY_RUN = new PropertyDescriptor.Builder()
            .name("Dry Run")
            .description("When true, nothing is written: every write the rule allows is only recorded on 'audit', marked as a dry run, "
                    + "and the records go to success.")
            .required(true)
            .allowableValues("true", "false")
            .defaultValue("false")
            .build();

    static final PropertyDescriptor MAX_CHANGES = new PropertyDescriptor.Builder()
            .name("Max Changes Per Run")
            .description("Blast-radius guard: the most target records one run (one incoming FlowFile) may change. Above it nothing is "
                    + "written and the run's records go to 'held'. Empty: no limit.")
            .required(false)
            .addValidator(StandardValidators.NON_NEGATIVE_INTEGER_VALIDATOR)
            .build();

    static final PropertyDescriptor MAX_CHANGE_SHARE = new PropertyDescriptor.Builder()
            .name("Max Change Share")
            .description("Blast-radius guard: the most target records one run may change, as a percentage of the records it received "
                    + "(for example 20). Above it nothing is written and the run's records go to 'held'. Empty: no limit.")
            .required(false)
            .addValidator(StandardValidators.createLongValidator(0, 100_000, true))
            .build();

    static final PropertyDescriptor AUDIT_RECORD_SINK = new PropertyDescriptor.Builder()
            .name("Audit Record Sink")
            .description("Where the audit records go, for example NiFi's DatabaseRecordSink with a DBCPConnectionPool, to keep them in a "
                    + "database table. The records of each written batch are sent together, before the incoming FlowFile is done with; "
                    + "what the sink cannot take goes to 'audit' instead, with the sink's reason in optsync.audit.sink.failure and a "
                    + "bulletin. Empty: every audit record goes to 'audit'.")
            .required(false)
            .identifiesControllerService(RecordSinkService.class)
            .build();

    static final PropertyDescriptor SOURCE_SYSTEM_PATH = sourcePath("Source System Field", "/system", "the system the record came from");
    static final PropertyDescriptor SOURCE_OBJECT_PATH = sourcePath("Source Object Field", "/object", "the object the record came from");
    static final PropertyDescriptor SOURCE_ID_PATH = sourcePath("Source ID Field", "/id", "the record's id in its source");
    static final PropertyDescriptor SOURCE_TIME_PATH = sourcePath("Source Change Time Field", "/modified_at", "when the source changed the record");

    private static PropertyDescriptor sourcePath(final String name, final String path, final String what) {
        return new PropertyDescriptor.Builder()
                .name(name)
                .description("RecordPath to " + what + ", for the audit records (FetchCrmRecords writes it at " + path + ").")
                .required(false)
                .defaultValue(path)
                .addValidator(new RecordPathValidator())
                .build();
    }

    static final Relationship REL_SUCCESS = new Relationship.Builder().name("success")
            .description("Records written, or whose target needed no write").build();
    static final Relationship REL_FAILURE = new Relationship.Builder().name("failure")
            .description("The records the target refused, one FlowFile per reason and field (or per record: Failed Records) with the "
                    + "vendor's reason").build();
    static final Relationship REL_RETRY = new Relationship.Builder().name("retry")
            .description("Records whose write may succeed later, penalized: the vendor is unreachable or over a limit (5xx, 429, timeouts), or "
                    + "it refused the connection (a sign-in, session or permission refused, an unknown object), which also raises a bulletin "
                    + "and yields the processor; they go through once that is mended, with no replay by hand").build();
    static final Relationship REL_HELD = new Relationship.Builder().name("held")
            .description("The records of a run that would change more target records than the blast-radius guard allows; nothing of it "
                    + "was written. Release them by routing them back once checked (with the limit raised)").build();
    static final Relationship REL_AUDIT = new Relationship.Builder().name("audit")
            .description("One audit record per field written, or that a dry run would write: address, source and target system, object "
                    + "and id, field, old and new value, reason, source change time, run id and outcome. With an Audit Record Sink, only "
                    + "the records the sink could not take, with its reason in optsync.audit.sink.failure").build();

    private static final List<PropertyDescriptor> PROPERTIES = List.of(OptOutProperties.CONNECTOR, OptOutProperties.OBJECT,
            OptOutProperties.RECORD_READER, OptOutProperties.RECORD_WRITER, OptOutProperties.FAILURE_GRANULARITY, EMAIL_PATH, OPTED_OUT_PATH, BOUNCE_PATH, CONSENT_TIME_PATH,
            PROPAGATE_OPT_INS, OptOutProperties.HARD_BOUNCE_IS_OPT_OUT, CREATE_MISSING, DRY_RUN, MAX_CHANGES, MAX_CHANGE_SHARE, AUDIT_RECORD_SINK, SOURCE_SYSTEM_PATH, SOURCE_OBJECT_PATH,
            SOURCE_ID_PATH, SOURCE_TIME_PATH);

    private volatile PushSettings settings;

    /** What one push needs, read once when scheduled. */
    record PushSettings(OptOutConnectorService connector, String object, FieldSelector email, FieldSelector optedOut, FieldSelector bounce,
                        FieldSelector consentTime, Map<String, FieldSelector> extraFields, PropagationPolicy policy, boolean createMissing,
                        boolean dryRun, List<FieldSelector> source, BlastRadius guard, RecordSinkService auditSink) {
    }

    @Override
    protected List<PropertyDescriptor> getSupportedPropertyDescriptors() {
        return PROPERTIES;
    }

    @Override
    protected PropertyDescriptor getSupportedDynamicPropertyDescriptor(final String name) {
        return new PropertyDescriptor.Builder().name(name).dynamic(true).addValidator(new RecordPathValidator())
                .expressionLanguageSupported(ExpressionLanguageScope.NONE).build();
    }

    @Override
    public Set<Relationship> getRelationships() {
        return Set.of(REL_SUCCESS, REL_FAILURE, REL_RETRY, REL_HELD, REL_AUDIT);
    }

    /** A field mapping may not name a field the decision rule owns: it would write an opt-out status past the rule. */
    @Override
    protected java.util.Collection<org.apache.nifi.components.ValidationResult> customValidate(final org.apache.nifi.components.ValidationContext context) {
        final ConnectorProfile profile;
        try {
            profile = context.getProperty(OptOutProperties.CONNECTOR).asControllerService(OptOutConnectorService.class).profile();
        } catch (final RuntimeException e) {
            return List.of(); // not enabled yet: checked again once it is, and when the processor is scheduled
        }
        if (profile == null) {
            return List.of();
        }
        return context.getProperties().keySet().stream().filter(PropertyDescriptor::isDynamic).map(PropertyDescriptor::getName)
                .filter(profile::ownsField)
                .map(name -> new org.apache.nifi.components.ValidationResult.Builder().subject(name).valid(false)
                        .explanation(ruleFieldMessage(name, profile)).build())
                .toList();
    }

    private static String ruleFieldMessage(final String field, final ConnectorProfile profile) {
        return "'" + field + "' holds the opt-out status, a bounce or the address in " + profile.system()
                + ": only the decision rule writes it, so no field mapping may name it";
    }

    @OnScheduled
    public void onScheduled(final ProcessContext context) {
        final ConnectorProfile target = context.getProperty(OptOutProperties.CONNECTOR).asControllerService(OptOutConnectorService.class).profile();
        final Map<String, FieldSelector> extra = new LinkedHashMap<>();
        context.getProperties().forEach((descriptor, value) -> {
            if (descriptor.isDynamic() && value != null) {
                if (target.ownsField(descriptor.getName())) {
                    throw new org.apache.nifi.processor.exception.ProcessException(ruleFieldMessage(descriptor.getName(), target));
                }
                extra.put(descriptor.getName(), FieldSelector.of(value));
            }
        });
        settings = new PushSettings(context.getProperty(OptOutProperties.CONNECTOR).asControllerService(OptOutConnectorService.class),
                context.getProperty(OptOutProperties.OBJECT).getValue().trim(),
                FieldSelector.of(context.getProperty(EMAIL_PATH).getValue()),
                FieldSelector.of(context.getProperty(OPTED_OUT_PATH).getValue()),
                FieldSelector.of(context.getProperty(BOUNCE_PATH).getValue()),
                context.getProperty(CONSENT_TIME_PATH).isSet() ? FieldSelector.of(context.getProperty(CONSENT_TIME_PATH).getValue()) : null,
                Map.copyOf(extra),
                new PropagationPolicy(context.getProperty(PROPAGATE_OPT_INS).asBoolean(), context.getProperty(OptOutProperties.HARD_BOUNCE_IS_OPT_OUT).asBoolean()),
                context.getProperty(CREATE_MISSING).asBoolean(),
                context.getProperty(DRY_RUN).asBoolean(),
                java.util.stream.Stream.of(SOURCE_SYSTEM_PATH, SOURCE_OBJECT_PATH, SOURCE_ID_PATH, SOURCE_TIME_PATH)
                        .map(p -> context.getProperty(p).isSet() ? FieldSelector.of(context.getProperty(p).getValue()) : null).toList(),
                new BlastRadius(context.getProperty(MAX_CHANGES).isSet() ? context.getProperty(MAX_CHANGES).asInteger() : null,
                        context.getProperty(MAX_CHANGE_SHARE).isSet() ? context.getProperty(MAX_CHANGE_SHARE).asInteger() : null),
                context.getProperty(AUDIT_RECORD_SINK).isSet() ? context.getProperty(AUDIT_RECORD_SINK).asControllerService(RecordSinkService.class) : null);
    }

    @Override
    protected Relationship failureRelationship() {
        return REL_FAILURE;
    }

    @Override
    protected Set<Relationship> penalizedRelationships() {
        return Set.of(REL_RETRY);
    }

    private final ThreadLocal<PushBatch> current = new ThreadLocal<>();

    @Override
    protected RecordRouter newRouter() {
        final PushBatch batch = new PushBatch(settings, getLogger());
        current.set(batch);
        return batch;
    }

    /** The run just completed on this thread, for what it must tell the user once. */
    private final ThreadLocal<PushBatch> finished = new ThreadLocal<>();

    @Override
    public void onTrigger(final ProcessContext context, final ProcessSession session) {
        super.onTrigger(context, session);
        final PushBatch batch = finished.get();
        finished.remove();
        if (batch == null) {
            return;
        }
        if (batch.audit().sinkFailure() != null) {
            getLogger().error("The Audit Record Sink could not take the audit records of run {}; they went to 'audit' with the reason in {} "
                    + "(connect 'audit' to keep them)", batch.runId(), AuditTrail.SINK_FAILURE, batch.audit().sinkFailure());
        }
        final ConnectorException failure = batch.connectionFailure();
        if (failure != null) {
            // once a run, not once a record: the bulletin names the vendor and the cause, and the processor waits its yield
            // duration before it tries again; the records wait on 'retry', penalized, and go through once it is mended
            final ConnectorProfile profile = settings.connector().profile();
            if (failure.isRetryable()) {
                getLogger().warn("{} {} cannot be reached or refuses more calls now ({}); the records wait on 'retry': {}", profile.system(),
                        settings.object(), failure.code(), failure.getMessage());
            } else {
                getLogger().error("{} refused the connection ({}): mend the connector service's settings; the records wait on 'retry' and go "
                        + "through once it is mended: {}", profile.system(), failure.code(), failure.getMessage());
            }
            context.yield();
        }
    }

    @Override
    protected void completed(final ProcessSession session, final RecordSplit split) {
        final PushBatch batch = current.get();
        current.remove();
        finished.set(batch);
        if (batch.audit().sent() > 0) {
            session.adjustCounter("Audit records to sink", batch.audit().sent(), false);
        }
        // on the records that went to success, or, when success is auto-terminated, on the input: a run that wrote always says so
        final FlowFile written = split.transferred(REL_SUCCESS) != null ? split.transferred(REL_SUCCESS)
                : batch.madeChanges() && !settings.dryRun() ? split.original() : null;
        if (written != null) {
            final ConnectorProfile profile = settings.connector().profile();
            final String details = (settings.dryRun() ? "dry run " : "run ") + batch.runId() + ": " + batch.changesAudited()
                    + (settings.dryRun() ? " field changes not written" : " field changes written") + " to " + profile.system() + " " + settings.object()
                    + (batch.audit().toSink() ? "; one audit record each to the Audit Record Sink" : "; one audit record each on 'audit'");
            session.getProvenanceReporter().send(written, settings.connector().transitUri(settings.object(), true), details);
        }
    }

    /** Buffers records up to the vendor's batch size, then looks up, decides, writes (unless a dry run) and audits the batch. */
    static final class PushBatch implements RecordRouter {
        private record Pending(Record record, long index, String email, OptOutState state, Map<String, Object> fields, AuditRecords.Source source) {
        }

        /** One target record's update and the field changes it carries. */
        private record Planned(FieldUpdate update, RecordRef target, List<AuditRecords.Change> changes) {
        }

        private final PushSettings settings;
        private final org.apache.nifi.logging.ComponentLog logger;
        private final List<Pending> pending = new ArrayList<>();
        /** Records that may move a target to subscribed: decided after the last record, once every opt-out of the run is known. */
        private final List<Pending> deferred = new ArrayList<>();
        /** The latest opt-out of each address among the run's records ({@link PropagationPolicy#OPT_OUT_AT_UNKNOWN_TIME} when it has no time). */
        private final Map<String, Instant> optOutsSeen = new java.util.HashMap<>();
        private boolean madeChanges;
        private ConnectorException connectionFailure;
        private final int batch;
        private final String runId = java.util.UUID.randomUUID().toString();
        private int changesAudited;
        private final AuditTrail audit;

        PushBatch(final PushSettings settings, final org.apache.nifi.logging.ComponentLog logger) {
            this.settings = settings;
            this.logger = logger;
            this.batch = settings.connector().profile().maxBatch();
            this.audit = new AuditTrail(settings.auditSink(), REL_AUDIT);
        }

        AuditTrail audit() {
            return audit;
        }

        String runId() {
            return runId;
        }

        int changesAudited() {
            return changesAudited;
        }

        @Override
        public void route(final Record record, final long index, final RecordSplit split) throws java.io.IOException,
                org.apache.nifi.schema.access.SchemaNotFoundException {
            final Object emailValue = settings.email().select(record).value();
            final String email;
            try {
                email = EmailAddress.parse(emailValue == null ? null : emailValue.toString()).value();
            } catch (final InvalidEmailAddressException e) {
                split.fail(record, index, new RecordVerdict.Failure(e.getMessage(), settings.email().path(), emailValue));
                return;
            }
            final Object flag = settings.optedOut().select(record).value();
            final Decoding decoding = CanonicalValues.optedOutFlag(flag);
            final BounceKind bounce = CanonicalValues.bounceKind(settings.bounce().select(record).value());
            if (decoding.isUnrecognized() || bounce == null) {
                split.fail(record, index, new RecordVerdict.Failure("the canonical opted-out flag or bounce kind is not readable; run "
                        + "NormalizeOptOutValue first", settings.optedOut().path(), flag));
                return;
            }
            Instant consent = null;
            if (settings.consentTime() != null) {
                final Object value = settings.consentTime().select(record).value();
                try {
                    consent = value == null ? null : Instant.parse(value.toString().trim());
                } catch (final DateTimeParseException e) {
                    split.fail(record, index, new RecordVerdict.Failure("the consent time is not an ISO-8601 instant", settings.consentTime().path(), value));
                    return;
                }
            }
            final Map<String, Object> fields = new LinkedHashMap<>();
            settings.extraFields().forEach((name, selector) -> fields.put(name, selector.select(record).value()));
            final Pending read = new Pending(record, index, email, OptOutState.of(decoding.status(), bounce, consent), fields, source(record));
            final OptOutStatus effective = settings.policy().effectiveStatus(read.state());
            if (effective == OptOutStatus.OPTED_OUT) {
                optOutsSeen.merge(email, consent == null ? PropagationPolicy.OPT_OUT_AT_UNKNOWN_TIME : consent, (a, b) -> a.isAfter(b) ? a : b);
            }
            if (effective == OptOutStatus.SUBSCRIBED && settings.policy().propagateOptIns()) {
                deferred.add(read);
                return;
            }
            pending.add(read);
            if (pending.size() >= batch && !settings.guard().isSet()) { // with a guard, the whole run is planned before any write
                flush(split);
            }
        }

        @Override
        public boolean madeChanges() {
            return madeChanges;
        }

        private AuditRecords.Source source(final Record record) {
            final String[] parts = new String[4];
            for (int i = 0; i < parts.length; i++) {
                final FieldSelector selector = settings.source().get(i);
                final Object value = selector == null ? null : selector.select(record).value();
                parts[i] = value == null || value instanceof Object[] ? null : value.toString();
            }
            return new AuditRecords.Source(parts[0], parts[1], parts[2], parts[3]);
        }

        @Override
        public void finish(final RecordSplit split) throws java.io.IOException, org.apache.nifi.schema.access.SchemaNotFoundException {
            pending.addAll(deferred);
            deferred.clear();
            flush(split);
        }

        private void flush(final RecordSplit split) throws java.io.IOException, org.apache.nifi.schema.access.SchemaNotFoundException {
            if (pending.isEmpty()) {
                return;
            }
            final List<Pending> records = List.copyOf(pending);
            pending.clear();
            final ConnectorProfile profile = settings.connector().profile();
            try {
                if (connectionFailure != null) {
                    throw connectionFailure; // the vendor refused this run already: the rest of the records wait with the others
                }
                final List<List<Planned>> plannedPerRecord = new ArrayList<>();
                for (int from = 0; from < records.size(); from += batch) {
                    plannedPerRecord.addAll(planChunk(records.subList(from, Math.min(records.size(), from + batch)), profile));
                }
                final List<Planned> planned = plannedPerRecord.stream().flatMap(List::stream).toList();
                final String over = settings.guard().exceededBy(planned.size(), records.size());
                if (over != null) {
                    logger.warn("Held {} records: {}. Nothing was written to {} {}. Check them (a dry run shows what would change), then release "
                            + "them by routing 'held' back into PushCrmFieldUpdates with the limit raised.", records.size(), over, profile.system(), settings.object());
                    for (final Pending record : records) {
                        split.write(REL_HELD, record.record());
                    }
                    return;
                }
                final Map<Planned, WriteOutcome> outcomes = settings.dryRun() ? Map.of() : write(planned, profile);
                try {
                    for (int i = 0; i < records.size(); i++) {
                        audit(records.get(i), plannedPerRecord.get(i), outcomes, profile, split);
                        route(records.get(i), plannedPerRecord.get(i), outcomes, split);
                    }
                } finally {
                    audit.deliver(split, split.original().getAttributes()); // before anything else happens: what was written is audited
                }
            } catch (final ConnectorException e) {
                logger.debug("Connector call failed for a batch of {} records: {}", records.size(), e.getMessage());
                noteConnectionFailure(e);
                for (final Pending record : records) {
                    if (e.isConnectionFailure()) {
                        split.write(REL_RETRY, record.record());
                        split.reason(REL_RETRY, e.getMessage());
                    } else {
                        split.fail(record.record(), record.index(), new RecordVerdict.Failure(e.getMessage(), "connector", e.code()));
                    }
                }
            }
        }

        /** Keeps the run's first failure of the vendor or of the connection to it, for the bulletin. */
        private void noteConnectionFailure(final ConnectorException e) {
            if (e.isConnectionFailure() && connectionFailure == null) {
                connectionFailure = e;
            }
        }

        /** The first failure of the vendor or of the connection to it in this run (a sign-in refused, ...), or {@code null}. */
        ConnectorException connectionFailure() {
            return connectionFailure;
        }

        /**
         * Writes the planned updates, one call for each of the vendor's batches. A call that fails after its retries
         * ends the run's writes: its updates, and those not sent yet, take the failure as their outcome, so that every
         * change is still audited (a lost answer may leave the vendor holding it) and routed on retry or failure.
         */
        private Map<Planned, WriteOutcome> write(final List<Planned> planned, final ConnectorProfile profile) {
            final Map<Planned, WriteOutcome> outcomes = new java.util.IdentityHashMap<>();
            WriteOutcome stopped = null;
            for (int from = 0; from < planned.size(); from += profile.maxBatch()) {
                final List<Planned> chunk = planned.subList(from, Math.min(planned.size(), from + profile.maxBatch()));
                if (stopped == null) {
                    madeChanges = true; // from here the vendor may hold a change, whatever the call answers
                    try {
                        final List<WriteOutcome> written = settings.connector().write(settings.object(), chunk.stream().map(Planned::update).toList());
                        for (int k = 0; k < chunk.size(); k++) {
                            outcomes.put(chunk.get(k), written.get(k));
                        }
                        continue;
                    } catch (final ConnectorException e) {
                        logger.debug("Write of {} updates to {} {} failed: {}", chunk.size(), profile.system(), settings.object(), e.getMessage());
                        stopped = e.isConnectionFailure() ? WriteOutcome.retry(e.code(), e.getMessage()) : WriteOutcome.failed(e.code(), e.getMessage());
                        noteConnectionFailure(e);
                    }
                }
                for (final Planned plan : chunk) {
                    outcomes.put(plan, stopped);
                }
            }
            return outcomes;
        }

        /** Looks up a chunk of records (one call for the vendor's batch) and plans the writes each allows. */
        private List<List<Planned>> planChunk(final List<Pending> records, final ConnectorProfile profile) throws ConnectorException {
            // A target that writes by address needs no lookup for an opt-out; a subscribe is decided only on its state read now.
            final Set<String> toRead = new LinkedHashSet<>(records.stream().filter(r -> !profile.writesByEmail() || mayResubscribe(r)).map(Pending::email).toList());
            final Map<String, List<RecordRef>> targets = toRead.isEmpty() ? Map.of() : settings.connector().lookupByEmail(settings.object(), toRead);
            final List<List<Planned>> plannedPerRecord = new ArrayList<>();
            for (final Pending record : records) {
                final List<RecordRef> refs = profile.writesByEmail() && !mayResubscribe(record)
                        ? List.of(new RecordRef(settings.object(), null, record.email(), null))
                        : targets.getOrDefault(record.email(), List.of());
                final List<RecordRef> candidates = refs.isEmpty() && settings.createMissing()
                        ? List.of(new RecordRef(settings.object(), null, record.email(), null)) : refs;
                final List<Planned> mine = new ArrayList<>();
                for (final RecordRef ref : candidates) {
                    final Planned plan = plan(record, ref, profile);
                    if (plan != null) {
                        mine.add(plan);
                    }
                }
                plannedPerRecord.add(mine);
            }
            return plannedPerRecord;
        }

        /** Whether the record could move a target to subscribed: only then must a target that writes by address be read first. */
        private boolean mayResubscribe(final Pending record) {
            return settings.policy().propagateOptIns() && settings.policy().effectiveStatus(record.state()) == OptOutStatus.SUBSCRIBED;
        }

        /** The write the decision rule allows for one target record, with its field changes, or {@code null} when nothing needs writing. */
        private Planned plan(final Pending record, final RecordRef target, final ConnectorProfile profile) {
            final OptOutState current = target.optOutValue() == null ? OptOutState.unknown()
                    : OptOutState.of(profile.encoding().decoder().decode(target.optOutValue()).status(), BounceKind.NONE, target.modifiedAt());
            final PropagationDecision decision = settings.policy().decide(record.state(), current, optOutsSeen.get(record.email()));
            final Boolean optedOut = switch (decision.action()) {
                case WRITE_OPT_OUT -> Boolean.TRUE;
                case WRITE_SUBSCRIBED -> target.outsideScope() ? null : Boolean.FALSE; // the connector's scope bounds what an opt-in updates
                case NO_WRITE -> null;
            };
            if (optedOut == null && record.fields().isEmpty()) {
                return null;
            }
            final List<AuditRecords.Change> changes = new ArrayList<>();
            if (optedOut != null) {
                changes.add(new AuditRecords.Change("opt_out", target.optOutValue(), profile.encoding().encode(optedOut), decision.reason()));
            }
            record.fields().forEach((name, value) -> changes.add(new AuditRecords.Change(name, null, value, "field mapped by a dynamic property")));
            return new Planned(new FieldUpdate(target.id(), record.email(), optedOut, record.fields()), target, changes);
        }

        private void audit(final Pending record, final List<Planned> plans, final Map<Planned, WriteOutcome> outcomes, final ConnectorProfile profile,
                           final RecordSplit split) throws java.io.IOException, org.apache.nifi.schema.access.SchemaNotFoundException {
            for (final Planned plan : plans) {
                final WriteOutcome outcome = outcomes.get(plan);
                final AuditRecords.Outcome ended = settings.dryRun() ? AuditRecords.Outcome.DRY_RUN : switch (outcome.status()) {
                    case SUCCESS -> AuditRecords.Outcome.WRITTEN;
                    case FAILED -> AuditRecords.Outcome.FAILED;
                    case RETRY -> AuditRecords.Outcome.RETRY;
                };
                final String detail = outcome == null || outcome.message().isEmpty() ? null : "vendor: " + outcome.message();
                for (final AuditRecords.Change change : plan.changes()) {
                    madeChanges |= settings.dryRun();
                    audit.add(AuditRecords.of(runId, settings.dryRun(), ended, record.email(), record.source(), profile.system(),
                            settings.object(), plan.target().id() == null ? record.email() : plan.target().id(), change, detail), split);
                    changesAudited++;
                }
            }
        }

        private void route(final Pending record, final List<Planned> plans, final Map<Planned, WriteOutcome> outcomes, final RecordSplit split)
                throws java.io.IOException, org.apache.nifi.schema.access.SchemaNotFoundException {
            WriteOutcome failed = null;
            WriteOutcome retry = null;
            for (final Planned plan : plans) {
                final WriteOutcome outcome = outcomes.get(plan);
                if (outcome == null) {
                    continue; // dry run
                }
                if (outcome.status() == WriteOutcome.Status.RETRY) {
                    retry = outcome;
                } else if (outcome.status() == WriteOutcome.Status.FAILED && failed == null) {
                    failed = outcome;
                }
            }
            if (retry != null) {
                split.write(REL_RETRY, record.record());
                split.reason(REL_RETRY, retry.code() + ": " + retry.message());
            } else if (failed != null) {
                split.fail(record.record(), record.index(), new RecordVerdict.Failure(failed.message().isEmpty() ? "the target refused the write"
                        : failed.message(), "connector", failed.code()));
            } else {
                split.write(REL_SUCCESS, record.record());
            }
        }
    }
}
