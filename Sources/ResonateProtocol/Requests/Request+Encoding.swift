// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Request {
    /// The JSON bytes of the request envelope:
    /// `{"kind":…,"head":{"corrId":…,"version":"2026-04-01"[,"auth":…]},"data":{…}}`.
    ///
    /// ```swift
    /// let body = Request.promiseGet(id: "wf").envelope(correlationID: "c1")
    /// // {"kind":"promise.get","head":{"corrId":"c1","version":"2026-04-01"},"data":{"id":"wf"}}
    /// ```
    ///
    /// - Parameters:
    ///   - correlationID: echoed in the response's `head.corrId`; nested actions derive theirs from it.
    ///   - auth: a JWT for `head.auth` (without a `Bearer ` prefix), repeated in the head of each nested action.
    public func envelope(correlationID: String, auth: String? = nil) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        Self.writeEnvelope(
            kind: kind, correlationID: correlationID, auth: auth, omitsPreload: omitsPreload,
            requestsCleanup: requestsCleanup, to: &writer
        ) { writer in
            writeData(to: &writer, correlationID: correlationID, auth: auth)
        }
        return writer.bytes
    }

    /// Writes the request envelope's `data` object, in the shape the Python SDK sends.
    ///
    /// `promise.create` data always carries `param` and `tags` (`{}` when empty), `promise.settle` data always
    /// carries `value`; searches omit `state`, `cursor` and empty `tags`, and always carry `limit`. The nested
    /// actions of `task.create`, `task.fulfill`, `task.suspend` and `task.fence` are complete envelopes whose head
    /// has the corrId `"<correlationID>.<n>"` (n counting actions from 1), the protocol version and `auth`.
    public func writeData(to writer: inout JSONWriter, correlationID: String, auth: String?) {
        writer.beginObject()
        switch self {
        case .promiseGet(let id), .taskGet(let id), .taskHalt(let id), .taskContinue(let id), .scheduleGet(let id),
            .scheduleDelete(let id):
            writer.member("id", id)
        case .promiseCreate(let create):
            Self.writeMembers(of: create, to: &writer)
        case .promiseSettle(let settle):
            Self.writeMembers(of: settle, to: &writer)
        case .promiseRegisterCallback(let awaited, let awaiter):
            writer.member("awaited", awaited)
            writer.member("awaiter", awaiter)
        case .promiseRegisterListener(let awaited, let address):
            writer.member("awaited", awaited)
            writer.member("address", address)
        case .promiseSearch(let search):
            if let state = search.state { writer.member("state", state.rawValue) }
            if !search.tags.isEmpty {
                writer.key("tags")
                writer.stringMap(search.tags)
            }
            writer.member("limit", Int64(search.limit))
            if let cursor = search.cursor { writer.member("cursor", cursor) }
        case .taskCreate(let create):
            writer.member("pid", create.pid)
            writer.member("ttl", create.ttl)
            writer.key("action")
            Self.writeAction(.promiseCreate, correlationID: "\(correlationID).1", auth: auth, to: &writer) { writer in
                Self.writeMembers(of: create.promise, to: &writer)
            }
        case .taskAcquire(let acquire):
            writer.member("id", acquire.id)
            writer.member("version", acquire.version)
            writer.member("pid", acquire.pid)
            writer.member("ttl", acquire.ttl)
        case .taskRelease(let id, let version):
            writer.member("id", id)
            writer.member("version", version)
        case .taskFulfill(let fulfill):
            writer.member("id", fulfill.id)
            writer.member("version", fulfill.version)
            writer.key("action")
            Self.writeAction(.promiseSettle, correlationID: "\(correlationID).1", auth: auth, to: &writer) { writer in
                Self.writeMembers(of: fulfill.settle, to: &writer)
            }
        case .taskSuspend(let suspend):
            writer.member("id", suspend.id)
            writer.member("version", suspend.version)
            writer.key("actions")
            writer.beginArray()
            for (index, callback) in suspend.callbacks.enumerated() {
                Self.writeAction(
                    .promiseRegisterCallback,
                    correlationID: "\(correlationID).\(index + 1)",
                    auth: auth,
                    to: &writer
                ) { writer in
                    writer.member("awaited", callback.awaited)
                    writer.member("awaiter", callback.awaiter)
                }
            }
            writer.endArray()
        case .taskFence(let fence):
            writer.member("id", fence.id)
            writer.member("version", fence.version)
            writer.key("action")
            let actionID = "\(correlationID).1"
            Self.writeAction(fence.action.kind, correlationID: actionID, auth: auth, to: &writer) { writer in
                switch fence.action {
                case .create(let create): Self.writeMembers(of: create, to: &writer)
                case .settle(let settle): Self.writeMembers(of: settle, to: &writer)
                }
            }
        case .taskHeartbeat(let heartbeat):
            writer.member("pid", heartbeat.pid)
            writer.key("tasks")
            writer.beginArray()
            for task in heartbeat.tasks {
                writer.beginObject()
                writer.member("id", task.id)
                writer.member("version", task.version)
                writer.endObject()
            }
            writer.endArray()
        case .taskSearch(let search):
            if let state = search.state { writer.member("state", state.rawValue) }
            writer.member("limit", Int64(search.limit))
            if let cursor = search.cursor { writer.member("cursor", cursor) }
        case .scheduleCreate(let create):
            writer.member("id", create.id)
            writer.member("cron", create.cron)
            writer.member("promiseId", create.promiseId)
            writer.member("promiseTimeout", create.promiseTimeout)
            writer.key("promiseParam")
            create.promiseParam.write(to: &writer)
            writer.key("promiseTags")
            writer.stringMap(create.promiseTags)
        case .scheduleSearch(let search):
            if !search.tags.isEmpty {
                writer.key("tags")
                writer.stringMap(search.tags)
            }
            writer.member("limit", Int64(search.limit))
            if let cursor = search.cursor { writer.member("cursor", cursor) }
        case .debugTick(let time):
            writer.member("time", time)
        case .debugStart, .debugStop, .debugReset, .debugSnap:
            break
        }
        writer.endObject()
    }

    /// The envelope of a request of `kind` whose `data` object is given as JSON text, for load generators that
    /// write their requests' data directly. `dataJSON` must be one JSON object.
    public static func envelope(kind: RequestKind, correlationID: String, auth: String?, dataJSON: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 128 + dataJSON.utf8.count)
        writeEnvelope(kind: kind, correlationID: correlationID, auth: auth, to: &writer) { $0.raw(dataJSON.utf8) }
        return writer.bytes
    }

    private static func writeEnvelope(
        kind: RequestKind,
        correlationID: String,
        auth: String?,
        omitsPreload: Bool = false,
        requestsCleanup: Bool = false,
        to writer: inout JSONWriter,
        data writeData: (inout JSONWriter) -> Void
    ) {
        writer.beginObject()
        writer.member("kind", kind.rawValue)
        writer.key("head")
        writer.beginObject()
        writer.member("corrId", correlationID)
        writer.member("version", ProtocolVersion.current)
        if let auth { writer.member("auth", auth) }
        if omitsPreload {
            writer.key(preloadHeadField)
            writer.bool(false)
        }
        if requestsCleanup {
            writer.key(cleanupHeadField)
            writer.bool(true)
        }
        writer.endObject()
        writer.key("data")
        writeData(&writer)
        writer.endObject()
    }

    /// Writes a nested action: an envelope whose `data` is an object holding what `writeMembers` writes.
    private static func writeAction(
        _ kind: RequestKind,
        correlationID: String,
        auth: String?,
        to writer: inout JSONWriter,
        members writeMembers: (inout JSONWriter) -> Void
    ) {
        writeEnvelope(kind: kind, correlationID: correlationID, auth: auth, to: &writer) { writer in
            writer.beginObject()
            writeMembers(&writer)
            writer.endObject()
        }
    }

    private static func writeMembers(of create: PromiseCreate, to writer: inout JSONWriter) {
        writer.member("id", create.id)
        writer.member("timeoutAt", create.timeoutAt)
        writer.key("param")
        create.param.write(to: &writer)
        writer.key("tags")
        writer.stringMap(create.tags)
        if let settlement = create.settlement {
            writer.key(PromiseCreate.settlementField)
            writer.beginObject()
            writer.member("state", settlement.state.rawValue)
            writer.key("value")
            settlement.value.write(to: &writer)
            if let startedAt = settlement.startedAt { writer.member("startedAt", startedAt) }
            writer.endObject()
        }
    }

    private static func writeMembers(of settle: PromiseSettle, to writer: inout JSONWriter) {
        writer.member("id", settle.id)
        writer.member("state", settle.state.rawValue)
        writer.key("value")
        settle.value.write(to: &writer)
    }
}
