// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Hummingbird
import NIOCore
import ResonateProtocol
import ResonateTestSupport
import ResonateTesting
import Synchronization

/// A stand-in for a Resonate server that records each request and answers every `POST /` with one canned response,
/// for what a real server cannot be made to do on demand (fail with 5xx, check a token).
final class RecordingServer: Sendable {
    struct Recorded: Sendable {
        var authorization: String?
        var body: String
    }

    /// HTTP status and body of every answer.
    let status: Int
    let body: @Sendable (_ request: JSONValue) -> String
    private let requests = Mutex<[Recorded]>([])

    init(status: Int, body: @escaping @Sendable (_ request: JSONValue) -> String) {
        self.status = status
        self.body = body
    }

    var recorded: [Recorded] { requests.withLock { $0 } }

    /// Runs the server on a free port for the duration of `body`.
    func with<T: Sendable>(_ run: @Sendable (_ url: String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("/") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            let text = String(buffer: bytes)
            self.requests.withLock {
                $0.append(Recorded(authorization: request.headers[.authorization], body: text))
            }
            let document = (try? JSONParser().parse(text)) ?? .null
            return Response(
                status: HTTPResponse.Status(code: self.status),
                headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: self.body(document)))
            )
        }
        return try await LocalHTTPServer.with(router, run)
    }

    /// A response envelope echoing the request's kind and corrId.
    static func envelope(for request: JSONValue, status: Int, data: String) -> String {
        let kind = request["kind"]?.stringValue ?? "unknown"
        let correlationID = request["head"]?["corrId"]?.stringValue ?? "0"
        return
            #"{"kind":"\#(kind)","head":{"corrId":"\#(correlationID)","status":\#(status),"version":"2026-04-01"},"data":\#(data)}"#
    }
}
