// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateTesting

#if canImport(Glibc)
import Glibc
#endif

/// A throw-away PostgreSQL server for tests: its own cluster in a temporary directory, listening on a free
/// loopback port with trust authentication for the user `postgres`.
///
/// ```swift
/// try await PostgresProcess.with { postgres in
///     let url = try await postgres.createDatabase()        // postgres://postgres@127.0.0.1:PORT/resonate_test_…
///     …
///     try await postgres.restart()                         // a crash (immediate stop) and a start on the same port
/// }
/// ```
///
/// As root, the cluster belongs to the `postgres` user and the server tools run through `su postgres -c`, since
/// PostgreSQL refuses to run as root; as any other user they run directly. The binaries are looked up in
/// `RESONATE_POSTGRES_BIN`, else in `/usr/lib/postgresql/15/bin`; without them starting fails with an error
/// saying so (tests that need PostgreSQL fail rather than skip).
public final class PostgresProcess: Sendable {
    /// How the server is stopped.
    public enum StopMode: String, Sendable {
        /// Like a crash: no checkpoint, the next start recovers from the WAL.
        case immediate
        /// Disconnects clients and shuts down cleanly.
        case fast
    }

    /// The loopback port the server listens on (kept across restarts).
    public let port: Int
    /// The directory holding the cluster (`data`), its socket and its log.
    public let directory: String
    /// The server's extra settings (`-c name=value`).
    public let settings: [String: String]

    private var dataDirectory: String { directory + "/data" }
    private var logPath: String { directory + "/server.log" }

    /// Where the PostgreSQL server binaries are.
    public static var binaryDirectory: String {
        ProcessInfo.processInfo.environment["RESONATE_POSTGRES_BIN"] ?? "/usr/lib/postgresql/15/bin"
    }

    private init(port: Int, directory: String, settings: [String: String]) {
        self.port = port
        self.directory = directory
        self.settings = settings
    }

    /// The URL of `database` for the superuser `postgres`.
    public func url(database: String = "postgres") -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)"
    }

    /// The process id of the running server (its postmaster), from `postmaster.pid`.
    public var serverProcessID: Int32? {
        let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
        return text?.split(separator: "\n").first.flatMap { Int32($0) }
    }

    /// The server's log so far, for failure messages.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    // MARK: Lifecycle

    /// Creates a cluster in a new temporary directory and starts it on a free port.
    ///
    /// - Parameter settings: server settings passed as `-c name=value`, such as `["max_connections": "200"]`.
    public static func start(settings: [String: String] = [:]) async throws -> PostgresProcess {
        try checkBinaries()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("resonate-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            if isRoot {
                try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory)
            }
            try await runServerTool(
                "initdb",
                [
                    "-D", directory + "/data", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                    "--no-sync",
                ]
            )
            var lastError: (any Error)?
            // The free port may be taken between choosing it and binding it; try another one then.
            for _ in 0..<3 {
                let process = PostgresProcess(port: try LocalPorts.free(), directory: directory, settings: settings)
                do {
                    try await process.startServer()
                    return process
                } catch {
                    lastError = error
                }
            }
            throw lastError ?? PostgresProcessError(description: "PostgreSQL did not start")
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Starts a server, runs `body`, then stops the server and deletes its directory (also when `body` throws).
    public static func with<T: Sendable>(
        settings: [String: String] = [:],
        _ body: (PostgresProcess) async throws -> T
    ) async throws -> T {
        let process = try await start(settings: settings)
        do {
            let result = try await body(process)
            try await process.stop()
            return result
        } catch {
            try? await process.stop()
            throw error
        }
    }

    /// Starts the server of the existing cluster (after ``stopServer(mode:)``) and waits until it accepts
    /// connections.
    public func startServer() async throws {
        var options = ["-p \(port)", "-k \(directory)", "-c listen_addresses=127.0.0.1"]
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) { options.append("-c \(name)=\(value)") }
        do {
            try await Self.runServerTool(
                "pg_ctl",
                ["-D", dataDirectory, "-o", options.joined(separator: " "), "-l", logPath, "-w", "-t", "60", "start"]
            )
        } catch {
            throw PostgresProcessError(description: "\(error)\nserver log:\n\(log)")
        }
    }

    /// Stops the server but keeps the cluster, so that ``startServer()`` can start it again.
    public func stopServer(mode: StopMode = .immediate) async throws {
        try await Self.runServerTool("pg_ctl", ["-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", "60", "stop"])
    }

    /// Stops the server (by default like a crash) and starts it again on the same port with the same data.
    public func restart(mode: StopMode = .immediate) async throws {
        try await stopServer(mode: mode)
        try await startServer()
    }

    /// Stops the server at once and deletes the cluster.
    public func stop() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            try await stopServer(mode: .immediate)
        }
    }

    // MARK: Databases

    /// Creates a database (a fresh name unless given) and returns its URL.
    public func createDatabase(_ name: String? = nil) async throws -> String {
        let name =
            name ?? "resonate_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw PostgresProcessError(description: "invalid database name '\(name)': use letters, digits and _")
        }
        try await execute("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// Runs SQL through `psql` as `postgres` (for test set-up such as `ALTER DATABASE … SET …`); returns the
    /// unaligned, tuples-only output.
    @discardableResult
    public func execute(_ sql: String, database: String = "postgres") async throws -> String {
        try await Self.run(
            Self.binaryDirectory + "/psql",
            [
                "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-X", "-q", "-A", "-t",
                "-v", "ON_ERROR_STOP=1", "-c", sql,
            ]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Running tools

    private static var isRoot: Bool { getuid() == 0 }

    private static func checkBinaries() throws {
        for tool in ["initdb", "pg_ctl", "psql"] {
            guard FileManager.default.isExecutableFile(atPath: binaryDirectory + "/" + tool) else {
                throw PostgresProcessError(
                    description: """
                        PostgreSQL server binaries not found: no executable \(tool) in \(binaryDirectory). \
                        Install PostgreSQL 15 (Debian: apt-get install postgresql-15) or set RESONATE_POSTGRES_BIN \
                        to the directory holding initdb, pg_ctl and psql.
                        """
                )
            }
        }
        if isRoot, getpwnam("postgres") == nil {
            throw PostgresProcessError(
                description: "running as root, but there is no 'postgres' user to run the PostgreSQL server as"
            )
        }
    }

    /// Runs a server tool as the cluster's owner: through `su postgres -c` as root, directly otherwise.
    private static func runServerTool(_ tool: String, _ arguments: [String]) async throws {
        let executable = binaryDirectory + "/" + tool
        if isRoot {
            let command = ([executable] + arguments).map(shellQuoted).joined(separator: " ")
            try await run("/bin/su", ["postgres", "-c", command])
        } else {
            try await run(executable, arguments)
        }
    }

    private static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// Runs a program to completion without blocking a thread of the cooperative pool; returns its output and
    /// throws if it exits with a non-zero status.
    ///
    /// Spawned and reaped here rather than with Foundation's `Process`, whose termination handler was seen never
    /// to run when several suites started servers at once (the `su` child stayed a zombie).
    @discardableResult
    private static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("resonate-pg-tool-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try spawn(executable, arguments, outputPath: outputPath)
        let command = ([executable] + arguments).joined(separator: " ")
        // pg_ctl waits for the server itself (60 s by default for start and stop): twice that is a hang.
        let status = try await eventuallyValue(
            "\(command) to exit", within: .seconds(120), checkingEvery: .milliseconds(5)
        ) {
            () throws -> Int32? in
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return status }
            if reaped == -1 && errno != EINTR {
                throw PostgresProcessError(description: "waitpid(\(pid)) failed: errno \(errno)")
            }
            return nil
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // Exited normally with status 0: the low 7 bits hold the signal, the next 8 the exit status.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw PostgresProcessError(description: "\(command) failed (wait status \(status)):\n\(text)")
        }
        return text
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, which its Swift module does not import.
    private static let closeFromAction:
        (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
            return unsafeBitCast(
                symbol,
                to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self
            )
        }()

    /// Starts `executable` with standard input from /dev/null and standard output and error into `outputPath`.
    private static func spawn(_ executable: String, _ arguments: [String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of the test process is inherited. The server outlives this call (pg_ctl starts it and
        // returns), and every backend it forks would hold a copy of whatever sockets the test process had open at
        // that moment: a connection a test then closes stays open in PostgreSQL, so its peer never sees the close
        // (a poll stream stayed registered for a minute this way), and a closed listener keeps its port bound.
        guard let closeFrom = closeFromAction, closeFrom(&actions, 3) == 0 else {
            throw PostgresProcessError(description: "posix_spawn_file_actions_addclosefrom_np (glibc 2.34+) failed")
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // In a process group of its own: `su` signals its process group when it ends, which must not reach the
        // other children of the test process (a `resonate serve` replica was seen to receive SIGTERM from it).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw PostgresProcessError(description: "cannot start \(executable): error \(result)")
        }
        return pid
    }
}

/// Why a test PostgreSQL server could not be started, stopped or used.
public struct PostgresProcessError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}
