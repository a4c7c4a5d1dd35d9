// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

@testable import ResonateProtocol

/// Parses JSON text that a test knows to be valid.
func json(_ text: String) throws -> JSONValue {
    try JSONParser().parse(text)
}

/// Parses JSON bytes that a test knows to be valid.
func json(_ bytes: [UInt8]) throws -> JSONValue {
    try JSONParser().parse(bytes)
}

/// Writes a reply's `data` and parses it back, as a client receives it.
func encodedData(of reply: Reply, correlationID: String = "c-1") throws -> JSONValue {
    var writer = JSONWriter()
    reply.writeData(to: &writer, correlationID: correlationID)
    return try json(writer.bytes)
}

/// Records shared by the codec tests: every optional field both present and absent, and text that needs escaping.
enum Sample {
    static let pending = PromiseRecord(
        id: "wf",
        state: .pending,
        param: Value(data: "eyJhcmdzIjpbNDFdfQ=="),
        tags: [Tag.target: "poll://any@workers", Tag.origin: "wf", Tag.branch: "wf"],
        timeoutAt: 1_795_325_219_338,
        createdAt: 1_795_238_819_338
    )
    static let resolved = PromiseRecord(
        id: "wf:1",
        state: .resolved,
        param: Value(headers: [:], data: nil),
        value: Value(headers: ["content-type": "application/json", "x-\"quoted\"": "line\nbreak"], data: "NDI="),
        tags: ["é": "ü\u{1F600}", Tag.scope: "local"],
        timeoutAt: 9_999_999_999_999,
        createdAt: 1,
        settledAt: 2
    )
    static let timedOut = PromiseRecord(
        id: "timer",
        state: .rejectedTimedOut,
        timeoutAt: 0,
        createdAt: 0,
        settledAt: 0
    )
    static let acquired = TaskRecord(id: "wf", state: .acquired, version: 1, resumes: 0, ttl: 60_000, pid: "p1")
    static let suspended = TaskRecord(id: "wf:2", state: .suspended, version: 7, resumes: 3)
    static let fulfilled = TaskRecord(id: "done", state: .fulfilled, version: 0)
    static let schedule = ScheduleRecord(
        id: "nightly",
        cron: "0 0 * * *",
        promiseId: "{{.id}}-{{.timestamp}}",
        promiseTimeout: 86_400_000,
        promiseParam: Value(data: "e30="),
        promiseTags: [Tag.target: "poll://any@workers"],
        createdAt: 1_795_238_422_815,
        nextRunAt: 1_795_238_460_000
    )
    static let firedSchedule = ScheduleRecord(
        id: "minutely",
        cron: "* * * * *",
        promiseId: "m-{{.timestamp}}",
        promiseTimeout: 0,
        promiseTags: [:],
        createdAt: 10,
        nextRunAt: 120_000,
        lastRunAt: 60_000
    )
    static let snapshot = DebugSnapshot(
        promises: [pending, resolved],
        promiseTimeouts: [.init(id: "wf", timeout: 1_795_325_219_338)],
        callbacks: [.init(awaited: "wf:1", awaiter: "wf")],
        listeners: [.init(id: "wf", address: "poll://uni@workers/p1")],
        tasks: [acquired, suspended, fulfilled],
        taskTimeouts: [.init(id: "wf", type: 1, timeout: 60_000), .init(id: "wf:2", type: 0, timeout: 30_000)],
        messages: [
            .init(address: "poll://any@workers", message: .execute(taskID: "wf:3", version: 0)),
            .init(address: "poll://uni@workers/p1", message: .unblock(promise: resolved)),
        ]
    )
}

/// One line of the Python SDK traces in `Fixtures/python-sdk-traces`.
struct TraceLine: Sendable, CustomTestStringConvertible {
    enum Direction: Sendable {
        /// `-->`: a request envelope the SDK sent.
        case request
        /// `<--`: the response envelope the SDK's simulator returned.
        case response
        /// `<== MSG`: a message delivered to the SDK.
        case message
    }

    var file: String
    var number: Int
    var worker: String
    var direction: Direction
    var json: String

    var testDescription: String { "\(file):\(number)" }

    /// Every request, response and message line of every trace, in file order.
    static let all: [TraceLine] = {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
            .appendingPathComponent("python-sdk-traces")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var lines: [TraceLine] = []
        for file in files.sorted() where file.hasSuffix(".log") {
            guard let text = try? String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8) else {
                continue
            }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if let parsed = TraceLine(file: file, number: index + 1, line: String(line)) { lines.append(parsed) }
            }
        }
        return lines
    }()

    static let requests = all.filter { $0.direction == .request }
    static let responses = all.filter { $0.direction == .response }
    static let messages = all.filter { $0.direction == .message }

    /// Parses `[w1] --> {…}   hdrs={…}`, `[w1] <-- {…}` and `[w1] <== MSG {…}`; `nil` for any other line.
    init?(file: String, number: Int, line: String) {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return nil }
        let worker = String(line[line.index(after: line.startIndex)..<close])
        let rest = line[line.index(after: close)...].drop { $0 == " " }
        let markers: [(String, Direction)] = [("--> ", .request), ("<-- ", .response), ("<== MSG ", .message)]
        guard let (marker, direction) = markers.first(where: { rest.hasPrefix($0.0) }) else { return nil }
        var body = String(rest.dropFirst(marker.count))
        if let headers = body.range(of: "   hdrs=") { body = String(body[..<headers.lowerBound]) }
        self.file = file
        self.number = number
        self.worker = worker
        self.direction = direction
        self.json = body
    }

    /// The `head.corrId` of a request or response line.
    var correlationID: String? {
        (try? JSONParser().parse(json))?["head"]?["corrId"]?.stringValue
    }
}
