// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Logging
import ResonateProtocol

/// Writes one JSON object per log record to standard error:
/// `{"time":"…","level":"info","label":"resonate","message":"…","metadata":{…}}`.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("time")
        writer.string(Date().formatted(.iso8601.time(includingFractionalSeconds: true).year().month().day()))
        writer.key("level")
        writer.string(event.level.rawValue)
        writer.key("label")
        writer.string(label)
        writer.key("message")
        writer.string(event.message.description)
        if !merged.isEmpty {
            writer.key("metadata")
            writer.beginObject()
            for key in merged.keys.sorted() {
                writer.key(key)
                writer.string("\(merged[key]!)")
            }
            writer.endObject()
        }
        writer.endObject()
        var line = writer.bytes
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(Data(line))
    }
}
