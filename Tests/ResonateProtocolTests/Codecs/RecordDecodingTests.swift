// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

@Suite("Record decoding")
struct RecordDecodingTests {
    @Test(
        "promise records survive write and decode",
        arguments: [Sample.pending, Sample.resolved, Sample.timedOut]
    )
    func promiseRoundTrip(_ record: PromiseRecord) throws {
        var writer = JSONWriter()
        record.write(to: &writer)
        #expect(try PromiseRecord(json: json(writer.bytes)) == record)
    }

    @Test(
        "task records survive write and decode",
        arguments: [Sample.acquired, Sample.suspended, Sample.fulfilled]
    )
    func taskRoundTrip(_ record: TaskRecord) throws {
        var writer = JSONWriter()
        record.write(to: &writer)
        #expect(try TaskRecord(json: json(writer.bytes)) == record)
    }

    @Test("schedule records survive write and decode", arguments: [Sample.schedule, Sample.firedSchedule])
    func scheduleRoundTrip(_ record: ScheduleRecord) throws {
        var writer = JSONWriter()
        record.write(to: &writer)
        #expect(try ScheduleRecord(json: json(writer.bytes)) == record)
    }

    @Test(
        "values survive write and decode, keeping absent and empty headers apart",
        arguments: [
            Value.empty, Value(data: ""), Value(data: "eyJ9"), Value(headers: [:]),
            Value(headers: ["a": "b"], data: "x"),
        ]
    )
    func valueRoundTrip(_ value: Value) throws {
        var writer = JSONWriter()
        value.write(to: &writer)
        #expect(try Value(json: json(writer.bytes)) == value)
    }

    @Test("null values and null members decode as absent")
    func valueNulls() throws {
        #expect(try Value(json: .null) == .empty)
        #expect(try Value(json: json(#"{"headers":null,"data":null,"other":1}"#)) == .empty)
    }

    @Test("the debug snapshot survives write and decode")
    func snapshotRoundTrip() throws {
        var writer = JSONWriter()
        Sample.snapshot.write(to: &writer)
        #expect(try DebugSnapshot(json: json(writer.bytes)) == Sample.snapshot)
    }

    @Test("a settled promise as the Python SDK's simulator sends it")
    func simulatorPromise() throws {
        let record = try PromiseRecord(
            json: json(
                #"{"id":"job-d:1","state":"resolved","param":{},"value":null,"tags":{"resonate:timer":"true"},"#
                    + #""timeoutAt":1795238820534,"createdAt":1795238819534,"settledAt":1795238820534}"#
            )
        )
        #expect(record.value == .empty)
        #expect(record.param == .empty)
        #expect(record.isTimer)
        #expect(record.settledAt == 1_795_238_820_534)
    }

    @Test("a task as the simulator sends it: no resumes, an extra promiseId")
    func simulatorTask() throws {
        let record = try TaskRecord(json: json(#"{"id":"job-f","state":"fulfilled","version":0,"promiseId":"job-f"}"#))
        #expect(record == TaskRecord(id: "job-f", state: .fulfilled, version: 0, resumes: 0))
    }

    @Test("a schedule with a null lastRunAt")
    func simulatorSchedule() throws {
        let record = try ScheduleRecord(
            json: json(
                #"{"id":"s","cron":"* * * * *","promiseId":"p","promiseTimeout":1,"promiseParam":null,"#
                    + #""promiseTags":null,"createdAt":1,"nextRunAt":0,"lastRunAt":null}"#
            )
        )
        #expect(
            record
                == ScheduleRecord(
                    id: "s", cron: "* * * * *", promiseId: "p", promiseTimeout: 1, promiseTags: [:], createdAt: 1,
                    nextRunAt: 0))
    }

    @Test("standalone records name fields relative to the record")
    func standaloneMessages() throws {
        let notObject = try #require(throws: ReplyDecodingError.self) { try PromiseRecord(json: .string("p")) }
        #expect(notObject.message == "Invalid promise record: the promise record must be an object, got a string")
        #expect(notObject.field == nil)
        let missing = try #require(throws: ReplyDecodingError.self) { try TaskRecord(json: json(#"{"id":"t"}"#)) }
        #expect(missing.message == "Invalid task record: missing field 'state'")
        #expect(missing.field == "state")
        let value = try #require(throws: ReplyDecodingError.self) { try Value(json: json(#"{"headers":{"k":[]}}"#)) }
        #expect(value.message == "Invalid value: field 'headers.k' must be a string, got an array")
        let schedule = try #require(throws: ReplyDecodingError.self) {
            try ScheduleRecord(json: json(#"{"id":"s","cron":5}"#))
        }
        #expect(schedule.message == "Invalid schedule record: field 'cron' must be a string, got a number")
        let snapshot = try #require(throws: ReplyDecodingError.self) {
            try DebugSnapshot(json: json(#"{"callbacks":[{"awaited":"a"}]}"#))
        }
        #expect(snapshot.message == "Invalid debug snapshot: missing field 'callbacks[0].awaiter'")
        let big = try #require(throws: ReplyDecodingError.self) {
            try TaskRecord(json: json(#"{"id":"t","state":"pending","version":1e30}"#))
        }
        #expect(
            big.message
                == "Invalid task record: field 'version' must be an integer, got a number with a fraction or out "
                + "of range"
        )
    }
}
