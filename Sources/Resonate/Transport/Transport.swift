// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// Sends protocol requests: over HTTP to a server, or straight into an in-process engine.
protocol Transport: Sendable {
    /// Sends one request. Error statuses come back as replies; only a failure to get any reply throws.
    func send(_ request: Request) async throws -> Reply
}

extension Reply {
    /// The error this reply stands for, for statuses the caller did not expect.
    func unexpected(_ request: String) -> ResonateError {
        let message: String
        if case .error(let text) = payload { message = text } else { message = "unexpected reply" }
        if status == 404 { return ResonateError(.notFound, "\(request): \(message)", status: status) }
        return ResonateError(.server, "\(request): \(message)", status: status)
    }

    /// The promise a reply carries, if any.
    var promiseRecord: PromiseRecord? {
        switch payload {
        case .promise(let promise): promise
        case .taskWithPromise(_, let promise, _): promise
        case .fenced(let outcome): outcome.promise
        default: nil
        }
    }
}
