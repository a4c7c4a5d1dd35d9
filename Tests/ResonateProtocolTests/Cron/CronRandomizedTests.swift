// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateProtocol

/// Random expressions checked against a deliberately naive model: the test builds each field's value set itself,
/// renders it as text, and scans day by day for the next match, so neither the parser's bitsets nor the
/// field-by-field search is trusted.
@Suite("Cron expressions against a naive model")
struct CronRandomizedTests {
    /// SplitMix64: small, seedable and the same on every platform, so failures reproduce.
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }

        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(next() % UInt64(range.count))
        }

        mutating func chance(_ percent: Int) -> Bool {
            int(0...99) < percent
        }
    }

    /// A field's text and the values the model says it allows.
    struct ModelField {
        var text: String
        var values: Set<Int>
    }

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Writes `value` as a number or a name; 7 for Sunday only where it `canBeSeven` (a lone value: `7-3` is reversed).
    static func spell(_ value: Int, kind: CronFieldKind, canBeSeven: Bool = false, random: inout Generator) -> String {
        switch kind {
        case .month where random.chance(30):
            let name = monthNames[value - 1]
            return random.chance(50) ? name.uppercased() : name
        case .dayOfWeek where value <= 6 && random.chance(30):
            return dayNames[value]
        case .dayOfWeek where value == 0 && canBeSeven && random.chance(20):
            return "7"
        default:
            return String(value)
        }
    }

    static func randomField(_ kind: CronFieldKind, random: inout Generator) -> ModelField {
        // The model's own idea of each field's domain; `*` in day of week is Sunday to Saturday.
        let (low, high): (Int, Int) =
            switch kind {
            case .second, .minute: (0, 59)
            case .hour: (0, 23)
            case .dayOfMonth: (1, 31)
            case .month: (1, 12)
            case .dayOfWeek: (0, 6)
            case .year: (1970, 2099)
            }
        if random.chance(kind == .year ? 50 : 30) {
            return ModelField(text: "*", values: Set(low...high))
        }
        var texts: [String] = []
        var values = Set<Int>()
        for _ in 0..<random.int(1...3) {
            switch random.int(0...4) {
            case 0:
                let value = random.int(low...high)
                texts.append(spell(value, kind: kind, canBeSeven: true, random: &random))
                values.insert(value)
            case 1:
                let a = random.int(low...high)
                let b = random.int(a...high)
                guard a != b else {
                    continue
                }
                texts.append("\(spell(a, kind: kind, random: &random))-\(spell(b, kind: kind, random: &random))")
                values.formUnion(a...b)
            case 2:
                let step = random.int(1...(high - low + 1))
                texts.append("*/\(step)")
                values.formUnion(stride(from: low, through: high, by: step))
            case 3:
                let a = random.int(low...high)
                let b = random.int(a...high)
                let step = random.int(1...(high - low + 1))
                texts.append("\(a)-\(b)/\(step)")
                values.formUnion(stride(from: a, through: b, by: step))
            default:
                let a = random.int(low...high)
                let step = random.int(1...(high - low + 1))
                texts.append("\(a)/\(step)")
                values.formUnion(stride(from: a, through: high, by: step))
            }
        }
        if texts.isEmpty {
            texts.append(String(low))
            values.insert(low)
        }
        return ModelField(text: texts.joined(separator: ","), values: values)
    }

    /// The naive next occurrence, in milliseconds, scanning whole days for 60 years (or to 2099 with a year set).
    static func modelNext(
        after instant: Int64,
        fields: [CronFieldKind: ModelField],
        daysMatchEither: Bool,
        hasYear: Bool
    ) -> Int64? {
        let start = CronCalendar.floorDivide(instant, by: 1_000) + 1
        let startDay = CronCalendar.floorDivide(start, by: 86_400)
        let lastDay =
            hasYear
            ? CronCalendar.days(from: CronCalendar.Date(year: 2099, month: 12, day: 31))
            : startDay + 60 * 366
        guard startDay <= lastDay else {
            return nil
        }
        let seconds = fields[.second]?.values ?? [0]
        for day in startDay...lastDay {
            let date = CronCalendar.date(fromDays: day)
            if hasYear, fields[.year]?.values.contains(Int(date.year)) != true {
                continue
            }
            guard fields[.month]!.values.contains(date.month) else {
                continue
            }
            let domMatches = fields[.dayOfMonth]!.values.contains(date.day)
            let dowMatches = fields[.dayOfWeek]!.values.contains(CronCalendar.weekday(fromDays: day))
            guard daysMatchEither ? domMatches || dowMatches : domMatches && dowMatches else {
                continue
            }
            for hour in fields[.hour]!.values.sorted() {
                for minute in fields[.minute]!.values.sorted() {
                    for second in seconds.sorted() {
                        let candidate = day * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
                        if candidate >= start {
                            return candidate * 1_000
                        }
                    }
                }
            }
        }
        return nil
    }

    @Test("random expressions agree with the naive model", arguments: 0..<8)
    func agreesWithModel(batch: Int) throws {
        var random = Generator(state: 0x5EED_0000 + UInt64(batch))
        for _ in 0..<60 {
            let fieldCount = [5, 5, 6, 7][random.int(0...3)]
            var kinds: [CronFieldKind] = [.minute, .hour, .dayOfMonth, .month, .dayOfWeek]
            if fieldCount >= 6 {
                kinds.insert(.second, at: 0)
            }
            if fieldCount == 7 {
                kinds.append(.year)
            }
            var fields: [CronFieldKind: ModelField] = [:]
            for kind in kinds {
                fields[kind] = Self.randomField(kind, random: &random)
            }
            if random.chance(10) {
                fields[.dayOfMonth] = ModelField(text: "?", values: Set(1...31))
            }
            let text = kinds.map { fields[$0]!.text }.joined(separator: " ")
            let restricted = [CronFieldKind.dayOfMonth, .dayOfWeek].allSatisfy {
                !["*", "?"].contains(fields[$0]!.text)
            }
            let hasYear = fieldCount == 7 && fields[.year]!.text != "*"
            let expression = try CronExpression(parsing: text)

            for _ in 0..<2 {
                var instant = Int64(random.int(-300_000_000...4_200_000_000)) * 1_000 + Int64(random.int(0...999))
                for _ in 0..<3 {
                    let expected = Self.modelNext(
                        after: instant, fields: fields, daysMatchEither: restricted, hasYear: hasYear
                    )
                    let actual = expression.nextOccurrence(after: instant)
                    let detail =
                        "\(text.debugDescription) after \(CronTestTime.iso(instant)): "
                        + "got \(CronTestTime.iso(actual)), model says \(CronTestTime.iso(expected))"
                    #expect(actual == expected, "\(detail)")
                    guard let expected else {
                        break
                    }
                    instant = expected
                }
            }
        }
    }
}
