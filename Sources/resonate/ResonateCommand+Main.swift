// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ArgumentParser
import Foundation

extension ResonateCommand {
    /// Runs the command line, with the exit statuses the client commands document.
    ///
    /// ArgumentParser exits with 64 (`EX_USAGE`) on usage errors; like most command-line tools (and the reference
    /// Resonate CLI) `resonate` exits with 2 instead, so that one status means "fix the command line" for every
    /// subcommand. A ``ClientError`` is printed as one `error: …` line and exits with its code's status.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ClientError {
            Console(format: .text).note("Error: \(error.message)")
            Foundation.exit(error.code.exitStatus)
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            Console(format: .text).note(fullMessage(for: error))
            Foundation.exit(ClientError.Code.usage.exitStatus)
        }
    }
}
