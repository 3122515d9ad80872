import Logging
import MeterQueue
import PostgresNIO

/// The PostgreSQL schema: the SQLite store's tables in PostgreSQL types, plus the audit crops
/// (so every host can show a clerk the evidence) and settings. Migrations are append-only and
/// run under an advisory lock, so workers starting together migrate once.
enum PostgresSchema {
    /// Numbered migrations, oldest first; a released one is never edited.
    static let migrations: [(version: Int, name: String, sql: [PostgresQuery])] = [
        (
            1, "registry, readings, outbox, audit crops, settings",
            [
                """
                CREATE TABLE meters (
                    number TEXT PRIMARY KEY,
                    medium TEXT,
                    unit TEXT,
                    obis TEXT,
                    integer_digits BIGINT,
                    fraction_digits BIGINT,
                    max_per_day DOUBLE PRECISION,
                    reference_value TEXT,
                    reference_read_at TIMESTAMPTZ,
                    reference_reading_id TEXT,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE meter_senders (
                    meter_number TEXT NOT NULL REFERENCES meters(number) ON DELETE CASCADE,
                    sender_ref TEXT NOT NULL,
                    PRIMARY KEY (meter_number, sender_ref)
                )
                """,
                "CREATE INDEX meter_senders_by_sender ON meter_senders(sender_ref)",
                """
                CREATE TABLE readings (
                    reading_id TEXT PRIMARY KEY,
                    image_sha256 TEXT NOT NULL,
                    meter_key TEXT NOT NULL,
                    meter_number TEXT,
                    status TEXT NOT NULL,
                    review_state TEXT,
                    awaits_confirmation BOOLEAN NOT NULL DEFAULT FALSE,
                    value TEXT,
                    integer_digits TEXT,
                    fraction_digits TEXT,
                    confidence DOUBLE PRECISION NOT NULL,
                    reasons TEXT NOT NULL,
                    evidence TEXT NOT NULL,
                    received_at TIMESTAMPTZ NOT NULL,
                    decided_at TIMESTAMPTZ NOT NULL,
                    channel TEXT,
                    message_id TEXT,
                    sender_ref TEXT,
                    source TEXT,
                    audit_path TEXT,
                    UNIQUE (image_sha256, meter_key)
                )
                """,
                "CREATE INDEX readings_pending ON readings(meter_number, awaits_confirmation, review_state)",
                "CREATE INDEX readings_review ON readings(review_state, received_at)",
                "CREATE INDEX readings_prefix ON readings(reading_id text_pattern_ops)",
                """
                CREATE TABLE outbox (
                    seq BIGSERIAL PRIMARY KEY,
                    reading_id TEXT NOT NULL UNIQUE REFERENCES readings(reading_id),
                    meter_number TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    delivery_count BIGINT NOT NULL DEFAULT 0,
                    visible_at TIMESTAMPTZ NOT NULL,
                    last_error TEXT,
                    created_at TIMESTAMPTZ NOT NULL,
                    delivered_at TIMESTAMPTZ
                )
                """,
                "CREATE INDEX outbox_ready ON outbox(state, visible_at)",
                "CREATE INDEX outbox_by_meter ON outbox(meter_number, state, seq)",
                """
                CREATE TABLE audit_crops (
                    image_sha256 TEXT PRIMARY KEY,
                    png BYTEA NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            ]
        )
    ]

    /// Brings the database to the newest schema, or refuses one written by a newer MeterScan.
    static func migrate(_ connection: PostgresConnection, logger: Logger, location: String) throws {
        _ = try connection.query("BEGIN", logger: logger).wait()
        do {
            // Any constant works as the lock key as long as every MeterScan uses the same one.
            _ = try connection.query("SELECT pg_advisory_xact_lock(7263837)", logger: logger).wait()
            _ = try connection.query(
                """
                CREATE TABLE IF NOT EXISTS meterscan_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger
            ).wait()
            let rows = try connection.query("SELECT COALESCE(MAX(version), 0) FROM meterscan_migrations", logger: logger)
                .wait()
            let current = try rows.rows.first?.decode(Int.self) ?? 0
            guard current <= migrations.last?.version ?? 0 else { throw StoreError.newerSchema(path: location) }
            for migration in migrations where migration.version > current {
                for statement in migration.sql { _ = try connection.query(statement, logger: logger).wait() }
                _ = try connection.query(
                    "INSERT INTO meterscan_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                ).wait()
            }
            _ = try connection.query("COMMIT", logger: logger).wait()
        } catch {
            _ = try? connection.query("ROLLBACK", logger: logger).wait()
            throw error
        }
    }
}
