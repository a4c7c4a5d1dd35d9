// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonatePostgres
import Testing

@Suite("PostgreSQL store configuration")
struct ConfigurationTests {
    @Test("a full URL gives every part, percent-decoded")
    func fullURL() throws {
        let configuration = try PostgresStore.Configuration(
            url: "postgres://res%40nate:p%3Ass@db.internal:6543/resonate_prod?sslmode=verify-full")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "res@nate")
        #expect(configuration.password == "p:ss")
        #expect(configuration.database == "resonate_prod")
        #expect(configuration.tls == .verifyFull)
        #expect(configuration.maximumConnections == 10)
    }

    @Test("the port defaults to 5432, TLS to disabled, and postgresql:// is accepted")
    func defaults() throws {
        let configuration = try PostgresStore.Configuration(url: "postgresql://resonate@localhost/resonate")
        #expect(configuration.port == 5432)
        #expect(configuration.tls == .disable)
        #expect(configuration.password == nil)
    }

    @Test(
        "each malformed URL is refused with the reason",
        arguments: [
            ("mysql://u@h/db", "the scheme must be postgres:// or postgresql://"),
            ("postgres://u@/db", "the host is missing"),
            ("postgres://h/db", "the user is missing"),
            ("postgres://u@h", "the database name is missing"),
            ("postgres://u@h/", "the database name is missing"),
            ("postgres://u@h/a/b", "the path must be a single database name"),
            ("postgres://u@h:0/db", "the port must be 1-65535"),
            ("postgres://u@h/db?sslmode=sometimes", "sslmode must be one of disable, prefer, require, verify-full"),
            ("postgres://u@h/db?pool=3", "unsupported parameter 'pool' (supported: sslmode)"),
            ("not a url", "the scheme must be postgres:// or postgresql://"),
        ]
    )
    func malformed(url: String, reason: String) {
        #expect {
            try PostgresStore.Configuration(url: url)
        } throws: { error in
            guard let error = error as? PostgresStoreError else { return false }
            return error.code == .invalidURL && error.message.contains(reason)
        }
    }

    @Test("messages and descriptions never show the password")
    func passwordIsRedacted() throws {
        let configuration = try PostgresStore.Configuration(url: "postgres://u:hunter2@h/db")
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description == "postgres://u@h:5432/db")
        do {
            _ = try PostgresStore.Configuration(url: "postgres://u:hunter2@h/db?sslmode=nope")
            Issue.record("expected an error")
        } catch {
            #expect(!error.message.contains("hunter2"))
            #expect(error.message.contains("postgres://u:***@h/db"))
        }
    }

    @Test(
        "a pool without connections, writes without batches or batches without writes are refused",
        arguments: ["pool size", "concurrent write batches", "write batch size"]
    )
    func zeroIsRefused(setting: String) throws {
        var configuration = try PostgresStore.Configuration(url: "postgres://u@h/db")
        switch setting {
        case "pool size": configuration.maximumConnections = 0
        case "concurrent write batches": configuration.concurrentBatches = 0
        default: configuration.maximumBatchSize = 0
        }
        let error = #expect(throws: PostgresStoreError.self) { try PostgresStore(configuration: configuration) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains(setting) == true, "\(String(describing: error))")
    }
}
