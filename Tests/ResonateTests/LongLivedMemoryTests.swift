// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateTestSupport
import Testing

/// A process of its own, so that no other test's allocations move the resident memory it reads.
@Suite("Memory of a long-lived instance", .timeLimit(.minutes(4)))
struct LongLivedMemoryTests {
    @Test("6,000 finished workflows leave the resident memory where 2,000 did")
    func finishedWorkflowsReleaseTheirMemory() async throws {
        let scratch = try ProcessTests.Scratch()
        let soak = try ChildProcess(
            executable: ChildProcess.executable("sdk-test-worker"),
            arguments: ["soak", "--count", "6000", "--report-every", "2000"],
            logPath: scratch.path("soak.log")
        )
        #expect(try await soak.waitForExit(timeout: .seconds(200)) == 0)
        // "RSS <workflows done> <kB>"
        let readings = soak.output.split(separator: "\n").compactMap { line -> (done: Int, kilobytes: Int)? in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[0] == "RSS", let done = Int(fields[1]), let kilobytes = Int(fields[2])
            else { return nil }
            return (done, kilobytes)
        }
        try #require(readings.map(\.done) == [2000, 4000, 6000], "\(soak.output)")
        let growth = readings[2].kilobytes - readings[0].kilobytes
        // Its in-memory store keeps every workflow's rows, about 1 KB each: some 4 MB. An instance that kept its
        // finished executions (about 26 KB each, as one did) grows by about 105 MB, checked.
        #expect(growth < 24_000, "resident memory grew by \(growth) kB from 2,000 to 6,000 workflows")
    }

    @Test("2,000 workflows holding sleeps at once leave memory while they sleep, and all finish")
    func sleepingWorkflowsLeaveMemory() async throws {
        let scratch = try ProcessTests.Scratch()
        let sleepers = try ChildProcess(
            executable: ChildProcess.executable("sdk-test-worker"),
            arguments: ["sleepers", "--count", "2000", "--sleep", "5"],
            logPath: scratch.path("sleepers.log")
        )
        #expect(try await sleepers.waitForExit(timeout: .seconds(120)) == 0)
        // "RSS before <kB>", "RSS sleeping <kB>"
        var readings: [String: Int] = [:]
        for line in sleepers.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 3, fields[0] == "RSS", let kilobytes = Int(fields[2]) {
                readings[String(fields[1])] = kilobytes
            }
        }
        let before = try #require(readings["before"], "\(sleepers.output)")
        let sleeping = try #require(readings["sleeping"], "\(sleepers.output)")
        #expect(sleepers.output.contains("DONE 2000 released 2000"), "\(sleepers.output)")
        // Each sleeping workflow keeps its records, its handle and the store's rows: about 13 KB in a debug build.
        // Kept waiting in their tasks (`--history-limit 0`) they took about 59 KB each, checked.
        let perWorkflow = (sleeping - before) / 2000
        #expect(perWorkflow < 24, "each sleeping workflow took \(perWorkflow) kB")
    }
}
