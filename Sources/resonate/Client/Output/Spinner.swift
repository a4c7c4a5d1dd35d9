// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// An animated progress line on standard error with the elapsed time, for terminals only.
struct Spinner: Sendable {
    static let frames: [String] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    let console: Console
    let label: String

    /// Redraws the line every 100 ms until the task is cancelled, then erases it.
    func run(since start: ContinuousClock.Instant) async {
        var frame = 0
        while !Task.isCancelled {
            let elapsed = TimeText.duration(ContinuousClock.now - start)
            console.noteRaw("\r\u{1B}[K\(Self.frames[frame % Self.frames.count]) \(label) \(elapsed)")
            frame += 1
            try? await Task.sleep(for: .milliseconds(100))
        }
        console.noteRaw("\r\u{1B}[K")
    }
}
