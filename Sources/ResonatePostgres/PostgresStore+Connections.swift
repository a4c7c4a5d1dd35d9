// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import NIOSSL
package import PostgresNIO

extension PostgresStore.Configuration {
    /// Settings sent in every connection's startup packet; they take precedence over the server's, the
    /// database's and the role's defaults.
    var sessionParameters: [(String, String)] {
        // Durability of every acknowledged write must not depend on how the server happens to be configured.
        [("synchronous_commit", "on"), ("application_name", applicationName)]
    }

    /// The pool's settings.
    func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(tlsConfiguration)
        case .require, .verifyFull: tls = .require(tlsConfiguration)
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = sessionParameters
        return configuration
    }

    /// The settings of a single connection outside the pool (migrations, the commit probe).
    package func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch self.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
            case .require, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
            }
        } catch {
            throw PostgresStoreError(.invalidConfiguration, "cannot set up TLS: \(error)")
        }
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.additionalStartupParameters = sessionParameters
        return configuration
    }

    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // libpq's prefer and require encrypt without checking who answers; verify-full checks chain and host.
        if tls != .verifyFull { configuration.certificateVerification = .none }
        return configuration
    }
}
