// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Glibc

/// Plain sockets, for clients that misbehave in ways an HTTP client library does not.
public enum RawHTTP {
    public struct SocketError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Connects to the loopback `port` and writes `request`; returns the connected descriptor, which the caller
    /// closes.
    public static func connect(port: Int, sending request: String) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw SocketError(description: "socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw SocketError(description: "connect() failed: errno \(errno)")
        }
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else {
                close(socket)
                throw SocketError(description: "send() failed: errno \(errno)")
            }
            sent += count
        }
        return socket
    }

    /// Connects to the loopback `port`, writes `request`, and resets the connection without reading anything (a
    /// process killed mid-request, or a client timing out, looks like this to the server).
    public static func sendAndHangUp(port: Int, _ request: String) throws {
        let socket = try connect(port: port, sending: request)
        // Linger 0: closing sends a reset at once instead of a polite end of stream.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(socket, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(socket)
    }
}
