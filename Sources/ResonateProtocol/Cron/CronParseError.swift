// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The reason a cron expression was rejected by ``CronExpression/init(parsing:)``.
///
/// The ``message`` is written for the people who typed the expression: it is returned verbatim by the API,
/// so it names the offending field and value, e.g.
/// `Invalid cron expression "61 * * * *": minute value 61 is out of range 0-59`.
public struct CronParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// At most this many characters of the expression are echoed in ``message``, so that a huge input
    /// cannot turn into a huge error response.
    static let maximumEchoedLength = 64

    /// The rejected expression, exactly as it was given.
    public var expression: String

    /// What is wrong with the expression, without the expression itself,
    /// e.g. `minute value 61 is out of range 0-59`.
    public var reason: String

    /// Creates an error for `expression`, explained by `reason`.
    ///
    /// - Parameters:
    ///   - expression: The rejected expression, exactly as it was given.
    ///   - reason: What is wrong with it, phrased to follow `Invalid cron expression "…": `.
    public init(expression: String, reason: String) {
        self.expression = expression
        self.reason = reason
    }

    /// The complete human-readable message: the (possibly shortened) expression followed by ``reason``.
    public var message: String {
        "Invalid cron expression \(Self.quoted(expression)): \(reason)"
    }

    /// The same text as ``message``.
    public var description: String {
        message
    }

    /// Quotes `text` for display, escaping what would otherwise make the message ambiguous or unprintable.
    static func quoted(_ text: String) -> String {
        var result = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == maximumEchoedLength {
                result += "…"
                break
            }
            count += 1
            result += escaped(scalar)
        }
        result += "\""
        return result
    }

    /// Escapes one scalar the way a Swift string literal would, so control characters stay visible.
    static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                return "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
            return String(scalar)
        }
    }
}
