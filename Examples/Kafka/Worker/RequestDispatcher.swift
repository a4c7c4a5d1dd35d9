// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ExampleSupport
import KafkaExampleSupport
import Logging
import Resonate
import ResonateKafka
import ServiceLifecycle
import Synchronization

/// Turns each deletion request into a durable workflow keyed by the record id, and commits the request's offset
/// once the workflow's promise exists.
///
/// Dispatching never waits for a workflow: a record that needs many batches does not hold up the ones behind it.
/// Up to ``dispatchConcurrency`` requests are dispatched at once; each partition's position still moves in order,
/// past a message only once its workflow and those of every earlier message of the partition exist.
/// ``inFlight`` bounds the workflows this worker has started and not yet seen finish: at the bound it takes
/// no more messages, its consumer's buffer fills, and fetching pauses until workflows finish.
///
/// A request delivered again (after a crash, before its offset was committed) names the same promise id, so it
/// attaches to the workflow that exists instead of starting a second one.
struct RequestDispatcher: Service {
    var consumer: KafkaConsumer
    var resonate: Resonate
    var workflow: DurableFunction<String, Int64, String>
    /// Where malformed requests go, if anywhere (they are committed either way).
    var deadLetters: (producer: KafkaProducer, topic: String)?
    /// One permit per workflow started by this worker and not yet seen finish (shared with the metrics).
    var inFlight: Permits
    /// Requests being dispatched (their promises being created) at once, at most.
    var dispatchConcurrency: Int
    /// How often the progress line is printed; `nil` for never.
    var progressInterval: Duration?
    /// What the dispatcher does, counted (shared with the metrics endpoint).
    var progress: DispatchProgress
    var logger: Logger

    func run() async throws {
        try await resonate.waitUntilRunning()
        Output.line("processor running")
        let dispatch = Dispatch(dispatching: Permits(dispatchConcurrency))
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingDiscardingTaskGroup { group in
                    if let progressInterval {
                        group.addTask { try await reportProgress(of: dispatch, every: progressInterval) }
                    }
                    for await message in consumer.messages {
                        try await inFlight.acquire()
                        try await dispatch.dispatching.acquire()
                        progress.record(.seen)
                        dispatch.commits.withLock { $0.begin(message) }
                        group.addTask { await process(message, dispatch) }
                    }
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // Graceful shutdown: requests not yet committed come back after a restart and attach.
        }
        Output.line("shutting down consumer.")
    }

    /// The shared state of one run of the dispatcher.
    private final class Dispatch: Sendable {
        let dispatching: Permits
        let commits = Mutex(PartitionCommits())

        init(dispatching: Permits) {
            self.dispatching = dispatching
        }
    }

    /// Dispatches one request, commits what can be committed, then holds its in-flight permit until the workflow
    /// has finished.
    private func process(_ message: KafkaMessage, _ dispatch: Dispatch) async {
        defer { inFlight.release() }
        var started: Handle<String>?
        do {
            defer { dispatch.dispatching.release() }
            switch DeletionRequest(message) {
            case .delete(let recordID):
                started = try await beginWorkflow(recordID, message)
                if started == nil { await reject(message, reason: "invalid record id", dispatch) }
            case .cancel(let recordID):
                try await cancelWorkflow(recordID)
            case .unparsable(let reason):
                Output.line("failed to parse message on \(message.topic): \(reason)")
                await reject(message, reason: reason, dispatch)
            case .unexpectedShape:
                Output.line("unexpected message shape on \(message.topic): \(message.valueText)")
                await reject(message, reason: "unexpected message shape", dispatch)
            }
        } catch {
            // Cancelled while retrying (shutdown): not committed, so delivered again after a restart.
            return
        }
        if let committable = dispatch.commits.withLock({ $0.finish(message) }) { commit(committable) }
        guard let started else { return }
        progress.record(.dispatched)
        if await finished(started) { progress.record(.completed) }
    }

    /// Waits until the workflow has finished (failed or canceled ones too: the bound is on work still running);
    /// `false` when the wait was cancelled by shutdown.
    private func finished(_ workflow: Handle<String>) async -> Bool {
        var delay = Duration.milliseconds(500)
        while true {
            do {
                try await workflow.result()
                return true
            } catch let error as ResonateError where error.code == .unavailable || error.code == .server {
                // The server is unreachable or failing: the outcome is unknown yet, ask again.
                do { try await Task.sleep(for: delay) } catch { return false }
                delay = min(delay * 2, .seconds(10))
            } catch is CancellationError {
                return false
            } catch {
                return true
            }
        }
    }

    /// Starts (or attaches to) the record's workflow, retrying while the server cannot be reached.
    /// Returns `nil` when the record id cannot be a promise id.
    private func beginWorkflow(_ recordID: String, _ message: KafkaMessage) async throws -> Handle<String>? {
        var delay = Duration.milliseconds(500)
        while true {
            do {
                let handle = try await resonate.beginRun(recordID, workflow, recordID, message.offset)
                Output.line(
                    "kicked off workflow for record \(recordID) (partition=\(message.partition), offset=\(message.offset))"
                )
                return handle
            } catch let error as ResonateError where error.code == .invalidID {
                Output.line("unexpected message shape on \(message.topic): \(message.valueText) (\(error.message))")
                return nil
            } catch {
                Output.line("failed to begin workflow for \(recordID): \(error)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Cancels the record's workflow, retrying while the server cannot be reached, and for a while when it does
    /// not exist yet: the deletion request before it may still be on its way (requests are dispatched concurrently).
    private func cancelWorkflow(_ recordID: String) async throws {
        var delay = Duration.milliseconds(100)
        var waitedForWorkflow = Duration.zero
        while true {
            do {
                switch try await resonate.cancel(
                    recordID, reason: "canceled by a request on \(KafkaExample.requestsTopic)")
                {
                case .canceled:
                    Output.line("canceled workflow for record \(recordID)")
                case .alreadySettled(let state):
                    Output.line("workflow for record \(recordID) already \(state.rawValue); nothing to cancel")
                }
                return
            } catch let error as ResonateError where error.code == .notFound {
                guard waitedForWorkflow < Self.cancelWaitForWorkflow else {
                    Output.line("no workflow for record \(recordID); nothing to cancel")
                    return
                }
                try await Task.sleep(for: delay)
                waitedForWorkflow += delay
            } catch {
                Output.line("failed to cancel workflow for \(recordID): \(error)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// How long a cancellation waits for its record's workflow to appear.
    private static let cancelWaitForWorkflow = Duration.seconds(10)

    /// Sends a malformed request to the dead-letter topic, with the reason and its origin in headers.
    private func reject(_ message: KafkaMessage, reason: String, _ dispatch: Dispatch) async {
        progress.record(.rejected)
        guard let deadLetters else { return }
        var headers = message.headers
        headers.append(KafkaHeader(name: "dead-letter-reason", value: Array(reason.utf8)))
        headers.append(
            KafkaHeader(
                name: "dead-letter-origin",
                value: Array("\(message.topic)[\(message.partition)]@\(message.offset)".utf8)
            )
        )
        do {
            try await deadLetters.producer.send(
                KafkaProducerMessage(topic: deadLetters.topic, key: message.key, value: message.value, headers: headers)
            )
        } catch {
            logger.error(
                "cannot dead-letter a malformed message; it is skipped",
                metadata: ["origin": "\(message.topic)[\(message.partition)]@\(message.offset)", "error": "\(error)"]
            )
        }
    }

    private func commit(_ message: KafkaMessage) {
        do {
            try consumer.commit(message)
        } catch {
            // Typically the partition moved to another member; the request is delivered there again and attaches.
            logger.warning("cannot commit", metadata: ["error": "\(error)"])
        }
    }

    /// Prints one line every `interval`: what was seen, dispatched and completed, what is in flight, the lag.
    private func reportProgress(of dispatch: Dispatch, every interval: Duration) async throws {
        while true {
            try await Task.sleep(for: interval)
            let counts = progress.current
            let lag = consumer.lag().values.reduce(0, +)
            let resumes = resonate.resumeStatistics
            Output.line(
                "progress: seen \(counts.seen), dispatched \(counts.dispatched), completed \(counts.completed), "
                    + "rejected \(counts.rejected), in flight \(inFlight.held), "
                    + "buffered \(consumer.bufferedCount)\(consumer.isFetchPaused ? " (fetching paused)" : ""), "
                    + "lag \(lag), resumed in memory \(resumes.inMemory), replayed \(resumes.replayed)"
            )
        }
    }
}
