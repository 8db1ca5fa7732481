package io.optsync.nifi.processors;

import io.optsync.simulators.MailchimpSimulator;
import org.apache.nifi.controller.ControllerService;
import org.apache.nifi.util.MockFlowFile;
import org.apache.nifi.util.TestRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The audit trail lands in a real database: PushCrmFieldUpdates sends its audit records through NiFi's own
 * DatabaseRecordSink and DBCPConnectionPool into a real PostgreSQL (Debian's package, started by the test), in the
 * table of {@code docs/optsync_audit.sql}. When the sink cannot take them, they leave on 'audit' with the reason.
 */
class PushAuditRecordSinkTest {
    private static PostgresServer postgres;

    @RegisterExtension
    final Simulators sims = new Simulators();

    @BeforeAll
    static void startPostgres() throws Exception {
        // CI installs the package (.ci/run); elsewhere the test is skipped without it, and says so
        assumeTrue(PostgresServer.binaries().isPresent() || "true".equals(System.getenv("CI")), "no PostgreSQL installed (apt-get install postgresql)");
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void freshTable() throws Exception {
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS optsync_audit");
            statement.execute(Files.readString(Path.of("..", "docs", "optsync_audit.sql")));
        }
    }

    @Test
    void everyChangeOfEveryBatchIsARowWithHowItEnded() throws Exception {
        final MailchimpSimulator mailchimp = PushWriteFailureAuditTest.secondBatchRefused(sims.started(new MailchimpSimulator()));
        final TestRunner push = pushWithSink("optsync_audit", mailchimp);
        push.enqueue(optOuts(600)); // two of Mailchimp's batches of 500: the second is refused after its retries
        push.run();

        final List<Map<String, Object>> rows = rows("SELECT * FROM optsync_audit");
        assertThat(rows).as("one row per change, the refused batch's too").hasSize(600);
        assertThat(rows.stream().filter(r -> r.get("outcome").equals("WRITTEN")).count()).isEqualTo(500);
        assertThat(rows.stream().filter(r -> r.get("outcome").equals("RETRY")).count()).isEqualTo(100);
        assertThat(rows.get(0)).containsEntry("dry_run", false).containsEntry("target_system", "Mailchimp").containsEntry("field", "opt_out")
                .containsEntry("source_system", "SugarCRM").containsEntry("source_id", "id-0");
        assertThat(rows.stream().map(r -> r.get("email")).distinct().count()).isEqualTo(600);
        assertThat(rows.stream().map(r -> r.get("run_id")).distinct().count()).as("one run").isEqualTo(1);

        assertThat(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT)).as("the sink took them all").isEmpty();
        assertThat(push.getCounterValue("Audit records to sink")).isEqualTo(600L);
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS))).hasSize(500);
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_RETRY))).hasSize(100);
        assertThat(push.getProvenanceEvents()).anySatisfy(e -> assertThat(e.getDetails()).contains("to the Audit Record Sink"));
        assertThat(push.getLogger().getErrorMessages()).isEmpty();
    }

    @Test
    void whatTheSinkCannotTakeLeavesOnAuditWithTheReasonAndABulletin() throws Exception {
        final MailchimpSimulator mailchimp = sims.started(new MailchimpSimulator());
        final TestRunner push = pushWithSink("optsync_audit_missing", mailchimp);
        push.enqueue(optOuts(3));
        push.run();

        assertThat(mailchimp.all().stream().filter(m -> m.status().equals("unsubscribed")).count()).as("written").isEqualTo(3);
        final List<MockFlowFile> audit = push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_AUDIT);
        assertThat(audit).singleElement().satisfies(f -> assertThat(f.getAttribute(AuditTrail.SINK_FAILURE)).contains("optsync_audit_missing"));
        assertThat(RecordTestSupport.records(audit)).hasSize(3).allSatisfy(r -> assertThat(r.path("outcome").asText()).isEqualTo("WRITTEN"));
        assertThat(push.getLogger().getErrorMessages()).as("a bulletin").singleElement()
                .satisfies(m -> assertThat(m.getMsg()).contains("Audit Record Sink could not take"));
        assertThat(RecordTestSupport.records(push.getFlowFilesForRelationship(PushCrmFieldUpdates.REL_SUCCESS))).hasSize(3);
        assertThat(rows("SELECT * FROM optsync_audit")).isEmpty();
    }

    @Test
    void aDryRunIsAuditedInTheDatabaseTooAndWritesNothing() throws Exception {
        final MailchimpSimulator mailchimp = sims.started(new MailchimpSimulator());
        final TestRunner push = pushWithSink("optsync_audit", mailchimp);
        push.setProperty(PushCrmFieldUpdates.DRY_RUN, "true");
        push.enqueue(optOuts(2));
        push.run();

        assertThat(mailchimp.all()).isEmpty();
        assertThat(rows("SELECT outcome, dry_run FROM optsync_audit")).hasSize(2)
                .allSatisfy(r -> assertThat(r).containsEntry("outcome", "DRY_RUN").containsEntry("dry_run", true));
    }

    private static TestRunner pushWithSink(final String table, final MailchimpSimulator mailchimp) throws Exception {
        final TestRunner push = RecordTestSupport.push("members");
        // DatabaseRecordSink evaluates its FlowFile-scoped properties without a FlowFile, which NiFi allows and nifi-mock flags
        push.setValidateExpressionUsage(false);
        ConnectorTestSupport.mailchimp(push, mailchimp);
        final ControllerService pool = nifiService("org.apache.nifi.dbcp.DBCPConnectionPool");
        push.addControllerService("audit-db", pool);
        push.setProperty(pool, "Database Connection URL", postgres.jdbcUrl());
        push.setProperty(pool, "Database Driver Class Name", "org.postgresql.Driver");
        push.setProperty(pool, "Database User", PostgresServer.USER);
        push.enableControllerService(pool);
        final ControllerService sink = nifiService("org.apache.nifi.record.sink.db.DatabaseRecordSink");
        push.addControllerService("audit-sink", sink);
        push.setProperty(sink, "db-record-sink-dcbp-service", "audit-db"); // NiFi 2.3.0 names; later versions migrate them
        push.setProperty(sink, "db-record-sink-table-name", table);
        push.enableControllerService(sink);
        push.setProperty(PushCrmFieldUpdates.AUDIT_RECORD_SINK, "audit-sink");
        return push;
    }

    /**
     * One of NiFi's services in nifi-dbcp-service-nar: Maven Central has no jar of them, so the build unpacks the NAR's
     * and puts them on the test class path only (see this module's pom).
     */
    private static ControllerService nifiService(final String type) throws ReflectiveOperationException {
        return (ControllerService) Class.forName(type).getConstructor().newInstance();
    }

    private static String optOuts(final int count) {
        final StringBuilder content = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            final String record = PushResubscribeGuardTest.record("p" + i + "@example.com", true, Instant.now());
            content.append(i == 0 ? "" : ",").append(record.replaceFirst("\\{", "{\"system\":\"SugarCRM\",\"object\":\"Contacts\",\"id\":\"id-" + i + "\","));
        }
        return content.append("]").toString();
    }

    private static List<Map<String, Object>> rows(final String sql) throws Exception {
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            final List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                final Map<String, Object> row = new java.util.LinkedHashMap<>();
                for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                    row.put(rs.getMetaData().getColumnName(c), rs.getObject(c));
                }
                rows.add(row);
            }
            return rows;
        }
    }
}
