// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

public import ArgumentParser
public import ResonateProtocol

/// A promise state as a flag value, by its protocol name (`rejected_timedout`, …).
extension PromiseState: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}
