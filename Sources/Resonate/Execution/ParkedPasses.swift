// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule
import Synchronization

/// The suspended executions this process keeps in memory, by task id, at most `capacity` of them (least recently
/// parked first out): **sticky execution**. A resume that finds its pass here continues it; one that does not —
/// evicted, a restart, or the pass went to another process — replays from checkpoints.
final class ParkedPasses: Sendable {
    /// A parked pass and the lease version it was suspended under.
    struct Entry: Sendable {
        let pass: Pass
        let version: Int64
        /// When it was parked, counting insertions: tells its place in `order` from stale ones.
        fileprivate let insertion: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Task ids from least to most recently parked, with their insertion numbers; positions whose entry was
        /// taken or parked again since are stale and skipped.
        var order = Deque<(taskID: String, insertion: Int)>()
        var insertions = 0
        var isClosed = false
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Keeps `pass`, parked under `version`; returns the passes to abandon: evicted ones, or `pass` itself when it
    /// cannot be kept (no capacity, or closed).
    func insert(_ pass: Pass, taskID: String, version: Int64) -> [Pass] {
        state.withLock { state in
            guard capacity > 0, !state.isClosed else { return [pass] }
            var evicted: [Pass] = []
            state.insertions += 1
            let entry = Entry(pass: pass, version: version, insertion: state.insertions)
            if let previous = state.entries.updateValue(entry, forKey: taskID), previous.pass !== pass {
                evicted.append(previous.pass)
            }
            state.order.append((taskID, state.insertions))
            while state.entries.count > capacity, let oldest = state.order.popFirst() {
                guard state.entries[oldest.taskID]?.insertion == oldest.insertion,
                    let entry = state.entries.removeValue(forKey: oldest.taskID)
                else { continue }
                evicted.append(entry.pass)
            }
            // Taken entries leave stale positions behind; drop them before they outnumber the live ones.
            if state.order.count > 2 * max(capacity, 16) {
                state.order = Deque(state.order.filter { state.entries[$0.taskID]?.insertion == $0.insertion })
            }
            return evicted
        }
    }

    /// Whether a pass is parked for `taskID`.
    func contains(_ taskID: String) -> Bool {
        state.withLock { $0.entries[taskID] != nil }
    }

    /// Removes and returns the pass parked for `taskID`.
    func take(_ taskID: String) -> Entry? {
        state.withLock { $0.entries.removeValue(forKey: taskID) }
    }

    /// Stops keeping passes and returns every parked one, to abandon (at shutdown).
    func close() -> [Pass] {
        state.withLock { state in
            state.isClosed = true
            defer {
                state.entries = [:]
                state.order = []
            }
            return state.entries.values.map(\.pass)
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
