// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import PostgresNIO

/// The versioned schema of a PostgreSQL store.
///
/// The logical tables are the SQLite store's, so both answer every query identically:
/// - ids, addresses and other keys are `text COLLATE "C"`, so they compare and sort byte-wise like SQLite's
///   `BINARY` collation, whatever the database's locale;
/// - states are the wire names (`pending`, `rejected_timedout`, …) under `CHECK` constraints, tags and headers
///   `jsonb`, payloads `text` (they are base64 text on the wire), times `bigint` milliseconds since the epoch;
/// - outbox rows take their sequence numbers from one sequence shared by both outbox tables.
///
/// Migrations only ever append: a released migration is never edited. All pending migrations run in one
/// transaction under a transaction-scoped advisory lock, so replicas starting together apply them exactly once and
/// the losers of the race find them applied; a crash mid-migration leaves the previous version intact.
enum PostgresSchema {
    struct Migration {
        let version: Int64
        let name: String
        /// One statement each: the extended query protocol runs a single statement per query.
        let statements: [String]
    }

    /// The key of the advisory lock that serializes migrations: "resonate" in ASCII.
    static let migrationLockKey: Int64 = 0x7265_736F_6E61_7465

    static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "initial schema",
            statements: [
                "CREATE SEQUENCE outbox_seq AS bigint",
                """
                CREATE TABLE promises (
                    id text COLLATE "C" PRIMARY KEY,
                    state text NOT NULL CHECK (
                        state IN ('pending', 'resolved', 'rejected', 'rejected_canceled', 'rejected_timedout')),
                    param_headers jsonb,
                    param_data text,
                    value_headers jsonb,
                    value_data text,
                    tags jsonb NOT NULL,
                    target text,
                    branch text COLLATE "C",
                    timeout_at bigint NOT NULL,
                    created_at bigint NOT NULL,
                    settled_at bigint
                )
                """,
                "CREATE INDEX promises_by_branch ON promises (branch, id) WHERE branch IS NOT NULL",
                "CREATE INDEX promises_by_timeout ON promises (timeout_at, id) WHERE state = 'pending'",
                "CREATE INDEX promises_by_state ON promises (state, id)",
                """
                CREATE TABLE promise_tags (
                    key text COLLATE "C" NOT NULL,
                    value text COLLATE "C" NOT NULL,
                    promise_id text COLLATE "C" NOT NULL,
                    PRIMARY KEY (key, value, promise_id)
                )
                """,
                """
                CREATE TABLE tasks (
                    id text COLLATE "C" PRIMARY KEY,
                    state text NOT NULL CHECK (state IN ('pending', 'acquired', 'suspended', 'halted', 'fulfilled')),
                    version bigint NOT NULL,
                    pid text,
                    ttl bigint,
                    timeout_kind smallint CHECK (timeout_kind IN (0, 1)),
                    timeout_at bigint,
                    CHECK ((timeout_kind IS NULL) = (timeout_at IS NULL))
                )
                """,
                "CREATE INDEX tasks_by_timeout ON tasks (timeout_at, id) WHERE timeout_at IS NOT NULL",
                "CREATE INDEX tasks_by_state ON tasks (state, id)",
                """
                CREATE TABLE callbacks (
                    awaited text COLLATE "C" NOT NULL,
                    awaiter text COLLATE "C" NOT NULL,
                    ready boolean NOT NULL,
                    PRIMARY KEY (awaited, awaiter)
                )
                """,
                "CREATE INDEX callbacks_by_awaiter ON callbacks (awaiter, ready)",
                """
                CREATE TABLE listeners (
                    promise_id text COLLATE "C" NOT NULL,
                    address text COLLATE "C" NOT NULL,
                    PRIMARY KEY (promise_id, address)
                )
                """,
                """
                CREATE TABLE outgoing_execute (
                    task_id text COLLATE "C" PRIMARY KEY,
                    version bigint NOT NULL,
                    address text NOT NULL,
                    seq bigint NOT NULL
                )
                """,
                "CREATE INDEX outgoing_execute_by_seq ON outgoing_execute (seq)",
                """
                CREATE TABLE outgoing_unblock (
                    promise_id text COLLATE "C" NOT NULL,
                    address text COLLATE "C" NOT NULL,
                    seq bigint NOT NULL,
                    PRIMARY KEY (promise_id, address)
                )
                """,
                "CREATE INDEX outgoing_unblock_by_seq ON outgoing_unblock (seq)",
                """
                CREATE TABLE schedules (
                    id text COLLATE "C" PRIMARY KEY,
                    cron text NOT NULL,
                    promise_id text NOT NULL,
                    promise_timeout bigint NOT NULL,
                    param_headers jsonb,
                    param_data text,
                    promise_tags jsonb NOT NULL,
                    created_at bigint NOT NULL,
                    next_run_at bigint NOT NULL,
                    last_run_at bigint
                )
                """,
                "CREATE INDEX schedules_by_next_run ON schedules (next_run_at, id)",
            ]
        ),
        Migration(
            version: 2,
            name: "replicas and their SSE connections",
            statements: [
                """
                CREATE TABLE replicas (
                    id text COLLATE "C" PRIMARY KEY,
                    url text NOT NULL,
                    seen_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TABLE replica_connections (
                    replica text COLLATE "C" NOT NULL REFERENCES replicas (id) ON DELETE CASCADE,
                    grp text COLLATE "C" NOT NULL,
                    process text COLLATE "C" NOT NULL,
                    PRIMARY KEY (replica, grp, process)
                )
                """,
            ]
        ),
        Migration(
            version: 3,
            name: "tasks whose holder runs cleanup executions",
            statements: ["ALTER TABLE tasks ADD COLUMN wants_cleanup boolean NOT NULL DEFAULT false"]
        ),
        Migration(
            version: 4,
            name: "the backend process of each replica's LISTEN session",
            // Null while the replica does not listen: it cannot receive relayed messages then, so it is not routable.
            statements: ["ALTER TABLE replicas ADD COLUMN listener_pid integer"]
        ),
        Migration(
            version: 5,
            name: "functions that save round trips",
            // Functions, because one statement cannot do their work: its snapshot is taken before it waits for a
            // row lock, so it would miss a callback or listener that the lock's previous holder committed
            // meanwhile, while a VOLATILE function takes a fresh snapshot for each statement inside, after the
            // `FOR UPDATE` was granted, like the separate statements they replace. And they look rows up one key at
            // a time, so that no plan cached while the tables were small (a fresh database under load is not
            // analyzed for a minute) can turn a lookup of many ids into a scan.
            statements: [
                // Settles one promise if it is pending and not due (`PostgresTransaction.settlePromiseIfPending`).
                """
                CREATE FUNCTION resonate_settle_if_pending(
                    settled_id text, new_state text, new_value_headers text, new_value_data text, settled_time bigint)
                RETURNS TABLE (
                    o_settled boolean, o_id text, o_state text, o_param_headers text, o_param_data text,
                    o_value_headers text, o_value_data text, o_tags text, o_timeout_at bigint, o_created_at bigint,
                    o_settled_at bigint, o_awaiters text[], o_listeners text[])
                LANGUAGE plpgsql VOLATILE
                AS $$
                DECLARE
                    promise promises%ROWTYPE;
                    woken text[];
                    released text[];
                BEGIN
                    SELECT * INTO promise FROM promises WHERE id = settled_id FOR UPDATE;
                    IF promise.id IS NULL THEN
                        RETURN;
                    END IF;
                    IF promise.state <> 'pending' OR promise.timeout_at <= settled_time THEN
                        woken := NULL;
                    ELSE
                        UPDATE promises SET state = new_state, value_headers = new_value_headers::jsonb,
                                            value_data = new_value_data, settled_at = settled_time
                        WHERE id = settled_id;
                        UPDATE callbacks SET ready = true WHERE awaited = settled_id AND NOT ready;
                        SELECT coalesce(array_agg(awaiter ORDER BY awaiter COLLATE "C"), '{}') INTO woken
                        FROM callbacks WHERE awaited = settled_id;
                        WITH taken AS (DELETE FROM listeners WHERE promise_id = settled_id RETURNING address)
                        SELECT coalesce(array_agg(address ORDER BY address COLLATE "C"), '{}') INTO released
                        FROM taken;
                    END IF;
                    RETURN QUERY SELECT woken IS NOT NULL, promise.id, promise.state, promise.param_headers::text,
                        promise.param_data, promise.value_headers::text, promise.value_data, promise.tags::text,
                        promise.timeout_at, promise.created_at, promise.settled_at, woken, released;
                END
                $$
                """,
                // Reads and locks promises by id, in the order given, then reads the callbacks and listeners of the
                // pending ones: a batch's reads in one round trip (`PostgresTransaction.prefetch(promiseIDs:)`).
                """
                CREATE FUNCTION resonate_lock_promises(wanted text[])
                RETURNS TABLE (
                    o_kind smallint, o_id text, o_state text, o_param_headers text, o_param_data text,
                    o_value_headers text, o_value_data text, o_tags text, o_timeout_at bigint, o_created_at bigint,
                    o_settled_at bigint, o_waiter text)
                LANGUAGE plpgsql VOLATILE
                AS $$
                DECLARE
                    wanted_id text;
                    pending text[] := '{}';
                    promise promises%ROWTYPE;
                BEGIN
                    FOREACH wanted_id IN ARRAY wanted LOOP
                        SELECT * INTO promise FROM promises WHERE id = wanted_id FOR UPDATE;
                        CONTINUE WHEN promise.id IS NULL;
                        IF promise.state = 'pending' THEN
                            pending := pending || promise.id;
                        END IF;
                        RETURN QUERY SELECT 0::smallint, promise.id, promise.state, promise.param_headers::text,
                            promise.param_data, promise.value_headers::text, promise.value_data, promise.tags::text,
                            promise.timeout_at, promise.created_at, promise.settled_at, NULL::text;
                    END LOOP;
                    -- Statements from here on see everything committed before the locks were granted.
                    FOREACH wanted_id IN ARRAY pending LOOP
                        RETURN QUERY SELECT 1::smallint, awaited, NULL, NULL, NULL, NULL, NULL, NULL, NULL::bigint,
                            NULL::bigint, NULL::bigint, awaiter::text
                        FROM callbacks WHERE awaited = wanted_id;
                        RETURN QUERY SELECT 2::smallint, promise_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL::bigint,
                            NULL::bigint, NULL::bigint, address::text
                        FROM listeners WHERE promise_id = wanted_id;
                    END LOOP;
                END
                $$
                """,
                // The settlements a batch held back, each like resonate_settle_if_pending's (`DeferredWrites`).
                """
                CREATE FUNCTION resonate_settle_all(
                    ids text[], new_states text[], new_value_headers text[], new_value_data text[],
                    settled_times bigint[], nulls integer[])
                RETURNS void
                LANGUAGE plpgsql VOLATILE
                AS $$
                BEGIN
                    FOR i IN 1 .. coalesce(array_length(ids, 1), 0) LOOP
                        UPDATE promises SET state = new_states[i],
                            value_headers = CASE WHEN nulls[i] & 1 = 0 THEN new_value_headers[i]::jsonb END,
                            value_data = CASE WHEN nulls[i] & 2 = 0 THEN new_value_data[i] END,
                            settled_at = settled_times[i]
                        WHERE id = ids[i];
                        UPDATE callbacks SET ready = true WHERE awaited = ids[i] AND NOT ready;
                        DELETE FROM listeners WHERE promise_id = ids[i];
                    END LOOP;
                END
                $$
                """,
            ]
        ),
    ]

    /// The newest version this build knows.
    static var newestVersion: Int64 { migrations.last?.version ?? 0 }

    /// Brings the database to the newest schema version; returns the versions it applied (none when another
    /// replica or an earlier start already did).
    @discardableResult
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [Int64] {
        try await connection.run("BEGIN", logger: logger)
        do {
            // Held until COMMIT or ROLLBACK; a second replica waits here, then sees the migrations applied.
            try await connection.run("SELECT pg_advisory_xact_lock(\(migrationLockKey))", logger: logger)
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS resonate_schema_migrations (
                    version bigint PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                logger: logger
            )
            let rows = try await connection.statement(
                "SELECT coalesce(max(version), 0) FROM resonate_schema_migrations", logger: logger)
            let current = try rows.first?.decode(Int64.self) ?? 0
            guard current <= newestVersion else {
                throw PostgresStoreError(
                    .schemaTooNew,
                    "the database has schema version \(current), newer than this build supports (\(newestVersion))"
                )
            }
            var applied: [Int64] = []
            for migration in migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.run(
                    "INSERT INTO resonate_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger
                )
                applied.append(migration.version)
            }
            try await connection.run("COMMIT", logger: logger)
            return applied
        } catch {
            try? await connection.run("ROLLBACK", logger: logger)
            throw error
        }
    }
}
