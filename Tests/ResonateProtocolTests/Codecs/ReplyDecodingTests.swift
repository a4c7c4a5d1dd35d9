// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

/// A reply to an operation of `kind`, named for the test report.
struct ReplyCase: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: RequestKind
    var reply: Reply

    init(_ kind: RequestKind, _ name: String, _ reply: Reply) {
        self.kind = kind
        self.name = name
        self.reply = reply
    }

    var testDescription: String { "\(kind.rawValue): \(name)" }
}

/// Data that must not decode, and the message that must say why.
struct BadReply: Sendable, CustomTestStringConvertible {
    var kind: RequestKind
    var status: Int
    var data: String
    var field: String?
    var message: String

    init(_ kind: RequestKind, _ status: Int, _ data: String, field: String?, _ message: String) {
        self.kind = kind
        self.status = status
        self.data = data
        self.field = field
        self.message = message
    }

    var testDescription: String { "\(kind.rawValue) \(status) \(data.prefix(60))" }
}

@Suite("Reply decoding")
struct ReplyDecodingTests {
    static let createOutcome = FenceOutcome(kind: .promiseCreate, status: 200, promise: Sample.pending, preload: [])
    static let settleOutcome = FenceOutcome(
        kind: .promiseSettle,
        status: 200,
        promise: Sample.resolved,
        preload: [Sample.pending, Sample.resolved]
    )
    static let missingOutcome = FenceOutcome(
        kind: .promiseSettle, status: 404, promise: nil, preload: [Sample.timedOut])

    static let successes: [ReplyCase] = {
        var cases: [ReplyCase] = []
        for kind in [
            RequestKind.promiseGet, .promiseCreate, .promiseSettle, .promiseRegisterCallback,
            .promiseRegisterListener, .taskFulfill,
        ] {
            cases.append(ReplyCase(kind, "pending", .ok(.promise(Sample.pending))))
            cases.append(ReplyCase(kind, "settled", .ok(.promise(Sample.resolved))))
        }
        cases += [
            ReplyCase(.promiseSearch, "empty", .ok(.promises([], cursor: nil))),
            ReplyCase(.promiseSearch, "page", .ok(.promises([Sample.pending, Sample.resolved], cursor: "wf:1"))),
            ReplyCase(.promiseSearch, "last page", .ok(.promises([Sample.timedOut], cursor: nil))),
            ReplyCase(.taskGet, "acquired", .ok(.task(Sample.acquired))),
            ReplyCase(.taskGet, "suspended", .ok(.task(Sample.suspended))),
            ReplyCase(
                .taskCreate,
                "acquired",
                .ok(.taskWithPromise(task: Sample.acquired, promise: Sample.pending, preload: [Sample.resolved]))
            ),
            ReplyCase(
                .taskCreate,
                "fulfilled",
                .ok(.taskWithPromise(task: Sample.fulfilled, promise: Sample.timedOut, preload: []))
            ),
            ReplyCase(
                .taskAcquire,
                "acquired",
                .ok(.taskWithPromise(task: Sample.acquired, promise: Sample.pending, preload: []))
            ),
            ReplyCase(.taskRelease, "empty", .ok(.empty)),
            ReplyCase(.taskSuspend, "suspended", .ok(.empty)),
            ReplyCase(.taskSuspend, "continue", Reply(status: 300, payload: .preload([Sample.resolved]))),
            ReplyCase(.taskSuspend, "continue, no preload", Reply(status: 300, payload: .preload([]))),
            ReplyCase(.taskFence, "create", .ok(.fenced(createOutcome))),
            ReplyCase(.taskFence, "settle", .ok(.fenced(settleOutcome))),
            ReplyCase(.taskFence, "settle of a missing promise", .ok(.fenced(missingOutcome))),
            ReplyCase(.taskHeartbeat, "empty", .ok(.empty)),
            ReplyCase(.taskHalt, "empty", .ok(.empty)),
            ReplyCase(.taskContinue, "empty", .ok(.empty)),
            ReplyCase(.taskSearch, "empty", .ok(.tasks([], cursor: nil))),
            ReplyCase(
                .taskSearch, "page", .ok(.tasks([Sample.acquired, Sample.suspended, Sample.fulfilled], cursor: "x"))),
            ReplyCase(.scheduleGet, "never fired", .ok(.schedule(Sample.schedule))),
            ReplyCase(.scheduleGet, "fired", .ok(.schedule(Sample.firedSchedule))),
            ReplyCase(.scheduleCreate, "created", .ok(.schedule(Sample.schedule))),
            ReplyCase(.scheduleDelete, "empty", .ok(.empty)),
            ReplyCase(.scheduleSearch, "empty", .ok(.schedules([], cursor: nil))),
            ReplyCase(.scheduleSearch, "page", .ok(.schedules([Sample.schedule, Sample.firedSchedule], cursor: "m"))),
            ReplyCase(.debugStart, "empty", .ok(.empty)),
            ReplyCase(.debugStop, "empty", .ok(.empty)),
            ReplyCase(.debugReset, "empty", .ok(.empty)),
            ReplyCase(.debugSnap, "full", .ok(.snapshot(Sample.snapshot))),
            ReplyCase(
                .debugSnap,
                "empty",
                .ok(
                    .snapshot(
                        DebugSnapshot(
                            promises: [],
                            promiseTimeouts: [],
                            callbacks: [],
                            listeners: [],
                            tasks: [],
                            taskTimeouts: [],
                            messages: []
                        )
                    )
                )
            ),
            ReplyCase(.debugTick, "empty", .ok(.emptyArray)),
        ]
        return cases
    }()

    static let errors: [ReplyCase] = RequestKind.allCases.flatMap { kind in
        [
            ReplyCase(kind, "400", Reply(.badRequest("Invalid request: missing field 'id'"))),
            ReplyCase(kind, "404", Reply(.notFound("Promise not found"))),
            ReplyCase(kind, "409", Reply(.conflict("Version mismatch"))),
            ReplyCase(kind, "500 with quotes", Reply(status: 500, payload: .error("Internal error: \"disk\"\nfull"))),
            ReplyCase(kind, "empty message", Reply(status: 403, payload: .error(""))),
        ]
    }

    @Test("the success table covers every operation")
    func coversEveryKind() {
        #expect(Set(Self.successes.map(\.kind)) == Set(RequestKind.allCases))
    }

    @Test("success replies survive writeData and decoding", arguments: successes)
    func successRoundTrip(_ testCase: ReplyCase) throws {
        let data = try encodedData(of: testCase.reply)
        #expect(try Reply(kind: testCase.kind, status: testCase.reply.status, data: data) == testCase.reply)
    }

    @Test("error replies survive writeData and decoding", arguments: errors)
    func errorRoundTrip(_ testCase: ReplyCase) throws {
        let data = try encodedData(of: testCase.reply)
        let decoded = try Reply(kind: testCase.kind, status: testCase.reply.status, data: data)
        #expect(decoded == testCase.reply)
        #expect(!decoded.isSuccess)
    }

    @Test("replies survive a whole response envelope", arguments: successes + errors)
    func envelopeRoundTrip(_ testCase: ReplyCase) throws {
        let bytes = ResponseEnvelope.encode(kind: testCase.kind.rawValue, correlationID: "sr-9", reply: testCase.reply)
        let response = try ResponseEnvelope.decode(bytes)
        #expect(response.kind == testCase.kind.rawValue)
        #expect(response.correlationID == "sr-9")
        #expect(response.status == testCase.reply.status)
        #expect(try Reply(kind: testCase.kind, status: response.status, data: response.data) == testCase.reply)
    }

    @Test("any 2xx status is a success; the simulator's 201 decodes like 200")
    func otherSuccessStatuses() throws {
        let data = try encodedData(of: .ok(.promise(Sample.pending)))
        #expect(
            try Reply(kind: .promiseCreate, status: 201, data: data)
                == Reply(status: 201, payload: .promise(Sample.pending)))
        #expect(try Reply(kind: .taskRelease, status: 204, data: .null) == Reply(status: 204, payload: .empty))
    }

    @Test("error data: a string, a flat error object, or anything else as JSON text")
    func errorShapes() throws {
        #expect(
            try Reply(kind: .taskCreate, status: 409, data: .string("Already exists")).payload
                == .error("Already exists"))
        #expect(
            try Reply(kind: .taskCreate, status: 409, data: json(#"{"error":"Already exists"}"#)).payload
                == .error("Already exists"))
        #expect(
            try Reply(kind: .promiseGet, status: 500, data: json(#"{"b":[1,true],"a":null}"#)).payload
                == .error(#"{"a":null,"b":[1,true]}"#))
        #expect(try Reply(kind: .promiseGet, status: 502, data: .null).payload == .error("null"))
        #expect(try Reply(kind: .debugTick, status: 403, data: .string("Debug operations are disabled")).status == 403)
    }

    @Test(
        "statuses outside 2xx, 300 for task.suspend and 400+ are rejected",
        arguments: [
            (RequestKind.promiseGet, 300), (.taskFence, 300), (.taskSuspend, 301), (.promiseGet, 199), (.promiseGet, 0),
            (.taskSuspend, 399), (.debugTick, -1),
        ])
    func unexpectedStatus(_ kind: RequestKind, _ status: Int) throws {
        let error = try #require(throws: ReplyDecodingError.self) {
            try Reply(kind: kind, status: status, data: .object([:]))
        }
        #expect(error.reason == .unexpectedStatus)
        #expect(error.field == "head.status")
        let expected = kind == .taskSuspend ? "2xx, 300 or an error status" : "2xx or an error status"
        #expect(error.message == "Unexpected status \(status) in a \(kind.rawValue) response (expected \(expected))")
    }

    @Test("null and missing optional fields are tolerated")
    func tolerance() throws {
        let promise =
            #"{"id":"p","state":"pending","param":null,"value":null,"tags":null,"timeoutAt":5,"createdAt":1,"#
            + #""settledAt":null,"extra":[1]}"#
        let expected = PromiseRecord(id: "p", state: .pending, timeoutAt: 5, createdAt: 1)
        let get = try Reply(kind: .promiseGet, status: 200, data: json(#"{"promise":\#(promise),"unknown":{}}"#))
        #expect(get.payload == .promise(expected))
        let search = try Reply(
            kind: .promiseSearch, status: 200, data: json(#"{"promises":[\#(promise)],"cursor":null}"#))
        #expect(search.payload == .promises([expected], cursor: nil))
        let task = #"{"id":"p","state":"pending","version":0,"resumes":null,"ttl":null,"pid":null,"promiseId":"p"}"#
        let acquire = try Reply(
            kind: .taskAcquire, status: 200, data: json(#"{"task":\#(task),"promise":\#(promise)}"#))
        #expect(
            acquire.payload
                == .taskWithPromise(
                    task: TaskRecord(id: "p", state: .pending, version: 0), promise: expected, preload: []))
        let suspend = try Reply(kind: .taskSuspend, status: 300, data: json(#"{"preload":null}"#))
        #expect(suspend.payload == .preload([]))
        let released = try Reply(kind: .taskRelease, status: 200, data: json(#"{"anything":1}"#))
        #expect(released.payload == .empty)
        let tick = try Reply(kind: .debugTick, status: 200, data: json("{}"))
        #expect(tick.payload == .emptyArray)
        let snap = try Reply(kind: .debugSnap, status: 200, data: json("{}"))
        #expect(
            snap.payload
                == .snapshot(
                    DebugSnapshot(
                        promises: [], promiseTimeouts: [], callbacks: [], listeners: [], tasks: [], taskTimeouts: [],
                        messages: [])))
        let integral = try Reply(
            kind: .taskGet, status: 200, data: json(#"{"task":{"id":"t","state":"halted","version":2.0}}"#))
        #expect(integral.payload == .task(TaskRecord(id: "t", state: .halted, version: 2)))
    }

    @Test("fenced outcomes without kind or head: the simulator's shape")
    func fenceTolerance() throws {
        let promise = #"{"id":"wf:1","state":"pending","param":{},"value":null,"tags":{},"timeoutAt":5,"createdAt":1}"#
        let data = try json(#"{"action":{"data":{"promise":\#(promise)}},"preload":[\#(promise)]}"#)
        let record = PromiseRecord(id: "wf:1", state: .pending, timeoutAt: 5, createdAt: 1)
        let fence = Request.taskFence(
            TaskFence(id: "wf", version: 1, action: .settle(PromiseSettle(id: "wf:1", state: .resolved))))
        let reply = try Reply(replyingTo: fence, status: 200, data: data)
        #expect(
            reply.payload
                == .fenced(FenceOutcome(kind: .promiseSettle, status: 200, promise: record, preload: [record])))
        let error = try #require(throws: ReplyDecodingError.self) {
            try Reply(kind: .taskFence, status: 200, data: data)
        }
        #expect(error.message == "Invalid task.fence response: missing field 'data.action.kind'")
        #expect(error.field == "data.action.kind")

        let missing = try json(#"{"action":{"kind":"promise.settle","data":"Promise not found"}}"#)
        #expect(
            try FenceOutcome(json: missing)
                == FenceOutcome(kind: .promiseSettle, status: 404, promise: nil, preload: []))
        let explicit = try json(
            #"{"action":{"kind":"promise.create","head":{"status":200},"data":{"promise":\#(promise)}}}"#)
        #expect(try FenceOutcome(json: explicit, actionKind: .promiseSettle).kind == .promiseCreate)
    }

    static let badReplies: [BadReply] = [
        BadReply(
            .promiseGet, 200, "{}", field: "data.promise",
            "Invalid promise.get response: missing field 'data.promise'"),
        BadReply(
            .promiseGet, 200, #"{"promise":null}"#, field: "data.promise",
            "Invalid promise.get response: missing field 'data.promise'"),
        BadReply(
            .promiseGet, 200, "[]", field: "data",
            "Invalid promise.get response: field 'data' must be an object, got an array"),
        BadReply(
            .promiseGet, 200, #""ok""#, field: "data",
            "Invalid promise.get response: field 'data' must be an object, got a string"),
        BadReply(
            .promiseCreate, 201, #"{"promise":{"id":1}}"#, field: "data.promise.id",
            "Invalid promise.create response: field 'data.promise.id' must be a string, got a number"
        ),
        BadReply(
            .promiseSettle, 200, #"{"promise":{"id":"p","state":"done"}}"#, field: "data.promise.state",
            "Invalid promise.settle response: field 'data.promise.state' must be one of 'pending', 'resolved', "
                + "'rejected', 'rejected_canceled', 'rejected_timedout', got 'done'"
        ),
        BadReply(
            .promiseGet, 200, #"{"promise":{"id":"p","state":"pending","timeoutAt":1.5,"createdAt":1}}"#,
            field: "data.promise.timeoutAt",
            "Invalid promise.get response: field 'data.promise.timeoutAt' must be an integer, got a number with a "
                + "fraction or out of range"
        ),
        BadReply(
            .promiseGet, 200, #"{"promise":{"id":"p","state":"pending","timeoutAt":"1","createdAt":1}}"#,
            field: "data.promise.timeoutAt",
            "Invalid promise.get response: field 'data.promise.timeoutAt' must be an integer, got a string"
        ),
        BadReply(
            .promiseGet, 200, #"{"promise":{"id":"p","state":"pending","timeoutAt":1}}"#,
            field: "data.promise.createdAt", "Invalid promise.get response: missing field 'data.promise.createdAt'"
        ),
        BadReply(
            .promiseGet, 200, #"{"promise":{"id":"p","state":"pending","tags":{"a":1},"timeoutAt":1,"createdAt":1}}"#,
            field: "data.promise.tags.a",
            "Invalid promise.get response: field 'data.promise.tags.a' must be a string, got a number"
        ),
        BadReply(
            .promiseGet, 200, #"{"promise":{"id":"p","state":"pending","tags":[],"timeoutAt":1,"createdAt":1}}"#,
            field: "data.promise.tags",
            "Invalid promise.get response: field 'data.promise.tags' must be an object, got an array"
        ),
        BadReply(
            .promiseGet, 200, #"{"promise":{"id":"p","state":"pending","value":"x","timeoutAt":1,"createdAt":1}}"#,
            field: "data.promise.value",
            "Invalid promise.get response: field 'data.promise.value' must be an object, got a string"
        ),
        BadReply(
            .promiseGet, 200,
            #"{"promise":{"id":"p","state":"pending","value":{"headers":"h"},"timeoutAt":1,"createdAt":1}}"#,
            field: "data.promise.value.headers",
            "Invalid promise.get response: field 'data.promise.value.headers' must be an object, got a string"
        ),
        BadReply(
            .promiseGet, 200,
            #"{"promise":{"id":"p","state":"pending","param":{"data":5},"timeoutAt":1,"createdAt":1}}"#,
            field: "data.promise.param.data",
            "Invalid promise.get response: field 'data.promise.param.data' must be a string, got a number"
        ),
        BadReply(
            .promiseSearch, 200, #"{"promises":{}}"#, field: "data.promises",
            "Invalid promise.search response: field 'data.promises' must be an array, got an object"
        ),
        BadReply(
            .promiseSearch, 200, #"{"cursor":"c"}"#, field: "data.promises",
            "Invalid promise.search response: missing field 'data.promises'"
        ),
        BadReply(
            .promiseSearch, 200, #"{"promises":[],"cursor":7}"#, field: "data.cursor",
            "Invalid promise.search response: field 'data.cursor' must be a string, got a number"
        ),
        BadReply(
            .taskSuspend, 300, #"{"preload":[{"id":"a","state":"pending","timeoutAt":1,"createdAt":1},"b"]}"#,
            field: "data.preload[1]",
            "Invalid task.suspend response: field 'data.preload[1]' must be an object, got a string"
        ),
        BadReply(
            .taskAcquire, 200, #"{"task":{"id":"t","state":"leased","version":1}}"#, field: "data.task.state",
            "Invalid task.acquire response: field 'data.task.state' must be one of 'pending', 'acquired', "
                + "'suspended', 'halted', 'fulfilled', got 'leased'"
        ),
        BadReply(
            .taskCreate, 200, #"{"task":{"id":"t","state":"acquired","version":1}}"#, field: "data.promise",
            "Invalid task.create response: missing field 'data.promise'"
        ),
        BadReply(
            .taskGet, 200, #"{"task":{"id":"t","state":"acquired","version":1,"pid":7}}"#, field: "data.task.pid",
            "Invalid task.get response: field 'data.task.pid' must be a string, got a number"
        ),
        BadReply(
            .taskSearch, 200, #"{"tasks":[{"id":"t","state":"pending"}]}"#, field: "data.tasks[0].version",
            "Invalid task.search response: missing field 'data.tasks[0].version'"
        ),
        BadReply(
            .taskFence, 200, #"{"action":{"kind":"promise.get","data":{}}}"#, field: "data.action.kind",
            "Invalid task.fence response: field 'data.action.kind' must be 'promise.create' or 'promise.settle', "
                + "got 'promise.get'"
        ),
        BadReply(
            .taskFence, 200, #"{"action":{"kind":"promise.create","head":{"status":200},"data":{}}}"#,
            field: "data.action.data.promise", "Invalid task.fence response: missing field 'data.action.data.promise'"
        ),
        BadReply(
            .taskFence, 200, #"{"action":{"kind":"promise.create","head":{"status":"200"}}}"#,
            field: "data.action.head.status",
            "Invalid task.fence response: field 'data.action.head.status' must be an integer, got a string"
        ),
        BadReply(
            .taskFence, 200, #"{"preload":[]}"#, field: "data.action",
            "Invalid task.fence response: missing field 'data.action'"),
        BadReply(
            .taskRelease, 200, #""ok""#, field: "data",
            "Invalid task.release response: field 'data' must be an object, got a string"),
        BadReply(
            .debugTick, 200, "7", field: "data",
            "Invalid debug.tick response: field 'data' must be an array, got a number"),
        BadReply(
            .scheduleGet, 200,
            #"{"schedule":{"id":"s","cron":"* * * * *","promiseId":"p","createdAt":1,"nextRunAt":2}}"#,
            field: "data.schedule.promiseTimeout",
            "Invalid schedule.get response: missing field 'data.schedule.promiseTimeout'"
        ),
        BadReply(
            .scheduleSearch, 200, #"{"schedules":[1]}"#, field: "data.schedules[0]",
            "Invalid schedule.search response: field 'data.schedules[0]' must be an object, got a number"
        ),
        BadReply(
            .debugSnap, 200, #"{"taskTimeouts":[{"id":"t","timeout":1}]}"#, field: "data.taskTimeouts[0].type",
            "Invalid debug.snap response: missing field 'data.taskTimeouts[0].type'"
        ),
        BadReply(
            .debugSnap, 200, #"{"messages":[{"address":"a","message":{"kind":"notify"}}]}"#,
            field: "data.messages[0].message.kind",
            "Invalid debug.snap response: in field 'data.messages[0].message': Unknown message kind 'notify' "
                + "(expected 'execute' or 'unblock')"
        ),
        BadReply(
            .debugSnap, 200, #"{"messages":[{"address":"a","message":{"kind":"execute","data":{"task":{"id":"t"}}}}]}"#,
            field: "data.messages[0].message.data.task.version",
            "Invalid debug.snap response: in field 'data.messages[0].message': Invalid execute message: missing field "
                + "'data.task.version'"
        ),
    ]

    @Test("malformed data is reported with the field path and what was expected", arguments: badReplies)
    func precise(_ bad: BadReply) throws {
        let data = try json(bad.data)
        let error = try #require(throws: ReplyDecodingError.self) {
            try Reply(kind: bad.kind, status: bad.status, data: data)
        }
        #expect(error.message == bad.message)
        #expect(error.description == bad.message)
        #expect(error.field == bad.field)
        #expect(error.reason == .invalidField)
    }
}
