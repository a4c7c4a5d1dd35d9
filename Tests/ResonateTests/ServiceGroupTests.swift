// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import Resonate
import ResonateTesting
import ServiceLifecycle
import Testing

/// A `Resonate` as one service among others, as in a Kafka worker.
@Suite("Resonate in a service group", .timeLimit(.minutes(1)))
struct ServiceGroupTests {
    /// Starts executions once the `Resonate` next to it runs; records what it got.
    struct Starter: Service {
        let resonate: Resonate
        let function: DurableFunction<Int, Int>
        let results: Counter

        func run() async throws {
            try await resonate.waitUntilRunning()
            let value = try await resonate.run("started-by-service", function, 20)
            results.increment("result-\(value)")
        }
    }

    @Test("a service started next to the instance waits until it runs, then starts executions")
    func waitsUntilRunning() async throws {
        let resonate = try Resonate.local()
        let double = try resonate.register("double") { (_: Context, value: Int) async throws -> Int in value * 2 }
        let results = Counter()
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    // The starter comes first, so it is running before the instance is.
                    .init(
                        service: Starter(resonate: resonate, function: double, results: results),
                        successTerminationBehavior: .ignore
                    ),
                    .init(service: resonate),
                ],
                logger: Logger(label: "test")
            )
        )
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            try await eventually("the execution's result") { results.count("result-40") > 0 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(results.count("result-40") == 1)
    }

    @Test("waiting ends with notRunning when the instance stops first")
    func stopEndsTheWait() async throws {
        let resonate = try Resonate.local()
        try await resonate.withRunning { _ in }
        let error = await #expect(throws: ResonateError.self) { try await resonate.waitUntilRunning() }
        #expect(error?.code == .notRunning)
    }
}
