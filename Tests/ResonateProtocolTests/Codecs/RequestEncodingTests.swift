// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

/// A request to encode, named for the test report.
struct RequestCase: Sendable, CustomTestStringConvertible {
    var name: String
    var request: Request

    init(_ name: String, _ request: Request) {
        self.name = name
        self.request = request
    }

    var testDescription: String { "\(request.kind.rawValue): \(name)" }
}

@Suite("Request encoding")
struct RequestEncodingTests {
    static let target = [Tag.target: "poll://any@workers"]
    static let create = PromiseCreate(
        id: "wf",
        timeoutAt: 1_795_325_219_338,
        param: Value(data: "eyJhcmdzIjpbNDFdfQ=="),
        tags: [Tag.origin: "wf", Tag.branch: "wf", Tag.parent: "wf", Tag.target: "poll://any@workers"]
    )

    static let cases: [RequestCase] = [
        RequestCase("id", .promiseGet(id: "wf")),
        RequestCase("escaped id", .promiseGet(id: "a\"b\\c\n\u{1}é\u{1F600}")),
        RequestCase("full", .promiseCreate(create)),
        RequestCase("no param, no tags", .promiseCreate(PromiseCreate(id: "bare", timeoutAt: 0))),
        RequestCase(
            "headers only",
            .promiseCreate(PromiseCreate(id: "h", timeoutAt: 5, param: Value(headers: ["k": "v"]), tags: ["a": ""]))
        ),
        RequestCase("empty headers", .promiseCreate(PromiseCreate(id: "h", timeoutAt: 5, param: Value(headers: [:])))),
        RequestCase("resolved", .promiseSettle(PromiseSettle(id: "wf", state: .resolved, value: Value(data: "NDI=")))),
        RequestCase("rejected empty", .promiseSettle(PromiseSettle(id: "wf", state: .rejected))),
        RequestCase(
            "canceled",
            .promiseSettle(
                PromiseSettle(id: "wf", state: .rejectedCanceled, value: Value(headers: ["x": "y"], data: "")))
        ),
        RequestCase("pair", .promiseRegisterCallback(awaited: "wf:1", awaiter: "wf")),
        RequestCase("address", .promiseRegisterListener(awaited: "wf", address: "poll://uni@workers/p1")),
        RequestCase("defaults", .promiseSearch(PromiseSearch())),
        RequestCase(
            "everything",
            .promiseSearch(
                PromiseSearch(state: .rejectedTimedOut, tags: ["a": "b", "c": "d"], limit: 1000, cursor: "x"))
        ),
        RequestCase("state only", .promiseSearch(PromiseSearch(state: .pending, limit: 1))),
        RequestCase("id", .taskGet(id: "wf")),
        RequestCase("full", .taskCreate(TaskCreate(pid: "p1", ttl: 60_000, promise: create))),
        RequestCase(
            "bare param",
            .taskCreate(TaskCreate(pid: "p", ttl: 1, promise: PromiseCreate(id: "t", timeoutAt: 9, tags: target)))
        ),
        RequestCase("version 0", .taskAcquire(TaskAcquire(id: "wf", version: 0, pid: "p1", ttl: 60_000))),
        RequestCase("large version", .taskAcquire(TaskAcquire(id: "wf", version: Int64.max, pid: "p", ttl: 1))),
        RequestCase("release", .taskRelease(id: "wf", version: 3)),
        RequestCase(
            "resolved",
            .taskFulfill(
                TaskFulfill(
                    id: "wf", version: 1, settle: PromiseSettle(id: "wf", state: .resolved, value: Value(data: "Mg==")))
            )
        ),
        RequestCase(
            "rejected",
            .taskFulfill(TaskFulfill(id: "wf", version: 2, settle: PromiseSettle(id: "wf", state: .rejected)))
        ),
        RequestCase("one awaited", .taskSuspend(TaskSuspend(id: "wf", version: 1, awaiting: ["wf:1"]))),
        RequestCase(
            "three awaited", .taskSuspend(TaskSuspend(id: "wf", version: 4, awaiting: ["wf:1", "wf:2", "wf:3"]))),
        RequestCase(
            "create",
            .taskFence(
                TaskFence(
                    id: "wf",
                    version: 1,
                    action: .create(
                        PromiseCreate(
                            id: "wf:1",
                            timeoutAt: 1_795_325_219_532,
                            tags: [Tag.scope: "local", Tag.branch: "wf", Tag.parent: "wf", Tag.origin: "wf"]
                        )
                    )
                )
            )
        ),
        RequestCase(
            "settle",
            .taskFence(
                TaskFence(
                    id: "wf",
                    version: 1,
                    action: .settle(PromiseSettle(id: "wf:1", state: .resolved, value: Value(data: "Mg==")))
                )
            )
        ),
        RequestCase("one task", .taskHeartbeat(TaskHeartbeat(pid: "p1", tasks: [TaskReference(id: "wf", version: 1)]))),
        RequestCase(
            "several tasks",
            .taskHeartbeat(
                TaskHeartbeat(
                    pid: "p1", tasks: [TaskReference(id: "a", version: 1), TaskReference(id: "b", version: 9)])
            )
        ),
        RequestCase("halt", .taskHalt(id: "wf")),
        RequestCase("continue", .taskContinue(id: "wf")),
        RequestCase("defaults", .taskSearch(TaskSearch())),
        RequestCase("everything", .taskSearch(TaskSearch(state: .suspended, limit: 7, cursor: "wf"))),
        RequestCase("id", .scheduleGet(id: "nightly")),
        RequestCase(
            "full",
            .scheduleCreate(
                ScheduleCreate(
                    id: "nightly",
                    cron: "0 0 * * *",
                    promiseId: "{{.id}}-{{.timestamp}}",
                    promiseTimeout: 86_400_000,
                    promiseParam: Value(data: "e30="),
                    promiseTags: target
                )
            )
        ),
        RequestCase(
            "empty param",
            .scheduleCreate(
                ScheduleCreate(id: "s", cron: "* * * * *", promiseId: "p", promiseTimeout: 0, promiseTags: target)
            )
        ),
        RequestCase("id", .scheduleDelete(id: "nightly")),
        RequestCase("defaults", .scheduleSearch(ScheduleSearch())),
        RequestCase("everything", .scheduleSearch(ScheduleSearch(tags: ["team": "a"], limit: 1000, cursor: "n"))),
        RequestCase("start", .debugStart),
        RequestCase("stop", .debugStop),
        RequestCase("reset", .debugReset),
        RequestCase("snap", .debugSnap),
        RequestCase("tick", .debugTick(time: 1_795_238_819_338)),
        RequestCase("tick zero", .debugTick(time: 0)),
    ]

    @Test("the preload opt-out travels in the head, only for operations whose answers carry a preload")
    func preloadOptOut() throws {
        let settle = PromiseSettle(id: "w:1", state: .resolved)
        let fence = Request.taskFence(TaskFence(id: "w", version: 1, action: .settle(settle))).omittingPreload()
        let bytes = fence.envelope(correlationID: "c1")
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""resonate-swift:preload":false"#))
        let envelope = try RequestEnvelope.parse(bytes).get()
        #expect(envelope.omitsPreload)
        #expect(try Request(kind: envelope.kind, data: envelope.data).omittingPreload() == fence)
        let plain = Request.taskFence(TaskFence(id: "w", version: 1, action: .settle(settle)))
        #expect(!String(decoding: plain.envelope(correlationID: "c1"), as: UTF8.self).contains("preload"))
        #expect(try !RequestEnvelope.parse(plain.envelope(correlationID: "c1")).get().omitsPreload)
        #expect(!Request.promiseGet(id: "w").omittingPreload().omitsPreload)
        let wrongType = Array(
            #"{"kind":"promise.get","head":{"corrId":"c","version":"2026-04-01","resonate-swift:preload":"no"},"data":{"id":"w"}}"#
                .utf8)
        guard case .failure(let failure) = RequestEnvelope.parse(wrongType) else {
            Issue.record("a non-boolean opt-out must be rejected")
            return
        }
        #expect(failure.error.status == 400)
        #expect("\(failure.error)".contains("'head.resonate-swift:preload' must be a boolean, got a string"))
    }

    @Test("a create's settlement travels in its data and parses back; a settlement in any other state is refused")
    func createSettlement() throws {
        let create = PromiseCreate(
            id: "w:1", timeoutAt: 5, tags: [Tag.parent: "w"],
            settlement: PromiseCreate.Settlement(state: .rejected, value: Value(data: "ZXJy"), startedAt: 3))
        let fence = Request.taskFence(TaskFence(id: "w", version: 1, action: .create(create)))
        let bytes = fence.envelope(correlationID: "c1")
        #expect(
            String(decoding: bytes, as: UTF8.self).contains(
                #""resonate-swift:settle":{"state":"rejected","value":{"data":"ZXJy"},"startedAt":3}"#))
        let envelope = try RequestEnvelope.parse(bytes).get()
        #expect(try Request(kind: envelope.kind, data: envelope.data) == fence)
        let pending = Array(
            #"{"kind":"promise.create","head":{"corrId":"c","version":"2026-04-01"},"data":{"id":"p","timeoutAt":5,"resonate-swift:settle":{"state":"pending"}}}"#
                .utf8)
        let envelopeOfPending = try RequestEnvelope.parse(pending).get()
        #expect(throws: RequestError.self) {
            try Request(kind: envelopeOfPending.kind, data: envelopeOfPending.data)
        }
    }

    @Test("the cleanup request travels in the head of task.acquire and task.create only")
    func cleanupRequest() throws {
        let acquire = Request.taskAcquire(TaskAcquire(id: "w", version: 0, pid: "p", ttl: 1_000)).requestingCleanup()
        let bytes = acquire.envelope(correlationID: "c1")
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""resonate-swift:cleanup":true"#))
        let envelope = try RequestEnvelope.parse(bytes).get()
        #expect(envelope.requestsCleanup)
        #expect(try Request(kind: envelope.kind, data: envelope.data).requestingCleanup() == acquire)
        let create = Request.taskCreate(
            TaskCreate(pid: "p", ttl: 1_000, promise: PromiseCreate(id: "w", timeoutAt: 1))
        ).requestingCleanup()
        #expect(create.requestsCleanup)
        let plain = Request.taskAcquire(TaskAcquire(id: "w", version: 0, pid: "p", ttl: 1_000))
        #expect(!String(decoding: plain.envelope(correlationID: "c1"), as: UTF8.self).contains("cleanup"))
        #expect(try !RequestEnvelope.parse(plain.envelope(correlationID: "c1")).get().requestsCleanup)
        #expect(!Request.promiseGet(id: "w").requestingCleanup().requestsCleanup)
        let wrongType = Array(
            #"{"kind":"task.acquire","head":{"corrId":"c","version":"2026-04-01","resonate-swift:cleanup":1},"data":{}}"#
                .utf8)
        guard case .failure(let failure) = RequestEnvelope.parse(wrongType) else {
            Issue.record("a non-boolean cleanup request must be rejected")
            return
        }
        #expect(failure.error.status == 400)
        #expect("\(failure.error)".contains("'head.resonate-swift:cleanup' must be a boolean"))
    }

    @Test("the table covers every operation")
    func coversEveryKind() {
        #expect(Set(Self.cases.map(\.request.kind)) == Set(RequestKind.allCases))
    }

    @Test("encoded envelopes parse back to the same request", arguments: cases)
    func roundTrip(_ testCase: RequestCase) throws {
        let bytes = testCase.request.envelope(correlationID: "c-42")
        let envelope = try RequestEnvelope.parse(bytes).get()
        #expect(envelope.kind == testCase.request.kind.rawValue)
        #expect(envelope.correlationID == "c-42")
        #expect(envelope.version == ProtocolVersion.current)
        #expect(envelope.auth == nil)
        #expect(try Request(kind: envelope.kind, data: envelope.data) == testCase.request)
    }

    @Test("auth goes into the head and into every nested action's head", arguments: cases)
    func auth(_ testCase: RequestCase) throws {
        let bytes = testCase.request.envelope(correlationID: "c-7", auth: "eyJ.token")
        let envelope = try RequestEnvelope.parse(bytes).get()
        #expect(envelope.auth == "eyJ.token")
        #expect(try Request(kind: envelope.kind, data: envelope.data) == testCase.request)
        let actions = Self.nestedActions(in: envelope.data)
        for (index, action) in actions.enumerated() {
            #expect(
                action["head"]
                    == .object([
                        "corrId": .string("c-7.\(index + 1)"), "version": .string("2026-04-01"),
                        "auth": .string("eyJ.token"),
                    ]))
        }
    }

    @Test("writeData writes exactly the envelope's data", arguments: cases)
    func writeDataMatchesEnvelope(_ testCase: RequestCase) throws {
        var writer = JSONWriter()
        testCase.request.writeData(to: &writer, correlationID: "c", auth: nil)
        let envelope = try json(testCase.request.envelope(correlationID: "c"))
        #expect(try json(writer.bytes) == envelope["data"])
        #expect(envelope.objectValue?.keys.sorted() == ["data", "head", "kind"])
    }

    @Test("nested actions are envelopes with derived corrIds and the action's kind")
    func nestedActions() throws {
        let suspend = Request.taskSuspend(TaskSuspend(id: "wf", version: 4, awaiting: ["wf:1", "wf:2", "wf:3"]))
        let data = try #require(try json(suspend.envelope(correlationID: "sr-1"))["data"])
        let actions = Self.nestedActions(in: data)
        #expect(actions.map { $0["head"]?["corrId"] } == [.string("sr-1.1"), .string("sr-1.2"), .string("sr-1.3")])
        #expect(actions.allSatisfy { $0["kind"] == .string("promise.register_callback") })
        #expect(actions.allSatisfy { $0["head"]?["auth"] == nil && $0["head"]?["version"] == .string("2026-04-01") })
        #expect(actions[2]["data"] == .object(["awaited": .string("wf:3"), "awaiter": .string("wf")]))

        let kinds = try Self.cases.compactMap { testCase -> [String]? in
            let data = try #require(try json(testCase.request.envelope(correlationID: "c"))["data"])
            let nested = Self.nestedActions(in: data)
            return nested.isEmpty ? nil : nested.compactMap { $0["kind"]?.stringValue }
        }
        #expect(Set(kinds.flatMap { $0 }) == ["promise.create", "promise.settle", "promise.register_callback"])
    }

    @Test("exact bytes of a simple request and of a nested action")
    func exactBytes() {
        let get = Request.promiseGet(id: "wf").envelope(correlationID: "c1")
        #expect(
            String(decoding: get, as: UTF8.self)
                == #"{"kind":"promise.get","head":{"corrId":"c1","version":"2026-04-01"},"data":{"id":"wf"}}"#
        )
        let fulfill = Request.taskFulfill(
            TaskFulfill(
                id: "wf", version: 1, settle: PromiseSettle(id: "wf", state: .resolved, value: Value(data: "NDI=")))
        )
        .envelope(correlationID: "c2", auth: "t")
        #expect(
            String(decoding: fulfill, as: UTF8.self)
                == #"{"kind":"task.fulfill","head":{"corrId":"c2","version":"2026-04-01","auth":"t"},"#
                + #""data":{"id":"wf","version":1,"action":{"kind":"promise.settle","#
                + #""head":{"corrId":"c2.1","version":"2026-04-01","auth":"t"},"#
                + #""data":{"id":"wf","state":"resolved","value":{"data":"NDI="}}}}}"#
        )
        let tick = Request.debugTick(time: 5).envelope(correlationID: "c3")
        #expect(
            String(decoding: tick, as: UTF8.self)
                == #"{"kind":"debug.tick","head":{"corrId":"c3","version":"2026-04-01"},"data":{"time":5}}"#
        )
        let snap = Request.debugSnap.envelope(correlationID: "c4")
        #expect(
            String(decoding: snap, as: UTF8.self)
                == #"{"kind":"debug.snap","head":{"corrId":"c4","version":"2026-04-01"},"data":{}}"#
        )
    }

    @Test("optional search fields are omitted when nil or empty")
    func optionalFieldsOmitted() throws {
        let promises = try json(Request.promiseSearch(PromiseSearch()).envelope(correlationID: "c"))["data"]
        #expect(promises == .object(["limit": .integer(100)]))
        let tasks = try json(Request.taskSearch(TaskSearch()).envelope(correlationID: "c"))["data"]
        #expect(tasks == .object(["limit": .integer(100)]))
        let schedules = try json(Request.scheduleSearch(ScheduleSearch()).envelope(correlationID: "c"))["data"]
        #expect(schedules == .object(["limit": .integer(10)]))
        let create = try json(Request.promiseCreate(PromiseCreate(id: "p", timeoutAt: 1)).envelope(correlationID: "c"))
        #expect(
            create["data"]
                == .object(["id": .string("p"), "timeoutAt": .integer(1), "param": .object([:]), "tags": .object([:])]))
    }

    @Test(
        "every request the Python SDK sent is encoded identically, nested corrIds aside", arguments: TraceLine.requests)
    func matchesPythonSDK(_ line: TraceLine) throws {
        let sent = try json(line.json)
        let envelope = try RequestEnvelope.parse(Array(line.json.utf8)).get()
        let request = try Request(kind: envelope.kind, data: envelope.data)
        let ours = try json(request.envelope(correlationID: envelope.correlationID, auth: envelope.auth))
        #expect(Self.withoutNestedCorrelationIDs(ours) == Self.withoutNestedCorrelationIDs(sent))
    }

    @Test("the Python SDK traces contain requests of the expected kinds")
    func traceRequestsPresent() {
        let kinds = Set(TraceLine.requests.compactMap { (try? json($0.json))?["kind"]?.stringValue })
        #expect(
            kinds.isSuperset(of: [
                "task.create", "task.acquire", "task.fulfill", "task.suspend", "task.fence", "task.heartbeat",
                "promise.create", "promise.get", "promise.settle", "promise.register_listener", "schedule.create",
            ])
        )
    }

    /// The nested action envelopes of a request's `data`, in order.
    static func nestedActions(in data: JSONValue) -> [JSONValue] {
        if let action = data["action"] { return [action] }
        if case .array(let actions)? = data["actions"] { return actions }
        return []
    }

    /// `data` with the corrId of every nested action replaced by a placeholder.
    static func withoutNestedCorrelationIDs(_ envelope: JSONValue) -> JSONValue {
        guard case .object(var members) = envelope, case .object(var data)? = members["data"] else { return envelope }
        func normalize(_ action: JSONValue) -> JSONValue {
            guard case .object(var action) = action, case .object(var head)? = action["head"] else { return action }
            head["corrId"] = .string("*")
            action["head"] = .object(head)
            return .object(action)
        }
        if let action = data["action"] { data["action"] = normalize(action) }
        if case .array(let actions)? = data["actions"] { data["actions"] = .array(actions.map(normalize)) }
        members["data"] = .object(data)
        return .object(members)
    }
}
