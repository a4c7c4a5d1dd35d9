// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate schedules create <id> --cron C --promise-id T --promise-timeout D [--promise-param JSON]
/// [--promise-tags …] [--promise-target ADDR]`.
struct ScheduleCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a schedule (or show the existing one with that id).",
        discussion: """
            --cron takes 5 fields (minute hour day-of-month month day-of-week), 6 with leading seconds, an \
            optional 7th year field, names (MON, JAN), and @yearly, @monthly, @weekly, @daily, @hourly; it is \
            checked here before anything is sent. In --promise-id, {{.id}} becomes the schedule id and \
            {{.timestamp}} the firing time in milliseconds. The created promises need a resonate:target tag \
            (--promise-target, or in --promise-tags). Creation is idempotent by id.

            Example:
              resonate schedules create nightly --cron "0 2 * * *" --promise-id "nightly.{{.timestamp}}" \\
                --promise-timeout 1h --promise-target poll://any@reports \\
                --promise-param '{"func":"report","args":[],"version":1}'
            """
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The schedule id (without '.').")
    var id: String

    @Option(help: "When to fire, e.g. \"*/5 * * * *\".")
    var cron: String

    @Option(help: "Id template of the created promises, e.g. \"job.{{.timestamp}}\".")
    var promiseId: String

    @Option(help: "Timeout of each created promise, relative to its firing, e.g. 1h.")
    var promiseTimeout: String

    @Option(help: "Param of the created promises: a JSON document.")
    var promiseParam: String?

    @Option(
        name: [.customLong("promise-tags"), .customLong("promise-tag")],
        help: "Tags of the created promises: key=value, or a JSON object of strings. Repeatable."
    )
    var promiseTags: [String] = []

    @Option(help: "Shorthand for --promise-tags resonate:target=ADDR, e.g. poll://any@workers.")
    var promiseTarget: String?

    func run() async throws {
        do {
            _ = try CronExpression(parsing: cron)
        } catch {
            throw ClientError.usage("invalid --cron: \(error.message)")
        }
        let timeout = try ArgumentParsing.duration(promiseTimeout, flag: "--promise-timeout")
        let param = try promiseParam.map { text throws(ClientError) in
            Payload.value(of: try ArgumentParsing.json(text, flag: "--promise-param"))
        }
        var tags = try ArgumentParsing.tags(promiseTags, flag: "--promise-tags")
        if let promiseTarget { tags[Tag.target] = promiseTarget }
        let schedule = try await options.client().createSchedule(
            ScheduleCreate(
                id: id,
                cron: cron,
                promiseId: promiseId,
                promiseTimeout: timeout.wholeMilliseconds,
                promiseParam: param ?? .empty,
                promiseTags: tags
            )
        )
        if schedule.cron != cron || schedule.promiseId != promiseId || schedule.promiseTags != tags {
            options.console.note("note: schedule \(id) already exists; it is unchanged")
        }
        options.console.show(schedule)
    }
}
