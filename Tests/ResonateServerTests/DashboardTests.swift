// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ResonateProtocol
import ResonateServer
import ResonateTesting
import Testing

/// The dashboard's pages and forms over HTTP, against a live server (the browser test in the interop suite drives
/// the same pages in Chromium).
@Suite("The dashboard under /ui", .timeLimit(.minutes(2)))
struct DashboardTests {
    /// A browser stand-in: no redirects followed, one cookie header sent along.
    struct Browser {
        let server: LiveServer
        var cookie: String?

        func get(_ path: String) async throws -> (status: Int, body: String, headers: HTTPHeaders) {
            var request = HTTPClientRequest(url: server.baseURL + path)
            if let cookie { request.headers.add(name: "Cookie", value: cookie) }
            return try await send(request)
        }

        func post(
            _ path: String, form: [(String, String)]
        ) async throws -> (
            status: Int, body: String, headers: HTTPHeaders
        ) {
            var request = HTTPClientRequest(url: server.baseURL + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            if let cookie { request.headers.add(name: "Cookie", value: cookie) }
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let body = form.map {
                "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
            }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
            return try await send(request)
        }

        private func send(
            _ request: HTTPClientRequest
        ) async throws -> (
            status: Int, body: String, headers: HTTPHeaders
        ) {
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            do {
                let response = try await client.execute(request, timeout: .seconds(30))
                let body = String(buffer: try await response.body.collect(upTo: 4 << 20))
                try await client.shutdown()
                return (Int(response.status.code), body, response.headers)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// Base64 of compact JSON, as SDKs store values.
    static func base64(_ json: String) -> String { Data(json.utf8).base64EncodedString() }

    /// An order execution with a latent promise below it, and an invoice execution.
    static func seed(_ server: LiveServer) async throws {
        let param = base64(#"{"func":"approve_order","args":["order-1"],"version":1}"#)
        let timeout = LiveServer.now + 3_600_000
        for (id, tags) in [
            ("order-1", #"{"resonate:target":"poll://any@workers","resonate:origin":"order-1"}"#),
            ("order-1:1", #"{"resonate:origin":"order-1","resonate:parent":"order-1","resonate:scope":"global"}"#),
            ("invoice-1", #"{"resonate:target":"poll://any@billing","resonate:origin":"invoice-1"}"#),
        ] {
            let data = id == "order-1:1" ? "null" : #""\#(param)""#
            let created = try await server.rpc(
                "promise.create",
                #"{"id":"\#(id)","timeoutAt":\#(timeout),"param":{"headers":{},"data":\#(data)},"tags":\#(tags)}"#)
            #expect(created.status == 200, "\(created)")
        }
    }

    @Test("the executions page lists root promises with their function, and filters by id prefix, state and tag")
    func listsAndFilters() async throws {
        try await LiveServer.with { server in
            try await Self.seed(server)
            let browser = Browser(server: server)
            let all = try await browser.get("/ui")
            #expect(all.status == 200)
            #expect(all.headers["Content-Type"].first?.hasPrefix("text/html") == true)
            #expect(all.body.contains(">order-1</a>") && all.body.contains(">invoice-1</a>"))
            #expect(all.body.contains("approve_order"))
            #expect(!all.body.contains(">order-1:1</a>"), "an inner promise is not an execution")
            let prefixed = try await browser.get("/ui?prefix=order")
            #expect(prefixed.body.contains(">order-1</a>") && !prefixed.body.contains(">invoice-1</a>"))
            let resolved = try await browser.get("/ui?state=resolved")
            #expect(resolved.body.contains("No executions match."))
            let tagged = try await browser.get("/ui?tag=resonate%3Atarget%3Dpoll%3A%2F%2Fany%40billing")
            #expect(tagged.body.contains(">invoice-1</a>") && !tagged.body.contains(">order-1</a>"))
            let badTag = try await browser.get("/ui?tag=nokey")
            #expect(badTag.status == 400)
            #expect(badTag.body.contains("key=value"))
        }
    }

    @Test("paging through 130 executions, each with an inner promise, shows every execution once, 50 to a page")
    func pagesThroughEveryExecution() async throws {
        try await LiveServer.with { server in
            let timeout = LiveServer.now + 3_600_000
            for index in 0..<130 {
                let id = String(format: "order-%03d", index)
                for (promise, tags) in [
                    (id, #"{"resonate:origin":"\#(id)"}"#),
                    ("\(id):1", #"{"resonate:origin":"\#(id)","resonate:parent":"\#(id)"}"#),
                ] {
                    let created = try await server.rpc(
                        "promise.create", #"{"id":"\#(promise)","timeoutAt":\#(timeout),"tags":\#(tags)}"#)
                    #expect(created.status == 200)
                }
            }
            let browser = Browser(server: server)
            var seen: [String] = []
            var pages = 0
            var path: String? = "/ui?prefix=order-"
            while let next = path {
                let page = try await browser.get(next)
                #expect(page.status == 200)
                pages += 1
                seen += page.body.matches(of: /">(order-\d{3}(?::1)?)<\/a>/).map { String($0.1) }
                // The next page's link, with its cursor; HTML-escaped by the template.
                path = page.body.firstMatch(of: /href="(\/ui\?[^"]*after=[^"]*)"/)
                    .map { String($0.1).replacingOccurrences(of: "&amp;", with: "&") }
                #expect(pages <= 4, "more pages than 130 executions need")
                if pages > 4 { break }
            }
            #expect(seen == (0..<130).map { String(format: "order-%03d", $0) })
            #expect(pages == 3)
        }
    }

    @Test("an execution's page shows its tree and decoded arguments; its latent promise is resolved with JSON")
    func resolvesALatentPromise() async throws {
        try await LiveServer.with { server in
            try await Self.seed(server)
            let browser = Browser(server: server)
            let page = try await browser.get("/ui/execution?id=order-1")
            #expect(page.status == 200)
            #expect(page.body.contains("└── order-1:1"))
            #expect(page.body.contains("&quot;order-1&quot;"), "the decoded argument")
            #expect(page.body.contains(#"action="/ui/settle""#))
            // The root's task is pending: its next retry shows, which the protocol's task record does not carry.
            #expect(page.body.contains("execute sent again"))
            let notJSON = try await browser.post(
                "/ui/settle", form: [("id", "order-1:1"), ("state", "resolved"), ("value", "{not json")])
            #expect(notJSON.status == 400)
            let stillPending = try await server.rpc("promise.get", #"{"id":"order-1:1"}"#).data["promise"]?["state"]
            #expect(stillPending == .string("pending"))
            let settled = try await browser.post(
                "/ui/settle", form: [("id", "order-1:1"), ("state", "resolved"), ("value", #"{"approved": true}"#)])
            #expect(settled.status == 303)
            #expect(settled.headers["Location"].first?.hasPrefix("/ui/execution?id=order-1:1&notice=") == true)
            let promise = try await server.rpc("promise.get", #"{"id":"order-1:1"}"#).data["promise"]
            #expect(promise?["state"] == .string("resolved"))
            #expect(promise?["value"]?["data"] == .string(Self.base64(#"{"approved":true}"#)))
            let missing = try await browser.get("/ui/execution?id=nope")
            #expect(missing.status == 404)
        }
    }

    @Test("canceling an execution from its page settles it rejected_canceled with the reason; twice says so")
    func cancels() async throws {
        try await LiveServer.with { server in
            try await Self.seed(server)
            let browser = Browser(server: server)
            let canceled = try await browser.post("/ui/cancel", form: [("id", "invoice-1"), ("reason", "twice")])
            #expect(canceled.status == 303)
            #expect(canceled.headers["Location"].first?.contains("canceled") == true)
            let promise = try await server.rpc("promise.get", #"{"id":"invoice-1"}"#).data["promise"]
            #expect(promise?["state"] == .string("rejected_canceled"))
            let again = try await browser.post("/ui/cancel", form: [("id", "invoice-1"), ("reason", "again")])
            #expect(again.headers["Location"].first?.contains("already") == true)
        }
    }

    @Test("with JWT auth: no token asks for one; a token becomes a cookie; a prefix token is read-only elsewhere")
    func respectsAuthentication() async throws {
        let issuer = try TestTokenIssuer(.es256)
        try await LiveServer.with(server: { $0.authentication = issuer.verifier }) { server in
            let admin = try issuer.token(claims: #""role":"admin""#)
            _ = try await AuthTests.rpc(
                server, "promise.create", #"{"id":"order-1","timeoutAt":\#(LiveServer.now + 60_000)}"#, token: admin)
            var browser = Browser(server: server)
            let anonymous = try await browser.get("/ui")
            #expect(anonymous.status == 401)
            #expect(anonymous.body.contains(#"name="token""#))
            let signIn = try await browser.get("/ui?token=\(admin)")
            #expect(signIn.status == 303)
            let cookie = signIn.headers["Set-Cookie"].first ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            browser.cookie = String(cookie.prefix { $0 != ";" })
            let page = try await browser.get("/ui/execution?id=order-1")
            #expect(page.status == 200)
            #expect(page.body.contains("Cancel execution"))
            // A token for invoices only: it sees the order but may not change it.
            browser.cookie = "resonate_ui_token=" + (try issuer.token(claims: #""prefix":"invoice-""#))
            let readOnly = try await browser.get("/ui/execution?id=order-1")
            #expect(readOnly.status == 200)
            #expect(readOnly.body.contains("read-only") && !readOnly.body.contains("Cancel execution"))
            let refused = try await browser.post("/ui/cancel", form: [("id", "order-1")])
            #expect(refused.status == 403)
            let state = try await AuthTests.rpc(server, "promise.get", #"{"id":"order-1"}"#, token: admin)
            #expect(state.data["promise"]?["state"] == .string("pending"))
        }
    }

    @Test("the workers and schedules pages say when there is nothing, list a schedule, and delete it from its form")
    func workersAndSchedules() async throws {
        try await LiveServer.with { server in
            let browser = Browser(server: server)
            let workers = try await browser.get("/ui/workers")
            #expect(workers.status == 200 && workers.body.contains("No worker is connected."))
            #expect(try await browser.get("/ui/schedules").body.contains("No schedules."))

            let created = try await server.rpc(
                "schedule.create",
                #"{"id":"nightly","cron":"0 3 * * *","promiseId":"nightly.{{.timestamp}}","promiseTimeout":60000,"promiseTags":{"resonate:target":"poll://any@workers"}}"#
            )
            #expect(created.status == 200, "\(created)")
            let listed = try await browser.get("/ui/schedules")
            #expect(listed.body.contains("<code>nightly</code>") && listed.body.contains("<code>0 3 * * *</code>"))
            #expect(!listed.body.contains("No schedules."))

            let deleted = try await browser.post("/ui/schedules/delete", form: [("id", "nightly")])
            #expect(deleted.status == 303)
            #expect(try await browser.get("/ui/schedules").body.contains("No schedules."))
        }
    }

    @Test("--no-ui: nothing is served under /ui")
    func canBeTurnedOff() async throws {
        try await LiveServer.with(server: { $0.isDashboardEnabled = false }) { server in
            let page = try await Browser(server: server).get("/ui")
            #expect(page.status == 404)
        }
    }
}
