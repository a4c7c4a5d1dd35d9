// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser

/// `resonate version`: prints the version of this build.
///
/// A subcommand rather than `--version`: ArgumentParser lets a parent's options appear after a subcommand, so a root
/// `--version` would swallow `invoke --version N` (the function version, named as in the reference CLI).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Show the version of this build.")

    static let text = "0.1.0"

    func run() {
        print(Self.text)
    }
}
