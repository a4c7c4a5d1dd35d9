// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateBenchSupport
import ResonateProtocol

/// Many short workflows through one long-lived SDK instance: whether its memory (and the server's) stays flat.
///
/// Runs `total` three-step workflows in ten rounds and reads both processes' resident memory after each; a leak —
/// finished executions or settled subscriptions kept — shows as growth from round to round.
struct SoakBench {
    let bench: SDKBench

    struct Round: Codable, Sendable {
        var workflows: Int
        var seconds: Double
        var workerKiB: Int
        var serverKiB: Int?
    }

    static let header = """
        | workflows done | workflows/s (round) | worker RSS MB | server RSS MB |
        |---:|---:|---:|---:|
        """

    /// - Returns: one entry per round (a tenth of `total` each).
    func measure(total: Int, inFlight: Int, serverPID: Int32?) async throws -> [Round] {
        let round = Swift.max(1, total / 10)
        var rounds: [Round] = []
        var done = 0
        let clock = ContinuousClock()
        while done < total {
            let count = Swift.min(round, total - done)
            let start = clock.now
            _ = try await bench.workflowLatencies(total: count, inFlight: inFlight, first: done)
            done += count
            let entry = Round(
                workflows: done,
                seconds: (clock.now - start).inSeconds,
                workerKiB: ProcessMemory.residentKiB() ?? 0,
                serverKiB: serverPID.flatMap { ProcessMemory.residentKiB(pid: $0) }
            )
            rounds.append(entry)
            print(Self.line(entry, count: count))
        }
        return rounds
    }

    static func line(_ round: Round, count: Int) -> String {
        "| \(round.workflows) | \(BenchFormat.rate(Double(count) / round.seconds)) | "
            + "\(String(format: "%.0f", Double(round.workerKiB) / 1024)) | "
            + (round.serverKiB.map { String(format: "%.0f", Double($0) / 1024) } ?? "–") + " |"
    }

    /// How each process's memory at the end compares with after the first round.
    static func summary(_ rounds: [Round]) -> [String] {
        guard let first = rounds.first, let last = rounds.last, first.workerKiB > 0 else { return [] }
        var lines = [
            "worker RSS after \(last.workflows) workflows is "
                + String(format: "%.2f", Double(last.workerKiB) / Double(first.workerKiB))
                + "× that after the first \(first.workflows)"
        ]
        if let firstServer = first.serverKiB, let lastServer = last.serverKiB, firstServer > 0 {
            lines.append(
                "server RSS after \(last.workflows) workflows is "
                    + String(format: "%.2f", Double(lastServer) / Double(firstServer))
                    + "× that after the first \(first.workflows)")
        }
        return lines
    }
}
