// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateProtocol
import ResonateTesting
import Testing

@Suite("resonate schedules", .timeLimit(.minutes(2)), .serialized)
struct ScheduleCommandTests {
    @Test("create, get, search with paging, and delete schedules, in text and JSON output")
    func lifecycle() async throws {
        try await DevServer.with { _, cli in
            let created = try await cli.run(
                "schedules", "create", "nightly", "--cron", "0 2 * * *", "--promise-id", "nightly.{{.timestamp}}",
                "--promise-timeout", "1h", "--promise-target", "poll://any@reports",
                "--promise-param", #"{"func":"report","args":[],"version":1}"#, "--promise-tags", "team=data")
            #expect(created.status == 0, "\(created)")
            #expect(created.lines[0] == "id               nightly")
            #expect(created.lines[1] == "cron             0 2 * * *")
            #expect(created.lines[2] == "promise id       nightly.{{.timestamp}}")
            #expect(created.lines[3] == "promise timeout  1h00m")
            #expect(created.lines[4] == #"promise param    {"args":[],"func":"report","version":1}"#)
            #expect(created.lines[5] == "promise tags     resonate:target=poll://any@reports team=data")
            #expect(created.lines[7].hasPrefix("next run         20") && created.lines[7].contains("T02:00:00Z (in "))
            #expect(created.lines[8] == "last run         -")

            let gotText = try await cli.run("schedules", "get", "nightly")
            #expect(gotText.lines.prefix(7) == created.lines.prefix(7))

            let got = try await cli.run("schedules", "get", "nightly", "--json")
            #expect(got.status == 0, "\(got)")
            let schedule = try got.json()
            #expect(schedule["cron"] == .string("0 2 * * *"))
            #expect(schedule["promiseId"] == .string("nightly.{{.timestamp}}"))
            #expect(schedule["promiseTimeout"] == .integer(3_600_000))
            #expect(
                schedule["promiseParam"]
                    == .object([
                        "data": .object(["func": .string("report"), "args": .array([]), "version": .integer(1)])
                    ]))
            #expect(
                schedule["promiseTags"]
                    == .object(["resonate:target": .string("poll://any@reports"), "team": .string("data")]))
            let nextRunAt = try #require(schedule["nextRunAt"]?.integerValue)
            #expect(nextRunAt % 86_400_000 == 2 * 3_600_000)

            for id in ["hourly", "weekly"] {
                let more = try await cli.run(
                    "schedules", "create", id, "--cron", "@\(id)", "--promise-id", "\(id).{{.timestamp}}",
                    "--promise-timeout", "5m", "--promise-tags", #"{"resonate:target":"poll://any@ops"}"#, "--json")
                #expect(more.status == 0, "\(more)")
                #expect(try more.json()["id"] == .string(id))
                #expect(try more.json()["promiseTimeout"] == .integer(300_000))
            }
            let page = try await cli.run("schedules", "search", "--limit", "2")
            #expect(page.status == 0, "\(page)")
            #expect(page.lines[0].hasPrefix("ID       CRON       PROMISE ID              NEXT RUN"))
            #expect(page.lines[1].hasPrefix("hourly   @hourly    hourly.{{.timestamp}}   20"))
            #expect(page.lines[2].hasPrefix("nightly  0 2 * * *  nightly.{{.timestamp}}  20"))
            #expect(page.stdout.contains("next cursor: nightly  (repeat with --cursor nightly"))
            let all = try await cli.run("schedules", "search", "--limit", "1", "--all", "--json").json()
            #expect(all["schedules"]?.arrayIDs == ["hourly", "nightly", "weekly"])
            let byTag = try await cli.run("schedules", "search", "--tag", "resonate:target=poll://any@ops", "--json")
            #expect(try byTag.json()["schedules"]?.arrayIDs == ["hourly", "weekly"])

            let deleted = try await cli.run("schedules", "delete", "nightly")
            #expect(deleted.status == 0, "\(deleted)")
            #expect(deleted.stdout == "deleted schedule nightly\n")
            let deletedJSON = try await cli.run("schedules", "delete", "hourly", "--json")
            #expect(try deletedJSON.json() == .object(["deleted": .string("hourly")]))
            let gone = try await cli.run("schedules", "get", "nightly")
            #expect(gone.status == 1)
            #expect(gone.stderr == "Error: Schedule not found (404 from schedule.get)\n")
        }
    }

    @Test("a schedule fires promises from its template")
    func firing() async throws {
        try await DevServer.with { _, cli in
            let created = try await cli.run(
                "schedules", "create", "tick", "--cron", "* * * * * *", "--promise-id", "tick.{{.timestamp}}",
                "--promise-timeout", "1m", "--promise-target", "poll://any@nobody")
            #expect(created.status == 0, "\(created)")
            let fired = try await eventuallyValue(
                "the schedule to create a promise", within: .seconds(20), checkingEvery: .milliseconds(200)
            ) {
                let page = try await cli.run("promises", "search", "--id-prefix", "tick.", "--json").json()
                let ids = page["promises"]?.arrayIDs ?? []
                return ids.isEmpty ? nil : ids
            }
            let promise = try await cli.run("promises", "get", try #require(fired.first), "--json").json()
            #expect(promise["tags"]?["resonate:schedule"] == .string("tick"))
        }
    }
}
