// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation

/// Resident memory of a process, from `/proc/<pid>/status` (Linux only; `nil` elsewhere): read by `resonate bench`
/// and by the SDK's test worker.
public enum ProcessMemory {
    /// The resident set size of `pid` (this process when `nil`) in KiB.
    public static func residentKiB(pid: Int32? = nil) -> Int? {
        let path = "/proc/\(pid.map(String.init) ?? "self")/status"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }
}
