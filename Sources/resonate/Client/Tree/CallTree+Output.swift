// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension CallTree {
    /// The tree as aligned text: one line per promise with its function, state, duration and where it ran.
    ///
    /// ```
    /// PROMISE         FUNCTION  STATE     DURATION          WHERE
    /// order-7         checkout  pending   running for 2.1s  remote default
    /// ├── order-7:1   reserve   resolved  12ms              local
    /// └── order-7:2   sleep     pending   running for 2.0s  timer
    /// ```
    func textLines(now: Int64) -> [String] {
        var table = TextTable("PROMISE", "FUNCTION", "STATE", "DURATION", "WHERE")
        for (node, prefix) in lines {
            let elapsed = TimeText.duration(milliseconds: node.elapsedMilliseconds(now: now))
            table.append([
                prefix + node.promise.id,
                node.function ?? "-",
                node.promise.state.rawValue,
                node.promise.state.isSettled ? elapsed : "running for \(elapsed)",
                node.location,
            ])
        }
        return table.lines
    }

    /// The tree as one JSON document: each node with its promise's fields and its `children`.
    func writeJSON(to writer: inout JSONWriter) {
        Self.write(root, to: &writer)
    }

    private static func write(_ node: CallNode, to writer: inout JSONWriter) {
        let promise = node.promise
        writer.beginObject()
        writer.key("id")
        writer.string(promise.id)
        writer.key("kind")
        writer.string(node.kind.rawValue)
        writer.key("function")
        if let function = node.function { writer.string(function) } else { writer.null() }
        writer.key("state")
        writer.string(promise.state.rawValue)
        writer.key("scope")
        if let scope = promise.tags[Tag.scope] { writer.string(scope) } else { writer.null() }
        writer.key("target")
        if let target = promise.target { writer.string(target) } else { writer.null() }
        writer.key("createdAt")
        writer.integer(promise.createdAt)
        writer.key("settledAt")
        if let settledAt = promise.settledAt { writer.integer(settledAt) } else { writer.null() }
        writer.key("timeoutAt")
        writer.integer(promise.timeoutAt)
        writer.key("children")
        writer.beginArray()
        for child in node.children { write(child, to: &writer) }
        writer.endArray()
        writer.endObject()
    }
}
