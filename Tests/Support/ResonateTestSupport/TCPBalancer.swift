// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import NIOCore
import NIOPosix
import Synchronization

/// A round-robin TCP load balancer on a free loopback port, for tests of several server replicas: what a
/// deployment puts in front of them. Each accepted connection is piped to the next backend that accepts a
/// connection, so a dead backend is skipped; when a backend dies, the connections piped to it close.
///
/// ```swift
/// let balancer = try await TCPBalancer(backends: [replica1.port, replica2.port, replica3.port])
/// let worker = Resonate(url: balancer.url, group: "workers")
/// ```
public final class TCPBalancer: Sendable {
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }
    private let channel: any Channel

    public init(backends: [Int]) async throws {
        let counter = Atomic<Int>(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                let start = counter.wrappingAdd(1, ordering: .relaxed).oldValue
                let order = (0..<backends.count).map { backends[(start + $0) % backends.count] }
                return Self.connect(inbound, to: order[...])
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        self.channel = channel
        port = channel.localAddress?.port ?? 0
    }

    /// Stops accepting connections (open ones end when their backend or client closes them).
    public func close() async {
        try? await channel.close()
    }

    /// Connects to the first backend of `candidates` that accepts, and pipes `inbound` to it both ways.
    private static func connect(_ inbound: any Channel, to candidates: ArraySlice<Int>) -> EventLoopFuture<Void> {
        guard let port = candidates.first else {
            return inbound.eventLoop.makeFailedFuture(ChannelError.connectTimeout(.zero))
        }
        return ClientBootstrap(group: inbound.eventLoop)
            .channelInitializer { outbound in
                outbound.eventLoop.makeCompletedFuture {
                    try outbound.pipeline.syncOperations.addHandler(PipeHandler(partner: inbound))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .flatMap { outbound in
                inbound.eventLoop.makeCompletedFuture {
                    try inbound.pipeline.syncOperations.addHandler(PipeHandler(partner: outbound))
                }
            }
            .flatMapError { _ in connect(inbound, to: candidates.dropFirst()) }
    }
}

/// Writes what one side reads to the other, and closes the other when one side closes.
private final class PipeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let partner: any Channel

    init(partner: any Channel) {
        self.partner = partner
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
