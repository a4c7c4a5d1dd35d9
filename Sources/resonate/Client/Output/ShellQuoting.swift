// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Quotes words for a POSIX shell, so printed commands can be pasted back.
enum ShellQuoting {
    /// `word` unchanged when it needs no quoting, else in single quotes.
    static func quote(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:/@=+,%".contains($0)) }
        if safe && !word.isEmpty { return word }
        return "'" + word.replacing("'", with: #"'\''"#) + "'"
    }
}
