// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

@Suite("resonate tree", .timeLimit(.minutes(2)), .serialized)
struct TreeCommandTests {
    @Test("tree shows a Swift SDK workflow's local steps, rpc and sleep with functions, states and where they ran")
    func workflowTree() async throws {
        try await DevServer.with { server, cli in
            let workers = Resonate(url: server.url, group: "workers")
            let payments = Resonate(url: server.url, group: "payments")
            let audit = try payments.register("audit") { (_: Context, amount: Int) async throws -> Int in amount }
            try payments.register("charge") { (ctx: Context, amount: Int) async throws -> Int in
                try await ctx.run(audit, amount)
            }
            let reserve = try workers.register("reserve") { (_: Context, item: String) async throws -> Bool in true }
            try workers.register("checkout") { (ctx: Context, item: String) async throws -> String in
                _ = try await ctx.run(reserve, item)
                let charged = try await ctx.rpc("charge", 7, returning: Int.self, options: .target("payments"))
                try await ctx.sleep(for: .milliseconds(200))
                return "\(item) charged \(charged)"
            }
            try await workers.withRunning { _ in
                try await payments.withRunning { _ in
                    let invoked = try await cli.run(
                        "invoke", "order-1", "--func", "checkout", "--arg", "book", "--target", "poll://any@workers",
                        "--wait")
                    #expect(invoked.status == 0, "\(invoked)")
                    #expect(invoked.stdout == "\"book charged 7\"\n")
                }
            }

            let json = try await cli.run("tree", "order-1", "--json")
            #expect(json.status == 0, "\(json)")
            let root = try json.json()
            #expect(root["id"] == .string("order-1"))
            #expect(root["kind"] == .string("root"))
            #expect(root["function"] == .string("checkout"))
            #expect(root["state"] == .string("resolved"))
            #expect(root["target"] == .string("poll://any@workers"))
            guard case .array(let children)? = root["children"] else {
                Issue.record("no children: \(json)")
                return
            }
            #expect(children.map { $0["kind"] } == [.string("run"), .string("rpc"), .string("sleep")])
            #expect(children.map { $0["function"] } == [.string("reserve"), .string("charge"), .string("sleep")])
            #expect(children.allSatisfy { $0["state"] == .string("resolved") })
            #expect(children.map { $0["scope"] } == [.string("local"), .string("global"), .string("global")])
            #expect(children[1]["target"] == .string("poll://any@payments"))
            let grandchildren = children[1]["children"]
            #expect(grandchildren?.arrayIDs.count == 1)
            guard case .array(let nested)? = grandchildren, let auditNode = nested.first else { return }
            #expect(auditNode["function"] == .string("audit"))
            #expect(auditNode["kind"] == .string("run"))
            let ids = children.map { $0["id"]?.stringValue ?? "?" }
            let auditID = auditNode["id"]?.stringValue ?? "?"

            let text = try await cli.run("tree", "order-1")
            #expect(text.status == 0, "\(text)")
            let rows = Self.table(text.lines.filter { !$0.isEmpty })
            #expect(rows.count == 6, "\(text)")
            guard rows.count == 6 else { return }
            #expect(rows[0] == ["PROMISE", "FUNCTION", "STATE", "DURATION", "WHERE"])
            #expect(Array(rows[1].prefix(3)) == ["order-1", "checkout", "resolved"])
            #expect(rows[1].last == "remote workers")
            #expect(rows[2] == ["├── \(ids[0])", "reserve", "resolved", rows[2][3], "local"])
            #expect(rows[3] == ["├── \(ids[1])", "charge", "resolved", rows[3][3], "remote payments"])
            #expect(rows[4] == ["│   └── \(auditID)", "audit", "resolved", rows[4][3], "local"])
            #expect(rows[5] == ["└── \(ids[2])", "sleep", "resolved", rows[5][3], "timer"])
            // Durations are settledAt − createdAt: the sleep's is at most its 200 ms (its deadline is set by the
            // worker's clock when it calls sleep, its creation stamped by the server's when the request arrives,
            // which on a loaded machine can be a good part of those 200 ms later); it ends at its deadline.
            let sleepCreated = try #require(children[2]["createdAt"]?.integerValue)
            let sleepSettled = try #require(children[2]["settledAt"]?.integerValue)
            let sleepDeadline = try #require(children[2]["timeoutAt"]?.integerValue)
            #expect((0..<1000).contains(sleepSettled - sleepCreated))
            #expect((0..<1000).contains(sleepSettled - sleepDeadline), "settled at its deadline, not before")
            #expect(rows[5][3] == "\(sleepSettled - sleepCreated)ms")
            // An inner promise's tree is its subtree.
            let subtree = try await cli.run("tree", ids[1], "--json")
            #expect(subtree.status == 0, "\(subtree)")
            #expect(try subtree.json()["kind"] == .string("rpc"))
            #expect(try subtree.json()["function"] == .string("charge"))
            #expect(try subtree.json()["children"]?.arrayIDs == [auditID])

            let missing = try await cli.run("tree", "no-such-order")
            #expect(missing.status == 1)
            #expect(missing.stderr == "Error: Promise not found (404 from promise.get)\n")
        }
    }

    @Test("tree --watch prints a snapshot per change off a terminal and exits when the root settles")
    func watchUntilSettled() async throws {
        try await DevServer.with { server, cli in
            let workers = Resonate(url: server.url, group: "workers")
            let approvals = AsyncStream.makeStream(of: String.self)
            let reserve = try workers.register("reserve") { (_: Context, item: String) async throws -> Bool in true }
            try workers.register("approve") { (ctx: Context, item: String) async throws -> String in
                _ = try await ctx.run(reserve, item)
                let approval = try await ctx.promise(Bool.self)
                approvals.continuation.yield(approval.id)
                return try await approval.result() ? "approved" : "denied"
            }
            try await workers.withRunning { _ in
                let invoked = try await cli.run(
                    "invoke", "order-2", "--func", "approve", "--arg", "lamp", "--target", "poll://any@workers")
                #expect(invoked.status == 0, "\(invoked)")
                var iterator = approvals.stream.makeAsyncIterator()
                let approvalID = try #require(await iterator.next())

                let watch = try cli.start(["tree", "order-2", "--watch", "--interval", "100ms"])
                try await watch.waitFor("the pending approval") { stdout, _ in
                    stdout.contains("└── \(approvalID)") && stdout.contains("external")
                }
                #if os(Linux)
                let command =
                    [CommandProcess.binary, "tree", "order-2", "--watch", "--interval", "100ms"]
                    .joined(separator: " ") + " --server " + server.url
                let terminal = try CommandProcess(
                    ["-q", "-e", "-c", command, "/dev/null"], executable: "/usr/bin/script")
                try await terminal.waitFor("two redraws") { stdout, _ in
                    stdout.components(separatedBy: "\u{1B}[H\u{1B}[2J").count >= 3
                        && stdout.contains("watching order-2 every 100ms; Ctrl-C to stop")
                }
                #endif
                let resolved = try await cli.run("promises", "resolve", approvalID, "--value", "true")
                #expect(resolved.status == 0, "\(resolved)")

                let result = try await watch.result()
                #expect(result.status == 0, "\(result)")
                #expect(!result.stdout.contains("\u{1B}"))
                let snapshots = result.stdout.split(separator: "\n\n").map { Self.table($0.split(separator: "\n")) }
                #expect(snapshots.count >= 2, "\(result)")
                #expect(snapshots.first?.dropFirst().first?[2] == "pending")
                #expect(snapshots.last?.dropFirst().first?[2] == "resolved")
                #expect(snapshots.last?.last?[2] == "resolved")
                // A snapshot is printed only when a promise or state changed.
                for (previous, next) in zip(snapshots, snapshots.dropFirst()) {
                    #expect(previous.map { [$0[0], $0[2]] } != next.map { [$0[0], $0[2]] }, "\(result)")
                }
                #if os(Linux)
                let terminalResult = try await terminal.result()
                #expect(terminalResult.status == 0, "\(terminalResult)")
                let lastFrame = terminalResult.stdout.components(separatedBy: "\u{1B}[H\u{1B}[2J").last ?? ""
                #expect(lastFrame.contains("order-2") && !lastFrame.contains("watching"))
                #endif
            }

            // On a settled root --watch prints once and returns; in JSON, one document per snapshot.
            let settled = try await cli.run("tree", "order-2", "--watch", "--json")
            #expect(settled.status == 0, "\(settled)")
            #expect(settled.lines.count == 2 && settled.lines[1].isEmpty)
            #expect(try settled.json()["state"] == .string("resolved"))
            #expect(try settled.json()["children"]?.arrayIDs.count == 2)
        }
    }

    /// Splits a table's lines into cells at the columns where the header's words start, trimming each cell: this
    /// only works (and so checks) when every row is aligned under the header.
    static func table(_ lines: [some StringProtocol]) -> [[String]] {
        guard let first = lines.first else { return [] }
        let header = Array(first)
        var starts: [Int] = []
        for index in header.indices where header[index] != " " && (index == 0 || header[index - 1] == " ") {
            // Multi-word headers ("PROMISE ID") are separated by one space only.
            if index >= 2 && header[index - 2] != " " { continue }
            starts.append(index)
        }
        return lines.map { line in
            let characters = Array(line)
            return starts.enumerated().map { position, start in
                let end = position + 1 < starts.count ? starts[position + 1] : characters.count
                guard start < characters.count else { return "" }
                return String(characters[start..<min(end, characters.count)]).trimmingCharacters(in: .whitespaces)
            }
        }
    }
}
