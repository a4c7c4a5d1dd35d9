// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ResonateAuth
import ResonateProtocol
import ResonateServer
import ResonateTesting
import Testing

/// JWT authentication and prefix authorization (PROTOCOL §1.6) on a live server.
@Suite("JWT auth", .timeLimit(.minutes(2)))
struct AuthTests {
    static let issuer = Result { try TestTokenIssuer(.es256) }

    /// Runs `body` against a server that verifies tokens with the ES256 test key.
    static func withAuthServer(
        issuer issuerClaim: String? = nil,
        audience: String? = nil,
        _ body: @Sendable (LiveServer, TestTokenIssuer) async throws -> Void
    ) async throws {
        let tokens = try issuer.get()
        let verifier = JWTVerifier(key: tokens.verifier.key, issuer: issuerClaim, audience: audience)
        try await LiveServer.with(server: { $0.authentication = verifier }) { server in
            try await body(server, tokens)
        }
    }

    static func rpc(
        _ server: LiveServer,
        _ kind: String,
        _ data: String,
        token: String?
    ) async throws -> (status: Int, data: JSONValue) {
        let auth = token.map { #","auth":"\#($0)""# } ?? ""
        let (status, envelope) = try await server.post(
            #"{"kind":"\#(kind)","head":{"corrId":"c","version":"2026-04-01"\#(auth)},"data":\#(data)}"#
        )
        return (status, envelope["data"] ?? .null)
    }

    static var future: Int64 { LiveServer.now + 600_000 }

    // MARK: Authentication

    struct BadToken: CustomTestStringConvertible, Sendable {
        var name: String
        var make: @Sendable (TestTokenIssuer) throws -> String?
        var testDescription: String { name }
    }

    static let badTokens: [BadToken] = [
        BadToken(name: "no token") { _ in nil },
        BadToken(name: "empty token") { _ in "" },
        BadToken(name: "not a JWT") { _ in "hello" },
        BadToken(name: "expired an hour ago") { issuer in
            try issuer.token(#"{"exp":\#(Int(Date().timeIntervalSince1970) - 3600),"role":"admin"}"#)
        },
        BadToken(name: "no exp claim") { issuer in try issuer.token(#"{"role":"admin"}"#) },
        BadToken(name: "exp not a number") { issuer in try issuer.token(#"{"exp":"tomorrow","role":"admin"}"#) },
        BadToken(name: "header claims RS256 for an EC key") { issuer in
            try issuer.token(claims: #""role":"admin""#).replacingFirstSegment(with: #"{"alg":"RS256","typ":"JWT"}"#)
        },
        BadToken(name: "alg none, unsigned") { issuer in
            let token = try issuer.token(claims: #""role":"admin""#)
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            return TestTokenIssuer.base64URL(Array(#"{"alg":"none"}"#.utf8)) + "." + parts[1] + "."
        },
        BadToken(name: "HS256 keyed with the public key") { issuer in
            try issuer.token(claims: #""role":"admin""#).replacingFirstSegment(with: #"{"alg":"HS256","typ":"JWT"}"#)
        },
        BadToken(name: "payload changed after signing") { issuer in
            let token = try issuer.token(claims: #""role":"worker","prefix":"abc""#)
            let parts = token.split(separator: ".", omittingEmptySubsequences: false)
            let forged = TestTokenIssuer.base64URL(
                Array(#"{"exp":\#(Int(Date().timeIntervalSince1970) + 3600),"role":"admin"}"#.utf8)
            )
            return parts[0] + "." + forged + "." + parts[2]
        },
        BadToken(name: "signature bit flipped") { issuer in
            var token = Array(try issuer.token(claims: #""role":"admin""#).utf8)
            let last = token.count - 3
            token[last] = token[last] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            return String(decoding: token, as: UTF8.self)
        },
        BadToken(name: "signed by another key") { _ in
            try TestTokenIssuer(.es256).token(claims: #""role":"admin""#)
        },
    ]

    @Test("requests without a valid token get 401 Unauthorized and change nothing", arguments: badTokens)
    func unauthenticated(_ bad: BadToken) async throws {
        try await Self.withAuthServer { server, issuer in
            let token = try bad.make(issuer)
            let (status, data) = try await Self.rpc(
                server, "promise.create", #"{"id":"p","timeoutAt":\#(Self.future)}"#, token: token)
            #expect(status == 401)
            #expect(data == .string("Unauthorized"))
            let admin = try issuer.token(claims: #""role":"admin""#)
            #expect(try await Self.rpc(server, "promise.get", #"{"id":"p"}"#, token: admin).status == 404)
        }
    }

    @Test("iss and aud are checked when configured")
    func issuerAndAudience() async throws {
        try await Self.withAuthServer(issuer: "https://issuer.example", audience: "resonate") { server, issuer in
            let get = #"{"id":"missing"}"#
            let good = try issuer.token(
                claims: #""role":"admin","iss":"https://issuer.example","aud":["x","resonate"]"#)
            #expect(try await Self.rpc(server, "promise.get", get, token: good).status == 404)
            for claims in [
                #""role":"admin","aud":"resonate""#,
                #""role":"admin","iss":"https://other.example","aud":"resonate""#,
                #""role":"admin","iss":"https://issuer.example""#,
                #""role":"admin","iss":"https://issuer.example","aud":"other""#,
            ] {
                #expect(
                    try await Self.rpc(server, "promise.get", get, token: try issuer.token(claims: claims)).status
                        == 401)
            }
        }
    }

    @Test("every supported key type verifies its tokens", arguments: TestTokenIssuer.Algorithm.allCases)
    func keyTypes(_ algorithm: TestTokenIssuer.Algorithm) async throws {
        let issuer = try TestTokenIssuer(algorithm)
        try await LiveServer.with(server: { $0.authentication = issuer.verifier }) { server in
            let good = try issuer.token(claims: #""role":"admin""#)
            #expect(try await Self.rpc(server, "promise.get", #"{"id":"x"}"#, token: good).status == 404)
            let other = try TestTokenIssuer(algorithm).token(claims: #""role":"admin""#)
            #expect(try await Self.rpc(server, "promise.get", #"{"id":"x"}"#, token: other).status == 401)
        }
    }

    // MARK: Authorization

    struct Access: CustomTestStringConvertible, Sendable {
        var claims: String
        var kind: String
        var data: String
        var allowed: Bool
        var testDescription: String {
            "\(claims.isEmpty ? "no role or prefix" : claims): \(kind) \(data) → \(allowed ? "allowed" : "403")"
        }
    }

    static let accesses: [Access] = {
        let create = #"{"id":"abc.1","timeoutAt":\#(future)}"#
        let createOther = #"{"id":"xyz.1","timeoutAt":\#(future)}"#
        var table: [Access] = []
        // Admin (any case) may do anything, searches and debug included.
        for role in ["admin", "Admin", "ADMIN"] {
            table.append(
                Access(claims: #""role":"\#(role)""#, kind: "promise.create", data: createOther, allowed: true))
        }
        table.append(Access(claims: #""role":"admin""#, kind: "promise.search", data: #"{"limit":10}"#, allowed: true))
        table.append(Access(claims: #""role":"admin""#, kind: "debug.snap", data: "{}", allowed: true))
        // The empty prefix covers everything.
        table.append(Access(claims: #""prefix":"""#, kind: "promise.create", data: createOther, allowed: true))
        table.append(Access(claims: #""prefix":"""#, kind: "task.search", data: #"{"limit":10}"#, allowed: true))
        // No usable prefix: nothing.
        for claims in [
            "", #""role":"worker""#, #""prefix":null"#, #""prefix":7"#, #""role":"worker","prefix":["abc"]"#,
        ] {
            table.append(Access(claims: claims, kind: "promise.create", data: create, allowed: false))
        }
        // A prefix covers the ids that start with it, byte for byte.
        let prefix = #""role":"worker","prefix":"abc""#
        table += [
            Access(claims: prefix, kind: "promise.create", data: create, allowed: true),
            Access(claims: prefix, kind: "promise.create", data: createOther, allowed: false),
            Access(
                claims: prefix, kind: "promise.create", data: #"{"id":"ab","timeoutAt":\#(future)}"#, allowed: false),
            Access(claims: prefix, kind: "promise.get", data: #"{"id":"abcdef"}"#, allowed: true),
            Access(claims: prefix, kind: "promise.get", data: #"{"id":"ABC"}"#, allowed: false),
            Access(
                claims: prefix, kind: "promise.settle",
                data: #"{"id":"xyz","state":"resolved","value":{"headers":{},"data":""}}"#, allowed: false),
            Access(
                claims: prefix, kind: "promise.register_listener",
                data: #"{"awaited":"abc.2","address":"poll://any@g"}"#, allowed: true),
            Access(
                claims: prefix, kind: "promise.register_listener", data: #"{"awaited":"xyz","address":"poll://any@g"}"#,
                allowed: false),
            Access(
                claims: prefix, kind: "promise.register_callback", data: #"{"awaited":"xyz","awaiter":"abc"}"#,
                allowed: false),
            Access(claims: prefix, kind: "task.get", data: #"{"id":"xyz"}"#, allowed: false),
            Access(claims: prefix, kind: "task.halt", data: #"{"id":"xyz"}"#, allowed: false),
            Access(
                claims: prefix, kind: "task.create",
                data:
                    #"{"pid":"p","ttl":1000,"action":{"kind":"promise.create","head":{},"data":{"id":"abc.t","timeoutAt":\#(future),"tags":{"resonate:target":"poll://any@g"}}}}"#,
                allowed: true),
            Access(
                claims: prefix, kind: "task.create",
                data:
                    #"{"pid":"p","ttl":1000,"action":{"kind":"promise.create","head":{},"data":{"id":"xyz.t","timeoutAt":\#(future)}}}"#,
                allowed: false),
            Access(
                claims: prefix, kind: "task.heartbeat",
                data: #"{"pid":"p","tasks":[{"id":"abc.1","version":1},{"id":"abc.2","version":1}]}"#, allowed: true),
            Access(
                claims: prefix, kind: "task.heartbeat",
                data: #"{"pid":"p","tasks":[{"id":"abc.1","version":1},{"id":"xyz","version":1}]}"#, allowed: false),
            Access(
                claims: prefix, kind: "schedule.create",
                data: #"{"id":"s","cron":"* * * * *","promiseId":"abc.{{.timestamp}}","promiseTimeout":60000}"#,
                allowed: true),
            Access(
                claims: prefix, kind: "schedule.create",
                data: #"{"id":"s","cron":"* * * * *","promiseId":"{{.timestamp}}.abc","promiseTimeout":60000}"#,
                allowed: false),
            Access(claims: prefix, kind: "schedule.get", data: #"{"id":"abc-s"}"#, allowed: true),
            Access(claims: prefix, kind: "schedule.delete", data: #"{"id":"other"}"#, allowed: false),
            // Searches name no resource a prefix could cover.
            Access(claims: prefix, kind: "promise.search", data: #"{"limit":10}"#, allowed: false),
            Access(claims: prefix, kind: "schedule.search", data: #"{"limit":10}"#, allowed: false),
            Access(claims: prefix, kind: "debug.snap", data: "{}", allowed: false),
        ]
        return table
    }()

    @Test("role admin and prefix claims decide which requests a token may make", arguments: accesses)
    func authorization(_ access: Access) async throws {
        try await Self.withAuthServer { server, issuer in
            let token = try issuer.token(claims: access.claims)
            let (status, data) = try await Self.rpc(server, access.kind, access.data, token: token)
            if access.allowed {
                #expect(status != 401 && status != 403, "got \(status) \(data)")
            } else {
                #expect(status == 403)
                #expect(data == .string("Forbidden"))
                // Nothing was applied.
                let admin = try issuer.token(claims: #""role":"admin""#)
                let (_, snapshot) = try await Self.rpc(server, "debug.snap", "{}", token: admin)
                #expect(snapshot["promises"] == .array([]))
            }
        }
    }

    // MARK: Streams

    @Test("SSE streams need a valid bearer token")
    func pollStream() async throws {
        try await Self.withAuthServer { server, issuer in
            let worker = try issuer.token(claims: #""role":"worker","prefix":"abc""#)
            let expired = try issuer.token(#"{"exp":\#(Int(Date().timeIntervalSince1970) - 3600)}"#)
            for (header, expected) in [
                (nil, 401), ("Bearer " + expired, 401), ("bearer " + worker, 401), ("Bearer", 401),
                ("Bearer " + worker, 200),
            ] as [(String?, Int)] {
                var request = HTTPClientRequest(url: server.baseURL + "/poll/workers/p1")
                if let header { request.headers.add(name: "Authorization", value: header) }
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                #expect(Int(response.status.code) == expected, "\(header ?? "no header")")
                if expected == 401 {
                    let body = try await response.body.collect(upTo: 1024)
                    #expect(String(buffer: body) == "Unauthorized")
                }
            }
        }
    }

    @Test("without a key, tokens are not checked")
    func authOff() async throws {
        try await LiveServer.with { server in
            let (status, _) = try await Self.rpc(
                server, "promise.create", #"{"id":"p","timeoutAt":\#(Self.future)}"#, token: "not-a-token")
            #expect(status == 200)
        }
    }
}

extension String {
    /// The token with its header segment replaced by `header` (JSON), signature kept: a forged algorithm.
    fileprivate func replacingFirstSegment(with header: String) -> String {
        let parts = split(separator: ".", omittingEmptySubsequences: false)
        return ([TestTokenIssuer.base64URL(Array(header.utf8))] + parts.dropFirst().map(String.init)).joined(
            separator: ".")
    }
}
