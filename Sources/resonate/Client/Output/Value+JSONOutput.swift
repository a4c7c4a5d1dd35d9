// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Value {
    /// Writes the value for `--json` output: `headers` as stored, `data` decoded from base64 into the JSON document
    /// it holds; `data` that is not base64 of JSON is written unchanged as `rawData` instead, so a script can always
    /// tell the two apart. A value without data is `{}` (or only its headers).
    func writeDecoded(to writer: inout JSONWriter) {
        writer.beginObject()
        if let headers {
            writer.key("headers")
            writer.stringMap(headers)
        }
        switch Payload(self) {
        case .none:
            break
        case .json(let document):
            writer.key("data")
            writer.value(document)
        case .raw(let data):
            writer.key("rawData")
            writer.string(data)
        }
        writer.endObject()
    }
}
