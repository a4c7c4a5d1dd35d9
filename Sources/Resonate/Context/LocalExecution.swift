// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateEngine
import ResonateProtocol

/// Runs a function in this process under the pass's lease: a local call (`ctx.run`) or a task's root function.
///
/// A failing *leaf* — a function that made no durable call — is retried in place after its policy's delay while
/// the lease is kept alive, until the policy gives up or the next attempt would start past the deadline. A
/// function that made durable calls is not retried: running it again would only replay the same checkpoints.
struct LocalExecution<Output: Sendable> {
    let pass: Pass
    let runtime: Runtime
    /// Builds the context of attempt `n`.
    let makeContext: @Sendable (Int) -> Context
    let deadline: Int64
    let policy: RetryPolicy
    let body: @Sendable (Context) async throws -> Output

    /// Runs the function, retrying a failing leaf; returns its result or the error that ends it.
    func run() async -> Result<Output, any Error> {
        var attempt = 1
        while true {
            let context = makeContext(attempt)
            do {
                return .success(try await body(context))
            } catch {
                if Self.isControlFlow(error) || pass.isAbandoned { return .failure(error) }
                guard !context.madeDurableCalls, !(error is any NonRetryableError), !Self.isPermanent(error),
                    let delay = policy.delay(beforeRetry: attempt),
                    runtime.clock.now.milliseconds + delay.wholeMilliseconds < deadline
                else { return .failure(error) }
                context.logger.info(
                    "attempt \(attempt) failed; retrying in \(delay)",
                    metadata: ["error": "\(error)"]
                )
                do {
                    try await runtime.sleep(for: delay)
                } catch {
                    return .failure(error)
                }
                attempt += 1
            }
        }
    }

    /// Failures that would repeat on every attempt: arguments that do not fit the function.
    static func isPermanent(_ error: any Error) -> Bool {
        (error as? ResonateError)?.code == .decoding
    }

    /// Errors that stop the pass rather than describe the function's failure.
    static func isControlFlow(_ error: any Error) -> Bool {
        if error is Suspension || error is PlatformFailure || error is CancellationError { return true }
        if let error = error as? ResonateError, error.code == .nonDeterminism || error.code == .leaseLost {
            return true
        }
        return false
    }
}
