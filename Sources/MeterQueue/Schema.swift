import GRDB

/// The SQLite schema as a list of migrations. Migrations are append-only: a released one is
/// never edited, so any older database can be brought forward and a newer one is recognised.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: registry, readings, outbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meters (
                        number TEXT PRIMARY KEY NOT NULL,
                        medium TEXT,
                        unit TEXT,
                        obis TEXT,
                        integer_digits INTEGER,
                        fraction_digits INTEGER,
                        max_per_day DOUBLE,
                        reference_value TEXT,
                        reference_read_at DATETIME,
                        reference_reading_id TEXT,
                        updated_at DATETIME NOT NULL
                    );
                    CREATE TABLE meter_senders (
                        meter_number TEXT NOT NULL REFERENCES meters(number) ON DELETE CASCADE,
                        sender_ref TEXT NOT NULL,
                        PRIMARY KEY (meter_number, sender_ref)
                    );
                    CREATE INDEX meter_senders_by_sender ON meter_senders(sender_ref);

                    -- Every decided photo. meter_key is the meter number, or '' when none is
                    -- known: the same photo for the same meter is decided once.
                    CREATE TABLE readings (
                        reading_id TEXT PRIMARY KEY NOT NULL,
                        image_sha256 TEXT NOT NULL,
                        meter_key TEXT NOT NULL,
                        meter_number TEXT,
                        status TEXT NOT NULL,
                        review_state TEXT,
                        awaits_confirmation BOOLEAN NOT NULL DEFAULT 0,
                        value TEXT,
                        integer_digits TEXT,
                        fraction_digits TEXT,
                        confidence DOUBLE NOT NULL,
                        reasons TEXT NOT NULL,
                        evidence TEXT NOT NULL,
                        received_at DATETIME NOT NULL,
                        decided_at DATETIME NOT NULL,
                        channel TEXT,
                        message_id TEXT,
                        sender_ref TEXT,
                        source TEXT,
                        audit_path TEXT,
                        UNIQUE (image_sha256, meter_key)
                    );
                    CREATE INDEX readings_pending ON readings(meter_number, awaits_confirmation, review_state);
                    CREATE INDEX readings_review ON readings(review_state, received_at);

                    -- The outbox: one message per accepted reading, written in the same
                    -- transaction as the reading. state: pending (waiting or in flight until
                    -- visible_at), delivered, dead.
                    CREATE TABLE outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        reading_id TEXT NOT NULL UNIQUE REFERENCES readings(reading_id),
                        meter_number TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        state TEXT NOT NULL DEFAULT 'pending',
                        delivery_count INTEGER NOT NULL DEFAULT 0,
                        visible_at DATETIME NOT NULL,
                        last_error TEXT,
                        created_at DATETIME NOT NULL,
                        delivered_at DATETIME
                    );
                    CREATE INDEX outbox_ready ON outbox(state, visible_at);
                    CREATE INDEX outbox_by_meter ON outbox(meter_number, state, seq);
                    """)
        }
        migrator.registerMigration("v2: settings") { db in
            try db.execute(sql: "CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
        }
        return migrator
    }
}
