// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate

/// A worker and a client against a server.
///
///     greeter worker            # joins group "greeters" and serves greet(name)
///     greeter greet Ada         # asks any process of "greeters" to greet Ada, waits for the answer
///
/// The server comes from `RESONATE_URL` (default `http://localhost:8001`).
@main
struct Greeter {
    static func main() async throws {
        let url = ProcessInfo.processInfo.environment["RESONATE_URL"] ?? "http://localhost:8001"
        let arguments = CommandLine.arguments.dropFirst()
        switch arguments.first {
        case "worker":
            let resonate = Resonate(url: url, group: "greeters")
            try resonate.register("greet") { (ctx: Context, name: String) async throws -> String in
                let time = try await ctx.now()  // recorded, so a replay sees the same time
                return "Hello, \(name)! It is \(time.formatted(date: .omitted, time: .standard)) here."
            }
            print("greeter worker \(resonate.pid) is running; Ctrl-C to stop")
            try await resonate.serve()
        case "greet" where arguments.count == 2:
            let name = arguments.last!
            let resonate = Resonate(url: url, group: "greeter-clients")
            let greeting = try await resonate.withRunning { resonate in
                // The id makes the call idempotent: greeting the same name again returns the stored answer.
                try await resonate.rpc(
                    "greet-\(name)", "greet", name, returning: String.self, options: .target("greeters"))
            }
            print(greeting)
        default:
            print("usage: greeter worker | greeter greet <name>")
        }
    }
}
