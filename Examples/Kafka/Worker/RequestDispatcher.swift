// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ExampleSupport
import Logging
import Resonate
import ResonateKafka
import ServiceLifecycle

/// Turns each deletion request into a durable workflow keyed by the record id, and commits the request's offset
/// once the workflow's promise exists.
///
/// Dispatching never waits for a workflow: a record that needs many batches does not hold up the ones behind it.
/// A request delivered again (after a crash, before its offset was committed) names the same promise id, so it
/// attaches to the workflow that exists instead of starting a second one.
struct RequestDispatcher: Service {
    var consumer: KafkaConsumer
    var resonate: Resonate
    var workflow: DurableFunction<String, Int64, String>
    /// Where malformed requests go, if anywhere (they are committed either way).
    var deadLetters: (producer: KafkaProducer, topic: String)?
    var logger: Logger

    func run() async throws {
        try await resonate.waitUntilRunning()
        Output.line("processor running")
        do {
            try await cancelWhenGracefulShutdown {
                for await message in consumer.messages {
                    try await dispatch(message)
                }
            }
        } catch is CancellationError {
            // Graceful shutdown while waiting to retry: the request stays uncommitted and comes back later.
        }
        Output.line("shutting down consumer.")
    }

    private func dispatch(_ message: KafkaMessage) async throws {
        switch DeletionRequest(message) {
        case .delete(let recordID):
            if try await !beginWorkflow(recordID, message) {
                await reject(message, reason: "invalid record id")
            }
        case .unparsable(let reason):
            Output.line("failed to parse message on \(message.topic): \(reason)")
            await reject(message, reason: reason)
        case .unexpectedShape:
            Output.line("unexpected message shape on \(message.topic): \(message.valueText)")
            await reject(message, reason: "unexpected message shape")
        }
        commit(message)
    }

    /// Starts (or attaches to) the record's workflow, retrying while the server cannot be reached.
    /// Returns `false` when the record id cannot be a promise id.
    private func beginWorkflow(_ recordID: String, _ message: KafkaMessage) async throws -> Bool {
        var delay = Duration.milliseconds(500)
        while true {
            do {
                _ = try await resonate.beginRun(recordID, workflow, recordID, message.offset)
                Output.line(
                    "kicked off workflow for record \(recordID) (partition=\(message.partition), offset=\(message.offset))"
                )
                return true
            } catch let error as ResonateError where error.code == .invalidID {
                Output.line("unexpected message shape on \(message.topic): \(message.valueText) (\(error.message))")
                return false
            } catch {
                Output.line("failed to begin workflow for \(recordID): \(error)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(10))
            }
        }
    }

    /// Sends a malformed request to the dead-letter topic, with the reason and its origin in headers.
    private func reject(_ message: KafkaMessage, reason: String) async {
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
}
