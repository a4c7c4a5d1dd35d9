// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Why a ``ProtocolClient`` request got no reply.
package struct ProtocolClientError: Error, CustomStringConvertible {
    package enum Kind: Sendable {
        /// The server could not be reached (refused, timed out, closed the connection), through every retry.
        case unreachable
        /// The server answered with something that is not a response envelope.
        case unreadable
    }

    package var kind: Kind
    package var message: String
    /// The HTTP status of an unreadable answer.
    package var status: Int?
    package var underlying: any Error

    init(_ kind: Kind, _ message: String, status: Int? = nil, underlying: any Error) {
        self.kind = kind
        self.message = message
        self.status = status
        self.underlying = underlying
    }

    package var description: String { message }

    /// A short reason for a transport failure: NIO's descriptions of connection errors are long and nested.
    package static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        for (needle, reason) in [
            ("ECONNREFUSED", "connection refused"), ("Connection refused", "connection refused"),
            ("connectTimeout", "connection timed out"), ("deadlineExceeded", "no response in time"),
            ("remoteConnectionClosed", "the server closed the connection"),
            ("NXDOMAIN", "unknown host"), ("Name or service not known", "unknown host"),
            ("nodename nor servname", "unknown host"),
        ] where text.contains(needle) {
            return reason
        }
        return text
    }
}
