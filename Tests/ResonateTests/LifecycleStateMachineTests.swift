// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import Resonate

@Suite("Lifecycle: starting, running and stopping an instance, and who is resumed when")
struct LifecycleStateMachineTests {
    typealias Machine = LifecycleStateMachine<Int, Int>

    /// An event of the machine, with the waiter it concerns where it has one.
    enum Event: CustomStringConvertible, Sendable {
        case start, recovered, recoveryFailed, loopsEnded, beginStopping
        case waitUntilRunning(Int), waitUntilStopped(Int)

        var description: String {
            switch self {
            case .start: "start"
            case .recovered: "recovered"
            case .recoveryFailed: "recoveryFailed"
            case .loopsEnded: "loopsEnded"
            case .beginStopping: "beginStopping"
            case .waitUntilRunning(let waiter): "waitUntilRunning(\(waiter))"
            case .waitUntilStopped(let waiter): "waitUntilStopped(\(waiter))"
            }
        }
    }

    /// What the shell is told to do, flattened so that rows can compare it.
    enum Outcome: Equatable, Sendable {
        case nothing
        case recover, refuse
        case resumeRunning([Int]), fail([Int])
        case finishWork(failing: [Int])
        case waits, resumeAtOnce
        case resumeStopped([Int])
    }

    static func apply(_ event: Event, to machine: inout Machine) -> Outcome {
        func outcome(_ action: Machine.WaiterAction) -> Outcome {
            switch action {
            case .none: .nothing
            case .resumeRunning(let waiters): .resumeRunning(waiters)
            case .fail(let waiters): .fail(waiters)
            }
        }
        switch event {
        case .start:
            switch machine.start() {
            case .recover: return .recover
            case .refuse: return .refuse
            }
        case .recovered: return outcome(machine.recovered())
        case .recoveryFailed: return outcome(machine.recoveryFailed())
        case .waitUntilRunning(let waiter): return outcome(machine.waitUntilRunning(waiter))
        case .beginStopping:
            let action = machine.beginStopping()
            return action.finishesWork ? .finishWork(failing: action.failedStartWaiters) : .nothing
        case .waitUntilStopped(let waiter): return machine.waitUntilStopped(waiter) ? .waits : .resumeAtOnce
        case .loopsEnded: return .resumeStopped(machine.loopsEnded())
        }
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var before: [Event]
        var event: Event
        var outcome: Outcome
        var phase: Machine.Phase
        var admission: Machine.Admission

        var testDescription: String { "after \(before), \(event)" }
    }

    static let rows: [Row] = [
        // Starting.
        Row(before: [], event: .start, outcome: .recover, phase: .starting, admission: .afterStartUp),
        Row(before: [.start], event: .start, outcome: .refuse, phase: .starting, admission: .afterStartUp),
        Row(before: [.start], event: .recovered, outcome: .resumeRunning([]), phase: .running, admission: .accept),
        Row(
            before: [.start, .recovered, .beginStopping, .loopsEnded], event: .start, outcome: .refuse,
            phase: .stopped, admission: .refuse),
        // Waiting for start-up: queued before, answered at once after.
        Row(before: [], event: .waitUntilRunning(1), outcome: .nothing, phase: .idle, admission: .refuse),
        Row(
            before: [.waitUntilRunning(1), .start, .waitUntilRunning(2)], event: .recovered,
            outcome: .resumeRunning([1, 2]), phase: .running, admission: .accept),
        Row(
            before: [.start, .recovered], event: .waitUntilRunning(3), outcome: .resumeRunning([3]), phase: .running,
            admission: .accept),
        Row(
            before: [.start, .waitUntilRunning(1)], event: .recoveryFailed, outcome: .fail([1]), phase: .stopped,
            admission: .refuse),
        Row(
            before: [.start, .recovered, .beginStopping], event: .waitUntilRunning(4), outcome: .fail([4]),
            phase: .stopping, admission: .refuse),
        // Stopping: only the first stop finishes the work; a stop during recovery fails the start waiters and wins.
        Row(before: [], event: .beginStopping, outcome: .nothing, phase: .idle, admission: .refuse),
        Row(
            before: [.start, .recovered], event: .beginStopping, outcome: .finishWork(failing: []), phase: .stopping,
            admission: .refuse),
        Row(
            before: [.start, .recovered, .beginStopping], event: .beginStopping, outcome: .nothing, phase: .stopping,
            admission: .refuse),
        Row(
            before: [.waitUntilRunning(1), .start], event: .beginStopping, outcome: .finishWork(failing: [1]),
            phase: .stopping, admission: .refuse),
        Row(
            before: [.start, .beginStopping], event: .recovered, outcome: .nothing, phase: .stopping,
            admission: .refuse),
        // Waiting for the end: nothing to wait for before a start or after the end.
        Row(before: [], event: .waitUntilStopped(1), outcome: .resumeAtOnce, phase: .idle, admission: .refuse),
        Row(
            before: [.start, .recovered], event: .waitUntilStopped(1), outcome: .waits, phase: .running,
            admission: .accept),
        Row(
            before: [.start, .recovered, .waitUntilStopped(1), .beginStopping, .waitUntilStopped(2)],
            event: .loopsEnded, outcome: .resumeStopped([1, 2]), phase: .stopped, admission: .refuse),
        Row(
            before: [.start, .recovered, .beginStopping, .loopsEnded], event: .waitUntilStopped(3),
            outcome: .resumeAtOnce, phase: .stopped, admission: .refuse),
    ]

    @Test("each event from each phase", arguments: rows)
    func transition(_ row: Row) {
        var machine = Machine()
        for event in row.before { _ = Self.apply(event, to: &machine) }

        #expect(Self.apply(row.event, to: &machine) == row.outcome)
        #expect(machine.phase == row.phase)
        #expect(machine.admission == row.admission)
    }

    @Test("a waiter is resumed once: those answered by one event are not answered again by a later one")
    func waitersResumedOnce() {
        var machine = Machine()
        _ = machine.waitUntilRunning(1)
        _ = machine.start()
        _ = machine.beginStopping()
        #expect(Self.apply(.recovered, to: &machine) == .nothing)
        _ = machine.waitUntilStopped(2)
        #expect(machine.loopsEnded() == [2])
        #expect(machine.loopsEnded() == [])
    }
}
