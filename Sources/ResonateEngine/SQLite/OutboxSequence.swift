// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// Hands out increasing sequence numbers for outbox rows.
final class OutboxSequence: Sendable {
    private let last: Atomic<Int64>

    init(last: Int64) {
        self.last = Atomic(last)
    }

    func next() -> Int64 {
        last.add(1, ordering: .relaxed).newValue
    }
}
