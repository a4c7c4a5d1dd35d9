// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension ScheduleRecord {
    /// Writes the record as the server sends it, except that `promiseParam` is decoded
    /// (see ``ResonateProtocol/Value/writeDecoded(to:)``).
    func writeDecoded(to writer: inout JSONWriter) {
        write(to: &writer) { value, writer in value.writeDecoded(to: &writer) }
    }
}
