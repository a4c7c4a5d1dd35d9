// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// How promise ids encode their lineage, and the checks that keep lineage tags honest.
///
/// The official Python SDK 0.8.1 mints `origin:lineage` ids (`root:1`, `root:1.2`), which is the default here.
/// The reference server snapshot the protocol was written from used dots throughout (`root.1`, `root.1.2`); that
/// older scheme stays available for clients that still mint such ids.
public enum IDRules: String, Sendable, Hashable, CaseIterable {
    /// `origin:lineage` ids: the origin is the text before the first `:`.
    case colon
    /// Dotted ids: the origin is the text before the first `.`.
    case dot

    /// The root id of the call graph `id` belongs to.
    public func origin(of id: String) -> Substring {
        let separator: Character = self == .colon ? ":" : "."
        if let index = id.firstIndex(of: separator) { return id[..<index] }
        return id[...]
    }

    /// Checks the lineage tags of a new promise against its id; returns a message for each violation.
    public func violations(id: String, tags: [String: String]) -> [String] {
        var problems: [String] = []
        if let origin = tags[Tag.origin] {
            switch self {
            case .colon:
                if origin.contains(":") {
                    problems.append("resonate:origin must not contain ':'")
                } else if !(id == origin || id.hasPrefix(origin + ":")) {
                    problems.append("Promise ID must be prefixed by resonate:origin")
                }
            case .dot:
                if origin.contains(".") {
                    problems.append("resonate:origin must not contain '.'")
                } else if !(id == origin || id.hasPrefix(origin + ".")) {
                    problems.append("Promise ID must be prefixed by resonate:origin")
                }
            }
        }
        for (key, name) in [(Tag.branch, "resonate:branch"), (Tag.parent, "resonate:parent")] {
            guard let ancestor = tags[key] else { continue }
            if !(id == ancestor || id.hasPrefix(ancestor + childSeparator(below: ancestor))) {
                problems.append("Promise ID must be prefixed by \(name)")
            }
        }
        if let prefix = tags[Tag.prefix], prefix.contains(".") {
            problems.append("resonate:prefix must not contain '.'")
        }
        return problems
    }

    /// The separator between `ancestor` and the next lineage step of a descendant's id.
    public func childSeparator(below ancestor: String) -> String {
        switch self {
        case .colon: ancestor.contains(":") ? "." : ":"
        case .dot: "."
        }
    }

    /// The id of the cleanup execution the server starts when `id` is canceled (``Request/cleanupHeadField``).
    public func cleanupID(of id: String) -> String {
        id + childSeparator(below: id) + "cleanup"
    }

    /// Whether `id` names a detached execution: its last lineage step is `d` and a hash (`root:d1f…`), as the
    /// official Python SDK and this one mint them; a detached execution is not canceled with its creator.
    public func isDetached(_ id: String) -> Bool {
        let separators: Set<Character> = self == .colon ? [":", "."] : ["."]
        guard let index = id.lastIndex(where: { separators.contains($0) }) else { return false }
        let step = id[id.index(after: index)...]
        return step.first == "d" && step.count > 1 && step.dropFirst().allSatisfy(\.isHexDigit)
    }

    /// Whether two ids belong to the same call graph.
    public func sameOrigin(_ first: String, _ second: String) -> Bool {
        origin(of: first) == origin(of: second)
    }
}
