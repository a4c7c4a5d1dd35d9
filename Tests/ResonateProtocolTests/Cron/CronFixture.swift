// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

/// `Fixtures/cron-next.json`, written by `scripts/fixtures/generate_cron_fixtures.py` from croniter.
struct CronFixture: Decodable, Sendable {
    /// One expression and what croniter says follows each start instant.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var expression: String
        var runs: [Run]

        var testDescription: String {
            expression.debugDescription
        }
    }

    /// The occurrences after `after`, each strictly after the one before; fewer than `occurrencesPerRun` means
    /// nothing follows the last.
    struct Run: Decodable, Sendable {
        var after: Int64
        var next: [Int64]
    }

    var croniter: String
    var occurrencesPerRun: Int
    var expectations: Int
    var cases: [Case]

    /// Loaded relative to this source file rather than from a bundle, so the fixture needs no resource rules.
    static func load(filePath: String = #filePath) throws -> CronFixture {
        let url = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
            .appendingPathComponent("cron-next.json")
        return try JSONDecoder().decode(CronFixture.self, from: Data(contentsOf: url))
    }
}
