// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation
import Resonate

/// Dispatches `compute_something` to any worker of group `workers` and, by default, exits without waiting: the
/// work is durable on the server and runs whenever a worker is available.
@main
struct LoadBalancingClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lb-client",
        abstract: "Dispatch compute_something to the 'workers' group."
    )

    @Option(help: "The Resonate server. [env: RESONATE_URL] (default: http://localhost:8001)")
    var resonateURL: String?

    @Option(help: "This client's process id (default: random).")
    var pid: String?

    @Option(help: "How many computations to dispatch.")
    var count = 1

    @Option(help: "The cost of each computation in seconds (default: random, 1-10).")
    var cost: Int?

    @Flag(help: "Wait for the results and print them.")
    var wait = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        if let cost, cost < 0 { throw ValidationError("--cost must not be negative") }
    }

    func run() async throws {
        let url = resonateURL ?? ProcessInfo.processInfo.environment["RESONATE_URL"] ?? "http://localhost:8001"
        let resonate = Resonate(url: url, group: "client", pid: pid)
        try await resonate.withRunning { resonate in
            var handles: [(String, Handle<Nothing>)] = []
            for _ in 0..<count {
                let id = UUID().uuidString.lowercased()
                let computeCost = cost ?? Int.random(in: 1...10)
                let handle = try await resonate.beginRpc(
                    id,
                    "compute_something",
                    id,
                    computeCost,
                    options: .target("workers")
                )
                print("dispatched \(id) (compute_cost=\(computeCost)s)")
                handles.append((id, handle))
            }
            guard wait else { return }
            for (id, handle) in handles {
                try await handle.result()
                print("\(id) done")
            }
        }
    }
}
