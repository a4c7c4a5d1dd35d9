// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateProtocol
import ResonateTesting
import Testing

@Suite("resonate promises", .timeLimit(.minutes(2)), .serialized)
struct PromiseCommandTests {
    @Test("create, get, resolve, reject and cancel, in text and JSON output")
    func lifecycle() async throws {
        try await DevServer.with { _, cli in
            let created = try await cli.run(
                "promises", "create", "order-1", "--timeout", "1h", "--param", #"{"items":[1,2]}"#,
                "--tags", "app=shop", "--tags", #"{"team":"payments"}"#)
            #expect(created.status == 0, "\(created)")
            #expect(created.stderr.isEmpty, "\(created)")
            #expect(created.lines[0] == "id       order-1")
            #expect(created.lines[1] == "state    pending")
            #expect(created.lines[2] == #"param    {"items":[1,2]}"#)
            #expect(created.lines[3] == "value    -")
            #expect(created.lines[4] == "tags     app=shop team=payments")
            #expect(created.lines[5].hasPrefix("created  20") && created.lines[5].hasSuffix("Z"))
            #expect(created.lines[6].hasPrefix("timeout  20") && created.lines[6].contains("(in 59m5"))

            let gotText = try await cli.run("promises", "get", "order-1")
            #expect(gotText.status == 0, "\(gotText)")
            #expect(gotText.lines.prefix(6) == created.lines.prefix(6))
            #expect(gotText.lines[6].hasPrefix("timeout  20"))

            // JSON: the record as the server sends it, with param and value decoded from base64.
            let got = try await cli.run("promises", "get", "order-1", "--json")
            #expect(got.status == 0, "\(got)")
            let promise = try got.json()
            #expect(promise["id"] == .string("order-1"))
            #expect(promise["state"] == .string("pending"))
            #expect(promise["param"]?["data"] == .object(["items": .array([.integer(1), .integer(2)])]))
            #expect(promise["value"] == .object([:]))
            #expect(promise["tags"] == .object(["app": .string("shop"), "team": .string("payments")]))
            let createdAt = try #require(promise["createdAt"]?.integerValue)
            #expect(promise["timeoutAt"]?.integerValue.map { $0 - createdAt } ?? 0 > 3_590_000)
            #expect(promise["settledAt"] == nil)

            let again = try await cli.run("promises", "create", "order-1", "--timeout", "5m", "--json")
            #expect(again.status == 0)
            #expect(again.stderr == "note: promise order-1 already exists; it is unchanged\n")
            #expect(try again.json()["timeoutAt"] == promise["timeoutAt"])

            let resolved = try await cli.run("promises", "resolve", "order-1", "--value", #"{"paid":true}"#)
            #expect(resolved.status == 0, "\(resolved)")
            #expect(resolved.lines.contains("state    resolved"))
            #expect(resolved.lines.contains(#"value    {"paid":true}"#))
            #expect(resolved.lines.contains { $0.hasPrefix("settled  20") && $0.contains("(after ") })

            let resolvedJSON = try await cli.run("promises", "get", "order-1", "--json").json()
            #expect(resolvedJSON["value"] == .object(["data": .object(["paid": .bool(true)])]))
            #expect(resolvedJSON["settledAt"]?.integerValue != nil)

            _ = try await cli.run("promises", "create", "order-2", "--timeout", "1h")
            let rejected = try await cli.run(
                "promises", "reject", "order-2", "--value", #"{"__type":"error","message":"out of stock"}"#, "--json")
            #expect(rejected.status == 0, "\(rejected)")
            #expect(try rejected.json()["state"] == .string("rejected"))
            #expect(try rejected.json()["value"]?["data"]?["message"] == .string("out of stock"))

            _ = try await cli.run("promises", "create", "order-3", "--timeout", "1h")
            let canceled = try await cli.run("promises", "cancel", "order-3")
            #expect(canceled.status == 0, "\(canceled)")
            #expect(canceled.lines.contains("state    rejected_canceled"))
            #expect(canceled.lines.contains("value    -"))
        }
    }

    @Test("settling a promise that already settled differently prints it and exits 1; the same state is idempotent")
    func settleConflicts() async throws {
        try await DevServer.with { _, cli in
            _ = try await cli.run("promises", "create", "approval", "--timeout", "1h")
            #expect(try await cli.run("promises", "resolve", "approval", "--value", "true").status == 0)
            let twice = try await cli.run("promises", "resolve", "approval", "--value", "false")
            #expect(twice.status == 0, "\(twice)")
            #expect(twice.lines.contains("value    true"))

            let reject = try await cli.run("promises", "reject", "approval")
            #expect(reject.status == 1, "\(reject)")
            #expect(reject.stderr == "Error: promise approval was already resolved; it was not rejected\n")
            #expect(reject.lines.contains("state    resolved"))
        }
    }

    @Test("search pages with --limit and --cursor, and --all follows every cursor, in both formats")
    func paging() async throws {
        try await DevServer.with { _, cli in
            for index in 1...5 {
                let created = try await cli.run(
                    "promises", "create", "p\(index)", "--timeout", "1h", "--tag", "batch=a")
                #expect(created.status == 0, "\(created)")
            }
            let first = try await cli.run("promises", "search", "--limit", "2")
            #expect(first.status == 0, "\(first)")
            #expect(first.lines[0].hasPrefix("ID  STATE    FUNCTION  CREATED"))
            #expect(first.lines[1].hasPrefix("p1  pending  -         20"))
            #expect(first.lines[2].hasPrefix("p2  pending"))
            #expect(first.lines[3] == "")
            #expect(first.lines[4] == "next cursor: p2  (repeat with --cursor p2 for the next page, or --all)")

            let second = try await cli.run("promises", "search", "--limit", "2", "--cursor", "p2", "--json").json()
            #expect(ids(second) == ["p3", "p4"])
            #expect(second["cursor"] == .string("p4"))
            let last = try await cli.run("promises", "search", "--limit", "2", "--cursor", "p4", "--json").json()
            #expect(ids(last) == ["p5"])
            #expect(last["cursor"] == nil)

            let all = try await cli.run("promises", "search", "--limit", "2", "--all", "--json")
            #expect(all.status == 0, "\(all)")
            #expect(ids(try all.json()) == ["p1", "p2", "p3", "p4", "p5"])
            #expect(try all.json()["cursor"] == nil)

            let allText = try await cli.run("promises", "search", "--limit", "2", "--all")
            #expect(allText.lines.count == 7)  // header, five rows, final newline
            #expect(!allText.stdout.contains("next cursor"))
        }
    }

    @Test("search filters by state and tags")
    func filters() async throws {
        try await DevServer.with { _, cli in
            _ = try await cli.run("promises", "create", "a", "--timeout", "1h", "--tag", "env=prod", "--tag", "team=x")
            _ = try await cli.run("promises", "create", "b", "--timeout", "1h", "--tag", "env=prod")
            _ = try await cli.run("promises", "create", "c", "--timeout", "1h", "--tag", "env=dev")
            _ = try await cli.run("promises", "resolve", "b")
            let prod = try await cli.run("promises", "search", "--tag", "env=prod", "--json").json()
            #expect(ids(prod) == ["a", "b"])
            let both = try await cli.run("promises", "search", "--tag", "env=prod", "--tag", "team=x", "--json").json()
            #expect(ids(both) == ["a"])
            let resolved = try await cli.run("promises", "search", "--state", "resolved", "--json").json()
            #expect(ids(resolved) == ["b"])
            let none = try await cli.run("promises", "search", "--state", "rejected_timedout")
            #expect(none.status == 0)
            #expect(none.stdout == "no promises found\n")
        }
    }

    @Test("--id-prefix returns exactly the ids with the prefix (the prefix itself included), across pages")
    func idPrefix() async throws {
        try await DevServer.with { _, cli in
            for id in ["job", "job-1", "job-2", "job-3", "jo", "joa", "job+", "jobs", "jobz", "other", "job-2x"] {
                #expect(try await cli.run("promises", "create", id, "--timeout", "1h").status == 0)
            }
            _ = try await cli.run("promises", "resolve", "job-2")
            let all = try await cli.run("promises", "search", "--id-prefix", "job-", "--json").json()
            #expect(ids(all) == ["job-1", "job-2", "job-2x", "job-3"])
            #expect(all["cursor"] == nil)
            let withItself = try await cli.run("promises", "search", "--id-prefix", "job", "--all", "--json").json()
            #expect(ids(withItself) == ["job", "job+", "job-1", "job-2", "job-2x", "job-3", "jobs", "jobz"])

            // Pages of one: the exact id first, then the run after it, each page's cursor continuing the last.
            var cursor: String?
            var paged: [String] = []
            repeat {
                let arguments = ["promises", "search", "--id-prefix", "job-2", "--limit", "1", "--json"]
                let page = try await cli.run(arguments + (cursor.map { ["--cursor", $0] } ?? [])).json()
                paged += ids(page)
                cursor = page["cursor"]?.stringValue
            } while cursor != nil && paged.count < 10
            #expect(paged == ["job-2", "job-2x"])

            let pending = try await cli.run("promises", "search", "--id-prefix", "job-", "--state", "pending", "--json")
            #expect(ids(try pending.json()) == ["job-1", "job-2x", "job-3"])
            let nothing = try await cli.run("promises", "search", "--id-prefix", "zzz", "--json").json()
            #expect(ids(nothing) == [])
        }
    }

    private func ids(_ page: JSONValue) -> [String] {
        guard case .array(let promises)? = page["promises"] else { return ["<no promises member>"] }
        return promises.map { $0["id"]?.stringValue ?? "<no id>" }
    }
}
