// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Writes response envelopes: `{"kind":…,"head":{"corrId":…,"status":…,"version":"2026-04-01"},"data":…}`.
public enum ResponseEnvelope {
    /// The JSON bytes of the response to a request of `kind` with `correlationID`.
    public static func encode(kind: String, correlationID: String, reply: Reply) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.key("kind")
        writer.string(kind)
        writer.key("head")
        writer.beginObject()
        writer.key("corrId")
        writer.string(correlationID)
        writer.key("status")
        writer.integer(reply.status)
        writer.key("version")
        writer.string(ProtocolVersion.current)
        writer.endObject()
        writer.key("data")
        reply.writeData(to: &writer, correlationID: correlationID)
        writer.endObject()
        return writer.bytes
    }
}
