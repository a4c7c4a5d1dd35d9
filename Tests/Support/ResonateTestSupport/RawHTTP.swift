// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
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

    /// Connects to the loopback `port`, writes `requests` in one go (pipelined) and reads until the server closes
    /// the connection, which the last request must ask for (`Connection: close`); gives up after 10 s.
    ///
    /// The socket is read on a thread of its own: a blocking read on the cooperative pool could starve an
    /// in-process server of the threads it needs to answer.
    public static func exchange(port: Int, _ requests: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try exchangeBlocking(port: port, requests) })
            }
        }
    }

    private static func exchangeBlocking(port: Int, _ requests: String) throws -> String {
        let socket = try connect(port: port, sending: requests)
        defer { close(socket) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else {
                throw SocketError(description: "recv() failed: errno \(errno) after \(received.count) bytes")
            }
            received.append(contentsOf: chunk[..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// The responses in `text`, in order: each one's status and body (by its `Content-Length`).
    public static func responses(_ text: String) -> [(status: Int, body: String)] {
        var responses: [(status: Int, body: String)] = []
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = rest[..<headEnd.lowerBound]
            let lines = head.split(separator: "\r\n")
            let status = lines.first.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
            let length =
                lines.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].filter { !$0.isWhitespace }) } ?? 0
            let bodyStart = headEnd.upperBound
            let bodyEnd = rest.utf8.index(bodyStart, offsetBy: length)
            responses.append((status, String(rest[bodyStart..<bodyEnd])))
            rest = rest[bodyEnd...]
        }
        return responses
    }
}
