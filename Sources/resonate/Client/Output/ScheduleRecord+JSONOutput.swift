// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension ScheduleRecord {
    /// Writes the record as the server sends it, except that `promiseParam` is decoded
    /// (see ``ResonateProtocol/Value/writeDecoded(to:)``).
    func writeDecoded(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("cron")
        writer.string(cron)
        writer.key("promiseId")
        writer.string(promiseId)
        writer.key("promiseTimeout")
        writer.integer(promiseTimeout)
        writer.key("promiseParam")
        promiseParam.writeDecoded(to: &writer)
        writer.key("promiseTags")
        writer.stringMap(promiseTags)
        writer.key("createdAt")
        writer.integer(createdAt)
        writer.key("nextRunAt")
        writer.integer(nextRunAt)
        if let lastRunAt {
            writer.key("lastRunAt")
            writer.integer(lastRunAt)
        }
        writer.endObject()
    }
}
