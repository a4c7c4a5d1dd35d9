// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import NIOCore
import ResonateEngine

extension ResonateServer {
    /// `GET /health` (liveness), `GET /ready` (storage answers), and 410 on the pre-2026 REST paths.
    func addOperationalRoutes(to router: Router<BasicRequestContext>) {
        let engine = self.engine
        router.get("/health") { _, _ -> Response in
            Response(status: .ok)
        }
        router.get("/ready") { _, _ -> Response in
            await engine.isReady() ? Response(status: .ok) : Response(status: .serviceUnavailable)
        }
        let gone = Array(
            #"{"error":"This endpoint is no longer supported. Please update to the latest SDK."}"#.utf8
        )
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head]
        for path in ["promises", "schedules", "tasks"] {
            for method in methods {
                for pattern in ["/\(path)", "/\(path)/**"] {
                    router.on(RouterPath(pattern), method: method) { _, _ -> Response in
                        Self.jsonResponse(status: 410, body: gone)
                    }
                }
            }
        }
    }
}
