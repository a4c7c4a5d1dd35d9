// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Resonate
import ResonateServer
import ResonateTesting
import Testing

/// The SDK against a server that requires JWTs: its token travels with every request and on its message stream.
@Suite("Authentication", .timeLimit(.minutes(1)))
struct AuthenticationTests {
    @Test("with a token, workers and callers run a workflow with an rpc and a sleep")
    func tokenCarriesEverything() async throws {
        let issuer = try TestTokenIssuer(.edDSA)
        try await InProcessServer.with(server: { $0.authentication = issuer.verifier }) { server in
            // A prefix token: every id this application uses starts with "orders".
            let token = try issuer.token(claims: #""role":"worker","prefix":"orders""#)
            let worker = Resonate(url: server.url, group: "workers", token: token)
            let double = try worker.register("double") { (_: Context, value: Int) async throws -> Int in value * 2 }
            let client = Resonate(url: server.url, group: "clients", token: token)
            let workflow = try client.register("workflow") { (ctx: Context, value: Int) async throws -> Int in
                let doubled = try await ctx.rpc(double, value, options: .target("workers"))
                try await ctx.sleep(for: .milliseconds(50))
                return doubled + 1
            }
            let result = try await worker.withRunning { _ in
                try await client.withRunning { client in try await client.run("orders-1", workflow, 20) }
            }
            #expect(result == 41)
        }
    }

    @Test("without a token, or outside its prefix, calls fail with the server's 401 or 403")
    func refused() async throws {
        let issuer = try TestTokenIssuer(.es256)
        try await InProcessServer.with(server: { $0.authentication = issuer.verifier }) { server in
            let anonymous = Resonate(url: server.url, group: "clients")
            let echo = try anonymous.register("echo") { (_: Context, value: Int) async throws -> Int in value }
            try await anonymous.withRunning { resonate in
                let error = await #expect(throws: ResonateError.self) { try await resonate.run("e-1", echo, 1) }
                #expect(error?.status == 401)
            }
            let scoped = Resonate(
                url: server.url, group: "clients", token: try issuer.token(claims: #""prefix":"orders""#))
            let echoAgain = try scoped.register("echo") { (_: Context, value: Int) async throws -> Int in value }
            try await scoped.withRunning { resonate in
                let error = await #expect(throws: ResonateError.self) {
                    try await resonate.run("invoices-1", echoAgain, 1)
                }
                #expect(error?.status == 403)
            }
        }
    }
}
