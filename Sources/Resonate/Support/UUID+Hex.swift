// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension UUID {
    /// The 32 lowercase hex digits, without dashes: process ids and correlation ids.
    var lowercaseHex: String {
        String(uuidString.lowercased().filter { $0 != "-" })
    }
}
