// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Hummingbird
import Mustache
import NIOCore
import ResonateAuth
import ResonateEngine
import ResonateProtocol

/// Builds the dashboard's pages from the engine's protocol operations and renders them with its templates.
struct DashboardRenderer<S: Store>: Sendable {
    let server: ResonateServer<S>
    let library: MustacheLibrary

    /// Executions per page of the list.
    static var pageSize: Int { 50 }

    init(server: ResonateServer<S>) throws {
        self.server = server
        library = try DashboardTemplates.library()
    }

    /// What the visitor's token allows.
    struct Access: Sendable {
        var token: String?
        var verifier: JWTVerifier?

        /// Whether the token may change the promises `ids` (always, without authentication).
        func mayChange(_ ids: [String]) -> Bool {
            guard let verifier else { return true }
            return Authorization.decide(token: token, verifier: verifier, resourceIDs: ids) == .allowed
        }

        /// Whether the dashboard offers changes at all: the token covers every id (an operator's token).
        var isReadOnly: Bool { !mayChange([""]) }
    }

    /// A page that cannot be shown, with the status to answer.
    struct PageError: Error {
        var status: HTTPResponse.Status
        var heading: String
        var text: String
    }

    // MARK: Responding

    func respond(
        to request: Request, page: (Access) async throws -> (template: String, object: Any)
    ) async -> Response {
        await authenticated(
            request, otherwise: PageError(status: .internalServerError, heading: "Something went wrong", text: "")
        ) { access in
            let (template, object) = try await page(access)
            return html(library.render(object, withTemplate: template) ?? "", status: .ok)
        }
    }

    /// Runs a form's change and sends the browser back to the page it names, with a notice.
    func act(
        on request: Request,
        change: ([String: String], Access) async throws -> (location: String, notice: String)
    ) async -> Response {
        await authenticated(request, otherwise: PageError(status: .badRequest, heading: "Cannot do that", text: "")) {
            access in
            let body = try await request.body.collect(upTo: 1 << 20)
            let (location, notice) = try await change(Self.formFields(String(buffer: body)), access)
            let separator = location.contains("?") ? "&" : "?"
            return Response(
                status: .seeOther,
                headers: [.location: location + separator + "notice=" + Self.queryEncoded(notice)])
        }
    }

    /// Runs `body` with the visitor's access; a page error becomes its page, any other error a page of `otherwise`
    /// with the error's description.
    private func authenticated(
        _ request: Request, otherwise: PageError, _ body: (Access) async throws -> Response
    ) async -> Response {
        let access: Access
        switch authenticate(request) {
        case .success(let granted): access = granted
        case .failure(let error): return render(error, access: Access())
        }
        do {
            return try await body(access)
        } catch let error as PageError {
            return render(error, access: access)
        } catch {
            var page = otherwise
            page.text = "\(error)"
            return render(page, access: access)
        }
    }

    private func authenticate(_ request: Request) -> Result<Access, PageError> {
        guard let verifier = server.configuration.authentication else { return .success(Access()) }
        let token = Self.cookie(DashboardPages.tokenCookie, in: request.headers[.cookie])
        guard Authorization.decide(token: token, verifier: verifier, resourceIDs: []) != .unauthenticated else {
            return .failure(
                PageError(
                    status: .unauthorized, heading: "A token is needed",
                    text: "This server requires a JWT. Paste one to use the dashboard; it is kept in a cookie."))
        }
        return .success(Access(token: token, verifier: verifier))
    }

    private func render(_ error: PageError, access: Access) -> Response {
        let page = DashboardPages.Message(
            layout: layout(error.heading, section: "", access: access, notice: nil, isLive: false),
            heading: error.heading, text: error.text, asksForToken: error.status == .unauthorized)
        return html(library.render(page, withTemplate: "message") ?? error.text, status: error.status)
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }

    func layout(
        _ title: String, section: String, access: Access, notice: String?, isLive: Bool = true
    ) -> DashboardPages.Layout {
        DashboardPages.Layout(
            title: title, section: section, isLive: isLive, isReadOnly: access.isReadOnly, notice: notice)
    }

    // MARK: Engine

    /// Runs a protocol operation; a 4xx or 5xx becomes a page error with the engine's message.
    func execute(_ request: ResonateProtocol.Request) async throws -> Reply.Payload {
        let reply = await server.engine.execute(request)
        guard (200..<300).contains(reply.status) else {
            var message = "status \(reply.status)"
            if case .error(let text) = reply.payload { message = text }
            throw PageError(
                status: HTTPResponse.Status(code: reply.status), heading: "The server refused", text: message)
        }
        return reply.payload
    }

    func promise(_ id: String) async throws -> PromiseRecord? {
        let reply = await server.engine.execute(.promiseGet(id: id))
        if reply.status == 404 { return nil }
        guard reply.status == 200, case .promise(let promise) = reply.payload else {
            throw PageError(
                status: .internalServerError, heading: "Cannot read \(id)", text: "status \(reply.status)")
        }
        return promise
    }

    func task(_ id: String) async -> TaskRecord? {
        guard case .task(let task) = await server.engine.execute(.taskGet(id: id)).payload else { return nil }
        return task
    }

    /// The stored task, with its lease's expiry or next retry; `nil` when there is none.
    func storedTask(_ id: String) async throws -> TaskRow? {
        try await server.engine.storedTask(id: id)
    }

    func searchPromises(_ search: PromiseSearch) async throws -> (records: [PromiseRecord], cursor: String?) {
        guard case .promises(let records, let cursor) = try await execute(.promiseSearch(search)) else {
            return ([], nil)
        }
        return (records, cursor)
    }

    // MARK: Forms and cookies

    /// The fields of an `application/x-www-form-urlencoded` body; a repeated name keeps its last value.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            fields[decoded(parts[0])] = parts.count > 1 ? decoded(parts[1]) : ""
        }
        return fields
    }

    static func queryEncoded(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func cookie(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name { return String(pair[1]) }
        }
        return nil
    }
}
