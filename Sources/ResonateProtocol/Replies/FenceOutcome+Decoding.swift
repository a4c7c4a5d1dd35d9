// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension FenceOutcome {
    /// Decodes the `data` of a `task.fence` response:
    /// `{"action":{"kind":…,"head":{"corrId":…,"status":…,"version":…},"data":{"promise":P}|"message"},
    ///   "preload":[P…]}`.
    ///
    /// Tolerances, for the Python SDK's simulator which sends only `{"action":{"data":{"promise":P}},…}`:
    /// - a missing `action.kind` is taken from `actionKind` (the kind of the fenced action that was sent), and is an
    ///   error only when `actionKind` is `nil`;
    /// - a missing `action.head` or `action.head.status` means 200 when `action.data` is an object and 404 when it
    ///   is a string;
    /// - a missing or `null` `preload` is empty.
    ///
    /// With an inner status of 2xx `action.data.promise` is required; with any other inner status
    /// ``promise`` is `nil` and the inner message is not kept.
    ///
    /// - Throws: ``ReplyDecodingError`` naming the first missing or malformed field.
    public init(json: JSONValue, actionKind: RequestKind? = nil) throws(ReplyDecodingError) {
        try self.init(
            reader: ReplyReader(json, path: "", context: "task.fence outcome"),
            actionKind: actionKind
        )
    }

    init(reader: ReplyReader, actionKind fallbackKind: RequestKind?) throws(ReplyDecodingError) {
        let action = try reader.object("action")
        let kind: RequestKind
        if let text = try action.optionalString("kind") {
            guard let parsed = RequestKind(rawValue: text), parsed == .promiseCreate || parsed == .promiseSettle
            else {
                throw action.invalid("kind", "must be 'promise.create' or 'promise.settle', got '\(text)'")
            }
            kind = parsed
        } else if let fallbackKind {
            kind = fallbackKind
        } else {
            throw action.missing("kind")
        }
        let innerData = action.present("data")
        let status: Int
        if let head = try action.optionalObject("head"), let innerStatus = try head.optionalInteger("status") {
            status = Int(clamping: innerStatus)
        } else if case .string? = innerData {
            status = 404
        } else {
            status = 200
        }
        let promise: PromiseRecord?
        if (200..<300).contains(status) {
            promise = try action.object("data").promise("promise")
        } else {
            promise = nil
        }
        let preload = try reader.promises("preload", required: false)
        self.init(kind: kind, status: status, promise: promise, preload: preload)
    }
}
