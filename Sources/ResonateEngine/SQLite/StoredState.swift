// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// The integer codes states are stored as. Part of the on-disk format: never renumber.
enum StoredState {
    static func code(_ state: PromiseState) -> Int64 {
        switch state {
        case .pending: 0
        case .resolved: 1
        case .rejected: 2
        case .rejectedCanceled: 3
        case .rejectedTimedOut: 4
        }
    }

    static func promiseState(_ code: Int64) throws -> PromiseState {
        switch code {
        case 0: .pending
        case 1: .resolved
        case 2: .rejected
        case 3: .rejectedCanceled
        case 4: .rejectedTimedOut
        default: throw SQLiteError(code: 0, message: "corrupt promise state \(code)")
        }
    }

    static func code(_ state: TaskState) -> Int64 {
        switch state {
        case .pending: 0
        case .acquired: 1
        case .suspended: 2
        case .halted: 3
        case .fulfilled: 4
        }
    }

    static func taskState(_ code: Int64) throws -> TaskState {
        switch code {
        case 0: .pending
        case 1: .acquired
        case 2: .suspended
        case 3: .halted
        case 4: .fulfilled
        default: throw SQLiteError(code: 0, message: "corrupt task state \(code)")
        }
    }
}
