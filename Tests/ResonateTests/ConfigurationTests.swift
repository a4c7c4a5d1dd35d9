// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Resonate
import Testing

@Suite("Configuration and ids")
struct ConfigurationTests {
    @Test("the environment configures the SDK as the other Resonate SDKs read it")
    func environment() throws {
        let configured = try Resonate.Configuration.fromEnvironment([
            "RESONATE_URL": "http://resonate.internal:9000",
            "RESONATE_GROUP": "billing",
            "RESONATE_PID": "worker-7",
            "RESONATE_TOKEN": "jwt",
            "RESONATE_TTL": "30s",
            "RESONATE_ID_RULES": "dot",
        ])
        #expect(configured.mode == .remote(url: "http://resonate.internal:9000"))
        #expect(configured.group == "billing")
        #expect(configured.pid == "worker-7")
        #expect(configured.token == "jwt")
        #expect(configured.ttl == .seconds(30))
        #expect(configured.idScheme == .dot)

        let fromHost = try Resonate.Configuration.fromEnvironment(["RESONATE_HOST": "h", "RESONATE_PORT": "8002"])
        #expect(fromHost.mode == .remote(url: "http://h:8002"))
        let local = try Resonate.Configuration.fromEnvironment([:])
        #expect(local.mode == .local(path: nil))
        #expect(local.group == "default")
        #expect(local.pid.count == 32)
    }

    @Test(
        "an environment value that cannot be used is an error naming the variable, not ignored",
        arguments: [
            (["RESONATE_TTL": "soon"], "RESONATE_TTL=soon: expected a positive duration"),
            (["RESONATE_TTL": "0s"], "RESONATE_TTL=0s: expected a positive duration"),
            (["RESONATE_ID_RULES": "slash"], "RESONATE_ID_RULES=slash: expected colon or dot"),
            (["RESONATE_URL": "localhost:8001"], "RESONATE_URL=localhost:8001: expected an http:// or https:// URL"),
            (["RESONATE_HOST": "h", "RESONATE_PORT": "80a"], "RESONATE_PORT=80a: expected a port number"),
            (["RESONATE_HOST": "h", "RESONATE_SCHEME": "ftp"], "RESONATE_SCHEME=ftp: expected http or https"),
        ])
    func invalidEnvironment(environment: [String: String], message: String) {
        #expect {
            _ = try Resonate.Configuration.fromEnvironment(environment)
        } throws: { error in
            (error as? ResonateError)?.code == .invalidConfiguration && "\(error)".contains(message)
        }
    }

    @Test("child ids follow the Python SDK: root:1, and root:1.1 inside a step")
    func nestedIDs() async throws {
        let resonate = try Resonate.local()
        let leaf = try resonate.register("leaf") { (ctx: Context) async throws -> String in ctx.info.id }
        let middle = try resonate.register("middle") { (ctx: Context) async throws -> [String] in
            [ctx.info.id, try await ctx.run(leaf), try await ctx.run(leaf)]
        }
        let top = try resonate.register("top") { (ctx: Context) async throws -> [String] in
            try await ctx.run(middle) + [try await ctx.run(leaf)]
        }
        let ids = try await resonate.withRunning { try await $0.run("root", top) }
        #expect(ids == ["root:1", "root:1.1", "root:1.2", "root:2"])
    }

    @Test("root ids that would read as lineage are refused before anything is sent")
    func invalidRootIDs() async throws {
        let resonate = try Resonate.local()
        let leaf = try resonate.register("leaf") { (_: Context) async throws -> Int in 1 }
        try await resonate.withRunning { resonate in
            for id in ["", "a:b"] {
                await #expect {
                    _ = try await resonate.run(id, leaf)
                } throws: { error in
                    (error as? ResonateError)?.code == .invalidID
                }
            }
        }
    }
}
