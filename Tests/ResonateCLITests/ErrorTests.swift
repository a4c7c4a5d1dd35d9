// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Testing

@Suite("resonate client errors and settings", .timeLimit(.minutes(2)), .serialized)
struct ErrorTests {
    @Test("usage errors exit 2 with a message naming the problem, before anything is sent")
    func usageErrors() async throws {
        // No server at all: each of these must fail on the command line alone.
        let cli = ResonateCLI(server: "http://127.0.0.1:1")
        let cases: [([String], String)] = [
            (
                ["promises", "search", "--state", "done"],
                "Error: The value 'done' is invalid for '--state <state>'. Please provide one of 'pending', 'resolved', 'rejected', 'rejected_canceled' or 'rejected_timedout'."
            ),
            (
                ["promises", "create", "p", "--timeout", "1h", "--param", "{nope}"],
                #"Error: invalid JSON for --param: "#
            ),
            (
                ["promises", "resolve", "p", "--value", "[1,"],
                #"Error: invalid JSON for --value: "#
            ),
            (
                ["promises", "create", "p", "--timeout", "an hour"],
                #"Error: invalid duration "an hour" for --timeout: use whole numbers with units ms, s, m, h, d, e.g. 30s, 1h30m, 250ms"#
            ),
            (
                ["invoke", "i", "--func", "f", "--delay", "5x"],
                #"Error: invalid duration "5x" for --delay"#
            ),
            (
                ["schedules", "create", "s", "--cron", "61 * * * *", "--promise-id", "x", "--promise-timeout", "1h"],
                #"Error: invalid --cron: Invalid cron expression "61 * * * *": minute value 61 is out of range 0-59"#
            ),
            (["promises", "get"], "Error: Missing expected argument '<id>'"),
            (["tasks", "halt"], "Error: Missing expected argument '<id>'"),
            (["invoke", "i"], "Error: Missing expected argument '--func <func>'"),
            (["promises", "search", "--limit", "0"], "Error: invalid --limit 0: must be between 1 and 1000"),
            (["promises", "search", "--tag", "novalue"], #"Error: invalid --tag "novalue": expected key=value"#),
            (
                ["promises", "search", "--tag", #"{"n":1}"#],
                #"Error: invalid --tag: the value of tag "n" must be a string"#
            ),
            (["invoke", "i", "--func", "f", "--version", "0"], "Error: invalid --version 0: must be at least 1"),
            (["invoke", "i", "--func", "f", "--json-args", "{}"], "Error: invalid --json-args: expected a JSON array"),
            (["tree", "t", "--interval", "0s"], "Error: invalid --interval 0s: must be positive"),
        ]
        for (arguments, expected) in cases {
            let result = try await cli.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result)")
            #expect(result.stderr.hasPrefix(expected), "\(arguments): \(result)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result)")
        }
        let serverCases: [([String], String)] = [
            (
                ["serve", "--store", "sqlite::memory:", "--store-write-batches", "2"],
                "Error: --store-write-batches applies only to a postgres:// store"
            ),
            (
                ["serve", "--store", "postgres://u@127.0.0.1:1/db", "--store-batch-size", "0"],
                "Error: invalid store batch size '0': expected 1-1000"
            ),
            (
                ["serve", "--store", "sqlite::memory:", "--store-no-prepared-statements"],
                "Error: --store-no-prepared-statements applies only to a postgres:// store"
            ),
        ]
        for (arguments, expected) in serverCases {
            let result = try await ResonateCLI(server: nil).run(arguments)
            #expect(result.status == 2, "\(arguments): \(result)")
            #expect(result.stderr.hasPrefix(expected), "\(arguments): \(result)")
        }
        let unknown = try await ResonateCLI(server: nil).run("promises", "frobnicate")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("Error: Unexpected argument 'frobnicate'"), "\(unknown)")
        let badURL = try await ResonateCLI(server: "localhost:8001").run("promises", "get", "p")
        #expect(badURL.status == 2)
        #expect(
            badURL.stderr
                == "Error: invalid server URL 'localhost:8001': expected http://HOST[:PORT] or https://HOST[:PORT]\n")
    }

    @Test("resonate version prints the version, and invoke --version stays the function version")
    func version() async throws {
        let result = try await ResonateCLI(server: nil).run("version")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "0.1.0\n")
        #expect(result.stderr.isEmpty)
    }

    @Test(
        "against a server with JWT auth: no token exits 1 with 401, a token outside its prefix with 403, a valid one works"
    )
    func authenticatedServer() async throws {
        let issuer = try TestTokenIssuer(.es256)
        try await DevServer.with(arguments: ["--auth-publickey", try issuer.writePublicKey()]) { server, cli in
            let anonymous = try await cli.run("promises", "create", "orders/1", "--timeout", "1h")
            #expect(anonymous.status == 1, "\(anonymous)")
            #expect(anonymous.stderr.contains("(401 from promise.create)"), "\(anonymous)")

            let orders = try issuer.token(claims: #""prefix":"orders/""#)
            let created = try await cli.run("promises", "create", "orders/1", "--timeout", "1h", "--token", orders)
            #expect(created.status == 0, "\(created)")
            let outside = try await cli.run("promises", "get", "invoices/1", "--token", orders)
            #expect(outside.status == 1, "\(outside)")
            #expect(outside.stderr.contains("(403 from promise.get)"), "\(outside)")

            let admin = try issuer.token(claims: #""role":"admin""#)
            let resolved = try await cli.run(
                "promises", "resolve", "orders/1", "--value", "42", "--json",
                environment: ["RESONATE_TOKEN": admin])
            #expect(resolved.status == 0, "\(resolved)")
            #expect(try resolved.json()["state"] == .string("resolved"))
        }
    }

    @Test("an unknown promise exits 1 with the server's message and status")
    func refused() async throws {
        try await DevServer.with { _, cli in
            let text = try await cli.run("promises", "get", "missing")
            #expect(text.status == 1)
            #expect(text.stdout.isEmpty)
            #expect(text.stderr == "Error: Promise not found (404 from promise.get)\n")
            let json = try await cli.run("promises", "resolve", "missing", "--json")
            #expect(json.status == 1)
            #expect(json.stdout.isEmpty)
            #expect(json.stderr == "Error: Promise not found (404 from promise.settle)\n")
            let invalid = try await cli.run(
                "schedules", "create", "a.b", "--cron", "* * * * *", "--promise-id", "x",
                "--promise-timeout", "1m", "--promise-target", "poll://any@g")
            #expect(invalid.status == 1)
            #expect(invalid.stderr.hasSuffix("(400 from schedule.create)\n"), "\(invalid)")
        }
    }

    @Test("an unreachable server exits 3 at once and says which URL could not be reached")
    func unreachable() async throws {
        let port = try LocalPorts.free()
        let started = ContinuousClock.now
        let result = try await ResonateCLI(server: "http://127.0.0.1:\(port)").run("promises", "get", "p")
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "Error: cannot reach http://127.0.0.1:\(port): connection refused\n")
        let viaEnvironment = try await ResonateCLI(server: nil).run(
            "tree", "t", environment: ["RESONATE_URL": "http://127.0.0.1:\(port)"])
        #expect(viaEnvironment.status == 3, "\(viaEnvironment)")
        #expect(viaEnvironment.stderr.hasPrefix("Error: cannot reach http://127.0.0.1:\(port)"))
        // A refused connection is not retried until the request's deadline.
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("a server failure (5xx) or an answer that is not an envelope exits 3 with the server's message")
    func serverFailures() async throws {
        let failing = RecordingServer(status: 500) { request in
            RecordingServer.envelope(for: request, status: 500, data: #""Internal error: disk I/O error""#)
        }
        try await failing.with { url in
            let result = try await ResonateCLI(server: url).run("promises", "get", "p")
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr == "Error: Internal error: disk I/O error (500 from promise.get)\n")
        }
        let proxy = RecordingServer(status: 502) { _ in "<html>Bad Gateway</html>" }
        try await proxy.with { url in
            let result = try await ResonateCLI(server: url).run("tasks", "get", "t")
            #expect(result.status == 3, "\(result)")
            #expect(result.stderr.hasPrefix("Error: unreadable task.get response from \(url) (HTTP 502): "))
            #expect(result.stderr.hasSuffix("<html>Bad Gateway</html>\n"))
        }
    }

    @Test("the token goes in head.auth and Authorization: Bearer, from --token or RESONATE_TOKEN, to RESONATE_URL")
    func tokenAndEnvironment() async throws {
        let server = RecordingServer(status: 200) { request in
            let id = request["data"]?["id"]?.stringValue ?? "?"
            return RecordingServer.envelope(
                for: request, status: 200,
                data:
                    #"{"promise":{"id":"\#(id)","state":"pending","param":{},"value":{},"tags":{},"timeoutAt":2000000000000,"createdAt":1000}}"#
            )
        }
        try await server.with { url in
            let flag = try await ResonateCLI(server: url).run("promises", "get", "a", "--token", "header.payload.sig")
            #expect(flag.status == 0, "\(flag)")
            let short = try await ResonateCLI(server: nil).run(
                "promises", "get", "b", "-T", "short.token.x", "-S", url, "--json")
            #expect(short.status == 0, "\(short)")
            let environment = try await ResonateCLI(server: nil).run(
                "promises", "get", "c", environment: ["RESONATE_URL": url, "RESONATE_TOKEN": "env.token.y"])
            #expect(environment.status == 0, "\(environment)")
            let none = try await ResonateCLI(server: url).run("promises", "get", "d")
            #expect(none.status == 0, "\(none)")
        }
        let recorded = server.recorded
        #expect(recorded.count == 4)
        guard recorded.count == 4 else { return }
        for (request, token) in zip(recorded.prefix(3), ["header.payload.sig", "short.token.x", "env.token.y"]) {
            #expect(request.authorization == "Bearer \(token)")
            let envelope = try JSONParser().parse(request.body)
            #expect(envelope["head"]?["auth"] == .string(token))
            #expect(envelope["head"]?["version"] == .string("2026-04-01"))
            #expect(envelope["kind"] == .string("promise.get"))
        }
        #expect(recorded[3].authorization == nil)
        #expect(try JSONParser().parse(recorded[3].body)["head"]?["auth"] == nil)
        #expect(try JSONParser().parse(recorded[2].body)["data"] == .object(["id": .string("c")]))
    }
}
