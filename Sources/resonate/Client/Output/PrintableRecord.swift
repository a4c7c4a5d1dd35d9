// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// A record the client commands print: as aligned fields on its own, as a table row in a list, or as JSON.
protocol PrintableRecord: Sendable {
    /// The member holding a list of these in JSON output, as in the server's search responses: `promises`, ….
    static var listName: String { get }
    static var tableHeader: TextTable { get }
    var tableRow: [String] { get }
    /// The record on its own, as aligned `key  value` lines.
    var textLines: [String] { get }
    func writeJSON(to writer: inout JSONWriter)
}

extension PromiseRecord: PrintableRecord {
    static var listName: String { "promises" }
    var textLines: [String] { textFields() }
    func writeJSON(to writer: inout JSONWriter) { writeDecoded(to: &writer) }
}

extension TaskRecord: PrintableRecord {
    static var listName: String { "tasks" }
    var textLines: [String] { textFields }
    func writeJSON(to writer: inout JSONWriter) { write(to: &writer) }
}

extension ScheduleRecord: PrintableRecord {
    static var listName: String { "schedules" }
    var textLines: [String] { textFields() }
    func writeJSON(to writer: inout JSONWriter) { writeDecoded(to: &writer) }
}
