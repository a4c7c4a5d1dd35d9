// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ResonateProtocol

/// How an ``Engine`` behaves. `init()` gives the protocol's defaults.
public struct EngineConfiguration: Sendable {
    /// How promise ids encode lineage. Default: `origin:lineage` ids, as the official Python SDK 0.8.1 mints.
    public var idRules: IDRules = .colon
    /// How long a pending task waits before its `execute` is sent again. Default 30 s.
    public var retryTimeout: Duration = .seconds(30)
    /// Whether `debug.*` operations and `head["resonate:debug_time"]` are honoured.
    public var isDebugEnabled = false
    /// The most promises, tasks and schedules one timer pass processes per transaction.
    public var timerBatchSize = 500
    /// How long a message for a disconnected poll group or process is kept for delivery when it connects.
    public var parkedMessageLifetime: Duration = .seconds(600)
    /// The longest the timer loop waits before looking for deadlines in the store again. The engine wakes itself
    /// for deadlines it creates; this bounds how late it notices deadlines written by other processes sharing the
    /// store (server replicas on one PostgreSQL database), for example those of a replica that died. Default 60 s.
    public var maximumTimerWait: Duration = .seconds(60)
    /// How long a message relayed to another server replica may go unacknowledged before it is routed again (to
    /// another connection when that replica has died meanwhile). Default 1 s.
    public var relayAcknowledgementTimeout: Duration = .seconds(1)
    /// How many times a message is relayed without an acknowledgement before it is left to the task's retry
    /// timer. Default 10.
    public var maximumRelayAttempts = 10

    public init() {}

    var retryTimeoutMilliseconds: Int64 { retryTimeout.wholeMilliseconds }
}
