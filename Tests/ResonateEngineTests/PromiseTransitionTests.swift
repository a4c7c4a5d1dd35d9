// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine
import ResonateProtocol
import Testing

/// The promise transition table of PROTOCOL §2.10, one row per case and store.
@Suite("Promise transitions", .sharedPostgres)
struct PromiseTransitionTests {
    enum Start: String, CustomStringConvertible {
        case absent, pending, pendingExpired, pendingTimerExpired, resolved
        var description: String { rawValue }
    }

    enum Operation: String, CustomStringConvertible {
        case get, create, settleResolve, settleReject, settleCancel, listen
        var description: String { rawValue }
    }

    struct Row: CustomStringConvertible, Sendable {
        let start: Start
        let operation: Operation
        let status: Int
        /// The state after the operation; `nil` when the promise must not exist.
        let state: PromiseState?
        var description: String { "\(operation) on \(start) → \(status) \(state?.rawValue ?? "⊥")" }
    }

    static let table: [Row] = [
        Row(start: .absent, operation: .get, status: 404, state: nil),
        Row(start: .pending, operation: .get, status: 200, state: .pending),
        Row(start: .pendingExpired, operation: .get, status: 200, state: .rejectedTimedOut),
        Row(start: .pendingTimerExpired, operation: .get, status: 200, state: .resolved),
        Row(start: .resolved, operation: .get, status: 200, state: .resolved),
        Row(start: .absent, operation: .create, status: 200, state: .pending),
        Row(start: .pending, operation: .create, status: 200, state: .pending),
        Row(start: .pendingExpired, operation: .create, status: 200, state: .rejectedTimedOut),
        Row(start: .resolved, operation: .create, status: 200, state: .resolved),
        Row(start: .absent, operation: .settleResolve, status: 404, state: nil),
        Row(start: .pending, operation: .settleResolve, status: 200, state: .resolved),
        Row(start: .pending, operation: .settleReject, status: 200, state: .rejected),
        Row(start: .pending, operation: .settleCancel, status: 200, state: .rejectedCanceled),
        Row(start: .pendingExpired, operation: .settleResolve, status: 200, state: .rejectedTimedOut),
        Row(start: .pendingTimerExpired, operation: .settleReject, status: 200, state: .resolved),
        Row(start: .resolved, operation: .settleReject, status: 200, state: .resolved),
        Row(start: .absent, operation: .listen, status: 404, state: nil),
        Row(start: .pending, operation: .listen, status: 200, state: .pending),
        Row(start: .resolved, operation: .listen, status: 200, state: .resolved),
    ]

    @Test("transition", arguments: table, StoreKind.allCases)
    func transition(_ row: Row, store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            let id = "p"
            switch row.start {
            case .absent:
                break
            case .pending:
                await harness.createPromise(id, timeout: 60_000)
            case .pendingExpired:
                await harness.createPromise(id, timeout: 1_000)
                harness.clock.advance(by: 1_000)
            case .pendingTimerExpired:
                await harness.createPromise(id, timeout: 1_000, tags: [Tag.timer: "true"])
                harness.clock.advance(by: 5_000)
            case .resolved:
                await harness.createPromise(id)
                await harness.send(.promiseSettle(PromiseSettle(id: id, state: .resolved)))
            }
            let reply: Reply
            switch row.operation {
            case .get:
                reply = await harness.send(.promiseGet(id: id))
            case .create:
                reply = await harness.send(
                    .promiseCreate(PromiseCreate(id: id, timeoutAt: harness.now + 30_000, tags: ["other": "tags"]))
                )
            case .settleResolve:
                reply = await harness.send(.promiseSettle(PromiseSettle(id: id, state: .resolved)))
            case .settleReject:
                reply = await harness.send(.promiseSettle(PromiseSettle(id: id, state: .rejected)))
            case .settleCancel:
                reply = await harness.send(.promiseSettle(PromiseSettle(id: id, state: .rejectedCanceled)))
            case .listen:
                reply = await harness.send(.promiseRegisterListener(awaited: id, address: "poll://uni@client/c1"))
            }
            #expect(reply.status == row.status)
            let stored = try await harness.promise(id)
            #expect(stored?.state == row.state)
            if row.status == 200 {
                #expect(reply.promise?.state == row.state)
            }
            if let stored, row.start != .absent || row.operation == .create {
                // Creation on an existing id never changes what was stored.
                #expect(stored.tags["other"] == (row.start == .absent ? "tags" : nil))
            }
        }
    }

    @Test("a timed-out promise records its deadline as settledAt and an empty value", arguments: StoreKind.allCases)
    func timeoutSettlesAtDeadline(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createPromise("p", timeout: 1_000)
            let deadline = harness.now + 1_000
            harness.clock.advance(by: 7_000)
            let reply = await harness.send(.promiseGet(id: "p"))
            #expect(reply.promise?.settledAt == deadline)
            #expect(reply.promise?.value == .empty)
        }
    }

    @Test(
        "creating an already expired promise stores it settled with createdAt = settledAt = timeoutAt",
        arguments: StoreKind.allCases)
    func createExpired(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            let reply = await harness.send(
                .promiseCreate(
                    PromiseCreate(id: "p", timeoutAt: harness.now - 5, tags: [Tag.target: EngineHarness.worker]))
            )
            #expect(reply.promise?.state == .rejectedTimedOut)
            #expect(reply.promise?.createdAt == harness.now - 5)
            #expect(reply.promise?.settledAt == harness.now - 5)
            let task = try await harness.task("p")
            #expect(task?.state == .fulfilled)
            #expect(task?.version == 0)
            #expect(harness.sink.take().isEmpty)
        }
    }

    @Test("a promise with a target gets a pending task at version 0 and an execute", arguments: StoreKind.allCases)
    func createWithTarget(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            await harness.createTaskPromise("p")
            let task = try #require(try await harness.task("p"))
            #expect(task.state == .pending)
            #expect(task.version == 0)
            #expect(task.timeout == .retry(at: harness.now + EngineHarness.retry))
            #expect(harness.sink.takeExecutes() == [TaskReference(id: "p", version: 0)])
        }
    }

    @Test("settling notifies every listener once and forgets them", arguments: StoreKind.allCases)
    func settleNotifiesListeners(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createPromise("p")
            await harness.send(.promiseRegisterListener(awaited: "p", address: "poll://uni@client/a"))
            await harness.send(.promiseRegisterListener(awaited: "p", address: "poll://uni@client/a"))
            await harness.send(.promiseRegisterListener(awaited: "p", address: "poll://uni@client/b"))
            await harness.send(.promiseSettle(PromiseSettle(id: "p", state: .resolved, value: Value(data: "eA=="))))
            let messages = harness.sink.take()
            #expect(messages.count == 2)
            for (message, _) in messages {
                guard case .unblock(let promise) = message else {
                    Issue.record("expected unblock, got \(message)")
                    continue
                }
                #expect(promise.state == .resolved)
                #expect(promise.value.data == "eA==")
            }
            #expect(try await harness.snapshot().listeners.isEmpty)
        }
    }

    @Test("register_callback checks existence of both sides and the awaiter's target", arguments: StoreKind.allCases)
    func registerCallbackErrors(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            #expect(await harness.send(.promiseRegisterCallback(awaited: "w:1", awaiter: "w")).status == 404)
            await harness.createPromise("w:1")
            let missingAwaiter = await harness.send(.promiseRegisterCallback(awaited: "w:1", awaiter: "w"))
            #expect(missingAwaiter.status == 422)
            #expect(missingAwaiter.errorMessage == "Awaiter promise not found")
            await harness.createPromise("w")
            let noTarget = await harness.send(.promiseRegisterCallback(awaited: "w:1", awaiter: "w"))
            #expect(noTarget.status == 422)
            #expect(noTarget.errorMessage == "Awaiter promise has no resonate:target tag")
        }
    }

    @Test("register_callback on a settled promise resumes a suspended awaiter at once", arguments: StoreKind.allCases)
    func registerCallbackResumesSuspended(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness async throws in
            await harness.createTask("w")
            await harness.createPromise("w:1")
            await harness.createPromise("w:2")
            #expect(await harness.send(.taskSuspend(TaskSuspend(id: "w", version: 1, awaiting: ["w:1"]))).status == 200)
            await harness.send(.promiseSettle(PromiseSettle(id: "w:2", state: .resolved)))
            _ = harness.sink.take()
            let reply = await harness.send(.promiseRegisterCallback(awaited: "w:2", awaiter: "w"))
            #expect(reply.status == 200)
            #expect(reply.promise?.state == .resolved)
            #expect(try await harness.task("w")?.state == .pending)
            #expect(harness.sink.takeExecutes() == [TaskReference(id: "w", version: 1)])
        }
    }

    @Test(
        "null bytes are refused in every stored or looked-up string, so that no store has to hold them",
        arguments: StoreKind.allCases
    )
    func nullBytesAreRefused(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            // As a client sends them: JSON text with \u0000 escapes.
            let requests: [(String, String)] = [
                ("promise.create", #"{"id":"p","timeoutAt":9999999,"tags":{"color":"r\u0000d"}}"#),
                ("promise.create", #"{"id":"p","timeoutAt":9999999,"tags":{"c\u0000lor":"red"}}"#),
                ("promise.create", #"{"id":"p","timeoutAt":9999999,"param":{"data":"a\u0000"}}"#),
                ("promise.create", #"{"id":"p","timeoutAt":9999999,"param":{"headers":{"h":"\u0000"}}}"#),
                ("promise.create", #"{"id":"p\u0000","timeoutAt":9999999}"#),
                ("promise.settle", #"{"id":"p","state":"resolved","value":{"data":"\u0000"}}"#),
                ("promise.get", #"{"id":"p\u0000"}"#),
                ("promise.search", #"{"cursor":"p\u0000"}"#),
                ("promise.register_listener", #"{"awaited":"p","address":"poll://uni@c/\u0000"}"#),
                ("task.heartbeat", #"{"pid":"p1","tasks":[{"id":"t\u0000","version":1}]}"#),
                ("task.acquire", #"{"id":"t","version":0,"pid":"p\u0000","ttl":1000}"#),
            ]
            for (kind, data) in requests {
                let reply = await harness.send(kind: kind, try JSONParser().parse(data))
                #expect(reply.status == 400, "\(kind) \(data): \(reply.payload)")
                #expect(reply.errorMessage?.contains("null byte") == true, "\(reply.payload)")
            }
            #expect(try await harness.snapshot().promises.isEmpty)
        }
    }

    @Test("search filters by state and tags and pages with a cursor", arguments: StoreKind.allCases)
    func search(store: StoreKind) async throws {
        try await EngineHarness.with(store) { harness in
            for index in 0..<25 {
                await harness.createPromise(
                    "s\(index + 10)",
                    tags: ["parity": index % 2 == 0 ? "even" : "odd", "group": "g"]
                )
            }
            await harness.send(.promiseSettle(PromiseSettle(id: "s10", state: .resolved)))
            var ids: [String] = []
            var cursor: String?
            repeat {
                let reply = await harness.send(
                    .promiseSearch(
                        PromiseSearch(
                            state: .pending, tags: ["parity": "even", "group": "g"], limit: 5, cursor: cursor))
                )
                guard case .promises(let page, let next) = reply.payload else {
                    Issue.record("unexpected reply \(reply)")
                    return
                }
                ids += page.map(\.id)
                cursor = next
            } while cursor != nil
            #expect(ids == (2..<25).filter { $0 % 2 == 0 }.map { "s\($0 + 10)" })
        }
    }
}
