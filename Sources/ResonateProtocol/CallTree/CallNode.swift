// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// One promise of a call graph with the promises its function created.
public struct CallNode: Sendable {
    /// What the promise stands for, read from the tags SDKs write.
    public enum Kind: String, Sendable {
        /// The execution's root (a subtree's top keeps its own kind).
        case root
        /// A step run in the caller's process (`ctx.run`, `resonate:scope` `local`).
        case run
        /// A function run by some process of a group (`ctx.rpc`, `resonate:scope` `global` with a target).
        case rpc
        /// A durable sleep (`resonate:timer`).
        case sleep
        /// A promise settled from outside (`ctx.promise`), or one created without SDK tags.
        case promise
        /// The cleanup execution the server started when its parent was canceled (`resonate-swift:cleanup-of`).
        case cleanup

        public init(_ promise: PromiseRecord) {
            if promise.tags[Tag.cleanupOf] != nil {
                self = .cleanup
            } else if promise.isTimer {
                self = .sleep
            } else if promise.tags[Tag.scope] == "local" {
                self = .run
            } else if promise.target != nil {
                self = .rpc
            } else {
                self = .promise
            }
        }
    }

    public var promise: PromiseRecord
    public var kind: Kind
    public var children: [CallNode]

    /// The invoked function's name from the param; `sleep` for timers; `nil` when the param names none (the
    /// Python SDK stores no param for local steps).
    public var function: String? {
        if kind == .sleep { return "sleep" }
        return Invocation(param: promise.param)?.function
    }

    /// Where the function ran: `local`, `remote` with the target group, `timer`, or `external`.
    public var location: String {
        switch kind {
        case .run: return "local"
        case .sleep: return "timer"
        case .promise: return "external"
        case .root, .rpc, .cleanup:
            guard let target = promise.target else { return "-" }
            return (kind == .cleanup ? "cleanup in " : "remote ") + Self.group(of: target)
        }
    }

    /// The group of a `poll://any@group[/id]` or `poll://uni@group/id` address; other addresses unchanged.
    public static func group(of address: String) -> String {
        guard address.hasPrefix("poll://") else { return address }
        var rest = address.dropFirst("poll://".count)
        if let at = rest.firstIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return String(rest)
    }

    /// `settledAt − createdAt` for settled promises; for pending ones the time since creation.
    public func elapsedMilliseconds(now: Int64) -> Int64 {
        (promise.settledAt ?? now) - promise.createdAt
    }
}
