// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

package import NIOCore

/// A task executor that runs jobs on a NIO event loop.
///
/// Async code that mostly waits for one channel (an HTTP connection's requests, a PostgreSQL transaction's
/// statements) runs there through `withTaskExecutorPreference(_:operation:)`: each answer then resumes it on the
/// thread that read the answer, instead of waking a thread of the cooperative pool and switching to it.
package final class EventLoopTaskExecutor: TaskExecutor {
    package let eventLoop: any EventLoop

    package init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
