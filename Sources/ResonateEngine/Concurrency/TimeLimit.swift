// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The result of `operation`, or `nil` if it has not finished within `limit`; it is then cancelled.
///
/// For best-effort work that must not hold up its caller, such as a readiness probe or a courtesy write at
/// shutdown. The operation must honour cancellation: the call returns only once it has ended.
package func withTimeLimit<Result: Sendable>(
    _ limit: Duration,
    _ operation: @escaping @Sendable () async -> Result
) async -> Result? {
    await withTaskGroup(of: Result?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
