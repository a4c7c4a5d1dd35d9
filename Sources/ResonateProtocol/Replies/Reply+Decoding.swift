// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension Reply {
    /// Decodes the `data` of a response to an operation of `kind` with `status` into a typed payload.
    ///
    /// - Status 400 and above: always ``Payload/error(_:)``. The message is `data` when it is a string (the
    ///   protocol's error shape), the `error` member of a flat `{"error":"…"}` object (the Python SDK's simulator),
    ///   and otherwise the JSON text of `data`, so an error status never fails to decode.
    /// - Status 300: only for `task.suspend`, as ``Payload/preload(_:)``.
    /// - Any other 2xx (the reference server sends only 200; the Python SDK's simulator sends 201 for creates): the
    ///   success shape of `kind` — ``Payload/promise(_:)`` for `promise.get/create/settle/register_callback/
    ///   register_listener` and `task.fulfill`; ``Payload/taskWithPromise(task:promise:preload:)`` for
    ///   `task.create/acquire`; ``Payload/fenced(_:)`` for `task.fence`; ``Payload/emptyArray`` for `debug.tick`;
    ///   ``Payload/empty`` for operations answering `{}`; lists with their `cursor` for the searches.
    ///
    /// A `task.fence` response from a server that omits `action.kind` cannot be decoded here; use
    /// ``init(replyingTo:status:data:)``, which knows the fenced action's kind.
    ///
    /// - Throws: ``ReplyDecodingError`` naming the field that is missing or malformed, or with reason
    ///   ``ReplyDecodingError/Reason/unexpectedStatus``.
    public init(kind: RequestKind, status: Int, data: JSONValue) throws(ReplyDecodingError) {
        try self.init(kind: kind, status: status, data: data, fenceActionKind: nil)
    }

    /// Decodes the `data` of a response to `request`, as ``init(kind:status:data:)``.
    public init(replyingTo request: Request, status: Int, data: JSONValue) throws(ReplyDecodingError) {
        var fenceActionKind: RequestKind?
        if case .taskFence(let fence) = request { fenceActionKind = fence.action.kind }
        try self.init(kind: request.kind, status: status, data: data, fenceActionKind: fenceActionKind)
    }

    init(
        kind: RequestKind,
        status: Int,
        data: JSONValue,
        fenceActionKind: RequestKind?
    ) throws(ReplyDecodingError) {
        let payload = try Self.decodePayload(kind: kind, status: status, data: data, fenceActionKind: fenceActionKind)
        self.init(status: status, payload: payload)
    }

    private static func decodePayload(
        kind: RequestKind,
        status: Int,
        data: JSONValue,
        fenceActionKind: RequestKind?
    ) throws(ReplyDecodingError) -> Payload {
        if status >= 400 { return .error(errorMessage(data)) }
        let context = "\(kind.rawValue) response"
        if status == 300 && kind == .taskSuspend {
            return .preload(try ReplyReader(data, path: "data", context: context).promises("preload", required: false))
        }
        guard (200..<300).contains(status) else {
            let expected = kind == .taskSuspend ? "2xx, 300 or an error status" : "2xx or an error status"
            throw ReplyDecodingError(
                reason: .unexpectedStatus,
                field: "head.status",
                message: "Unexpected status \(status) in a \(context) (expected \(expected))"
            )
        }
        switch kind {
        case .promiseGet, .promiseCreate, .promiseSettle, .promiseRegisterCallback, .promiseRegisterListener,
            .taskFulfill:
            return .promise(try ReplyReader(data, path: "data", context: context).promise("promise"))
        case .promiseSearch:
            let reader = try ReplyReader(data, path: "data", context: context)
            return .promises(try reader.promises("promises"), cursor: try reader.optionalString("cursor"))
        case .taskGet:
            return .task(try ReplyReader(data, path: "data", context: context).task("task"))
        case .taskCreate, .taskAcquire:
            let reader = try ReplyReader(data, path: "data", context: context)
            return .taskWithPromise(
                task: try reader.task("task"),
                promise: try reader.promise("promise"),
                preload: try reader.promises("preload", required: false)
            )
        case .taskFence:
            let reader = try ReplyReader(data, path: "data", context: context)
            return .fenced(try FenceOutcome(reader: reader, actionKind: fenceActionKind))
        case .taskSearch:
            let reader = try ReplyReader(data, path: "data", context: context)
            let tasks = try reader.objects("tasks") { entry throws(ReplyDecodingError) in
                try TaskRecord(reader: entry)
            }
            return .tasks(tasks, cursor: try reader.optionalString("cursor"))
        case .scheduleGet, .scheduleCreate:
            let reader = try ReplyReader(data, path: "data", context: context)
            return .schedule(try ScheduleRecord(reader: try reader.object("schedule")))
        case .scheduleSearch:
            let reader = try ReplyReader(data, path: "data", context: context)
            let schedules = try reader.objects("schedules") { entry throws(ReplyDecodingError) in
                try ScheduleRecord(reader: entry)
            }
            return .schedules(schedules, cursor: try reader.optionalString("cursor"))
        case .taskRelease, .taskSuspend, .taskHeartbeat, .taskHalt, .taskContinue, .scheduleDelete, .debugStart,
            .debugStop, .debugReset:
            switch data {
            case .object, .null: return .empty
            default:
                throw ReplyDecodingError(
                    reason: .invalidField,
                    field: "data",
                    message: "Invalid \(context): field 'data' must be an object, got \(data.typeDescription)"
                )
            }
        case .debugSnap:
            return .snapshot(try DebugSnapshot(reader: ReplyReader(data, path: "data", context: context)))
        case .debugTick:
            switch data {
            case .array, .object, .null: return .emptyArray
            default:
                throw ReplyDecodingError(
                    reason: .invalidField,
                    field: "data",
                    message: "Invalid \(context): field 'data' must be an array, got \(data.typeDescription)"
                )
            }
        }
    }

    /// The message of an error response: a string, a flat `{"error":"…"}` object, or else the JSON text.
    private static func errorMessage(_ data: JSONValue) -> String {
        switch data {
        case .string(let message):
            return message
        case .object(let members):
            if case .string(let message)? = members["error"] { return message }
        default:
            break
        }
        var writer = JSONWriter()
        writer.value(data)
        return writer.text
    }
}
