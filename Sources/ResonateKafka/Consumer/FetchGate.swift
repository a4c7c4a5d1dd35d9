// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Decides when a consumer pauses fetching its partitions and when it resumes, from how many messages wait for
/// the application.
///
/// Fetching pauses when the buffer is full and resumes once it has drained to half, not at the first free slot:
/// each pause discards what librdkafka had prefetched for the paused partitions (it fetches it again on resume),
/// so pausing at every message would fetch the backlog over and over.
///
/// While paused, the consumer keeps calling `rd_kafka_consumer_poll`, which serves rebalances and keeps this member
/// in its group (and within `max.poll.interval.ms`) but returns no messages of paused partitions.
struct FetchGate: Sendable, Equatable {
    enum Action: Sendable, Equatable {
        /// Pause every assigned partition.
        case pause
        /// Resume every assigned partition.
        case resume
    }

    /// Buffered messages at which fetching pauses.
    let capacity: Int
    /// Buffered messages at or below which paused fetching resumes.
    let resumeAt: Int
    private(set) var isPaused = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        resumeAt = self.capacity / 2
    }

    /// What to do, given how many messages wait for the application now.
    mutating func update(buffered: Int) -> Action? {
        if !isPaused, buffered >= capacity {
            isPaused = true
            return .pause
        }
        if isPaused, buffered <= resumeAt {
            isPaused = false
            return .resume
        }
        return nil
    }
}
