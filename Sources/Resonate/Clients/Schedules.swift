// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// Cron schedules that start an execution of a function at every occurrence.
///
/// ```swift
/// try await resonate.schedules.create("nightly-report", cron: "0 2 * * *", report, "all")
/// ```
///
/// Each occurrence creates a promise `<schedule id>-<timestamp>` targeted at the schedule's group, so any process
/// of that group — in any language — runs it.
public struct Schedules: Sendable {
    let runtime: Runtime

    /// Creates a schedule that runs a registered function (or returns the existing schedule with this id).
    ///
    /// - Parameters:
    ///   - id: the schedule's id.
    ///   - cron: 5 fields (`*/5 * * * *`), 6 with leading seconds, or `@daily`-style macros; evaluated in UTC.
    ///   - options: `target` (default: this process's group), `timeout` of each execution (default 24 h),
    ///     `version`.
    ///   - function: what each run executes.
    ///   - arguments: its arguments, the same for every run.
    @discardableResult
    public func create<each Arg: Codable & Sendable, Output: Codable & Sendable>(
        _ id: String,
        cron: String,
        _ function: DurableFunction<repeat each Arg, Output>,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> ScheduleRecord {
        try await create(
            id,
            cron: cron,
            function: function.name,
            arguments: try encodeArguments(repeat each arguments),
            options: options.version == nil ? options.version(function.version) : options
        )
    }

    /// Creates a schedule that runs a function by name, registered by any process of the target group.
    @discardableResult
    public func create<each Arg: Encodable & Sendable>(
        _ id: String,
        cron: String,
        function name: String,
        _ arguments: repeat each Arg,
        options: CallOptions = CallOptions()
    ) async throws -> ScheduleRecord {
        try await create(
            id, cron: cron, function: name, arguments: try encodeArguments(repeat each arguments), options: options)
    }

    private func create(
        _ id: String,
        cron: String,
        function: String,
        arguments: [JSONValue],
        options: CallOptions
    ) async throws -> ScheduleRecord {
        let data = TaskData(function: function, args: arguments, version: options.version ?? 1)
        var tags = options.tags.filter { !$0.key.hasPrefix("resonate:") }
        tags[Tag.target] = runtime.address(forTarget: options.target)
        let create = ScheduleCreate(
            id: id,
            cron: cron,
            promiseId: "{{.id}}-{{.timestamp}}",
            promiseTimeout: (options.timeout ?? CallOptions.defaultTimeout).wholeMilliseconds,
            promiseParam: runtime.codec.value(ofJSON: data.json),
            promiseTags: tags
        )
        return try await schedule(.scheduleCreate(create), "schedule.create \(id)")
    }

    /// The schedule `id`.
    public func get(_ id: String) async throws -> ScheduleRecord {
        try await schedule(.scheduleGet(id: id), "schedule.get \(id)")
    }

    /// Deletes the schedule `id`; executions it already started are not affected.
    public func delete(_ id: String) async throws {
        let reply = try await runtime.transport.send(.scheduleDelete(id: id))
        guard reply.status == 200 else { throw reply.unexpected("schedule.delete \(id)") }
    }

    /// One page of schedules whose promise tags contain `tags`, ordered by id.
    public func search(
        tags: [String: String] = [:],
        limit: Int = 10,
        cursor: String? = nil
    ) async throws -> (schedules: [ScheduleRecord], cursor: String?) {
        let reply = try await runtime.transport.send(
            .scheduleSearch(ScheduleSearch(tags: tags, limit: limit, cursor: cursor))
        )
        guard reply.status == 200, case .schedules(let schedules, let next) = reply.payload else {
            throw reply.unexpected("schedule.search")
        }
        return (schedules, next)
    }

    private func schedule(_ request: Request, _ description: String) async throws -> ScheduleRecord {
        let reply = try await runtime.transport.send(request)
        guard reply.status == 200, case .schedule(let record) = reply.payload else {
            throw reply.unexpected(description)
        }
        return record
    }
}
