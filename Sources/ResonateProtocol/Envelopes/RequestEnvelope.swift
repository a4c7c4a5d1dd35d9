// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A request as sent to `POST /`: `{"kind":…,"head":{"corrId":…,"version":"2026-04-01",…},"data":{…}}`.
public struct RequestEnvelope: Sendable {
    public var kind: String
    public var correlationID: String
    public var version: String
    /// A JWT from `head.auth`, without a `Bearer ` prefix.
    public var auth: String?
    /// `head["resonate:debug_time"]`: the time to use as "now", honoured only in debug mode.
    public var debugTime: Int64?
    /// `head["resonate-swift:preload"] == false`: answer with an empty preload (``Request/preloadHeadField``).
    public var omitsPreload = false
    /// `head["resonate-swift:cleanup"] == true`: start a cleanup execution on cancellation
    /// (``Request/cleanupHeadField``).
    public var requestsCleanup = false
    public var data: JSONValue

    public init(
        kind: String,
        correlationID: String,
        version: String = ProtocolVersion.current,
        auth: String? = nil,
        debugTime: Int64? = nil,
        data: JSONValue
    ) {
        self.kind = kind
        self.correlationID = correlationID
        self.version = version
        self.auth = auth
        self.debugTime = debugTime
        self.data = data
    }

    /// Why an envelope could not be parsed, with what could be recovered for the error response.
    public struct ParseFailure: Error, Sendable {
        /// The request's `kind` when it was a string, else `"unknown"`.
        public var kind: String
        /// The request's `head.corrId` when it was a string, else `"0"`.
        public var correlationID: String
        public var error: RequestError
    }

    /// Parses a request body and checks everything the envelope itself must satisfy.
    public static func parse(_ body: some Collection<UInt8>) -> Result<RequestEnvelope, ParseFailure> {
        let document: JSONValue
        do {
            document = try JSONParser().parse(body)
        } catch {
            return .failure(
                ParseFailure(
                    kind: "unknown",
                    correlationID: "0",
                    error: .badRequest("Invalid request envelope: \(error.description)")
                )
            )
        }
        let rawKind = document["kind"]?.stringValue
        let rawCorrelationID = document["head"]?["corrId"]?.stringValue
        func fail(_ message: String) -> Result<RequestEnvelope, ParseFailure> {
            .failure(
                ParseFailure(
                    kind: rawKind ?? "unknown",
                    correlationID: rawCorrelationID.map { String($0.prefix(Limits.correlationIDLength)) } ?? "0",
                    error: .badRequest(message)
                )
            )
        }
        guard case .object(let members) = document else {
            return fail("Invalid request envelope: expected a JSON object, got \(document.typeDescription)")
        }
        guard let kindValue = members["kind"] else { return fail("Invalid request envelope: missing field 'kind'") }
        guard case .string(let kind) = kindValue else {
            return fail("Invalid request envelope: field 'kind' must be a string, got \(kindValue.typeDescription)")
        }
        guard let headValue = members["head"] else { return fail("Invalid request envelope: missing field 'head'") }
        guard case .object(let head) = headValue else {
            return fail("Invalid request envelope: field 'head' must be an object, got \(headValue.typeDescription)")
        }
        guard let correlationValue = head["corrId"] else {
            return fail("Invalid request envelope: missing field 'head.corrId'")
        }
        guard case .string(let correlationID) = correlationValue else {
            return fail(
                "Invalid request envelope: field 'head.corrId' must be a string, got \(correlationValue.typeDescription)"
            )
        }
        guard correlationID.utf8.count <= Limits.correlationIDLength else {
            return fail(
                "Invalid request envelope: field 'head.corrId' is longer than \(Limits.correlationIDLength) bytes")
        }
        guard let versionValue = head["version"] else {
            return fail("Invalid request envelope: missing field 'head.version'")
        }
        guard case .string(let version) = versionValue else {
            return fail(
                "Invalid request envelope: field 'head.version' must be a string, got \(versionValue.typeDescription)"
            )
        }
        var auth: String?
        switch head["auth"] {
        case nil, .null?: break
        case .string(let token)?: auth = token
        case let other?:
            return fail("Invalid request envelope: field 'head.auth' must be a string, got \(other.typeDescription)")
        }
        var debugTime: Int64?
        switch head["resonate:debug_time"] {
        case nil, .null?: break
        case .integer(let time)?: debugTime = time
        case let other?:
            return fail(
                "Invalid request envelope: field 'head.resonate:debug_time' must be an integer, got \(other.typeDescription)"
            )
        }
        var omitsPreload = false
        switch head[Request.preloadHeadField] {
        case nil, .null?: break
        case .bool(let wanted)?: omitsPreload = !wanted
        case let other?:
            return fail(
                "Invalid request envelope: field 'head.\(Request.preloadHeadField)' must be a boolean, got "
                    + other.typeDescription
            )
        }
        var requestsCleanup = false
        switch head[Request.cleanupHeadField] {
        case nil, .null?: break
        case .bool(let wanted)?: requestsCleanup = wanted
        case let other?:
            return fail(
                "Invalid request envelope: field 'head.\(Request.cleanupHeadField)' must be a boolean, got "
                    + other.typeDescription
            )
        }
        guard let data = members["data"] else { return fail("Invalid request envelope: missing field 'data'") }
        guard !kind.isEmpty else { return fail("Missing or invalid 'kind' field — must be a non-empty string") }
        guard case .object = data else { return fail("Invalid 'data' field — must be an object") }
        guard version == ProtocolVersion.current else {
            return fail(
                "Unsupported protocol version '\(version)', supported versions: [\"\(ProtocolVersion.current)\"]"
            )
        }
        var envelope = RequestEnvelope(
            kind: kind,
            correlationID: correlationID,
            version: version,
            auth: auth,
            debugTime: debugTime,
            data: data
        )
        envelope.omitsPreload = omitsPreload
        envelope.requestsCleanup = requestsCleanup
        return .success(envelope)
    }
}
