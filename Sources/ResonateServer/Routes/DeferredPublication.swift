// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// The messages of a committed request, published exactly once: after its response has been written, or — if the
/// client went away first, in which case Hummingbird never runs the response body — when the body is discarded.
///
/// After, not before: the official Python SDK stops its network as soon as an `unblock` settles the handle it
/// waits on, so an `unblock` that overtook the answer to its own `task.fulfill` made it abandon that request.
final class DeferredPublication: Sendable {
    private let publish: @Sendable () -> Void
    private let published = Atomic<Bool>(false)

    init(_ publish: @escaping @Sendable () -> Void) {
        self.publish = publish
    }

    func run() {
        guard !published.exchange(true, ordering: .acquiringAndReleasing) else { return }
        publish()
    }

    deinit {
        run()
    }
}
