// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate invoke <id> --func NAME [--arg JSON]… [--target ADDR] [--timeout 1h] [--version N] [--delay 5s]
/// [--wait]`.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoke",
        abstract: "Start a function on a worker group, optionally waiting for its result.",
        discussion: """
            Creates the promise <id> with the param {"func":NAME,"args":[…],"version":N} and the tag \
            resonate:target, which any Resonate SDK worker registered for NAME in the target group executes. The \
            id makes the call idempotent: invoking an existing id changes nothing and shows that promise.

            Without --wait it prints "<id> <state>". With --wait it polls until the promise settles, showing a \
            spinner on standard error when that is a terminal, then prints the result as JSON; a rejected, \
            canceled or timed-out promise exits with 1 and its error on standard error.

            Examples:
              resonate invoke greet-ada --func greet --arg Ada --target poll://any@greeters --wait
              resonate invoke sum-1 --func add --arg 1 --arg 2 --timeout 10m --json
            """
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The id of the execution (its promise).")
    var id: String

    @Option(name: [.customShort("f"), .customLong("func")], help: "The registered function name.")
    var function: String

    @Option(help: "An argument: JSON (3, true, \"x\", {\"k\":1}), else taken as a string. Repeatable, in order.")
    var arg: [String] = []

    @Option(help: "All arguments as one JSON array, instead of --arg.")
    var jsonArgs: String?

    @Option(help: "Where the function runs: poll://any@GROUP, poll://uni@GROUP/ID or an http(s) URL.")
    var target = "poll://any@default"

    @Option(name: [.customShort("t"), .customLong("timeout")], help: "Deadline of the execution, e.g. 1h, 30m.")
    var timeout = "1h"

    @Option(help: "The function version the worker must run (at least 1).")
    var version: Int64 = 1

    @Option(help: "Deliver the invocation only after this delay, e.g. 5s (the deadline moves by the same amount).")
    var delay: String?

    @Flag(help: "Wait for the result and print it.")
    var wait = false

    func run() async throws {
        let invocation = try makeInvocation()
        let timeout = (try ArgumentParsing.duration(self.timeout, flag: "--timeout")).wholeMilliseconds
        let delay = try self.delay.map { text throws(ClientError) in
            (try ArgumentParsing.duration(text, flag: "--delay")).wholeMilliseconds
        }
        let client = try options.client()
        let now = TimeText.now
        var tags = [Tag.target: target]
        if let delay, delay > 0 { tags[Tag.delay] = String(now + delay) }
        let create = PromiseCreate(
            id: id,
            timeoutAt: now + timeout + (delay ?? 0),
            param: invocation.param,
            tags: tags
        )
        let console = options.console
        let promise = try await client.createPromise(create)
        if promise.timeoutAt != create.timeoutAt {
            let existing = Invocation(param: promise.param)
            let what = existing.map { "calls \($0.function)" } ?? "is not an invocation"
            console.note("note: promise \(id) already exists (it \(what)); it is unchanged")
        }
        guard wait else {
            if console.isJSON {
                console.show(promise)
            } else {
                console.print("\(promise.id) \(promise.state.rawValue)")
            }
            return
        }
        let settled = promise.state.isSettled ? promise : try await waitForSettlement(using: client)
        try Self.report(settled, console: console)
    }

    private func makeInvocation() throws(ClientError) -> Invocation {
        guard version >= 1 else { throw .usage("invalid --version \(version): must be at least 1") }
        var args = arg.map(ArgumentParsing.jsonOrString)
        if let jsonArgs {
            guard arg.isEmpty else { throw .usage("use either --arg or --json-args, not both") }
            guard case .array(let elements) = try ArgumentParsing.json(jsonArgs, flag: "--json-args") else {
                throw .usage("invalid --json-args: expected a JSON array")
            }
            args = elements
        }
        return Invocation(function: function, args: args, version: version)
    }

    /// Polls until the promise settles, with a spinner on a terminal and one plain line otherwise.
    private func waitForSettlement(using client: ResonateClient) async throws -> PromiseRecord {
        let console = options.console
        let start = ContinuousClock.now
        let waiter = PromiseWaiter(client: client)
        let id = self.id
        guard console.errorIsTerminal else {
            console.note("waiting for \(id) to settle…")
            return try await waiter.settled(id)
        }
        return try await withThrowingTaskGroup(of: PromiseRecord?.self) { group in
            group.addTask { try await waiter.settled(id) }
            group.addTask {
                await Spinner(console: console, label: "waiting for \(id)").run(since: start)
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let promise = result {
                    group.cancelAll()
                    // Let the spinner erase its line before the result is printed.
                    while try await group.next() != nil {}
                    return promise
                }
            }
            throw CancellationError()
        }
    }

    /// Prints a settled promise's result; anything but `resolved` is a failure (exit 1).
    static func report(_ promise: PromiseRecord, console: Console) throws {
        if console.isJSON {
            console.show(promise)
        } else if promise.state == .resolved {
            let payload = Payload(promise.value)
            console.print(payload == .none ? "null" : payload.text)
        }
        switch promise.state {
        case .pending, .resolved:
            return
        case .rejected:
            throw ClientError(.failedOutcome, "\(promise.id) was rejected: \(errorMessage(promise.value))")
        case .rejectedCanceled:
            throw ClientError(.failedOutcome, "\(promise.id) was canceled")
        case .rejectedTimedOut:
            throw ClientError(.failedOutcome, "\(promise.id) timed out")
        }
    }

    /// The message of an SDK error value (`{"__type":"error","message":…}`), else the value as text.
    static func errorMessage(_ value: Value) -> String {
        let payload = Payload(value)
        if case .json(let document) = payload, case .string(let message)? = document["message"] { return message }
        return payload == .none ? "no error value" : payload.text
    }
}
