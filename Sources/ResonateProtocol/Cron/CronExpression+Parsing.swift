// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

extension CronExpression {
    /// The longest expression ``init(parsing:)`` accepts, in bytes of UTF-8.
    ///
    /// Real schedules are a few dozen characters; the cap keeps parsing cost and error messages bounded for
    /// whatever an API client sends.
    public static let maximumLength = 256

    /// Macros and the five-field expressions they stand for.
    private static let macros: [(name: String, expansion: [String])] = [
        ("@yearly", ["0", "0", "1", "1", "*"]),
        ("@annually", ["0", "0", "1", "1", "*"]),
        ("@monthly", ["0", "0", "1", "*", "*"]),
        ("@weekly", ["0", "0", "*", "*", "0"]),
        ("@daily", ["0", "0", "*", "*", "*"]),
        ("@midnight", ["0", "0", "*", "*", "*"]),
        ("@hourly", ["0", "*", "*", "*", "*"]),
    ]

    /// One comma-separated element of a field: the values from `range.lowerBound` every `step` up to
    /// `range.upperBound`.
    private struct Term {
        var range: ClosedRange<Int>
        var step: Int
    }

    /// Parses `text`; see ``init(parsing:)``.
    static func parse(_ text: String) throws(CronParseError) -> CronExpression {
        let length = text.utf8.count
        guard length <= maximumLength else {
            throw CronParseError(
                expression: text,
                reason: "expression is too long (\(length) bytes; the maximum is \(maximumLength))"
            )
        }
        for scalar in text.unicodeScalars where !isSeparator(scalar) {
            if !scalar.isASCII {
                throw CronParseError(
                    expression: text,
                    reason: "expression contains the non-ASCII character \(quoted(scalar)) (\(codePoint(scalar)))"
                )
            }
            if scalar.value < 0x20 || scalar.value == 0x7F {
                throw CronParseError(
                    expression: text,
                    reason: "expression contains the control character \(quoted(scalar))"
                )
            }
        }
        let fields = text.unicodeScalars.split(whereSeparator: isSeparator).map(String.init)
        guard let first = fields.first else {
            throw CronParseError(expression: text, reason: "expression is empty")
        }
        if first.hasPrefix("@") {
            return try parseMacro(first, fieldCount: fields.count, text: text)
        }
        return try build(text: text, fields: fields)
    }

    private static func parseMacro(
        _ macro: String,
        fieldCount: Int,
        text: String
    ) throws(CronParseError) -> CronExpression {
        let name = macro.lowercased()
        if name == "@reboot" {
            throw CronParseError(
                expression: text,
                reason: "@reboot is not supported: a server-side schedule has no reboot to run at"
            )
        }
        guard let expansion = macros.first(where: { $0.name == name })?.expansion else {
            throw CronParseError(
                expression: text,
                reason: "unknown macro \(quoted(macro)); the supported macros are "
                    + "@yearly, @annually, @monthly, @weekly, @daily, @midnight and @hourly"
            )
        }
        guard fieldCount == 1 else {
            throw CronParseError(
                expression: text,
                reason: "macro \(quoted(macro)) must be the whole expression"
            )
        }
        return try build(text: text, fields: expansion)
    }

    /// Assigns `fields` to their kinds by count and parses each.
    private static func build(text: String, fields: [String]) throws(CronParseError) -> CronExpression {
        let dayKinds: [CronFieldKind] = [.minute, .hour, .dayOfMonth, .month, .dayOfWeek]
        let kinds: [CronFieldKind]
        switch fields.count {
        case 5: kinds = dayKinds
        case 6: kinds = [.second] + dayKinds
        case 7: kinds = [.second] + dayKinds + [.year]
        default:
            throw CronParseError(
                expression: text,
                reason: "expected 5 fields (minute hour day-of-month month day-of-week), "
                    + "6 (with a leading second) or 7 (with a leading second and a trailing year), "
                    + "found \(fields.count)"
            )
        }

        // Without a seconds field an expression fires at second 0 of each matching minute.
        var seconds = CronField(bits: 1)
        var minutes = CronField(bits: 0)
        var hours = CronField(bits: 0)
        var daysOfMonth = CronField(bits: 0)
        var months = CronField(bits: 0)
        var daysOfWeek = CronField(bits: 0)
        var years: CronYearField?
        var dayFieldsRestricted = 0
        for (kind, fieldText) in zip(kinds, fields) {
            let terms = try parseField(fieldText, kind: kind, text: text)
            if kind == .year {
                // A `*` year must not stop the schedule at 2099 the way an explicit 1970-2099 does.
                guard fieldText != "*" else {
                    continue
                }
                var set = CronYearField()
                for term in terms {
                    set.insert(term.range, step: term.step)
                }
                years = set
                continue
            }
            var field = CronField(bits: 0)
            for term in terms {
                field.insert(term.range, step: term.step)
            }
            switch kind {
            case .second: seconds = field
            case .minute: minutes = field
            case .hour: hours = field
            case .dayOfMonth: daysOfMonth = field
            case .month: months = field
            case .dayOfWeek:
                // 7 and 0 are the same Sunday; the search only ever looks at weekdays 0-6.
                if field.contains(7) {
                    field.bits = field.bits & ~(UInt64(1) << 7) | 1
                }
                daysOfWeek = field
            case .year: break
            }
            if kind == .dayOfMonth || kind == .dayOfWeek, fieldText != "*", fieldText != "?" {
                dayFieldsRestricted += 1
            }
        }
        return CronExpression(
            text: text,
            seconds: seconds,
            minutes: minutes,
            hours: hours,
            daysOfMonth: daysOfMonth,
            months: months,
            daysOfWeek: daysOfWeek,
            years: years,
            daysMatchEither: dayFieldsRestricted == 2
        )
    }

    /// Parses one whitespace-delimited field into its terms.
    private static func parseField(
        _ field: String,
        kind: CronFieldKind,
        text: String
    ) throws(CronParseError) -> [Term] {
        func failure(_ reason: String) -> CronParseError {
            CronParseError(expression: text, reason: reason)
        }
        if field == "?" {
            guard kind.allowsQuestionMark else {
                throw failure(questionMarkMisplaced(kind))
            }
            return [Term(range: kind.wildcard, step: 1)]
        }
        for scalar in field.unicodeScalars {
            let allowed =
                isLetterOrDigit(scalar) || "*?,/-".unicodeScalars.contains(scalar)
                || (scalar == "#" && kind == .dayOfWeek)
            guard allowed else {
                throw failure("\(kind.name) field \(quoted(field)) contains the invalid character \(quoted(scalar))")
            }
        }

        var terms: [Term] = []
        for element in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !element.isEmpty else {
                throw failure("\(kind.name) field \(quoted(field)) has an empty list element")
            }
            if element.contains("?") {
                throw failure(
                    kind.allowsQuestionMark
                        ? "\"?\" must be the whole \(kind.name) field, not part of \(quoted(field))"
                        : questionMarkMisplaced(kind)
                )
            }
            if element.contains("#") {
                throw failure(
                    "day-of-week \(quoted(element)) uses the Quartz \"#\" (nth weekday of the month) extension, "
                        + "which is not supported"
                )
            }
            terms.append(try parseTerm(element, kind: kind, text: text))
        }
        return terms
    }

    /// Parses `*`, `a`, `a-b`, optionally followed by `/n`.
    private static func parseTerm(
        _ element: Substring,
        kind: CronFieldKind,
        text: String
    ) throws(CronParseError) -> Term {
        func failure(_ reason: String) -> CronParseError {
            CronParseError(expression: text, reason: reason)
        }
        let parts = element.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw failure("\(kind.name) \(quoted(element)) has more than one \"/\"")
        }
        let base = parts[0]
        var step: Int?
        if parts.count == 2 {
            step = try parseStep(parts[1], element: element, kind: kind, text: text)
        }

        if base == "*" {
            return Term(range: kind.wildcard, step: step ?? 1)
        }
        guard !base.isEmpty else {
            throw failure("\(kind.name) \(quoted(element)) is missing a value or \"*\" before \"/\"")
        }
        guard !base.contains("*") else {
            throw failure(
                "\(kind.name) \(quoted(element)) combines \"*\" with other values; use \"*\" alone or a range"
            )
        }
        let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
        switch bounds.count {
        case 1:
            let value = try parseValue(base, kind: kind, text: text).value
            guard step != nil else {
                return Term(range: value...value, step: 1)
            }
            // `a/n` runs to the end of the field; for day of week a written 7 is already that end.
            return Term(range: value...max(kind.wildcard.upperBound, value), step: step ?? 1)
        case 2:
            guard !bounds[0].isEmpty else {
                throw failure(
                    "\(kind.name) range \(quoted(base)) is missing its start (negative values are not allowed)"
                )
            }
            guard !bounds[1].isEmpty else {
                throw failure("\(kind.name) range \(quoted(base)) is missing its end")
            }
            let lower = try parseValue(bounds[0], kind: kind, text: text).value
            let end = try parseValue(bounds[1], kind: kind, text: text)
            var upper = end.value
            // `fri-sun` reads as Friday to Sunday, so a named Sunday closing a range is the end of the week.
            if kind == .dayOfWeek, end.isName, upper == 0, lower > 0 {
                upper = 7
            }
            guard lower <= upper else {
                let hint = kind == .dayOfWeek && upper == 0 ? "; write 7 for a Sunday that ends a range" : ""
                throw failure(
                    "\(kind.name) range \(quoted(base)) is reversed: its start is after its end "
                        + "(ranges cannot wrap around)\(hint)"
                )
            }
            return Term(range: lower...upper, step: step ?? 1)
        default:
            throw failure("\(kind.name) \(quoted(element)) has more than one \"-\"")
        }
    }

    private static func parseStep(
        _ stepText: Substring,
        element: Substring,
        kind: CronFieldKind,
        text: String
    ) throws(CronParseError) -> Int {
        func failure(_ reason: String) -> CronParseError {
            CronParseError(expression: text, reason: reason)
        }
        guard !stepText.isEmpty else {
            throw failure("\(kind.name) \(quoted(element)) is missing the step after \"/\"")
        }
        guard stepText.unicodeScalars.allSatisfy(isDigit) else {
            throw failure("\(kind.name) step \(quoted(stepText)) is not a number")
        }
        let span = kind.wildcard.count
        let step = stepText.count <= 9 ? Int(stepText) ?? Int.max : Int.max
        guard step != 0 else {
            throw failure("\(kind.name) step 0 is invalid: a step must be at least 1")
        }
        guard step <= span else {
            throw failure("\(kind.name) step \(stepText) is out of range 1-\(span)")
        }
        return step
    }

    /// Parses a number or a name; `isName` lets `fri-sun` be told apart from a reversed `5-0`.
    private static func parseValue(
        _ token: Substring,
        kind: CronFieldKind,
        text: String
    ) throws(CronParseError) -> (value: Int, isName: Bool) {
        func failure(_ reason: String) -> CronParseError {
            CronParseError(expression: text, reason: reason)
        }
        if token.unicodeScalars.allSatisfy(isDigit) {
            let bounds = kind.bounds
            guard token.count <= 9, let value = Int(token), bounds.contains(value) else {
                throw failure(
                    "\(kind.name) value \(token) is out of range \(bounds.lowerBound)-\(bounds.upperBound)"
                )
            }
            return (value, false)
        }
        let name = token.lowercased()
        if let value = kind.value(named: name) {
            return (value, true)
        }
        if let quartz = quartzExtension(name, kind: kind) {
            throw failure("\(kind.name) \(quoted(token)) uses the Quartz \(quartz) extension, which is not supported")
        }
        let what = kind == .month || kind == .dayOfWeek ? "name or number" : "value"
        throw failure("\(quoted(token)) is not a valid \(kind.name) \(what) (use \(kind.accepted))")
    }

    /// Names the Quartz extension `token` (lower-cased) spells, if it spells one; such tokens deserve a better
    /// message than "not a valid value" because they are valid elsewhere.
    private static func quartzExtension(_ token: String, kind: CronFieldKind) -> String? {
        let scalars = Array(token.unicodeScalars)
        switch kind {
        case .dayOfMonth:
            if token == "l" {
                return "\"L\" (last day of the month)"
            }
            if token == "lw" {
                return "\"LW\" (last weekday of the month)"
            }
            let digits = scalars.filter(isDigit).count
            if digits > 0, digits == scalars.count - 1, scalars.first == "w" || scalars.last == "w" {
                return "\"W\" (nearest weekday)"
            }
            return nil
        case .dayOfWeek:
            if token == "l" {
                return "\"L\" (last day of the week)"
            }
            guard scalars.last == "l" else {
                return nil
            }
            let day = String(String.UnicodeScalarView(scalars.dropLast()))
            let isDay = day.isEmpty || day.unicodeScalars.allSatisfy(isDigit) || kind.value(named: day) != nil
            return isDay ? "\"L\" (last weekday of the month)" : nil
        default:
            return nil
        }
    }

    private static func questionMarkMisplaced(_ kind: CronFieldKind) -> String {
        "\"?\" is only allowed in the day-of-month and day-of-week fields, not in the \(kind.name) field"
    }

    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}": true
        default: false
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        isDigit(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func quoted(_ text: some StringProtocol) -> String {
        CronParseError.quoted(String(text))
    }

    /// `U+00A0`-style, because some characters (no-break spaces above all) are invisible once quoted.
    private static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func quoted(_ scalar: Unicode.Scalar) -> String {
        CronParseError.quoted(String(scalar))
    }
}
