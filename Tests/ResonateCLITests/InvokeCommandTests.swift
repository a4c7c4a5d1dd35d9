// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Resonate
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

@Suite("resonate invoke", .timeLimit(.minutes(2)), .serialized)
struct InvokeCommandTests {
    @Test("invoke creates the invocation promise: func, args, version, target, timeout and delay")
    func createsInvocation() async throws {
        try await DevServer.with { _, cli in
            // The command computes deadlines from its own clock, somewhere between the readings around each run.
            let started = Int64(Date().timeIntervalSince1970 * 1000)
            let text = try await cli.run(
                "invoke", "greet-1", "--func", "greet", "--arg", "Ada", "--arg", "3", "--arg", #"{"polite":true}"#)
            let finished = Int64(Date().timeIntervalSince1970 * 1000)
            #expect(text.status == 0, "\(text)")
            #expect(text.stdout == "greet-1 pending\n")
            #expect(text.stderr.isEmpty)

            let promise = try await cli.run("promises", "get", "greet-1", "--json").json()
            #expect(
                promise["param"]
                    == .object([
                        "headers": .object([:]),
                        "data": .object([
                            "func": .string("greet"),
                            "args": .array([.string("Ada"), .integer(3), .object(["polite": .bool(true)])]),
                            "version": .integer(1),
                        ]),
                    ]))
            #expect(promise["tags"] == .object(["resonate:target": .string("poll://any@default")]))
            let timeoutAt = try #require(promise["timeoutAt"]?.integerValue)
            #expect((started + 3_600_000...finished + 3_600_000).contains(timeoutAt))

            let before = Int64(Date().timeIntervalSince1970 * 1000)
            let delayed = try await cli.run(
                "invoke", "later-1", "--func", "report", "--json-args", #"[[1,2]]"#, "--target", "poll://any@reports",
                "--timeout", "10m", "--version", "2", "--delay", "5s", "--json")
            let after = Int64(Date().timeIntervalSince1970 * 1000)
            #expect(delayed.status == 0, "\(delayed)")
            let later = try delayed.json()
            #expect(later["state"] == .string("pending"))
            #expect(later["param"]?["data"]?["args"] == .array([.array([.integer(1), .integer(2)])]))
            #expect(later["param"]?["data"]?["version"] == .integer(2))
            #expect(later["tags"]?["resonate:target"] == .string("poll://any@reports"))
            let deliverAt = try #require(later["tags"]?["resonate:delay"]?.stringValue.flatMap { Int64($0) })
            #expect((before + 5_000...after + 5_000).contains(deliverAt))
            let laterTimeout = try #require(later["timeoutAt"]?.integerValue)
            #expect((before + 605_000...after + 605_000).contains(laterTimeout))

            // The same id again: nothing changes, and a note says so.
            let again = try await cli.run("invoke", "greet-1", "--func", "other")
            #expect(again.status == 0)
            #expect(again.stdout == "greet-1 pending\n")
            #expect(again.stderr == "note: promise greet-1 already exists (it calls greet); it is unchanged\n")
        }
    }

    @Test("invoke --wait prints the value once another process resolves the promise; no spinner off a terminal")
    func waitResolvedElsewhere() async throws {
        try await DevServer.with { _, cli in
            let waiting = try cli.start(["invoke", "approve-1", "--func", "approve", "--wait"])
            try await waiting.waitFor("the waiting note") { _, stderr in stderr.contains("waiting for approve-1") }
            let resolve = try await cli.run("promises", "resolve", "approve-1", "--value", #"{"approved":true}"#)
            #expect(resolve.status == 0, "\(resolve)")
            let result = try await waiting.result()
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout == #"{"approved":true}"# + "\n")
            #expect(result.stderr == "waiting for approve-1 to settle…\n")

            let json = try cli.start(["invoke", "approve-2", "--func", "approve", "--wait", "--json"])
            try await json.waitFor("the waiting note") { _, stderr in stderr.contains("waiting for approve-2") }
            _ = try await cli.run("promises", "resolve", "approve-2", "--value", "42")
            let record = try await json.result()
            #expect(record.status == 0, "\(record)")
            #expect(try record.json()["state"] == .string("resolved"))
            #expect(try record.json()["value"]?["data"] == .integer(42))
        }
    }

    @Test("invoke --wait exits 1 with the error when the promise is rejected, canceled or times out")
    func waitFailures() async throws {
        try await DevServer.with { _, cli in
            let rejected = try cli.start(["invoke", "job-r", "--func", "job", "--wait"])
            try await rejected.waitFor("the waiting note") { _, stderr in stderr.contains("waiting") }
            _ = try await cli.run(
                "promises", "reject", "job-r", "--value", #"{"__type":"error","message":"disk full"}"#)
            let rejectedResult = try await rejected.result()
            #expect(rejectedResult.status == 1, "\(rejectedResult)")
            #expect(rejectedResult.stdout.isEmpty)
            #expect(rejectedResult.stderr.hasSuffix("Error: job-r was rejected: disk full\n"))

            let canceled = try cli.start(["invoke", "job-c", "--func", "job", "--wait", "--json"])
            try await canceled.waitFor("the waiting note") { _, stderr in stderr.contains("waiting") }
            _ = try await cli.run("promises", "cancel", "job-c")
            let canceledResult = try await canceled.result()
            #expect(canceledResult.status == 1, "\(canceledResult)")
            #expect(try canceledResult.json()["state"] == .string("rejected_canceled"))
            #expect(canceledResult.stderr.hasSuffix("Error: job-c was canceled\n"))

            // Nobody serves the group; the promise's own deadline ends the wait.
            let timedOut = try await cli.run(
                "invoke", "job-t", "--func", "job", "--target", "poll://any@nobody", "--timeout", "1s", "--wait")
            #expect(timedOut.status == 1, "\(timedOut)")
            #expect(timedOut.stderr.hasSuffix("Error: job-t timed out\n"))
        }
    }

    @Test("invoke --wait prints the result computed by a Swift SDK worker of the target group")
    func waitForSwiftWorker() async throws {
        try await DevServer.with { server, cli in
            let worker = Resonate(url: server.url, group: "adders")
            try worker.register("add") { (_: Context, a: Int, b: Int) async throws -> Int in a + b }
            try await worker.withRunning { _ in
                let result = try await cli.run(
                    "invoke", "sum-1", "--func", "add", "--arg", "40", "--arg", "2", "--target", "poll://any@adders",
                    "--wait")
                #expect(result.status == 0, "\(result)")
                #expect(result.stdout == "42\n")
            }
        }
    }

    #if os(Linux)
    @Test("invoke --wait animates a spinner with the elapsed time when standard error is a terminal")
    func spinnerOnTerminal() async throws {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux's script runs the pty")
        try await DevServer.with { server, cli in
            let command = [CommandProcess.binary, "invoke", "tty-1", "--func", "f", "--wait", "--server", server.url]
                .joined(separator: " ")
            // `script` runs the command on a pseudo-terminal and copies everything it writes to our stdout.
            let terminal = try CommandProcess(["-q", "-e", "-c", command, "/dev/null"], executable: script)
            try await terminal.waitFor("two spinner frames") { stdout, _ in
                stdout.contains("\r\u{1B}[K⠋ waiting for tty-1") && stdout.contains("\r\u{1B}[K⠙ waiting for tty-1")
            }
            _ = try await cli.run("promises", "resolve", "tty-1", "--value", #""done""#)
            let result = try await terminal.result()
            #expect(result.status == 0, "\(result)")
            // The line is erased before the result is printed.
            #expect(result.stdout.hasSuffix("\r\u{1B}[K\"done\"\r\n"), "\(result)")
            #expect(!result.stdout.contains("waiting for tty-1 to settle"))
        }
    }
    #endif
}
