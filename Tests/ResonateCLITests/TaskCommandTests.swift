// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateProtocol
import Testing

@Suite("resonate tasks", .timeLimit(.minutes(2)), .serialized)
struct TaskCommandTests {
    @Test("get, halt, search and continue a task; halting a fulfilled task and continuing a pending one exit 1")
    func haltAndContinue() async throws {
        try await DevServer.with { _, cli in
            // Nobody serves the group, so the tasks stay pending.
            for id in ["t1", "t2", "t3"] {
                let invoked = try await cli.run("invoke", id, "--func", "f", "--target", "poll://any@idle")
                #expect(invoked.status == 0, "\(invoked)")
            }
            let task = try await cli.run("tasks", "get", "t1")
            #expect(task.status == 0, "\(task)")
            #expect(task.stdout == "id       t1\nstate    pending\nversion  0\nresumes  0\n")

            let halted = try await cli.run("tasks", "halt", "t1", "--json")
            #expect(halted.status == 0, "\(halted)")
            #expect(
                try halted.json()
                    == .object([
                        "id": .string("t1"), "state": .string("halted"), "version": .integer(0), "resumes": .integer(0),
                    ]))

            let haltedList = try await cli.run("tasks", "search", "--state", "halted")
            #expect(
                haltedList.stdout == "ID  STATE   VERSION  RESUMES  PID  TTL\nt1  halted  0        0        -    -\n")

            let pendingPage = try await cli.run("tasks", "search", "--state", "pending", "--limit", "1", "--json")
            #expect(try pendingPage.json()["tasks"]?.arrayIDs == ["t2"])
            #expect(try pendingPage.json()["cursor"] == .string("t2"))
            let everything = try await cli.run("tasks", "search", "--limit", "1", "--all", "--json")
            #expect(try everything.json()["tasks"]?.arrayIDs == ["t1", "t2", "t3"])

            let haltedText = try await cli.run("tasks", "halt", "t3")
            #expect(haltedText.stdout == "id       t3\nstate    halted\nversion  0\nresumes  0\n")

            let continued = try await cli.run("tasks", "continue", "t1")
            #expect(continued.status == 0, "\(continued)")
            #expect(continued.lines[1] == "state    pending")

            let notHalted = try await cli.run("tasks", "continue", "t1")
            #expect(notHalted.status == 1)
            #expect(notHalted.stderr == "Error: Task is not halted (409 from task.continue)\n")

            _ = try await cli.run("promises", "resolve", "t2")
            let fulfilled = try await cli.run("tasks", "get", "t2", "--json")
            #expect(try fulfilled.json()["state"] == .string("fulfilled"))
            let haltFulfilled = try await cli.run("tasks", "halt", "t2")
            #expect(haltFulfilled.status == 1)
            #expect(haltFulfilled.stderr == "Error: Task is fulfilled (409 from task.halt)\n")

            let missing = try await cli.run("tasks", "get", "nope")
            #expect(missing.status == 1)
            #expect(missing.stderr == "Error: Task not found (404 from task.get)\n")
        }
    }
}

extension JSONValue {
    /// The `id` members of an array of records.
    var arrayIDs: [String] {
        guard case .array(let records) = self else { return ["<not an array>"] }
        return records.map { $0["id"]?.stringValue ?? "<no id>" }
    }
}
