// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension PromiseRecord {
    /// Writes the record as the server sends it, except that `param` and `value` are decoded
    /// (see ``ResonateProtocol/Value/writeDecoded(to:)``).
    func writeDecoded(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("state")
        writer.string(state.rawValue)
        writer.key("param")
        param.writeDecoded(to: &writer)
        writer.key("value")
        value.writeDecoded(to: &writer)
        writer.key("tags")
        writer.stringMap(tags)
        writer.key("timeoutAt")
        writer.integer(timeoutAt)
        writer.key("createdAt")
        writer.integer(createdAt)
        if let settledAt {
            writer.key("settledAt")
            writer.integer(settledAt)
        }
        writer.endObject()
    }
}
