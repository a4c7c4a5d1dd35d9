// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

/// The exact envelopes and messages captured from the Python SDK 0.8.1 against its own simulator
/// (`Fixtures/python-sdk-traces`). The simulator answers 201 for creates, writes `"value":null`, omits `resumes`,
/// sends fenced outcomes without `kind` and `head`, and sends errors as flat `{"error":…}` objects.
@Suite("Python SDK traces")
struct PythonTraceTests {
    @Test("the fixtures are present")
    func fixturesPresent() {
        #expect(TraceLine.requests.count >= 40)
        #expect(TraceLine.responses.count == TraceLine.requests.count)
        #expect(TraceLine.messages.count >= 10)
    }

    @Test("every response decodes as the reply to its request", arguments: TraceLine.responses)
    func response(_ line: TraceLine) throws {
        let correlationID = try #require(line.correlationID)
        let matching = TraceLine.requests.first(where: { $0.correlationID == correlationID })
        let requestLine = try #require(matching)
        let envelope = try RequestEnvelope.parse(Array(requestLine.json.utf8)).get()
        let request = try Request(kind: envelope.kind, data: envelope.data)
        let reply = try ResponseEnvelope.decode(
            Array(line.json.utf8), replyingTo: request, correlationID: correlationID)
        let response = try ResponseEnvelope.decode(Array(line.json.utf8))
        #expect(reply.status == response.status)
        switch (request, reply.payload) {
        case (.taskCreate(let create), .taskWithPromise(let task, let promise, _)):
            #expect(task.id == create.promise.id)
            #expect(promise.id == create.promise.id)
        case (.taskCreate, .error(let message)):
            #expect(reply.status == 409)
            #expect(message == "Already exists")
        case (.taskAcquire(let acquire), .taskWithPromise(let task, let promise, _)):
            #expect(task.id == acquire.id)
            #expect(task.pid == acquire.pid)
            #expect(promise.id == acquire.id)
        case (.taskFence(let fence), .fenced(let outcome)):
            #expect(outcome.kind == fence.action.kind)
            #expect(outcome.status == 200)
            #expect(outcome.promise?.id == fence.action.promiseID)
        case (.taskFulfill(let fulfill), .promise(let promise)):
            #expect(promise.id == fulfill.id)
            #expect(promise.state == fulfill.settle.state)
        case (.promiseCreate(let create), .promise(let promise)):
            #expect(reply.status == 201)
            #expect(promise.id == create.id)
            #expect(promise.value == .empty)
        case (.promiseGet(let id), .promise(let promise)):
            #expect(promise.id == id)
        case (.promiseSettle(let settle), .promise(let promise)):
            #expect(promise.value == settle.value)
        case (.promiseRegisterListener(let awaited, _), .promise(let promise)):
            #expect(promise.id == awaited)
        case (.scheduleCreate(let create), .schedule(let schedule)):
            #expect(schedule.id == create.id)
            #expect(schedule.lastRunAt == nil)
            #expect(schedule.promiseTags == create.promiseTags)
        case (.taskHeartbeat, .empty), (.taskSuspend, .empty):
            break
        default:
            Issue.record("Unexpected reply \(reply) to \(request.kind.rawValue)")
        }
    }

    @Test("every message decodes", arguments: TraceLine.messages)
    func message(_ line: TraceLine) throws {
        let message = try Message(parsing: line.json.utf8)
        switch message {
        case .execute(let taskID, let version):
            #expect(taskID.hasPrefix("job-"))
            #expect(version >= 0)
        case .unblock(let promise):
            #expect(promise.state == .resolved)
            #expect(promise.settledAt != nil)
        }
    }

    @Test("the simulator's fenced outcome needs the request to name its kind")
    func fenceNeedsRequest() throws {
        let fence = TraceLine.responses.first(where: { $0.json.contains(#""kind":"task.fence""#) })
        let line = try #require(fence)
        let response = try ResponseEnvelope.decode(Array(line.json.utf8))
        #expect(throws: ReplyDecodingError.self) {
            try Reply(kind: .taskFence, status: response.status, data: response.data)
        }
    }
}
