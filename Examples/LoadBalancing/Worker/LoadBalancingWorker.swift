// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ExampleSupport
import Foundation
import Resonate

/// A worker of group `workers`: any number of copies share the work `lb-client` dispatches.
///
/// `compute_something` sleeps durably, so a worker killed mid-computation loses nothing: when the sleep ends the
/// server hands the execution to a live worker, which continues after the sleep (its original deadline kept).
@main
struct LoadBalancingWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lb-worker",
        abstract: "A worker of group 'workers' that runs compute_something(id, computeCost)."
    )

    @Option(help: "The Resonate server. [env: RESONATE_URL] (default: http://localhost:8001)")
    var resonateURL: String?

    @Option(help: "This worker's process id (default: random).")
    var pid: String?

    @Option(help: "Lease length in seconds; a crashed worker's leased work moves on after it.")
    var ttl = 60

    @Option(help: "Append '<id> <pid>' to this file (fsynced) when a computation completes, for tests.")
    var ledger: String?

    func run() async throws {
        let url = resonateURL ?? ProcessInfo.processInfo.environment["RESONATE_URL"] ?? "http://localhost:8001"
        let resonate = Resonate(url: url, group: "workers", pid: pid, ttl: .seconds(Int64(ttl)))
        let ledger = self.ledger
        let record = try resonate.register("record_completion") { (ctx: Context, id: String) async throws in
            if let ledger { try Ledger.append("\(id) \(resonate.pid)", to: ledger) }
        }
        try resonate.register("compute_something") {
            (ctx: Context, id: String, computeCost: Int) async throws in
            // The body replays from the top after the sleep, so this line prints again on resumption.
            Output.line("\(id) starting computation")
            try await ctx.sleep(for: .seconds(Int64(computeCost)))
            try await ctx.run(record, id)
            Output.line("\(id) computed something that cost \(computeCost) seconds")
        }
        Output.line("worker is running...")
        try await resonate.serve()
        Output.line("worker stopped")
    }
}
