// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

package import Logging
package import ServiceLifecycle

extension ServiceGroup {
    /// Runs `application` while `body` runs with the port it listens on, then shuts it down gracefully, also when
    /// `body` throws.
    ///
    /// - Parameter ports: where the application reports its port once it listens (it binds port 0).
    package static func serving<T: Sendable>(
        _ application: some Service,
        ports: AsyncStream<Int>,
        logger: Logger,
        _ body: (_ port: Int) async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(services: [application], logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            // The stream only ends early when this task is cancelled.
            guard let port = await iterator.next() else { throw CancellationError() }
            do {
                let result = try await body(port)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
