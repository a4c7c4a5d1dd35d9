// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import ResonateProtocol

/// `resonate tree <id> [--watch] [--interval 1s]`.
struct TreeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tree",
        abstract: "Show the call graph of an execution.",
        discussion: """
            Reads every promise of the execution (tag resonate:origin = <id>) and draws them as a tree by their \
            resonate:parent tags, children in creation order. Each line shows the function (from the invocation \
            param; "sleep" for durable sleeps), the state, the duration (settled − created, or how long it has been \
            running) and where it ran: "local" (ctx.run, in the caller's process), "remote GROUP" (an rpc or the \
            root, delivered to that group), "timer" (a sleep) or "external" (a promise settled from outside).

            With --watch it redraws in place on a terminal, and prints a new snapshot only when something changed \
            otherwise (JSON: one document per change), until the root promise settles.

            Examples:
              resonate tree order-7
              resonate tree order-7 --watch --interval 500ms
            """
    )

    @OptionGroup var options: ClientOptions

    @Argument(help: "The id of the execution's root promise.")
    var id: String

    @Flag(help: "Keep showing the tree until the root promise settles.")
    var watch = false

    @Option(help: "How often --watch reads the tree, e.g. 1s, 500ms.")
    var interval = "1s"

    func run() async throws {
        let interval = try ArgumentParsing.duration(self.interval, flag: "--interval")
        guard interval > .zero else { throw ClientError.usage("invalid --interval \(self.interval): must be positive") }
        let client = try options.client()
        let console = options.console
        guard watch else {
            show(try await CallTree.fetch(rootID: id, using: client), console: console)
            return
        }
        let redraws = !console.isJSON && console.outputIsTerminal
        var lastSignature: String?
        while true {
            let tree = try await CallTree.fetch(rootID: id, using: client)
            let settled = tree.root.promise.state.isSettled
            if redraws {
                // Home, clear the screen, draw: the tree stays in place and durations tick.
                console.printRaw("\u{1B}[H\u{1B}[2J")
                show(tree, console: console)
                if !settled { console.print("\nwatching \(id) every \(DurationText.format(interval)); Ctrl-C to stop") }
            } else if tree.signature != lastSignature {
                if lastSignature != nil && !console.isJSON { console.print("") }
                show(tree, console: console)
            }
            lastSignature = tree.signature
            if settled { return }
            try await Task.sleep(for: interval)
        }
    }

    private func show(_ tree: CallTree, console: Console) {
        if console.isJSON {
            console.printJSON { tree.writeJSON(to: &$0) }
        } else {
            for line in tree.textLines(now: TimeText.now) { console.print(line) }
        }
    }
}
