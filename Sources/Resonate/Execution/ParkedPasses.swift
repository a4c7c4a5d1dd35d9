// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import DequeModule
import Synchronization

/// The suspended executions this process keeps in memory, by task id, at most `capacity` of them and about
/// `byteCapacity` bytes (least recently parked first out): **sticky execution**. A resume that finds its pass here continues it; one that does not —
/// evicted, a restart, or the pass went to another process — replays from checkpoints.
final class ParkedPasses: Sendable {
    /// A parked pass and the lease version it was suspended under.
    struct Entry: Sendable {
        let pass: Pass
        let version: Int64
        /// When it was parked, counting insertions: tells its place in `order` from stale ones.
        fileprivate let insertion: Int
        fileprivate let bytes: Int
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Task ids from least to most recently parked, with their insertion numbers; positions whose entry was
        /// taken or parked again since are stale and skipped.
        var order = Deque<(taskID: String, insertion: Int)>()
        var insertions = 0
        var bytes = 0
        var isClosed = false

        mutating func remove(_ taskID: String) -> Entry? {
            guard let entry = entries.removeValue(forKey: taskID) else { return nil }
            bytes -= entry.bytes
            return entry
        }
    }

    let capacity: Int
    let byteCapacity: Int
    private let state = Mutex(State())

    init(capacity: Int, byteCapacity: Int = .max) {
        self.capacity = max(0, capacity)
        self.byteCapacity = max(0, byteCapacity)
    }

    /// Keeps `pass`, parked under `version` and holding about `bytes`; returns the passes to abandon: evicted
    /// ones, or `pass` itself when it cannot be kept (no capacity, too large, or closed).
    func insert(_ pass: Pass, taskID: String, version: Int64, bytes: Int = 0) -> [Pass] {
        state.withLock { state in
            guard capacity > 0, bytes <= byteCapacity, !state.isClosed else { return [pass] }
            var evicted: [Pass] = []
            state.insertions += 1
            if let previous = state.remove(taskID), previous.pass !== pass { evicted.append(previous.pass) }
            state.entries[taskID] = Entry(pass: pass, version: version, insertion: state.insertions, bytes: bytes)
            state.bytes += bytes
            state.order.append((taskID, state.insertions))
            while state.entries.count > capacity || state.bytes > byteCapacity, let oldest = state.order.popFirst() {
                guard state.entries[oldest.taskID]?.insertion == oldest.insertion,
                    let entry = state.remove(oldest.taskID)
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
        state.withLock { $0.remove(taskID) }
    }

    /// Stops keeping passes and returns every parked one, to abandon (at shutdown).
    func close() -> [Pass] {
        state.withLock { state in
            state.isClosed = true
            defer {
                state.entries = [:]
                state.order = []
                state.bytes = 0
            }
            return state.entries.values.map(\.pass)
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    /// The approximate memory of the parked passes.
    var bytes: Int { state.withLock { $0.bytes } }
}
