// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Resonate
import Testing

@Suite("Configuration and ids")
struct ConfigurationTests {
    @Test("the environment configures the SDK as the other Resonate SDKs read it")
    func environment() {
        let configured = Resonate.Configuration.fromEnvironment([
            "RESONATE_URL": "http://resonate.internal:9000",
            "RESONATE_GROUP": "billing",
            "RESONATE_PID": "worker-7",
            "RESONATE_TOKEN": "jwt",
            "RESONATE_TTL": "30s",
            "RESONATE_ID_RULES": "dot",
        ])
        #expect(configured.url == "http://resonate.internal:9000")
        #expect(configured.group == "billing")
        #expect(configured.pid == "worker-7")
        #expect(configured.token == "jwt")
        #expect(configured.ttl == .seconds(30))
        #expect(configured.idScheme == .dot)

        let fromHost = Resonate.Configuration.fromEnvironment(["RESONATE_HOST": "h", "RESONATE_PORT": "8002"])
        #expect(fromHost.url == "http://h:8002")
        let local = Resonate.Configuration.fromEnvironment([:])
        #expect(local.url == nil)
        #expect(local.group == "default")
        #expect(local.pid.count == 32)
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
