// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateEngine
import ResonateProtocol
import Testing

/// Thousands of seeded random requests — valid ones that drive every operation through its states, and broken
/// ones (missing fields, wrong types, garbage) — against a real server on a SQLite file. The server must never
/// answer 500, every answer must be a well-formed envelope, and the store's invariants must hold throughout.
@Suite("Random requests", .timeLimit(.minutes(5)))
struct RandomRequestTests {
    @Test("10,000 mixed requests keep the store consistent and never fail the server", arguments: [UInt64(0x5EED_CAFE)])
    func randomRequests(seed: UInt64) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await LiveServer.with(store: .file(path)) { server in
            var generator = RequestGenerator(seed: seed, start: 1_900_000_000_000)
            // Timers and delivery follow the virtual clock of the requests, not the wall clock.
            #expect(try await server.rpc("debug.start", "{}").status == 200)
            var statuses: [Int: Int] = [:]
            var byKind: [String: [Int: Int]] = [:]
            for step in 1...10_000 {
                let body = generator.next()
                let (status, envelope) = try await server.post(bytes: body)
                statuses[status, default: 0] += 1
                byKind[envelope["kind"]?.stringValue ?? "?", default: [:]][status, default: 0] += 1
                #expect(
                    [200, 300, 400, 403, 404, 409, 413, 422].contains(status),
                    "step \(step): status \(status) for \(String(decoding: body, as: UTF8.self)): \(envelope)"
                )
                #expect(envelope["head"]?["status"] == .integer(Int64(status)))
                generator.observe(envelope)
                if step % 1000 == 0 {
                    let snapshot = try await server.engine.store.read { try await $0.snapshot() }
                    let problems = StoreInvariants.violations(in: snapshot)
                    #expect(problems.isEmpty, "after \(step) requests: \(problems.prefix(10))")
                }
            }
            // Both valid paths and rejections were exercised in volume, and every operation succeeded sometimes.
            #expect(statuses[200, default: 0] > 3000, "\(statuses)")
            #expect(statuses[400, default: 0] > 1000, "\(statuses)")
            #expect(statuses[409, default: 0] > 100, "\(statuses)")
            #expect(statuses[404, default: 0] > 100, "\(statuses)")
            #expect(statuses[300, default: 0] > 0, "\(byKind)")
            for kind in RequestKind.allCases where !kind.isDebug || kind == .debugTick {
                let successes = byKind[kind.rawValue, default: [:]].filter { $0.key < 400 }.values.reduce(0, +)
                #expect(successes > 0, "\(kind.rawValue) never succeeded: \(byKind[kind.rawValue] ?? [:])")
            }
            let snapshot = try await server.engine.store.read { try await $0.snapshot() }
            #expect(StoreInvariants.violations(in: snapshot).isEmpty)
            #expect(
                snapshot.promises.contains { $0.state == .rejectedTimedOut },
                "no promise ever timed out: \(Dictionary(grouping: snapshot.promises, by: \.state).mapValues(\.count))"
            )
        }
    }
}

/// Builds the random request stream and learns task versions from the answers, so that many lease-guarded
/// requests carry the right version.
struct RequestGenerator {
    var random: SeededGenerator
    var now: Int64
    var versions: [String: Int64] = [:]
    /// Tasks known to be halted, so that `task.continue` often names one.
    var halted: [String] = []
    var lastRequest: (kind: String, id: String?)?
    var correlation = 0
    /// Ids are drawn from a pool that moves on every few hundred requests, so that fresh promises and tasks
    /// keep appearing instead of every id settling early and staying settled.
    var generation: Int { correlation / 300 }

    init(seed: UInt64, start: Int64) {
        random = SeededGenerator(seed: seed)
        now = start
    }

    static let addresses = ["poll://any@workers", "poll://uni@workers/p1", "http://127.0.0.1:9/hook"]

    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }
    mutating func int(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &random) }

    mutating func root() -> String {
        // Mostly the current pool, sometimes the previous one.
        let pool = max(0, generation - (chance(0.2) ? 1 : 0))
        return "r\(pool)-\(int(0...7))"
    }
    mutating func child(of root: String) -> String { "\(root):\(int(1...4))" }
    mutating func anyID() -> String {
        let root = root()
        return chance(0.5) ? root : child(of: root)
    }

    mutating func version(of id: String) -> JSONValue {
        if let known = versions[id], chance(0.8) { return .integer(known) }
        return .integer(int(0...3))
    }

    mutating func promiseCreateData(id: String, target: Bool) -> [String: JSONValue] {
        let origin = String(id.split(separator: ":").first ?? Substring(id))
        var tags: [String: JSONValue] = [
            "resonate:origin": .string(origin),
            "resonate:branch": .string(id.contains(":") && chance(0.5) ? origin : id),
            "resonate:parent": .string(origin),
        ]
        if target { tags["resonate:target"] = .string(pick(Self.addresses)) }
        if chance(0.2) { tags["resonate:timer"] = .string("true") }
        if chance(0.3) { tags["color"] = .string(pick(["red", "blue"])) }
        return [
            "id": .string(id),
            "timeoutAt": .integer(now + int(-5_000...300_000)),
            "param": .object(chance(0.5) ? ["data": .string("eyJhIjoxfQ==")] : [:]),
            "tags": .object(tags),
        ]
    }

    /// One valid-looking request: kind and data.
    mutating func validRequest() -> (String, [String: JSONValue]) {
        let roll = int(0...99)
        switch roll {
        case 0..<14:
            let id = anyID()
            return ("promise.create", promiseCreateData(id: id, target: chance(0.6)))
        case 14..<18:
            return ("promise.get", ["id": .string(anyID())])
        case 18..<24:
            return (
                "promise.settle",
                [
                    "id": .string(anyID()),
                    "state": .string(pick(["resolved", "rejected", "rejected_canceled"])),
                    "value": .object(["data": .string("dmFsdWU=")]),
                ]
            )
        case 24..<27:
            let root = root()
            return ("promise.register_callback", ["awaited": .string(child(of: root)), "awaiter": .string(root)])
        case 27..<30:
            return (
                "promise.register_listener", ["awaited": .string(anyID()), "address": .string(pick(Self.addresses))]
            )
        case 30..<32:
            var data: [String: JSONValue] = ["limit": .integer(int(1...20))]
            if chance(0.5) { data["state"] = .string(pick(["pending", "resolved", "rejected_timedout"])) }
            if chance(0.3) { data["tags"] = .object(["color": .string("red")]) }
            if chance(0.3) { data["cursor"] = .string(anyID()) }
            return ("promise.search", data)
        case 32..<42:
            let id = root()
            return (
                "task.create",
                [
                    "pid": .string(pick(["p1", "p2"])),
                    "ttl": .integer(int(1_000...60_000)),
                    "action": .object([
                        "kind": .string("promise.create"), "head": .object([:]),
                        "data": .object(promiseCreateData(id: id, target: true)),
                    ]),
                ]
            )
        case 42..<48:
            let id = anyID()
            return (
                "task.acquire",
                [
                    "id": .string(id), "version": version(of: id), "pid": .string("p1"),
                    "ttl": .integer(int(1_000...60_000)),
                ]
            )
        case 48..<51:
            let id = anyID()
            return ("task.release", ["id": .string(id), "version": version(of: id)])
        case 51..<56:
            let id = root()
            return (
                "task.fulfill",
                [
                    "id": .string(id), "version": version(of: id),
                    "action": .object([
                        "kind": .string("promise.settle"),
                        "data": .object(["id": .string(id), "state": .string(pick(["resolved", "rejected"]))]),
                    ]),
                ]
            )
        case 56..<63:
            let id = root()
            let actions = (0..<int(1...3)).map { _ in
                JSONValue.object([
                    "kind": .string("promise.register_callback"),
                    "data": .object(["awaited": .string(child(of: id)), "awaiter": .string(id)]),
                ])
            }
            return ("task.suspend", ["id": .string(id), "version": version(of: id), "actions": .array(actions)])
        case 63..<70:
            let id = root()
            let child = child(of: id)
            let action: JSONValue =
                chance(0.5)
                ? .object([
                    "kind": .string("promise.create"),
                    "data": .object(promiseCreateData(id: child, target: chance(0.5))),
                ])
                : .object([
                    "kind": .string("promise.settle"),
                    "data": .object(["id": .string(child), "state": .string(pick(["resolved", "rejected"]))]),
                ])
            return ("task.fence", ["id": .string(id), "version": version(of: id), "action": action])
        case 70..<73:
            let ids = (0..<int(1...3)).map { _ in anyID() }
            return (
                "task.heartbeat",
                [
                    "pid": .string(pick(["p1", "p2"])),
                    "tasks": .array(ids.map { .object(["id": .string($0), "version": version(of: $0)]) }),
                ]
            )
        case 73..<76:
            return ("task.halt", ["id": .string(anyID())])
        case 76..<79:
            let id = !halted.isEmpty && chance(0.7) ? pick(halted) : anyID()
            return ("task.continue", ["id": .string(id)])
        case 79..<82:
            return ("task.get", ["id": .string(anyID())])
        case 82..<84:
            var data: [String: JSONValue] = ["limit": .integer(int(1...20))]
            if chance(0.5) {
                data["state"] = .string(pick(["pending", "acquired", "suspended", "halted", "fulfilled"]))
            }
            return ("task.search", data)
        case 84..<86:
            return (
                "schedule.create",
                [
                    "id": .string("s\(int(0...3))"), "cron": .string(pick(["* * * * *", "*/5 * * * *", "0 0 * * *"])),
                    "promiseId": .string("sched{{.id}}-{{.timestamp}}"), "promiseTimeout": .integer(int(0...600_000)),
                    "promiseTags": .object(["resonate:target": .string("poll://any@workers")]),
                ]
            )
        case 86..<87:
            return ("schedule.get", ["id": .string("s\(int(0...3))")])
        case 87..<88:
            return ("schedule.delete", ["id": .string("s\(int(0...3))")])
        case 88..<89:
            return ("schedule.search", ["limit": .integer(int(1...5))])
        default:
            now += int(0...40_000)
            return ("debug.tick", ["time": .integer(now)])
        }
    }

    /// Breaks a request in one of the ways clients get it wrong.
    mutating func corrupt(_ kind: String, _ data: [String: JSONValue]) -> [UInt8] {
        var kind = kind
        var data = data
        switch int(0...6) {
        case 0 where !data.isEmpty:
            data.removeValue(forKey: pick(Array(data.keys).sorted()))
        case 1 where !data.isEmpty:
            let key = pick(Array(data.keys).sorted())
            data[key] = pick([.integer(-1), .string(""), .null, .array([]), .bool(true), .number(1.5), .object([:])])
        case 2:
            kind = pick(["promise.frobnicate", "", "task", "debug.nothing"])
        case 3:
            let bytes = envelope(kind, data)
            return Array(bytes.prefix(Int(int(0...Int64(bytes.count - 1)))))
        case 4:
            return (0..<int(1...64)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 5:
            data["id"] = .string(String(repeating: "x", count: 2_000))
        default:
            var writer = JSONWriter()
            writer.value(
                .object([
                    "kind": .string(kind), "head": .object(["corrId": .string("x"), "version": .string("2020-01-01")]),
                    "data": .object(data),
                ]))
            return writer.bytes
        }
        return envelope(kind, data)
    }

    func envelope(_ kind: String, _ data: [String: JSONValue]) -> [UInt8] {
        var writer = JSONWriter()
        writer.value(
            .object([
                "kind": .string(kind),
                "head": .object([
                    "corrId": .string("fuzz-\(correlation)"), "version": .string("2026-04-01"),
                    "resonate:debug_time": .integer(now),
                ]),
                "data": .object(data),
            ])
        )
        return writer.bytes
    }

    mutating func next() -> [UInt8] {
        correlation += 1
        let (kind, data) = validRequest()
        lastRequest = (kind, data["id"]?.stringValue)
        return chance(0.25) ? corrupt(kind, data) : envelope(kind, data)
    }

    /// Learns task versions from any task record in a response.
    mutating func observe(_ envelope: JSONValue) {
        func learn(_ task: JSONValue?) {
            if case .string(let id)? = task?["id"], case .integer(let version)? = task?["version"] {
                versions[id] = version
            }
        }
        learn(envelope["data"]?["task"])
        if let (kind, id) = lastRequest, let id, envelope["kind"] == .string(kind),
            envelope["head"]?["status"] == .integer(200)
        {
            if kind == "task.halt" { halted.append(id) }
            if kind == "task.continue" { halted.removeAll { $0 == id } }
        }
        if case .array(let tasks)? = envelope["data"]?["tasks"] { tasks.forEach(learn) }
    }
}

@Suite("Store invariants")
struct StoreInvariantTests {
    @Test("the checker reports broken states, so a clean report means something")
    func detectsViolations() {
        let broken = StoreSnapshot(
            promises: [
                PromiseRecord(
                    id: "a", state: .resolved, tags: [Tag.target: "poll://any@w"], timeoutAt: 9, createdAt: 1),
                PromiseRecord(id: "b", state: .pending, tags: [Tag.target: "poll://any@w"], timeoutAt: 9, createdAt: 1),
            ],
            tasks: [
                TaskRow(id: "a", state: .pending, version: 0),
                TaskRow(id: "b", state: .suspended, version: 1, timeout: .lease(at: 5)),
                TaskRow(id: "c", state: .acquired, version: 0),
            ],
            callbacks: [],
            listeners: [StoreSnapshot.Listener(promiseID: "a", address: "poll://uni@w/p")],
            outbox: [],
            schedules: []
        )
        let problems = StoreInvariants.violations(in: broken)
        #expect(problems.contains("promise a: settledAt must be set exactly when settled"))
        #expect(problems.contains("task a is pending but its promise is resolved"))
        #expect(problems.contains("pending task a has no retry timeout"))
        #expect(problems.contains("suspended task b has no callback"))
        #expect(problems.contains("suspended task b has a timeout"))
        #expect(problems.contains("task c has no promise"))
        #expect(problems.contains("listener kept on settled promise a"))
    }
}
