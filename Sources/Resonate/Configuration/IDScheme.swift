// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// How child promise ids are derived from their parent's id: by call order, so a replay derives the same ids.
public enum IDScheme: String, Sendable, Hashable {
    /// `root:1`, `root:1.2` — the official Python SDK 0.8.1's scheme, and this server's default.
    case colon
    /// `root.1`, `root.1.2` — for servers started with `--id-rules dot`.
    case dot

    /// The id of the `sequence`-th child (from 1) of `parent`.
    func child(of parent: String, sequence: Int) -> String {
        switch self {
        case .colon: parent.contains(":") ? "\(parent).\(sequence)" : "\(parent):\(sequence)"
        case .dot: "\(parent).\(sequence)"
        }
    }

    /// The root of the call graph `id` belongs to.
    func origin(of id: String) -> String {
        let separator: Character = self == .colon ? ":" : "."
        if let index = id.firstIndex(of: separator) { return String(id[..<index]) }
        return id
    }

    /// Checks that a caller-chosen root id fits the scheme.
    func validateRoot(_ id: String) throws {
        guard !id.isEmpty else { throw ResonateError(.invalidID, "an execution id must not be empty") }
        guard !id.utf8.contains(0) else { throw ResonateError(.invalidID, "an execution id must not contain NUL") }
        let separator: Character = self == .colon ? ":" : "."
        guard !id.contains(separator) else {
            throw ResonateError(
                .invalidID,
                "the execution id '\(id)' must not contain '\(separator)': it separates a root from its children"
            )
        }
    }
}
