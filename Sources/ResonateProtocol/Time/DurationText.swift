// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Durations written as text: concatenated `<integer><unit>` parts with units `ms`, `s`, `m`, `h`, `d`
/// (`90s`, `1h30m`, `250ms`), as the Resonate CLI accepts them.
public enum DurationText {
    /// Parses `text`, or returns `nil` when it is not a duration.
    public static func parse(_ text: String) -> Duration? {
        var total: Int64 = 0
        var digits = ""
        var index = text.startIndex
        guard !text.isEmpty else { return nil }
        while index < text.endIndex {
            let character = text[index]
            if character.isASCII, character.isNumber {
                digits.append(character)
                index = text.index(after: index)
                continue
            }
            guard let value = Int64(digits) else { return nil }
            digits = ""
            let rest = text[index...]
            let unit: Int64
            if rest.hasPrefix("ms") {
                unit = 1
                index = text.index(index, offsetBy: 2)
            } else {
                switch character {
                case "s": unit = 1000
                case "m": unit = 60_000
                case "h": unit = 3_600_000
                case "d": unit = 86_400_000
                default: return nil
                }
                index = text.index(after: index)
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow else { return nil }
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !sumOverflow else { return nil }
            total = sum
        }
        guard digits.isEmpty else { return nil }
        return .milliseconds(total)
    }

    /// Writes a duration in the same syntax, using the largest units that divide it (`90000ms` → `1m30s`).
    public static func format(_ duration: Duration) -> String {
        var milliseconds = duration.wholeMilliseconds
        if milliseconds == 0 { return "0s" }
        var text = milliseconds < 0 ? "-" : ""
        milliseconds = abs(milliseconds)
        for (unit, name) in [(86_400_000 as Int64, "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s"), (1, "ms")] {
            let count = milliseconds / unit
            if count > 0 {
                text += "\(count)\(name)"
                milliseconds -= count * unit
            }
        }
        return text
    }
}
