// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation

/// Options every client command takes: which server, which token, which output format.
struct ClientOptions: ParsableArguments {
    static let defaultServer = "http://localhost:8001"

    @Option(
        name: [.customShort("S"), .customLong("server")],
        help: "Server URL. [env: RESONATE_URL] (default: http://localhost:8001)"
    )
    var server: String?

    @Option(
        name: [.customShort("T"), .customLong("token")],
        help: "JWT sent as head.auth and as Authorization: Bearer. [env: RESONATE_TOKEN]"
    )
    var token: String?

    @Flag(help: "Print machine-readable JSON (one document per line) instead of text.")
    var json = false

    /// The server URL without a trailing slash: the flag, else `RESONATE_URL`, else the default.
    func serverURL() throws(ClientError) -> String {
        let environment = ProcessInfo.processInfo.environment
        var url = server ?? environment["RESONATE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultServer
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > "https://".count else {
            throw .usage("invalid server URL '\(url)': expected http://HOST[:PORT] or https://HOST[:PORT]")
        }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// The token: the flag, else `RESONATE_TOKEN`; an empty value means none.
    func resolvedToken() -> String? {
        let value = token ?? ProcessInfo.processInfo.environment["RESONATE_TOKEN"]
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// A client for the resolved server and token.
    func client() throws(ClientError) -> ResonateClient {
        ResonateClient(serverURL: try serverURL(), token: resolvedToken())
    }

    /// Where and how to print results.
    var console: Console { Console(format: json ? .json : .text) }
}
