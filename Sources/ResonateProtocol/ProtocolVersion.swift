// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The Resonate protocol version this package speaks.
///
/// It is the only value accepted in a request's `head.version` and the value written into every response head.
public enum ProtocolVersion {
    public static let current = "2026-04-01"
}
