-- The table optsync's audit records land in, through NiFi's DatabaseRecordSink (Table Name: optsync_audit).
-- One row per field a push wrote, or tried to, or that a dry run would write. Plain SQL: PostgreSQL, MySQL, SQL Server, SQLite, ...
CREATE TABLE optsync_audit (
    run_id            VARCHAR(36)   NOT NULL,
    dry_run           BOOLEAN       NOT NULL,
    outcome           VARCHAR(16)   NOT NULL,
    email             VARCHAR(320)  NOT NULL,
    source_system     VARCHAR(64),
    source_object     VARCHAR(128),
    source_id         VARCHAR(128),
    source_changed_at VARCHAR(64),
    target_system     VARCHAR(64)   NOT NULL,
    target_object     VARCHAR(128)  NOT NULL,
    target_id         VARCHAR(320),
    field             VARCHAR(128)  NOT NULL,
    old_value         VARCHAR(4000),
    new_value         VARCHAR(4000),
    reason            VARCHAR(4000),
    audited_at        VARCHAR(40)   NOT NULL
);
CREATE INDEX optsync_audit_email ON optsync_audit (email);
