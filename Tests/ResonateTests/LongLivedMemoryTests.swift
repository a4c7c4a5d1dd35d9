// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateTestSupport
import Testing

/// A process of its own, so that no other test's allocations move the resident memory it reads.
@Suite("Memory of a long-lived instance", .timeLimit(.minutes(4)))
struct LongLivedMemoryTests {
    /// Runs `sdk-test-worker` with `arguments` to its end and returns the resident memory it printed, in lines
    /// `RSS <label> <kB>`, in order, with its whole output.
    static func residentReadings(
        _ arguments: [String], timeout: Duration
    ) async throws -> (readings: [(label: String, kilobytes: Int)], output: String) {
        let scratch = try ProcessTests.Scratch()
        let worker = try ChildProcess(
            executable: ChildProcess.executable("sdk-test-worker"),
            arguments: arguments,
            logPath: scratch.path("\(arguments[0]).log")
        )
        #expect(try await worker.waitForExit(timeout: timeout) == 0)
        let readings = worker.output.split(separator: "\n").compactMap { line -> (String, Int)? in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0] == "RSS", let kilobytes = Int(fields[2]) else { return nil }
            return (String(fields[1]), kilobytes)
        }
        return (readings, worker.output)
    }

    @Test("6,000 finished workflows leave the resident memory where 2,000 did")
    func finishedWorkflowsReleaseTheirMemory() async throws {
        // "RSS <workflows done> <kB>"
        let (readings, output) = try await Self.residentReadings(
            ["soak", "--count", "6000", "--report-every", "2000"], timeout: .seconds(200))
        try #require(readings.map(\.label) == ["2000", "4000", "6000"], "\(output)")
        let growth = readings[2].kilobytes - readings[0].kilobytes
        // Its in-memory store keeps every workflow's rows, about 1 KB each: some 4 MB. An instance that kept its
        // finished executions (about 26 KB each, as one did) grows by about 105 MB, checked.
        #expect(growth < 24_000, "resident memory grew by \(growth) kB from 2,000 to 6,000 workflows")
    }

    @Test("2,000 workflows holding sleeps at once leave memory while they sleep, and all finish")
    func sleepingWorkflowsLeaveMemory() async throws {
        // "RSS before <kB>", "RSS sleeping <kB>"
        let (readings, output) = try await Self.residentReadings(
            ["sleepers", "--count", "2000", "--sleep", "30"], timeout: .seconds(150))
        try #require(readings.map(\.label) == ["before", "sleeping"], "\(output)")
        // The sleep outlasts the start of all 2,000 even on a loaded machine (with 5 s, the whole suite on two
        // cores once woke the first ones before the last had started, and the reading counted their work: 28 KB
        // each); a workflow awake at the reading would make it measure something else.
        #expect(output.contains("WOKEN 0\n"), "\(output)")
        #expect(output.contains("DONE 2000 released 2000"), "\(output)")
        // Each sleeping workflow keeps its records, its handle and the store's rows: about 13 KB in a debug build.
        // Kept waiting in their tasks (`--history-limit 0`) they took about 59 KB each, checked.
        let perWorkflow = (readings[1].kilobytes - readings[0].kilobytes) / 2000
        #expect(perWorkflow < 24, "each sleeping workflow took \(perWorkflow) kB")
    }
}
