// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Synchronization

/// An action that runs exactly once: when ``run()`` is called, or when the last reference goes away first.
///
/// A response body captures one to finish its work after writing: Hummingbird never runs the body of a response
/// whose client has gone away, and then only discards it. So a poll stream that never started still gives up its
/// registration.
final class DeferredAction: Sendable {
    private let action: @Sendable () -> Void
    private let done = Atomic<Bool>(false)

    init(_ action: @escaping @Sendable () -> Void) {
        self.action = action
    }

    func run() {
        guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return }
        action()
    }

    deinit {
        run()
    }
}
