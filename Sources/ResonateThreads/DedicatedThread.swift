// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts operating-system threads for work that blocks (SQLite's `fsync`, librdkafka's polls), which must not
/// occupy a thread of Swift's cooperative pool. Foundation's `Thread` does the same; see ``ConditionLock`` for why
/// it is not used.
package enum DedicatedThread {
    /// Runs `body` on a new detached thread named `name` (truncated to the 15 bytes Linux keeps).
    ///
    /// - Parameter stackSize: the thread's stack, in bytes; `nil` for the system's default.
    package static func start(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if os(Linux)
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { Start.run($0!) }, start)
        #else
        var thread: pthread_t?
        let result = pthread_create(&thread, &attributes, { Start.run($0) }, start)
        #endif
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            fatalError("cannot start the thread \(name): error \(result)")
        }
    }

    /// What a new thread runs, handed over through `pthread_create`'s argument.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }

        static func run(_ argument: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
            let start = Unmanaged<Start>.fromOpaque(argument).takeRetainedValue()
            let name = String(decoding: start.name.utf8.prefix(15), as: UTF8.self)
            #if os(Linux)
            // Glibc's module map leaves `pthread_setname_np` out (it is a GNU extension): look it up.
            typealias SetName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32
            if let symbol = dlsym(nil, "pthread_setname_np") {
                _ = unsafeBitCast(symbol, to: SetName.self)(pthread_self(), name)
            }
            #else
            pthread_setname_np(name)
            #endif
            start.body()
            return nil
        }
    }
}
