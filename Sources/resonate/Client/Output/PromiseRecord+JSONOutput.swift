// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension PromiseRecord {
    /// Writes the record as the server sends it, except that `param` and `value` are decoded
    /// (see ``ResonateProtocol/Value/writeDecoded(to:)``).
    func writeDecoded(to writer: inout JSONWriter) {
        write(to: &writer) { value, writer in value.writeDecoded(to: &writer) }
    }
}
