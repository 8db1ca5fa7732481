package io.optsync.it;

import io.optsync.nifi.processors.PostgresServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The database a template's audit trail lands in, through its DatabaseRecordSink: a real PostgreSQL of the test's own
 * (every IT), or an embedded SQLite file (the demo), with the table of {@code docs/optsync_audit.sql} created in it.
 */
final class AuditDatabase implements AutoCloseable {
    private final String url;
    private final String driverClass;
    private final Path driverJar;
    private final String user;
    private final PostgresServer server;

    private AuditDatabase(final String url, final String driverClass, final String driverJar, final String user, final PostgresServer server)
            throws SQLException, IOException {
        this.url = url;
        this.driverClass = driverClass;
        this.driverJar = Path.of(System.getProperty("optsync.jdbc", "target/jdbc")).resolve(driverJar).toAbsolutePath();
        this.user = user;
        this.server = server;
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (final String sql : Files.readString(Path.of(System.getProperty("optsync.docs", "../docs")).resolve("optsync_audit.sql")).split(";")) {
                final String code = sql.lines().filter(line -> !line.strip().startsWith("--")).reduce("", (a, b) -> a + "\n" + b).strip();
                if (!code.isEmpty()) {
                    statement.execute(code);
                }
            }
        }
    }

    /** A PostgreSQL server started for this test, holding the audit table. */
    static AuditDatabase postgres() throws IOException, InterruptedException, SQLException {
        final PostgresServer server = PostgresServer.start();
        try {
            return new AuditDatabase(server.jdbcUrl(), "org.postgresql.Driver", "postgresql.jar", PostgresServer.USER, server);
        } catch (final SQLException | IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * A SQLite database in {@code file}: no server, NiFi opens the file through the driver, and this process reads it
     * beside NiFi. (NiFi's DBCPConnectionPool refuses H2, whose URLs can run code.)
     */
    static AuditDatabase sqlite(final Path file) throws SQLException, IOException {
        return new AuditDatabase("jdbc:sqlite:" + file.toAbsolutePath(), "org.sqlite.JDBC", "sqlite-jdbc.jar", "optsync", null);
    }

    String url() {
        return url;
    }

    /** The template parameters that point its Audit Database service here. */
    Map<String, String> parameters() {
        return Map.of(Templates.AUDIT_DB_URL, url, Templates.AUDIT_DB_DRIVER, driverClass, Templates.AUDIT_DB_DRIVER_LOCATION, driverJar.toString(),
                Templates.AUDIT_DB_USER, user);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    /** The rows a query returns, each as column -> value. */
    List<Map<String, Object>> rows(final String sql, final Object... arguments) throws SQLException {
        try (Connection connection = connect(); var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                statement.setObject(i + 1, arguments[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                final List<Map<String, Object>> rows = new ArrayList<>();
                while (rs.next()) {
                    final Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
                        row.put(rs.getMetaData().getColumnLabel(c).toLowerCase(java.util.Locale.ROOT), rs.getObject(c));
                    }
                    rows.add(row);
                }
                return rows;
            }
        }
    }

    long count() throws SQLException {
        return ((Number) rows("SELECT COUNT(*) AS n FROM optsync_audit").getFirst().get("n")).longValue();
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.close();
            } catch (final IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
