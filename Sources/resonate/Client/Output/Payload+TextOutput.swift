// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Payload {
    /// Compact JSON, the stored text of a raw payload marked as such, or `-` for none.
    var displayText: String {
        switch self {
        case .none: "-"
        case .json: text
        case .raw(let data): "\(data) (raw, not base64 JSON)"
        }
    }
}
