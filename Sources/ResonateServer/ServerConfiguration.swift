// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateAuth
public import ResonateEngine
public import Tracing

/// How the HTTP server listens and delivers. `init()` gives working defaults.
public struct ServerConfiguration: Sendable {
    /// The interface to bind. Default `127.0.0.1`: reachable from this machine only.
    public var host = "127.0.0.1"
    /// The API port. Default 8001, as the other Resonate servers and SDKs expect. 0 picks a free port.
    public var port = 8001
    /// The URL workers use to call back, sent as `head.serverUrl` in `execute` messages. Default
    /// `http://<host>:<port>` (`localhost` when bound to all interfaces).
    public var serverURL: String?
    /// The largest request body accepted; larger bodies get 413. Default 10 MiB.
    public var maximumBodySize = 10 << 20
    /// How often an idle SSE stream gets a `:` comment, so proxies keep it open and a vanished client is noticed.
    public var keepAliveInterval: Duration = .seconds(15)
    /// How long an SSE stream lives before the server ends it, cleanly, for the client to reconnect; `nil` never.
    /// Default 4 minutes. The official Python SDK (0.8.1) reads its stream with aiohttp's default 5-minute time
    /// limit for a whole request and does not reconnect after that limit fires: without an end from the server,
    /// such a process stops receiving messages for good after five minutes. Each stream ends at a random point
    /// of the last tenth of the lifetime, so processes that connected together do not reconnect together.
    /// Messages for a process between two of its streams are held and delivered when it reconnects.
    public var pollStreamLifetime: Duration? = .seconds(240)
    /// Messages buffered per SSE connection before further messages to it are dropped (recovered by timers).
    public var connectionBufferSize = 1000
    /// The most SSE connections at once; more get 503.
    public var maximumConnections = 10_000
    /// HTTP push requests in flight at once.
    public var pushConcurrency = 64
    /// The time limit of one HTTP push request.
    public var pushTimeout: Duration = .seconds(30)
    /// How long a graceful shutdown (SIGTERM, SIGINT) may take before what still runs is cancelled: a client that
    /// keeps a connection open mid-request must not keep the server from exiting. Default 10 s, well inside the
    /// usual 30 s a supervisor waits before SIGKILL.
    public var shutdownTimeout: Duration = .seconds(10)
    /// Whether the dashboard is served under `/ui` on the API port. Default `true`.
    public var isDashboardEnabled = true
    /// JWT authentication (PROTOCOL §1.6): `nil` (the default) accepts every request. With a verifier, `POST /`
    /// requires a valid token in `head.auth` whose `role` or `prefix` covers the request (else 401 or 403), and
    /// `GET /poll/…` requires one in `Authorization: Bearer …` (else 401).
    public var authentication: JWTVerifier?
    /// The tracer for request spans. Default `nil`: the process's (`InstrumentationSystem.tracer`, a no-op until
    /// bootstrapped; `resonate serve --otlp-endpoint` bootstraps an OTLP exporter). A request's span joins the
    /// trace in its `traceparent` header, so SDK calls and server work form one trace.
    public var tracer: (any Tracer)?
    /// How this server reaches the other replicas sharing its store (`nil`, the default: it is the only one).
    /// With a bus, messages for workers connected to another replica are relayed there, and anycast chooses
    /// among the connections of all replicas.
    public var replicaBus: (any ReplicaBus)?

    public init() {}

    /// The effective callback URL.
    public func effectiveServerURL(boundPort: Int? = nil) -> String {
        if let serverURL { return serverURL }
        let host = (self.host == "0.0.0.0" || self.host == "::") ? "localhost" : self.host
        return "http://\(host):\(boundPort ?? port)"
    }
}
