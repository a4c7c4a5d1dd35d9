// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension JSONWriter {
    /// Writes a `"name":"value"` member.
    mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    /// Writes a `"name":value` member with an integer value.
    mutating func member(_ name: String, _ value: Int64) {
        key(name)
        integer(value)
    }
}
