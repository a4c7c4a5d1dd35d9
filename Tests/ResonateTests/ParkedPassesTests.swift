// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Logging
import ResonateEngine
import ResonateProtocol
import Testing

@testable import Resonate

@Suite("Parked passes: the suspended executions a process keeps in memory")
struct ParkedPassesTests {
    /// A transport that must not be used: these tests never make a durable call.
    struct NoTransport: Transport {
        func send(_ request: Request) async throws -> Reply {
            Issue.record("unexpected request \(request.kind)")
            return Reply(status: 500, payload: .error("no transport"))
        }
    }

    static let runtime = Runtime(
        group: "workers", pid: "p", ttl: 10_000, idScheme: .colon, defaultRetryPolicy: .default,
        transport: NoTransport(), clock: SystemClock(), tracer: nil, logger: Logger(label: "test"),
        maxConcurrentTasks: 64, heldSleepLimit: .zero
    )

    static func pass(_ id: String) -> Pass {
        Pass(taskID: id, version: 1, preload: [], runtime: runtime)
    }

    @Test("beyond its capacity the least recently parked pass is evicted, the one taken meanwhile is not")
    func leastRecentlyParkedFirstOut() {
        let parked = ParkedPasses(capacity: 2)
        let (a, b, c, d) = (Self.pass("a"), Self.pass("b"), Self.pass("c"), Self.pass("d"))
        #expect(parked.insert(a, taskID: "a", version: 1).isEmpty)
        #expect(parked.insert(b, taskID: "b", version: 1).isEmpty)
        #expect(parked.insert(c, taskID: "c", version: 1).map(\.taskID) == ["a"])
        #expect(parked.take("b")?.pass === b)
        #expect(parked.insert(d, taskID: "d", version: 1).isEmpty)
        #expect(parked.count == 2)
        #expect(parked.contains("c") && parked.contains("d") && !parked.contains("a"))
    }

    @Test("a pass parked again moves to the back of the line, under its new version")
    func parkedAgain() {
        let parked = ParkedPasses(capacity: 2)
        let (a, b, c) = (Self.pass("a"), Self.pass("b"), Self.pass("c"))
        _ = parked.insert(a, taskID: "a", version: 1)
        _ = parked.insert(b, taskID: "b", version: 1)
        #expect(parked.take("a")?.version == 1)
        _ = parked.insert(a, taskID: "a", version: 3)
        #expect(parked.insert(c, taskID: "c", version: 1).map(\.taskID) == ["b"])
        #expect(parked.take("a")?.version == 3)
    }

    @Test("with no capacity, or once closed, a pass is handed back to be abandoned; closing returns all")
    func noCapacityAndClosing() {
        let a = Self.pass("a")
        #expect(ParkedPasses(capacity: 0).insert(a, taskID: "a", version: 1).map(\.taskID) == ["a"])
        let parked = ParkedPasses(capacity: 8)
        _ = parked.insert(a, taskID: "a", version: 1)
        #expect(parked.close().map(\.taskID) == ["a"])
        #expect(parked.insert(Self.pass("b"), taskID: "b", version: 1).map(\.taskID) == ["b"])
        #expect(parked.count == 0)
    }

    @Test("beyond its memory budget the least recently parked passes go; one larger than the budget is not kept")
    func memoryBudget() {
        let parked = ParkedPasses(capacity: 100, byteCapacity: 1_000)
        let (a, b, c) = (Self.pass("a"), Self.pass("b"), Self.pass("c"))
        #expect(parked.insert(a, taskID: "a", version: 1, bytes: 400).isEmpty)
        #expect(parked.insert(b, taskID: "b", version: 1, bytes: 400).isEmpty)
        #expect(parked.insert(c, taskID: "c", version: 1, bytes: 400).map(\.taskID) == ["a"])
        #expect(parked.bytes == 800)
        #expect(parked.take("b")?.pass === b)
        #expect(parked.bytes == 400)
        #expect(parked.insert(Self.pass("huge"), taskID: "huge", version: 1, bytes: 1_001).map(\.taskID) == ["huge"])
        #expect(parked.count == 1 && parked.bytes == 400)
    }

    @Test("a pass's size counts a fixed part and the records it has seen")
    func approximateSize() {
        #expect(Self.pass("empty").approximateBytes == Pass.baseBytes)
        let record = PromiseRecord(
            id: "r", state: .resolved, param: Value(data: "abcd"), value: Value(data: "xy"), tags: ["k": "v"],
            timeoutAt: 1, createdAt: 0, settledAt: 1)
        let pass = Pass(taskID: "sized", version: 1, preload: [record], runtime: Self.runtime)
        // 256 per record, plus its id (1), param (4) and value (2) bytes, plus 32 and the bytes of each tag (2).
        #expect(pass.approximateBytes == Pass.baseBytes + 256 + 1 + 4 + 2 + 32 + 2)
    }

    @Test("thousands of parks and takes keep the bookkeeping bounded")
    func boundedBookkeeping() {
        let parked = ParkedPasses(capacity: 100)
        for round in 0..<5_000 {
            let id = "t\(round % 300)"
            _ = parked.take(id)
            _ = parked.insert(Self.pass(id), taskID: id, version: Int64(round))
        }
        #expect(parked.count == 100)
    }
}
