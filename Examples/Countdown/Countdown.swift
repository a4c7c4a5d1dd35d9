// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Resonate

/// A countdown that survives crashes: each number is printed by a durable step, and the pause between numbers is
/// a durable sleep. Kill the program mid-countdown and start it again: it continues where it stopped.
///
/// Without `RESONATE_URL` it runs in local mode, with its state in `countdown.db`; with
/// `RESONATE_URL=http://localhost:8001` it runs against a server.
@main
struct Countdown {
    static func main() async throws {
        var configuration = try Resonate.Configuration.fromEnvironment()
        if case .local = configuration.mode { configuration.mode = .local(path: "countdown.db") }
        let resonate = try Resonate(configuration: configuration)

        let notify = try resonate.register("notify") { (ctx: Context, number: Int) async throws in
            print("Countdown: \(number)")
        }
        let countdown = try resonate.register("countdown") {
            (ctx: Context, count: Int, delay: Int) async throws -> String in
            for number in stride(from: count, to: 0, by: -1) {
                try await ctx.run(notify, number)  // a durable step: runs once, even across restarts
                try await ctx.sleep(for: .seconds(delay))  // a durable sleep: nothing is held while it lasts
            }
            return "Done!"
        }

        let result = try await resonate.withRunning { resonate in
            try await resonate.run("countdown-1", countdown, 5, 1)
        }
        print(result)
    }
}
