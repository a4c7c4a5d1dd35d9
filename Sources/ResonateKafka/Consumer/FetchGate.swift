// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Decides, before each turn of a consumer's poll thread, whether to take the next message from librdkafka, wait
/// for the application to make room, pause fetching or resume it.
///
/// A full buffer first only stops the poll thread from taking messages: librdkafka keeps its prefetched messages
/// (within `queued.max.messages.kbytes`) and the thread takes the next one as soon as the application has taken
/// one. A steadily slow application therefore never causes a pause. Only when the buffer stays full for
/// ``pauseAfter`` are the partitions paused, so that the thread can go back to `rd_kafka_consumer_poll`, which
/// serves rebalances and keeps the member within `max.poll.interval.ms` but returns no messages of paused
/// partitions. Pauses are kept for real stalls because each costs a refetch: pausing discards what librdkafka had
/// prefetched, and librdkafka 2.8 only notices a resume at its broker thread's next periodic wakeup (up to 1 s).
///
/// Paused fetching resumes once the buffer has drained to half, not at the first free slot.
struct FetchGate: Sendable, Equatable {
    enum Step: Sendable, Equatable {
        /// Take the next message or event (`rd_kafka_consumer_poll`).
        case poll
        /// Take nothing until the application takes a message or `deadline` passes.
        case waitForRoom(until: ContinuousClock.Instant)
        /// Pause every assigned partition, then poll.
        case pause
        /// Resume every assigned partition, then poll.
        case resume
    }

    /// Buffered messages at which the poll thread stops taking messages.
    let capacity: Int
    /// Buffered messages at or below which paused fetching resumes.
    let resumeAt: Int
    /// How long the buffer stays full before fetching pauses.
    let pauseAfter: Duration
    private(set) var isPaused = false
    private var fullSince: ContinuousClock.Instant?

    init(capacity: Int, pauseAfter: Duration) {
        self.capacity = max(1, capacity)
        resumeAt = self.capacity / 2
        self.pauseAfter = pauseAfter
    }

    /// The next step, given how many messages wait for the application at `now`.
    mutating func next(buffered: Int, now: ContinuousClock.Instant) -> Step {
        if isPaused {
            guard buffered <= resumeAt else { return .poll }
            isPaused = false
            return .resume
        }
        guard buffered >= capacity else {
            fullSince = nil
            return .poll
        }
        let since = fullSince ?? now
        fullSince = since
        guard now - since >= pauseAfter else { return .waitForRoom(until: since + pauseAfter) }
        fullSince = nil
        isPaused = true
        return .pause
    }
}
