// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import Logging
import ResonateEngine
import ResonateProtocol
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The door to durable operations from inside a durable function.
///
/// Everything a function does through its context is checkpointed: calls (`run`, `rpc`), sleeps, latent promises,
/// even the current time and random numbers. When the function runs again — after a crash, or to resume after a
/// remote call or a sleep — it replays from those checkpoints: finished calls return their recorded results
/// without running again.
///
/// ```swift
/// let workflow = try resonate.register("workflow") { (ctx: Context, recordID: String) async throws -> String in
///     while try await ctx.run(deleteBatch, recordID) {
///         try await ctx.sleep(for: .seconds(5))
///     }
///     return "deleted \(recordID)"
/// }
/// ```
///
/// Durable calls must happen in the same order on every replay: child ids are assigned by call order. Start
/// concurrent work with `beginRun`/`beginRpc` one after another — not with `async let ctx.run(…)`, whose calls
/// may reach the context in any order — and await the futures together.
public final class Context: Sendable {
    /// Facts about this execution.
    public let info: Info
    /// A logger with the execution's id and function in its metadata.
    public let logger: Logger
    let pass: Pass
    let runtime: Runtime
    private let state = Mutex(State())
    /// The execution's deadline in milliseconds.
    let timeoutAt: Int64

    private struct State {
        var sequence = 0
        var madeDurableCalls = false
    }

    init(info: Info, timeoutAt: Int64, pass: Pass, runtime: Runtime) {
        self.info = info
        self.timeoutAt = timeoutAt
        self.pass = pass
        self.runtime = runtime
        var logger = runtime.logger
        logger[metadataKey: "promise"] = "\(info.id)"
        logger[metadataKey: "function"] = "\(info.functionName)"
        self.logger = logger
    }

    // MARK: Bookkeeping

    /// The id of the next child, and a note that this function made a durable call (so it is not retried).
    func nextChildID() -> String {
        let sequence = state.withLock { state -> Int in
            state.sequence += 1
            state.madeDurableCalls = true
            return state.sequence
        }
        return runtime.idScheme.child(of: info.id, sequence: sequence)
    }

    var madeDurableCalls: Bool { state.withLock { $0.madeDurableCalls } }

    /// A child's deadline: `now + timeout`, never later than this execution's own deadline.
    func childDeadline(_ timeout: Duration?) -> Int64 {
        let requested = runtime.clock.now.milliseconds + (timeout ?? CallOptions.defaultTimeout).wholeMilliseconds
        return min(requested, timeoutAt)
    }

    func lineageTags(branch: String) -> [String: String] {
        [Tag.origin: info.originID, Tag.parent: info.id, Tag.branch: branch]
    }

    /// Verifies that a promise found at a position of the call sequence was made by the same kind of call.
    func checkReplay(_ record: PromiseRecord, expected: RecordedCall) throws {
        guard let recorded = RecordedCall(record, codec: runtime.codec), recorded != expected else { return }
        throw pass.abort(
            ResonateError(
                .nonDeterminism,
                """
                replay of \(info.functionName) diverged at \(record.id): the history records \(recorded), but the \
                function now calls \(expected). Durable calls must happen in the same order on every run; version \
                the function instead of changing its calls in place.
                """
            )
        )
    }

    // MARK: Dependencies

    /// A dependency provided with ``Resonate/setDependency(_:)``.
    ///
    /// - Throws: ``ResonateError/Code/missingDependency`` when none of that type was provided.
    public func dependency<T: Sendable>(_ type: T.Type = T.self) throws -> T {
        guard let value = runtime.dependency(T.self) else {
            throw ResonateError(.missingDependency, "no dependency of type \(T.self) was provided")
        }
        return value
    }
}

/// What kind of durable call created a promise, as far as its record tells.
enum RecordedCall: Equatable, CustomStringConvertible {
    case local(String)
    case remote(String)
    case sleep
    case promise

    init?(_ record: PromiseRecord, codec: PayloadCodec) {
        if record.tags[Tag.timer] == "true" {
            self = .sleep
            return
        }
        let function = (try? codec.jsonDocument(in: record.param))?["func"]?.stringValue
        switch record.tags[Tag.scope] {
        case "local":
            // Other SDKs store no function name for local calls; nothing to compare then.
            guard let function else { return nil }
            self = .local(function)
        case "global":
            if record.tags[Tag.target] == nil {
                self = .promise
            } else if let function {
                self = .remote(function)
            } else {
                return nil
            }
        default:
            return nil
        }
    }

    var description: String {
        switch self {
        case .local(let name): "a local call of '\(name)'"
        case .remote(let name): "a remote call of '\(name)'"
        case .sleep: "a sleep"
        case .promise: "a latent promise"
        }
    }
}
