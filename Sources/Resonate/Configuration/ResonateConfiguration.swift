// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Tracing

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension Resonate {
    /// How a ``Resonate`` instance connects and executes. `init()` gives the defaults; `fromEnvironment()` reads
    /// the environment variables the other Resonate SDKs read.
    public struct Configuration: Sendable {
        /// Where executions run. Default `.local(path: nil)`: in this process, in memory.
        public var mode = Mode.local(path: nil)
        /// The worker group this process joins: work targeted at the group may run here. Default `default`.
        public var group = "default"
        /// This process's id within the group. Default: a random 32-hex-digit id.
        public var pid = UUID().lowercaseHex
        /// The lease length; leases are renewed every half of it. Default 60 s.
        public var ttl: Duration = .seconds(60)
        /// A JWT sent with every request and on the message stream.
        public var token: String?
        /// The most tasks this process executes at once. Default 64.
        public var maxConcurrentTasks = 64
        /// The most suspended executions this process keeps in memory (least recently suspended first out):
        /// sticky execution. Default 4,096; 0 turns it off.
        ///
        /// An execution kept in memory continues where it waited when its task resumes on this process; any other
        /// resume (after eviction, a restart, or on another process) replays the function from its checkpoints.
        /// Each costs its suspended Swift tasks plus the promise records it has seen.
        public var maxParkedExecutions = 4_096
        /// About how much memory, in bytes, the suspended executions kept in memory may hold together (each is
        /// counted as 16 KiB plus the promise records it has seen). Default 256 MiB.
        public var maxParkedExecutionMemory = 256 << 20
        /// Durable sleeps this short or shorter wait in this process, keeping the execution's lease and its task
        /// slot, instead of suspending. Default `.zero`: every sleep suspends.
        ///
        /// A suspended sleep costs two requests more (the suspend, and the acquire when it ends) and a dispatch
        /// through the server; for sleeps of a second or so between steps, as in a batch loop, that is most of a
        /// step's cost. A held sleep is as durable: its deadline is recorded first, and if the process dies, the
        /// lease expires and another process replays the execution up to the sleep. A sleep is held only while at
        /// least a quarter of the task slots are free and no task waits for one, so held sleeps never keep other
        /// work waiting; otherwise it suspends (short executions are exempt: see ``heldSleepHistoryLimit``). A held
        /// sleep that is canceled is noticed when it ends.
        public var heldSleepLimit: Duration = .zero
        /// An execution that holds a sleep (``heldSleepLimit``) with at most this many promise records in its
        /// history, and nothing else in progress, is released from memory for the length of the sleep: the
        /// function unwinds, the task keeps its lease but not its slot, and when the sleep ends the function
        /// replays from the records in memory (no requests) to where it slept. Default 64; 0 keeps every held
        /// sleep waiting in its Swift task.
        ///
        /// A waiting task keeps the memory of the deepest call it made (tens of kilobytes with the steps and
        /// requests before the sleep), where a released execution keeps only its records; replaying a short
        /// history costs less than that memory. Like any replay, it runs the function's own code again up to the
        /// sleep, not the steps, whose results come from their checkpoints.
        public var heldSleepHistoryLimit = 64
        /// How child ids are derived; must match the server's `--id-rules`. Default `colon`.
        public var idScheme: IDScheme = .colon
        /// The retry policy of functions registered without one. Default ``RetryPolicy/default``.
        public var retryPolicy: RetryPolicy = .default
        /// How often pending handles re-register their interest with the server. Default 60 s.
        public var listenerRefreshInterval: Duration = .seconds(60)
        /// How long a request keeps retrying while the server cannot be reached or answers 5xx. Default 30 s.
        public var unavailableRetryLimit: Duration = .seconds(30)
        /// The time limit of one request. Default 30 s.
        public var requestTimeout: Duration = .seconds(30)
        /// The tracer for executions, steps and requests. Default `nil`: the process's tracer
        /// (`InstrumentationSystem.tracer`, a no-op unless the application bootstraps one, e.g. swift-otel's).
        public var tracer: (any Tracer)?

        public init() {}

        /// Where a ``Resonate`` instance's executions run.
        public enum Mode: Sendable, Hashable {
            /// Against the server at `url`, e.g. `http://localhost:8001`: executions survive this process and
            /// spread over every process of the group.
            case remote(url: String)
            /// With the engine in this process and its state in the SQLite file at `path` (`nil`: in memory, gone
            /// with the process). Only one process may use the file at a time.
            case local(path: String?)
        }

        /// The configuration described by the environment:
        /// `RESONATE_URL` (or `RESONATE_HOST` with `RESONATE_SCHEME`, `http` or `https`, default `http`, and
        /// `RESONATE_PORT`, default 8001), `RESONATE_GROUP`, `RESONATE_PID`, `RESONATE_TOKEN`, `RESONATE_TTL` (e.g.
        /// `30s`), `RESONATE_ID_RULES` (`colon` or `dot`). Without a URL or host, the engine runs in-process.
        ///
        /// - Throws: ``ResonateError/Code/invalidConfiguration`` naming the variable whose value cannot be used,
        ///   rather than ignoring it.
        public static func fromEnvironment(
            _ environment: [String: String] = ProcessInfo.processInfo.environment
        ) throws -> Configuration {
            func value(_ name: String) -> String? {
                environment[name].flatMap { $0.isEmpty ? nil : $0 }
            }
            func invalid(_ name: String, _ expected: String) -> ResonateError {
                ResonateError(.invalidConfiguration, "\(name)=\(value(name) ?? ""): \(expected)")
            }
            var configuration = Configuration()
            if let url = value("RESONATE_URL") {
                guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                    throw invalid("RESONATE_URL", "expected an http:// or https:// URL")
                }
                configuration.mode = .remote(url: url)
            } else if let host = value("RESONATE_HOST") {
                let scheme = value("RESONATE_SCHEME") ?? "http"
                guard scheme == "http" || scheme == "https" else {
                    throw invalid("RESONATE_SCHEME", "expected http or https")
                }
                let port = value("RESONATE_PORT") ?? "8001"
                guard let number = Int(port), (1...65_535).contains(number) else {
                    throw invalid("RESONATE_PORT", "expected a port number from 1 to 65535")
                }
                configuration.mode = .remote(url: "\(scheme)://\(host):\(number)")
            }
            if let group = value("RESONATE_GROUP") { configuration.group = group }
            if let pid = value("RESONATE_PID") { configuration.pid = pid }
            if let token = value("RESONATE_TOKEN") { configuration.token = token }
            if let text = value("RESONATE_TTL") {
                guard let ttl = DurationParsing.parse(text), ttl > .zero else {
                    throw invalid("RESONATE_TTL", "expected a positive duration such as 30s or 1m")
                }
                configuration.ttl = ttl
            }
            if let text = value("RESONATE_ID_RULES") {
                guard let rules = IDScheme(rawValue: text) else {
                    throw invalid("RESONATE_ID_RULES", "expected colon or dot")
                }
                configuration.idScheme = rules
            }
            return configuration
        }
    }
}
