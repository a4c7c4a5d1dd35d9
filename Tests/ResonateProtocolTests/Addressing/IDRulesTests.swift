// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol
import Testing

@Suite("Id rules")
struct IDRulesTests {
    @Test(
        "detached executions are told apart by their last lineage step",
        arguments: [
            (IDRules.colon, "root:d8c272618d03488c9", true),
            (.colon, "root:1.d0123abcdef", true),
            (.colon, "root:1", false),
            (.colon, "root:1.2", false),
            (.colon, "root", false),
            (.colon, "droot", false),
            (.colon, "root:d", false),
            (.colon, "root:dx12", false),
            (.colon, "root:cleanup", false),
            (.dot, "root.d0123abcdef", true),
            (.dot, "root.12", false),
        ])
    func detached(rules: IDRules, id: String, isDetached: Bool) {
        #expect(rules.isDetached(id) == isDetached)
    }

    @Test(
        "a cleanup execution's id is its canceled execution's id and one lineage step",
        arguments: [
            (IDRules.colon, "root", "root:cleanup"),
            (.colon, "root:3", "root:3.cleanup"),
            (.dot, "root.3", "root.3.cleanup"),
        ])
    func cleanupID(rules: IDRules, id: String, cleanup: String) {
        #expect(rules.cleanupID(of: id) == cleanup)
        #expect(rules.violations(id: cleanup, tags: [Tag.parent: id, Tag.origin: "root"]).isEmpty)
    }
}
