// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Resonate
import ResonateProtocol

/// Drives load against a server, or against several replicas of one, over HTTP.
final class BenchClient: Sendable {
    /// The servers; load spreads over them (see ``measurePairs(concurrency:duration:)``), the other measurements
    /// use the first.
    let baseURLs: [String]
    let client: HTTPClient
    /// One protocol client per server, on ``client``'s connections.
    let servers: [ProtocolClient]

    var baseURL: String { baseURLs[0] }

    convenience init(baseURL: String, maximumConcurrency: Int) {
        self.init(baseURLs: [baseURL], maximumConcurrency: maximumConcurrency)
    }

    /// - Parameter maximumConcurrency: the most connections to each server.
    init(baseURLs: [String], maximumConcurrency: Int) {
        precondition(!baseURLs.isEmpty, "a bench client needs a server")
        self.baseURLs = baseURLs
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maximumConcurrency
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        servers = baseURLs.map { [client] in
            ProtocolClient(baseURL: $0, token: nil, http: client, requestTimeout: .seconds(60), correlationPrefix: "b")
        }
    }

    func shutdown() {
        try? client.syncShutdown()
    }

    func post(_ kind: RequestKind, _ data: String, server: Int = 0) async throws -> Int {
        try await exchange(kind, data, server: server).status
    }

    /// Sends one request, its data written as JSON text (cheaper than encoding typed requests: the load generator
    /// shares the machine with the server), to `baseURLs[server]`; returns the status and the response body.
    func exchange(_ kind: RequestKind, _ data: String, server: Int = 0) async throws -> (status: Int, body: ByteBuffer)
    {
        try await servers[server].post(kind, dataJSON: data)
    }

    /// `count` searches by the tag `bench:shard` (one of `shards` values, round robin), one at a time, each for
    /// the first page of `limit` promises; checks that every page is full.
    func measureSearch(shards: Int, count: Int, limit: Int) async throws -> LatencySummary {
        let clock = ContinuousClock()
        var latencies: [Double] = []
        for index in 0..<count {
            let start = clock.now
            let (status, body) = try await exchange(
                .promiseSearch, #"{"tags":{"bench:shard":"s\#(index % shards)"},"limit":\#(limit)}"#)
            latencies.append((clock.now - start).inMilliseconds)
            guard status == 200, let message = try? JSONParser().parse(String(buffer: body)),
                case .array(let promises)? = message["data"]?["promises"]
            else { throw BenchError("promise.search answered \(status): \(String(buffer: body).prefix(200))") }
            guard promises.count == limit else {
                throw BenchError("promise.search by tag found \(promises.count) promises, expected \(limit)")
            }
        }
        return LatencySummary(milliseconds: latencies)
    }

    struct PairResult: Codable, Sendable {
        var concurrency: Int
        var pairsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        /// CPU time (user + system) the servers used per durable request, all replicas together (Linux only).
        var serverCPUMicrosecondsPerRequest: Double?
        /// CPU time this load generator used per request: it shares the machine with the servers.
        var clientCPUMicrosecondsPerRequest: Double?
    }

    /// `concurrency` clients each create and settle promises back to back for `duration`; client `i` talks to
    /// server `i % baseURLs.count`, like clients behind a balancer that keeps each connection on one replica.
    /// The CPU time of `serverPIDs` and of this process over the run is divided by the requests sent.
    func measurePairs(concurrency: Int, duration: Duration, serverPIDs: [Int32] = []) async throws -> PairResult {
        let run = UUID().uuidString.prefix(8)
        let serverCPUBefore = serverPIDs.map { ProcessCPU.milliseconds(pid: $0) }
        let clientCPUBefore = ProcessCPU.milliseconds(pid: nil)
        let deadline = Int64(Date().timeIntervalSince1970 * 1000) + 86_400_000
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + duration
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                let server = worker % self.baseURLs.count
                group.addTask {
                    var latencies: [Double] = []
                    var index = 0
                    while clock.now < end {
                        let id = "bench-\(run)-\(worker)-\(index)"
                        let pairStart = clock.now
                        let created = try await self.post(
                            .promiseCreate, #"{"id":"\#(id)","timeoutAt":\#(deadline)}"#, server: server)
                        let settled = try await self.post(
                            .promiseSettle, #"{"id":"\#(id)","state":"resolved"}"#, server: server)
                        guard created == 200, settled == 200 else {
                            throw BenchError("unexpected statuses \(created)/\(settled)")
                        }
                        latencies.append((clock.now - pairStart).inMilliseconds)
                        index += 1
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let seconds = (clock.now - start).inSeconds
        let requests = Double(latencies.count * 2)
        let serverCPU = zip(serverPIDs, serverCPUBefore).reduce(Double?.some(0)) { total, server in
            guard let total, let before = server.1, let after = ProcessCPU.milliseconds(pid: server.0) else {
                return nil
            }
            return total + after - before
        }
        let clientCPU = clientCPUBefore.flatMap { before in ProcessCPU.milliseconds(pid: nil).map { $0 - before } }
        let summary = LatencySummary(milliseconds: latencies)
        return PairResult(
            concurrency: concurrency,
            pairsPerSecond: Double(latencies.count) / seconds,
            p50Milliseconds: summary.p50,
            p99Milliseconds: summary.p99,
            serverCPUMicrosecondsPerRequest: serverPIDs.isEmpty || requests == 0
                ? nil : serverCPU.map { $0 * 1000 / requests },
            clientCPUMicrosecondsPerRequest: requests == 0 ? nil : clientCPU.map { $0 * 1000 / requests }
        )
    }

    struct TimerResult: Codable, Sendable {
        var count: Int
        var p50: Int64
        var p99: Int64
        var max: Int64
        var early: Int
    }

    /// Creates `count` durable timers of random length 0.1–5 s and measures when their unblock arrives.
    func measureTimers(count: Int) async throws -> TimerResult {
        let run = UUID().uuidString.prefix(8)
        let process = "timer-\(run)"
        var request = HTTPClientRequest(url: baseURL + "/poll/bench/\(process)")
        request.headers.add(name: "Accept", value: "text/event-stream")
        let stream = try await client.execute(request, timeout: .seconds(600))
        return try await withThrowingTaskGroup(of: [String: Int64].self) { group in
            group.addTask {
                var arrivals: [String: Int64] = [:]
                var pending = ""
                var remaining = count
                for try await chunk in stream.body {
                    pending += String(buffer: chunk)
                    while let end = pending.firstRange(of: "\n\n") {
                        let block = pending[..<end.lowerBound]
                        pending = String(pending[end.upperBound...])
                        guard block.hasPrefix("data: "),
                            let message = try? JSONParser().parse(String(block.dropFirst(6))),
                            message["kind"] == .string("unblock"),
                            case .string(let id)? = message["data"]?["promise"]?["id"]
                        else { continue }
                        let now = Int64(Date().timeIntervalSince1970 * 1000)
                        arrivals[id] = now
                        remaining -= 1
                        if remaining == 0 { return arrivals }
                    }
                }
                throw BenchError("the event stream ended early")
            }
            var deadlines: [String: Int64] = [:]
            var generator = SystemRandomNumberGenerator()
            for index in 0..<count {
                let id = "timer-\(run)-\(index)"
                let timeoutAt =
                    Int64(Date().timeIntervalSince1970 * 1000) + Int64.random(in: 100...5000, using: &generator)
                deadlines[id] = timeoutAt
                let created = try await post(
                    .promiseCreate,
                    #"{"id":"\#(id)","timeoutAt":\#(timeoutAt),"tags":{"resonate:timer":"true","resonate:target":"poll://any@bench"}}"#
                )
                let listened = try await post(
                    .promiseRegisterListener,
                    #"{"awaited":"\#(id)","address":"poll://uni@bench/\#(process)"}"#
                )
                guard created == 200, listened == 200 else { throw BenchError("could not create timer \(id)") }
            }
            let received = try await group.next() ?? [:]
            group.cancelAll()
            let lateness = deadlines.compactMap { id, deadline in received[id].map { $0 - deadline } }.sorted()
            guard lateness.count == count else { throw BenchError("only \(lateness.count) of \(count) timers fired") }
            return TimerResult(
                count: count,
                p50: lateness[lateness.count / 2],
                p99: lateness[min(lateness.count - 1, lateness.count * 99 / 100)],
                max: lateness.last ?? 0,
                early: lateness.filter { $0 < 0 }.count
            )
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
