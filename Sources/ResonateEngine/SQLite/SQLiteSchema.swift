// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The versioned schema of a SQLite store.
///
/// Migrations only ever append: a released migration is never edited. Each runs in its own transaction together
/// with the bump of `schema_migrations`, so a crash mid-migration leaves the previous version intact.
enum SQLiteSchema {
    struct Migration {
        let version: Int64
        let name: String
        let sql: String
    }

    static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "initial schema",
            sql: """
                CREATE TABLE promises (
                    id TEXT NOT NULL UNIQUE,
                    state INTEGER NOT NULL,
                    param_headers TEXT,
                    param_data TEXT,
                    value_headers TEXT,
                    value_data TEXT,
                    tags TEXT NOT NULL,
                    target TEXT,
                    branch TEXT,
                    timeout_at INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    settled_at INTEGER
                );
                CREATE INDEX promises_by_branch ON promises(branch, id) WHERE branch IS NOT NULL;
                CREATE INDEX promises_by_timeout ON promises(timeout_at) WHERE state = 0;
                CREATE INDEX promises_by_state ON promises(state, id);

                CREATE TABLE promise_tags (
                    key TEXT NOT NULL,
                    value TEXT NOT NULL,
                    promise_id TEXT NOT NULL,
                    PRIMARY KEY (key, value, promise_id)
                ) WITHOUT ROWID;

                CREATE TABLE tasks (
                    id TEXT NOT NULL UNIQUE,
                    state INTEGER NOT NULL,
                    version INTEGER NOT NULL,
                    pid TEXT,
                    ttl INTEGER,
                    timeout_kind INTEGER,
                    timeout_at INTEGER
                );
                CREATE INDEX tasks_by_timeout ON tasks(timeout_at) WHERE timeout_at IS NOT NULL;
                CREATE INDEX tasks_by_state ON tasks(state, id);

                CREATE TABLE callbacks (
                    awaited TEXT NOT NULL,
                    awaiter TEXT NOT NULL,
                    ready INTEGER NOT NULL,
                    PRIMARY KEY (awaited, awaiter)
                ) WITHOUT ROWID;
                CREATE INDEX callbacks_by_awaiter ON callbacks(awaiter, ready);

                CREATE TABLE listeners (
                    promise_id TEXT NOT NULL,
                    address TEXT NOT NULL,
                    PRIMARY KEY (promise_id, address)
                ) WITHOUT ROWID;

                CREATE TABLE outgoing_execute (
                    task_id TEXT PRIMARY KEY,
                    version INTEGER NOT NULL,
                    address TEXT NOT NULL,
                    seq INTEGER NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE outgoing_unblock (
                    promise_id TEXT NOT NULL,
                    address TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    PRIMARY KEY (promise_id, address)
                ) WITHOUT ROWID;

                CREATE TABLE schedules (
                    id TEXT NOT NULL UNIQUE,
                    cron TEXT NOT NULL,
                    promise_id TEXT NOT NULL,
                    promise_timeout INTEGER NOT NULL,
                    param_headers TEXT,
                    param_data TEXT,
                    promise_tags TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    next_run_at INTEGER NOT NULL,
                    last_run_at INTEGER
                );
                CREATE INDEX schedules_by_next_run ON schedules(next_run_at);
                """
        ),
        Migration(
            version: 2,
            name: "tasks whose holder runs cleanup executions",
            sql: "ALTER TABLE tasks ADD COLUMN wants_cleanup INTEGER NOT NULL DEFAULT 0;"
        ),
        Migration(
            version: 3,
            name: "branch index covers each member's state",
            // A preload answered from the cache reads only ids and states (SQLiteTransaction.promises(inBranch:)):
            // with the state in the index, that is a scan of the index alone.
            sql: """
                CREATE INDEX promises_by_branch_and_state ON promises(branch, id, state) WHERE branch IS NOT NULL;
                DROP INDEX promises_by_branch;
                """
        ),
    ]

    /// Brings the database to the newest schema version.
    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
        )
        let current = try connection.scalarInteger("SELECT max(version) FROM schema_migrations") ?? 0
        if let newest = migrations.last?.version, current > newest {
            throw SQLiteError(
                code: 0,
                message: "the database has schema version \(current), newer than this build supports (\(newest))"
            )
        }
        for migration in migrations where migration.version > current {
            try connection.execute("BEGIN IMMEDIATE")
            do {
                try connection.execute(migration.sql)
                try connection.statement("INSERT INTO schema_migrations (version, name) VALUES (?, ?)")
                    .bind(migration.version, migration.name).run()
                try connection.execute("COMMIT")
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }
}
