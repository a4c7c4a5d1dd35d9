// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Hummingbird
import NIOCore

extension ResonateServer {
    /// The dashboard under `/ui`: executions, one execution's call tree, workers and schedules, as server-rendered
    /// pages, with forms that settle latent promises, cancel executions and delete schedules.
    ///
    /// Every read and change goes through the engine's protocol operations, as an SDK's would. With JWT
    /// authentication on, the dashboard asks for a token once (kept in a same-site cookie) and offers changes only
    /// where the token may make them.
    func addDashboardRoutes(to router: Router<BasicRequestContext>) throws {
        let dashboard = try DashboardRenderer(server: self)
        router.get("/ui/assets/dashboard.css") { _, _ in
            Self.asset(DashboardAssets.stylesheet, type: "text/css; charset=utf-8")
        }
        router.get("/ui/assets/dashboard.js") { _, _ in
            Self.asset(DashboardAssets.script, type: "text/javascript; charset=utf-8")
        }
        router.get("/ui") { request, _ in
            if let token = request.uri.queryParameters["token"] {
                // Keep the token in a cookie and drop it from the address bar (and from its history).
                return Response(
                    status: .seeOther,
                    headers: [
                        .location: "/ui",
                        .setCookie: "\(DashboardPages.tokenCookie)=\(token); Path=/ui; HttpOnly; SameSite=Strict",
                    ])
            }
            return await dashboard.respond(to: request) { access in
                let query = Dictionary(
                    request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { $1 })
                return try await dashboard.executions(query, access: access)
            }
        }
        router.get("/ui/execution") { request, _ in
            await dashboard.respond(to: request) { access in
                try await dashboard.execution(
                    String(request.uri.queryParameters["id"] ?? ""),
                    notice: request.uri.queryParameters["notice"].map(String.init), access: access)
            }
        }
        router.get("/ui/workers") { request, _ in
            await dashboard.respond(to: request) { access in try await dashboard.workers(access: access) }
        }
        router.get("/ui/schedules") { request, _ in
            await dashboard.respond(to: request) { access in
                try await dashboard.schedules(
                    notice: request.uri.queryParameters["notice"].map(String.init), access: access)
            }
        }
        router.post("/ui/settle") { request, _ in
            await dashboard.act(on: request) { form, access in try await dashboard.settle(form, access: access) }
        }
        router.post("/ui/cancel") { request, _ in
            await dashboard.act(on: request) { form, access in try await dashboard.cancel(form, access: access) }
        }
        router.post("/ui/schedules/delete") { request, _ in
            await dashboard.act(on: request) { form, access in
                try await dashboard.deleteSchedule(form, access: access)
            }
        }
    }

    private static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "max-age=300"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
