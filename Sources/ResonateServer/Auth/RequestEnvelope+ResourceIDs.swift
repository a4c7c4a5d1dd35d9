// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension RequestEnvelope {
    /// The ids a token's `prefix` claim must cover for this request (PROTOCOL §1.6).
    ///
    /// Empty for the searches and unknown kinds, which no prefix covers, and for requests whose resource field is
    /// missing or not a string (they would fail validation anyway).
    var resourceIDs: [String] {
        func string(_ value: JSONValue?) -> [String] { value?.stringValue.map { [$0] } ?? [] }
        switch RequestKind(rawValue: kind) {
        case .promiseGet, .promiseCreate, .promiseSettle, .taskGet, .taskAcquire, .taskRelease, .taskFulfill,
            .taskSuspend, .taskFence, .taskHalt, .taskContinue, .scheduleGet, .scheduleDelete:
            return string(data["id"])
        case .promiseRegisterCallback, .promiseRegisterListener:
            return string(data["awaited"])
        case .scheduleCreate:
            // The promise-id template: every promise the schedule creates starts with its literal prefix.
            return string(data["promiseId"])
        case .taskCreate:
            return string(data["action"]?["data"]?["id"])
        case .taskHeartbeat:
            guard case .array(let tasks)? = data["tasks"] else { return [] }
            let ids = tasks.compactMap { $0["id"]?.stringValue }
            return ids.count == tasks.count ? ids : []
        case .promiseSearch, .taskSearch, .scheduleSearch, nil:
            return []
        case .debugStart, .debugStop, .debugReset, .debugSnap, .debugTick:
            return []
        }
    }
}
