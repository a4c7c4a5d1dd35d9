// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateEngine

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension Context {
    /// The current time, recorded: a replay sees the time of the first run, so code that branches on it stays
    /// deterministic.
    public func now() async throws -> Date {
        let milliseconds: Int64 = try await startLocal(
            name: "resonate:now",
            version: 1,
            retryPolicy: .never,
            timeout: nil,
            concurrently: false
        ) { [runtime] _ in runtime.clock.now.milliseconds }.result()
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// A random number in `0 ..< 1`, recorded so a replay draws the same number.
    public func random() async throws -> Double {
        try await startLocal(
            name: "resonate:random",
            version: 1,
            retryPolicy: .never,
            timeout: nil,
            concurrently: false
        ) { _ in Double.random(in: 0..<1) }.result()
    }

    /// A random integer in `range`, recorded so a replay draws the same number.
    public func random(in range: ClosedRange<Int>) async throws -> Int {
        try await startLocal(
            name: "resonate:random",
            version: 1,
            retryPolicy: .never,
            timeout: nil,
            concurrently: false
        ) { _ in Int.random(in: range) }.result()
    }
}
