// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import ResonateServer
import Testing

/// Malformed requests get a 400 with a precise message and change nothing.
@Suite("Request envelopes and bad input", .timeLimit(.minutes(2)))
struct EnvelopeTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let body: String
        let status: Int
        let message: String
        var description: String { name }
    }

    static let head = #""head":{"corrId":"c1","version":"2026-04-01"}"#

    static func envelope(_ kind: String, _ data: String) -> String {
        #"{"kind":"\#(kind)",\#(head),"data":\#(data)}"#
    }

    static let cases: [Case] = [
        Case(
            name: "empty body", body: "", status: 400, message: "Invalid request envelope: Unexpected end of JSON input"
        ),
        Case(
            name: "not JSON", body: "hello", status: 400, message: "Invalid request envelope: Unexpected character 'h'"),
        Case(name: "truncated JSON", body: #"{"kind":"promise.get""#, status: 400, message: "Invalid request envelope"),
        Case(name: "array envelope", body: "[1,2]", status: 400, message: "expected a JSON object, got an array"),
        Case(name: "missing kind", body: #"{\#(head),"data":{}}"#, status: 400, message: "missing field 'kind'"),
        Case(
            name: "kind not a string", body: #"{"kind":5,\#(head),"data":{}}"#, status: 400,
            message: "field 'kind' must be a string, got a number"),
        Case(name: "empty kind", body: envelope("", "{}"), status: 400, message: "Missing or invalid 'kind' field"),
        Case(
            name: "missing head", body: #"{"kind":"promise.get","data":{}}"#, status: 400,
            message: "missing field 'head'"),
        Case(
            name: "missing corrId", body: #"{"kind":"promise.get","head":{"version":"2026-04-01"},"data":{}}"#,
            status: 400, message: "missing field 'head.corrId'"),
        Case(
            name: "missing version", body: #"{"kind":"promise.get","head":{"corrId":"c1"},"data":{}}"#, status: 400,
            message: "missing field 'head.version'"),
        Case(
            name: "wrong version",
            body: #"{"kind":"promise.get","head":{"corrId":"c1","version":"2025-01-01"},"data":{"id":"x"}}"#,
            status: 400, message: "Unsupported protocol version '2025-01-01'"),
        Case(
            name: "missing data", body: #"{"kind":"promise.get",\#(head)}"#, status: 400,
            message: "missing field 'data'"),
        Case(
            name: "data not an object", body: envelope("promise.get", "[]"), status: 400,
            message: "Invalid 'data' field — must be an object"),
        Case(
            name: "data null", body: envelope("promise.get", "null"), status: 400,
            message: "Invalid 'data' field — must be an object"),
        Case(
            name: "debug_time not an integer",
            body:
                #"{"kind":"promise.get","head":{"corrId":"c1","version":"2026-04-01","resonate:debug_time":"x"},"data":{"id":"a"}}"#,
            status: 400, message: "must be an integer"),
        Case(
            name: "duplicate keys", body: #"{"kind":"promise.get","kind":"promise.get",\#(head),"data":{}}"#,
            status: 400, message: "Duplicate object key"),
        Case(
            name: "trailing content", body: envelope("promise.get", #"{"id":"a"}"#) + "x", status: 400,
            message: "Unexpected content after the JSON value"),
        Case(
            name: "deep nesting",
            body: envelope("promise.get", String(repeating: "[", count: 500) + String(repeating: "]", count: 500)),
            status: 400, message: "nesting deeper than"),
        Case(
            name: "invalid UTF-8 escape", body: envelope("promise.get", #"{"id":"\ud800"}"#), status: 400,
            message: "Unpaired surrogate"),
        Case(
            name: "unknown kind", body: envelope("promise.frobnicate", "{}"), status: 400,
            message: "Unknown operation: promise.frobnicate"),
        Case(
            name: "missing id", body: envelope("promise.get", "{}"), status: 400,
            message: "Invalid request: missing field 'id'"),
        Case(
            name: "id wrong type", body: envelope("promise.get", #"{"id":7}"#), status: 400,
            message: "Invalid request: field 'id' must be a string, got a number"),
        Case(
            name: "empty id", body: envelope("promise.get", #"{"id":""}"#), status: 400,
            message: "Promise ID is required"),
        Case(
            name: "id too long", body: envelope("promise.get", #"{"id":"\#(String(repeating: "x", count: 1025))"}"#),
            status: 400, message: "Promise ID must be at most 1024 bytes"),
        Case(
            name: "NUL in id", body: envelope("promise.create", #"{"id":"a\u0000b","timeoutAt":1}"#), status: 400,
            message: "Promise ID must not contain null bytes"),
        Case(
            name: "negative timeout", body: envelope("promise.create", #"{"id":"a","timeoutAt":-1}"#), status: 400,
            message: "TimeoutAt must be a non-negative integer"),
        Case(
            name: "absurd timeout", body: envelope("promise.create", #"{"id":"a","timeoutAt":999999999999999999}"#),
            status: 400, message: "TimeoutAt must be at most 253402300799999"),
        Case(
            name: "fractional timeout", body: envelope("promise.create", #"{"id":"a","timeoutAt":1.5}"#), status: 400,
            message: "field 'timeoutAt' must be an integer"),
        Case(
            name: "timeout as string", body: envelope("promise.create", #"{"id":"a","timeoutAt":"1"}"#), status: 400,
            message: "field 'timeoutAt' must be an integer, got a string"),
        Case(
            name: "tag value not a string",
            body: envelope("promise.create", #"{"id":"a","timeoutAt":1,"tags":{"k":1}}"#), status: 400,
            message: "field 'tags.k' must be a string"),
        Case(
            name: "tags not an object", body: envelope("promise.create", #"{"id":"a","timeoutAt":1,"tags":[]}"#),
            status: 400, message: "field 'tags' must be an object"),
        Case(
            name: "param not an object", body: envelope("promise.create", #"{"id":"a","timeoutAt":1,"param":"x"}"#),
            status: 400, message: "field 'param' must be an object"),
        Case(
            name: "param data not a string",
            body: envelope("promise.create", #"{"id":"a","timeoutAt":1,"param":{"data":5}}"#), status: 400,
            message: "field 'param.data' must be a string"),
        Case(
            name: "invalid target",
            body: envelope("promise.create", #"{"id":"a","timeoutAt":1,"tags":{"resonate:target":"poll://workers"}}"#),
            status: 400, message: "Invalid resonate:target address 'poll://workers'"),
        Case(
            name: "unsupported target scheme",
            body: envelope("promise.create", #"{"id":"a","timeoutAt":1,"tags":{"resonate:target":"nats://x"}}"#),
            status: 400, message: "unsupported scheme 'nats'"),
        Case(
            name: "lineage violation",
            body: envelope("promise.create", #"{"id":"a:1","timeoutAt":1,"tags":{"resonate:origin":"b"}}"#),
            status: 400, message: "Promise ID must be prefixed by resonate:origin"),
        Case(
            name: "bad delay",
            body: envelope(
                "promise.create",
                #"{"id":"a","timeoutAt":10,"tags":{"resonate:delay":"soon","resonate:target":"poll://any@w"}}"#),
            status: 400, message: "resonate:delay must be a non-negative integer"),
        Case(
            name: "settle to pending", body: envelope("promise.settle", #"{"id":"a","state":"pending"}"#), status: 400,
            message: "field 'state' must be one of 'resolved', 'rejected', 'rejected_canceled', got 'pending'"),
        Case(
            name: "settle without state", body: envelope("promise.settle", #"{"id":"a"}"#), status: 400,
            message: "missing field 'state'"),
        Case(
            name: "callback to itself", body: envelope("promise.register_callback", #"{"awaited":"a","awaiter":"a"}"#),
            status: 400, message: "Awaited and awaiter must be different promises"),
        Case(
            name: "callback across origins",
            body: envelope("promise.register_callback", #"{"awaited":"a:1","awaiter":"b"}"#), status: 400,
            message: "Awaiter and awaited must belong to the same origin"),
        Case(
            name: "listener bad address",
            body: envelope("promise.register_listener", #"{"awaited":"a","address":"nowhere"}"#), status: 400,
            message: "Invalid listener address 'nowhere'"),
        Case(
            name: "search limit too large", body: envelope("promise.search", #"{"limit":1001}"#), status: 400,
            message: "Invalid 'limit' — must be between 1 and 1000"),
        Case(
            name: "search limit zero", body: envelope("promise.search", #"{"limit":0}"#), status: 400,
            message: "Limit must be a positive integer"),
        Case(
            name: "search unknown state", body: envelope("promise.search", #"{"state":"done"}"#), status: 400,
            message: "field 'state' must be one of"),
        Case(
            name: "task.create without target",
            body: envelope(
                "task.create",
                #"{"pid":"p","ttl":1000,"action":{"kind":"promise.create","head":{},"data":{"id":"a","timeoutAt":1}}}"#),
            status: 400, message: "Action must have a resonate:target tag"),
        Case(
            name: "task.create zero ttl",
            body: envelope(
                "task.create",
                #"{"pid":"p","ttl":0,"action":{"data":{"id":"a","timeoutAt":1,"tags":{"resonate:target":"poll://any@w"}}}}"#
            ), status: 400, message: "TTL must be a positive integer"),
        Case(
            name: "task.create absurd ttl",
            body: envelope(
                "task.create",
                #"{"pid":"p","ttl":99999999999,"action":{"data":{"id":"a","timeoutAt":1,"tags":{"resonate:target":"poll://any@w"}}}}"#
            ), status: 400, message: "TTL must be at most"),
        Case(
            name: "task.create wrong action kind",
            body: envelope(
                "task.create",
                #"{"pid":"p","ttl":1,"action":{"kind":"promise.settle","data":{"id":"a","timeoutAt":1}}}"#),
            status: 400, message: "field 'action.kind' must be 'promise.create'"),
        Case(
            name: "acquire negative version",
            body: envelope("task.acquire", #"{"id":"a","version":-1,"pid":"p","ttl":1}"#), status: 400,
            message: "Version must be a non-negative integer"),
        Case(
            name: "acquire many violations",
            body: envelope("task.acquire", #"{"id":"","version":-1,"pid":"","ttl":0}"#), status: 400,
            message:
                "Task ID is required; Version must be a non-negative integer; Process ID is required; TTL must be a positive integer"
        ),
        Case(
            name: "fulfill id mismatch",
            body: envelope("task.fulfill", #"{"id":"a","version":1,"action":{"data":{"id":"b","state":"resolved"}}}"#),
            status: 400, message: "Action ID must match the task ID"),
        Case(
            name: "suspend without actions", body: envelope("task.suspend", #"{"id":"a","version":1,"actions":[]}"#),
            status: 400, message: "Actions array cannot be empty"),
        Case(
            name: "suspend foreign awaiter",
            body: envelope(
                "task.suspend", #"{"id":"a","version":1,"actions":[{"data":{"awaited":"a:1","awaiter":"b"}}]}"#),
            status: 400, message: "must belong to the same origin"),
        Case(
            name: "suspend action not an object",
            body: envelope("task.suspend", #"{"id":"a","version":1,"actions":[3]}"#), status: 400,
            message: "field 'actions[0]' must be an object"),
        Case(
            name: "fence unknown kind",
            body: envelope(
                "task.fence", #"{"id":"a","version":1,"action":{"kind":"promise.get","data":{"id":"a:1"}}}"#),
            status: 400, message: "Invalid fence action kind"),
        Case(
            name: "fence own id",
            body: envelope(
                "task.fence",
                #"{"id":"a","version":1,"action":{"kind":"promise.settle","data":{"id":"a","state":"resolved"}}}"#),
            status: 400, message: "Action ID must not equal the task ID"),
        Case(
            name: "fence bad inner data",
            body: envelope(
                "task.fence", #"{"id":"a","version":1,"action":{"kind":"promise.create","data":{"id":"a:1"}}}"#),
            status: 400, message: "Invalid action data: missing field 'action.data.timeoutAt'"),
        Case(
            name: "heartbeat without tasks", body: envelope("task.heartbeat", #"{"pid":"p","tasks":[]}"#), status: 400,
            message: "Tasks array must not be empty"),
        Case(
            name: "heartbeat bad entry", body: envelope("task.heartbeat", #"{"pid":"p","tasks":[{"id":"a"}]}"#),
            status: 400, message: "missing field 'tasks[0].version'"),
        Case(
            name: "schedule bad cron",
            body: envelope(
                "schedule.create",
                #"{"id":"s","cron":"61 * * * *","promiseId":"p","promiseTimeout":1,"promiseTags":{"resonate:target":"poll://any@w"}}"#
            ), status: 400, message: "Invalid cron expression \"61 * * * *\""),
        Case(
            name: "schedule without target",
            body: envelope("schedule.create", #"{"id":"s","cron":"* * * * *","promiseId":"p","promiseTimeout":1}"#),
            status: 400, message: "promiseTags must include a resonate:target tag"),
        Case(
            name: "schedule dotted id",
            body: envelope(
                "schedule.create",
                #"{"id":"s.1","cron":"* * * * *","promiseId":"p","promiseTimeout":1,"promiseTags":{"resonate:target":"poll://any@w"}}"#
            ), status: 400, message: "Schedule ID must not contain '.'"),
        Case(
            name: "debug tick without time", body: envelope("debug.tick", "{}"), status: 400,
            message: "Missing or invalid 'time' field"),
    ]

    @Test("is rejected with a precise message", arguments: cases)
    func rejected(_ testCase: Case) async throws {
        try await LiveServer.with { server in
            let (status, envelope) = try await server.post(testCase.body)
            #expect(status == testCase.status)
            #expect(envelope["head"]?["status"] == .integer(Int64(testCase.status)))
            guard case .string(let message)? = envelope["data"] else {
                Issue.record("error data must be a string, got \(String(describing: envelope["data"]))")
                return
            }
            #expect(message.contains(testCase.message), "got: \(message)")
            // Nothing was written.
            let (_, snapshot) = try await server.rpc("debug.snap", "{}")
            #expect(snapshot["promises"] == .array([]))
            #expect(snapshot["tasks"] == .array([]))
        }
    }

    @Test("the error envelope echoes kind and corrId when they could be read")
    func errorEnvelopeEcho() async throws {
        try await LiveServer.with { server in
            let (_, envelope) = try await server.post(
                #"{"kind":"promise.get","head":{"corrId":"abc","version":"1999"},"data":{}}"#
            )
            #expect(envelope["kind"] == .string("promise.get"))
            #expect(envelope["head"]?["corrId"] == .string("abc"))
            #expect(envelope["head"]?["version"] == .string("2026-04-01"))
        }
    }

    @Test("bodies above the limit get 413")
    func oversizedBody() async throws {
        try await LiveServer.with(server: { $0.maximumBodySize = 64 << 10 }) { server in
            let data = String(repeating: "a", count: 100 << 10)
            let (status, envelope) = try await server.post(
                EnvelopeTests.envelope("promise.create", #"{"id":"big","timeoutAt":1,"param":{"data":"\#(data)"}}"#)
            )
            #expect(status == 413)
            #expect(envelope["data"]?.stringValue?.contains("exceeds the limit of 65536 bytes") == true)
            let (getStatus, _) = try await server.rpc("promise.get", #"{"id":"big"}"#)
            #expect(getStatus == 404)
        }
    }

    @Test("debug operations are forbidden unless debug mode is on")
    func debugForbidden() async throws {
        try await LiveServer.with(engine: { $0.isDebugEnabled = false }) { server in
            for kind in ["debug.start", "debug.stop", "debug.reset", "debug.snap"] {
                let (status, data) = try await server.rpc(kind, "{}")
                #expect(status == 403)
                #expect(data == .string("Debug operations are disabled"))
            }
        }
    }

    @Test("health, readiness, legacy REST paths and unknown routes")
    func operationalRoutes() async throws {
        try await LiveServer.with { server in
            #expect(try await server.get("/health").status == 200)
            #expect(try await server.get("/ready").status == 200)
            for path in ["/promises", "/promises/abc", "/schedules/x/y", "/tasks"] {
                let (status, body) = try await server.get(path)
                #expect(status == 410)
                #expect(body == #"{"error":"This endpoint is no longer supported. Please update to the latest SDK."}"#)
            }
            #expect(try await server.get("/nowhere").status == 404)
        }
    }

    @Test("a suspend that must continue answers HTTP 300 with the preload")
    func suspendRedirectOverHTTP() async throws {
        try await LiveServer.with { server in
            let now = LiveServer.now
            let create = try await server.rpc(
                "task.create",
                #"{"pid":"p","ttl":60000,"action":{"kind":"promise.create","head":{},"data":{"id":"wf","timeoutAt":\#(now + 600_000),"tags":{"resonate:target":"poll://any@w","resonate:origin":"wf","resonate:branch":"wf"}}}}"#
            )
            #expect(create.status == 200)
            _ = try await server.rpc(
                "task.fence",
                #"{"id":"wf","version":1,"action":{"kind":"promise.create","data":{"id":"wf:1","timeoutAt":\#(now + 600_000),"tags":{"resonate:branch":"wf","resonate:origin":"wf","resonate:parent":"wf"}}}}"#
            )
            _ = try await server.rpc(
                "task.fence",
                #"{"id":"wf","version":1,"action":{"kind":"promise.settle","data":{"id":"wf:1","state":"resolved","value":{"data":"MQ=="}}}}"#
            )
            let suspend = try await server.rpc(
                "task.suspend",
                #"{"id":"wf","version":1,"actions":[{"kind":"promise.register_callback","head":{},"data":{"awaited":"wf:1","awaiter":"wf"}}]}"#
            )
            #expect(suspend.status == 300)
            guard case .array(let preload)? = suspend.data["preload"] else {
                Issue.record("missing preload in \(suspend.data)")
                return
            }
            #expect(preload.map { $0["id"] } == [.string("wf:1")])
        }
    }
}
