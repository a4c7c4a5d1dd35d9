// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

/// Bad input and the part of the message that must explain it.
struct CronBadInput: Sendable, CustomTestStringConvertible {
    var expression: String
    var fragment: String

    init(_ expression: String, _ fragment: String) {
        self.expression = expression
        self.fragment = fragment
    }

    var testDescription: String {
        expression.debugDescription
    }
}

@Suite("Cron parse errors")
struct CronParseErrorTests {
    static let badInputs: [CronBadInput] = [
        // Shape.
        CronBadInput("", "expression is empty"),
        CronBadInput(" \t ", "expression is empty"),
        CronBadInput("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week)"),
        CronBadInput("* * * *", "found 4"),
        CronBadInput("* * * * * * * *", "found 8"),
        CronBadInput(String(repeating: "* ", count: 200), "expression is too long (400 bytes; the maximum is 256)"),
        CronBadInput("* * * * é", "non-ASCII character \"é\""),
        CronBadInput("*\u{A0}* * * *", "non-ASCII character \"\u{A0}\" (U+00A0)"),
        CronBadInput("* * *\u{0} * *", "control character \"\\u{0}\""),
        // Values out of range.
        CronBadInput("61 * * * *", "minute value 61 is out of range 0-59"),
        CronBadInput("60 * * * * *", "second value 60 is out of range 0-59"),
        CronBadInput("0 60 * * * *", "minute value 60 is out of range 0-59"),
        CronBadInput("* 24 * * *", "hour value 24 is out of range 0-23"),
        CronBadInput("* * 0 * *", "day-of-month value 0 is out of range 1-31"),
        CronBadInput("* * 32 * *", "day-of-month value 32 is out of range 1-31"),
        CronBadInput("* * * 0 *", "month value 0 is out of range 1-12"),
        CronBadInput("* * * 13 *", "month value 13 is out of range 1-12"),
        CronBadInput("* * * * 8", "day-of-week value 8 is out of range 0-7"),
        CronBadInput("0 0 0 1 1 * 1969", "year value 1969 is out of range 1970-2099"),
        CronBadInput("0 0 0 1 1 * 2100", "year value 2100 is out of range 1970-2099"),
        CronBadInput("0 0 0 1 1 * 2000-2100", "year value 2100 is out of range 1970-2099"),
        CronBadInput("1-60 * * * *", "minute value 60 is out of range 0-59"),
        CronBadInput("99999999999 * * * *", "minute value 99999999999 is out of range 0-59"),
        // Ranges.
        CronBadInput("5-2 * * * *", "minute range \"5-2\" is reversed: its start is after its end"),
        CronBadInput("* * * nov-feb *", "month range \"nov-feb\" is reversed"),
        CronBadInput("* * * * fri-mon", "day-of-week range \"fri-mon\" is reversed"),
        CronBadInput("* * * * 5-0", "write 7 for a Sunday that ends a range"),
        CronBadInput("0 0 0 1 1 * 2050-2040", "year range \"2050-2040\" is reversed"),
        CronBadInput("1- * * * *", "minute range \"1-\" is missing its end"),
        CronBadInput("-1 * * * *", "minute range \"-1\" is missing its start"),
        CronBadInput("1-2-3 * * * *", "minute \"1-2-3\" has more than one \"-\""),
        // Steps.
        CronBadInput("*/0 * * * *", "minute step 0 is invalid: a step must be at least 1"),
        CronBadInput("1-5/0 * * * *", "minute step 0 is invalid"),
        CronBadInput("*/61 * * * *", "minute step 61 is out of range 1-60"),
        CronBadInput("* */25 * * *", "hour step 25 is out of range 1-24"),
        CronBadInput("* * * * */8", "day-of-week step 8 is out of range 1-7"),
        CronBadInput("*/99999999999 * * * *", "minute step 99999999999 is out of range 1-60"),
        CronBadInput("*/ * * * *", "minute \"*/\" is missing the step after \"/\""),
        CronBadInput("/5 * * * *", "minute \"/5\" is missing a value or \"*\" before \"/\""),
        CronBadInput("*/x * * * *", "minute step \"x\" is not a number"),
        CronBadInput("*/5/2 * * * *", "minute \"*/5/2\" has more than one \"/\""),
        // Lists and junk.
        CronBadInput("1,,2 * * * *", "minute field \"1,,2\" has an empty list element"),
        CronBadInput("1, * * * *", "minute field \"1,\" has an empty list element"),
        CronBadInput(",1 * * * *", "has an empty list element"),
        CronBadInput("a * * * *", "\"a\" is not a valid minute value (use 0-59)"),
        CronBadInput("1x * * * *", "\"1x\" is not a valid minute value"),
        CronBadInput("* * * foo *", "\"foo\" is not a valid month name or number (use 1-12 or jan-dec)"),
        CronBadInput("* * * january *", "\"january\" is not a valid month name"),
        CronBadInput("* * * mon *", "\"mon\" is not a valid month name"),
        CronBadInput("* * * * jan", "\"jan\" is not a valid day-of-week name or number (use 0-7 or sun-sat)"),
        CronBadInput("* * * * mon,funday", "\"funday\" is not a valid day-of-week name"),
        CronBadInput("* * * jan-foo *", "\"foo\" is not a valid month name"),
        CronBadInput("1! * * * *", "minute field \"1!\" contains the invalid character \"!\""),
        CronBadInput("* * * * 1;2", "contains the invalid character \";\""),
        CronBadInput("0 0 * * * @daily", "contains the invalid character \"@\""),
        CronBadInput("*-5 * * * *", "minute \"*-5\" combines \"*\" with other values"),
        CronBadInput("5* * * * *", "combines \"*\" with other values"),
        CronBadInput("H * * * *", "\"H\" is not a valid minute value"),
        // `?`.
        CronBadInput("? * * * *", "\"?\" is only allowed in the day-of-month and day-of-week fields"),
        CronBadInput("* * * ? *", "not in the month field"),
        CronBadInput("* * ?,1 * *", "\"?\" must be the whole day-of-month field"),
        CronBadInput("* * * * ?/2", "\"?\" must be the whole day-of-week field"),
        // Quartz extensions.
        CronBadInput(
            "* * L * *",
            "day-of-month \"L\" uses the Quartz \"L\" (last day of the month) extension, which is not supported"
        ),
        CronBadInput("* * l * *", "Quartz \"L\""),
        CronBadInput("* * L-3 * *", "Quartz \"L\""),
        CronBadInput("* * LW * *", "Quartz \"LW\""),
        CronBadInput("* * 15W * *", "day-of-month \"15W\" uses the Quartz \"W\" (nearest weekday) extension"),
        CronBadInput("* * W15 * *", "Quartz \"W\""),
        CronBadInput("* * * * 5L", "day-of-week \"5L\" uses the Quartz \"L\" (last weekday of the month) extension"),
        CronBadInput("* * * * friL", "Quartz \"L\""),
        CronBadInput("* * * * L", "Quartz \"L\" (last day of the week)"),
        CronBadInput("* * * * 5#3", "day-of-week \"5#3\" uses the Quartz \"#\" (nth weekday of the month) extension"),
        CronBadInput("* * * * mon#2", "Quartz \"#\""),
        CronBadInput("5#3 * * * *", "minute field \"5#3\" contains the invalid character \"#\""),
        CronBadInput("* * 1#2 * *", "contains the invalid character \"#\""),
        // Macros.
        CronBadInput("@reboot", "@reboot is not supported"),
        CronBadInput("@REBOOT", "@reboot is not supported"),
        CronBadInput("@fortnightly", "unknown macro \"@fortnightly\""),
        CronBadInput("@every 5m", "unknown macro \"@every\""),
        CronBadInput("@daily *", "macro \"@daily\" must be the whole expression"),
    ]

    @Test("rejects bad input with a precise message", arguments: badInputs)
    func rejects(_ input: CronBadInput) {
        #expect {
            _ = try CronExpression(parsing: input.expression)
        } throws: { error in
            guard let error = error as? CronParseError else {
                return false
            }
            let prefix = "Invalid cron expression \(CronParseError.quoted(input.expression)): "
            return error.expression == input.expression
                && error.message.hasPrefix(prefix)
                && error.message.contains(input.fragment)
                && error.reason.contains(input.fragment)
        }
    }

    @Test("the documented example reads exactly as documented")
    func documentedMessage() {
        let error = #expect(throws: CronParseError.self) {
            try CronExpression(parsing: "61 * * * *")
        }
        #expect(error?.message == "Invalid cron expression \"61 * * * *\": minute value 61 is out of range 0-59")
        #expect(error?.description == error?.message)
        #expect(error?.reason == "minute value 61 is out of range 0-59")
    }

    @Test("the error is typed, so callers need no cast")
    func typedThrow() {
        do {
            _ = try CronExpression(parsing: "* * * * * * * *")
            Issue.record("expected a parse error")
        } catch {
            // `error` is statically a CronParseError here.
            #expect(error.reason.contains("found 8"))
        }
    }

    @Test("long expressions are shortened and control characters escaped in the message")
    func messageEchoIsBounded() {
        let long = String(repeating: "1", count: 300)
        let error = CronParseError(expression: long, reason: "x")
        #expect(error.message == "Invalid cron expression \"\(String(repeating: "1", count: 64))…\": x")
        let escaped = CronParseError(expression: "a\"b\\c\nd\te\u{7F}", reason: "x")
        #expect(escaped.message == #"Invalid cron expression "a\"b\\c\nd\te\u{7F}": x"#)
    }

    @Test("errors compare by expression and reason")
    func equality() {
        #expect(CronParseError(expression: "a", reason: "b") == CronParseError(expression: "a", reason: "b"))
        #expect(CronParseError(expression: "a", reason: "b") != CronParseError(expression: "a", reason: "c"))
    }
}
