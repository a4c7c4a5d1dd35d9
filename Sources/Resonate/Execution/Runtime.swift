// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateEngine
import ResonateProtocol
import Synchronization
import Tracing

/// What the parts of one ``Resonate`` instance share: its identity (group, pid, lease length, id scheme), its
/// connection and clock, its codecs, the handles' subscriptions, the tasks it holds (``HeldTasks``), and the
/// dependencies registered for functions. What a single part needs stays with that part (the function registry
/// with registration and the task runner, parked executions with the runner).
final class Runtime: Sendable {
    let group: String
    let pid: String
    /// Lease length in milliseconds.
    let ttl: Int64
    let idScheme: IDScheme
    let defaultRetryPolicy: RetryPolicy
    let transport: any Transport
    let clock: any EngineClock
    let logger: Logger
    private let configuredTracer: (any Tracer)?
    let codec = PayloadCodec()
    let errors = ErrorCoding()
    let subscriptions = Subscriptions()
    /// The tasks this process holds: leases, slots and held sleeps.
    let tasks: HeldTasks
    private let dependencies = Mutex<[ObjectIdentifier: any Sendable]>([:])

    init(
        group: String,
        pid: String,
        ttl: Int64,
        idScheme: IDScheme,
        defaultRetryPolicy: RetryPolicy,
        transport: any Transport,
        clock: any EngineClock,
        tracer: (any Tracer)?,
        logger: Logger,
        maxConcurrentTasks: Int,
        heldSleepLimit: Duration,
        heldSleepHistoryLimit: Int = 0
    ) {
        tasks = HeldTasks(
            maxConcurrentTasks: maxConcurrentTasks, heldSleepLimit: heldSleepLimit.wholeMilliseconds,
            heldSleepHistoryLimit: heldSleepHistoryLimit)
        self.group = group
        self.pid = pid
        self.ttl = ttl
        self.idScheme = idScheme
        self.defaultRetryPolicy = defaultRetryPolicy
        self.transport = transport
        self.clock = clock
        self.configuredTracer = tracer
        self.logger = logger
    }

    /// The tracer in effect (see ``Resonate/Configuration/tracer``).
    var tracer: any Tracer { TraceContextCarrier.tracer(configuredTracer) }

    /// The current trace context, as headers for the param of a promise that starts an execution.
    func traceHeaders() -> [String: String]? {
        TraceContextCarrier.currentHeaders(tracer: tracer)
    }

    /// This process's own address: where `unblock` messages for its handles arrive.
    var unicastAddress: String { "poll://uni@\(group)/\(pid)" }

    /// The address a call with `target` goes to: a bare group name means any process of that group.
    func address(forTarget target: String?) -> String {
        guard let target else { return "poll://any@\(group)" }
        return target.contains("://") ? target : "poll://any@\(target)"
    }

    func setDependency<T: Sendable>(_ value: T) {
        dependencies.withLock { $0[ObjectIdentifier(T.self)] = value }
    }

    func dependency<T: Sendable>(_ type: T.Type) -> T? {
        dependencies.withLock { $0[ObjectIdentifier(T.self)] as? T }
    }

    /// Sleeps on the runtime's clock.
    func sleep(for duration: Duration) async throws {
        try await clock.sleep(for: duration)
    }

    /// The value of a settled promise as `Output`, or the error it was rejected with.
    func outcome<Output: Decodable>(of record: PromiseRecord, as type: Output.Type) throws -> Output {
        switch record.state {
        case .resolved:
            return try codec.decode(Output.self, from: record.value)
        case .rejected:
            throw errors.decode(record.value)
        case .rejectedCanceled:
            // A cancellation may carry its reason as an error value.
            let reason = record.value.data == nil ? nil : ErrorCoding.message(of: errors.decode(record.value))
            throw ResonateError(.canceled, "the promise \(record.id) was canceled" + (reason.map { ": \($0)" } ?? ""))
        case .rejectedTimedOut:
            throw ResonateError(.timedOut, "the promise \(record.id) timed out")
        case .pending:
            throw ResonateError(.server, "the promise \(record.id) is still pending")
        }
    }
}
