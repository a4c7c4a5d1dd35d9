// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension TaskRecord {
    /// The record as aligned `key  value` lines (`tasks get`).
    var textFields: [String] {
        var fields: [(String, String)] = [
            ("id", id),
            ("state", state.rawValue),
            ("version", String(version)),
            ("resumes", String(resumes)),
        ]
        if let pid { fields.append(("pid", pid)) }
        if let ttl { fields.append(("ttl", TimeText.duration(milliseconds: ttl))) }
        return TextTable.fields(fields)
    }

    /// The columns of a search listing.
    static var tableHeader: TextTable { TextTable("ID", "STATE", "VERSION", "RESUMES", "PID", "TTL") }

    var tableRow: [String] {
        [
            id, state.rawValue, String(version), String(resumes), pid ?? "-",
            ttl.map { TimeText.duration(milliseconds: $0) } ?? "-",
        ]
    }
}
