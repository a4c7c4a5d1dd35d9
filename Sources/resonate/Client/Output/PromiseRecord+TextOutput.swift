// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension PromiseRecord {
    /// The record as aligned `key  value` lines (`promises get`).
    func textFields(now: Int64 = TimeText.now) -> [String] {
        var fields: [(String, String)] = [
            ("id", id),
            ("state", state.rawValue),
            ("param", Payload(param).displayText),
            ("value", Payload(value).displayText),
            ("tags", Self.tagsText(tags)),
            ("created", TimeText.timestamp(createdAt)),
        ]
        if let settledAt {
            fields.append(
                (
                    "settled",
                    "\(TimeText.timestamp(settledAt)) (after \(TimeText.duration(milliseconds: settledAt - createdAt)))"
                )
            )
        } else {
            fields.append(("timeout", "\(TimeText.timestamp(timeoutAt)) (\(TimeText.relative(timeoutAt, now: now)))"))
        }
        return TextTable.fields(fields)
    }

    /// The columns of a search listing.
    static var tableHeader: TextTable { TextTable("ID", "STATE", "FUNCTION", "CREATED", "SETTLED") }

    var tableRow: [String] {
        [
            id, state.rawValue, Invocation(param: param)?.function ?? "-", TimeText.timestamp(createdAt),
            settledAt.map(TimeText.timestamp) ?? "-",
        ]
    }

    /// Tags as `key=value` pairs in key order, `-` for none.
    static func tagsText(_ tags: [String: String]) -> String {
        tags.isEmpty ? "-" : tags.keys.sorted().map { "\($0)=\(tags[$0]!)" }.joined(separator: " ")
    }
}
