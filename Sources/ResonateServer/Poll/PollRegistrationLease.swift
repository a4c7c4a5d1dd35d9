// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// A poll stream's hold on its registration: released exactly once, when the stream's response body ends or — if
/// the client went away before the body started, in which case Hummingbird never runs it — when the body is
/// discarded. Either way the connection stops being routable, so no work is sent to a stream nobody reads.
final class PollRegistrationLease: Sendable {
    let registration: PollRegistry.Registration
    private let registry: PollRegistry
    private let released = Atomic<Bool>(false)

    init(_ registration: PollRegistry.Registration, in registry: PollRegistry) {
        self.registration = registration
        self.registry = registry
    }

    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        registry.unregister(registration)
    }

    deinit {
        release()
    }
}
