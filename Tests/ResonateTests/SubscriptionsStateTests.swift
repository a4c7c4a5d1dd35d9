// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Testing

@testable import Resonate

@Suite("Subscriptions state: what a wait, a settlement, a cancellation and an untrack return")
struct SubscriptionsStateTests {
    typealias State = SubscriptionsState<String>

    enum Step: Sendable, CustomStringConvertible {
        case track(String)
        case untrack(String)
        case settle(String)
        case gone(String)
        /// A waiter (named by the string) waits on the id; `cancelled`: its task is cancelled already.
        case wait(String, waiter: String, cancelled: Bool = false)
        case cancel(String, waiter: String)
        /// This process starts or stops running the execution.
        case run(String)
        case leave(String)

        var description: String {
            switch self {
            case .track(let id): "track(\(id))"
            case .untrack(let id): "untrack(\(id))"
            case .settle(let id): "settle(\(id))"
            case .gone(let id): "gone(\(id))"
            case .wait(let id, let waiter, let cancelled): "wait(\(id), \(waiter)\(cancelled ? ", cancelled" : ""))"
            case .cancel(let id, let waiter): "cancel(\(id), \(waiter))"
            case .run(let id): "run(\(id))"
            case .leave(let id): "leave(\(id))"
            }
        }
    }

    /// What a step returned, flattened so that rows can compare it.
    enum Returned: Equatable, Sendable {
        case tracked(Bool)
        /// What `leave` returned: whether the caller registers a listener now.
        case registers(Bool)
        case nothing
        case resumes([String])
        case waits
        case resumedWithRecord(String)
        case resumedUntracked
        case resumedWithError(String)
    }

    static func record(_ id: String) -> PromiseRecord {
        PromiseRecord(id: id, state: .resolved, timeoutAt: 1_000, createdAt: 0, settledAt: 10)
    }

    static func run(_ steps: [Step], capacity: Int = 8) -> (State, [Returned]) {
        var state = State(settledCapacity: capacity)
        var tokens: [String: Int] = [:]
        var returned: [Returned] = []
        for step in steps {
            switch step {
            case .track(let id):
                returned.append(.tracked(state.track(id)))
            case .untrack(let id):
                state.untrackIfUnsettled(id)
                returned.append(.nothing)
            case .settle(let id):
                returned.append(.resumes(state.complete(id, with: .success(record(id))).sorted()))
            case .gone(let id):
                let error = ResonateError(.notFound, "gone")
                returned.append(.resumes(state.complete(id, with: .failure(error)).sorted()))
            case .wait(let id, let waiter, let cancelled):
                let token = state.nextToken()
                tokens[waiter] = token
                switch state.wait(id, token: token, waiter: waiter, isCancelled: cancelled) {
                case .waits: returned.append(.waits)
                case .resume(.success(let record?)): returned.append(.resumedWithRecord(record.id))
                case .resume(.success(nil)): returned.append(.resumedUntracked)
                case .resume(.failure(let error)): returned.append(.resumedWithError("\(type(of: error))"))
                }
            case .cancel(let id, let waiter):
                let removed = tokens[waiter].flatMap { state.cancelWait(id, token: $0) }
                returned.append(.resumes(removed.map { [$0] } ?? []))
            case .run(let id):
                state.run(id)
                returned.append(.nothing)
            case .leave(let id):
                returned.append(.registers(state.leave(id)))
            }
        }
        return (state, returned)
    }

    @Test(
        "steps and what each returned",
        arguments: [
            // An untracked id: a wait returns at once so that the caller tracks it and registers a listener.
            ([Step.wait("a", waiter: "w")], [Returned.resumedUntracked]),
            ([.track("a"), .track("a")], [.tracked(true), .tracked(false)]),
            // Waiters queue until the settlement, which resumes all of them once.
            (
                [.track("a"), .wait("a", waiter: "w1"), .wait("a", waiter: "w2"), .settle("a"), .settle("a")],
                [.tracked(true), .waits, .waits, .resumes(["w1", "w2"]), .resumes([])]
            ),
            // After the settlement a wait is answered at once, with the record.
            (
                [.track("a"), .settle("a"), .wait("a", waiter: "w")],
                [.tracked(true), .resumes([]), .resumedWithRecord("a")]
            ),
            // A missing promise fails its waiters, and later waits.
            (
                [.track("a"), .wait("a", waiter: "w"), .gone("a"), .wait("a", waiter: "v")],
                [.tracked(true), .waits, .resumes(["w"]), .resumedWithError("ResonateError")]
            ),
            // A cancelled wait leaves; the settlement resumes only the others; a second cancel finds nothing.
            (
                [
                    .track("a"), .wait("a", waiter: "w1"), .wait("a", waiter: "w2"), .cancel("a", waiter: "w1"),
                    .settle("a"), .cancel("a", waiter: "w2"),
                ],
                [.tracked(true), .waits, .waits, .resumes(["w1"]), .resumes(["w2"]), .resumes([])]
            ),
            // A task cancelled before it waits is not queued.
            (
                [.track("a"), .wait("a", waiter: "w", cancelled: true), .settle("a")],
                [.tracked(true), .resumedWithError("CancellationError"), .resumes([])]
            ),
            // Untracking applies only to an id with neither waiters nor outcome.
            (
                [.track("a"), .untrack("a"), .wait("a", waiter: "w")],
                [.tracked(true), .nothing, .resumedUntracked]
            ),
            (
                [.track("a"), .wait("a", waiter: "w"), .untrack("a"), .settle("a")],
                [.tracked(true), .waits, .nothing, .resumes(["w"])]
            ),
            // A settlement of an id nobody tracks is not kept.
            ([.settle("a"), .wait("a", waiter: "w")], [.resumes([]), .resumedUntracked]),
            // An execution that runs here needs no listener: its fulfill settles it, and leaving then asks for none.
            (
                [.run("a"), .track("a"), .wait("a", waiter: "w"), .settle("a"), .leave("a")],
                [.nothing, .tracked(false), .waits, .resumes(["w"]), .registers(false)]
            ),
            // One that leaves unsettled (suspended, lease lost, given back) gets its listener then, once.
            (
                [.run("a"), .track("a"), .wait("a", waiter: "w"), .leave("a"), .leave("a"), .settle("a")],
                [.nothing, .tracked(false), .waits, .registers(true), .registers(false), .resumes(["w"])]
            ),
            // Running again after leaving (a resume here) keeps the listener it has; a second handle adds none.
            (
                [.run("a"), .track("a"), .leave("a"), .run("a"), .track("a"), .leave("a")],
                [.nothing, .tracked(false), .registers(true), .nothing, .tracked(false), .registers(false)]
            ),
            // Tracked before it runs here (a handle on an execution started elsewhere): the listener is there already.
            (
                [.track("a"), .run("a"), .leave("a")],
                [.tracked(true), .nothing, .registers(false)]
            ),
            // Leaving with nobody waiting asks for nothing; a later handle registers at once.
            ([.run("a"), .leave("a"), .track("a")], [.nothing, .registers(false), .tracked(true)]),
        ] as [([Step], [Returned])]
    )
    func steps(_ steps: [Step], returned: [Returned]) {
        #expect(Self.run(steps).1 == returned)
    }

    @Test("past the capacity the oldest outcomes are forgotten, pending ids never")
    func bounded() {
        let (state, _) = Self.run(
            [.track("pending"), .track("a"), .settle("a"), .track("b"), .settle("b"), .track("c"), .settle("c")],
            capacity: 2)

        #expect(state.settled("a") == nil)
        #expect(state.settled("b")?.id == "b" && state.settled("c")?.id == "c")
        #expect(state.pendingIDs == ["pending"])
        #expect(state.trackedCount == 3)
    }

    @Test("an id waited on while it runs here is not among those whose listeners a reconnection renews")
    func runningNeedsNoRefresh() {
        let (state, _) = Self.run([.run("local"), .track("local"), .track("remote")])

        #expect(state.pendingIDs == ["remote"])
        #expect(state.runningCount == 1)
    }
}
