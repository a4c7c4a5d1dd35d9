// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// A parsed cron expression evaluated in UTC.
///
/// Accepted forms, fields separated by spaces or tabs:
///
/// - 5 fields: `minute hour day-of-month month day-of-week`;
/// - 6 fields: `second minute hour day-of-month month day-of-week` (seconds first, as the Rust `cron` crate
///   and the reference Resonate server order them);
/// - 7 fields: the 6 above followed by `year` (1970-2099);
/// - a macro alone: `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` or `@hourly`.
///
/// Each field is `*`, a value, a range `a-b`, or a step `*/n`, `a-b/n` or `a/n` (the latter meaning `a` to the
/// field's maximum every `n`), or a comma-separated list of these. Months and days of the week may be written
/// as three-letter English names in any case, day of week accepts 7 as well as 0 for Sunday, and `?` is `*`
/// in the two day fields.
///
/// Days follow Vixie cron: when both day of month and day of week are restricted (neither is `*` nor `?`), a
/// day matches if either matches; otherwise it must match both. `0 0 13 * fri` therefore fires on every 13th
/// and on every Friday.
///
/// Quartz extensions (`L`, `W`, `#`), `@reboot` and reversed (wrap-around) ranges are rejected.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression exactly as given to ``init(parsing:)``.
    let text: String
    let seconds: CronField
    let minutes: CronField
    let hours: CronField
    /// Bits 1-31.
    let daysOfMonth: CronField
    /// Bits 1-12.
    let months: CronField
    /// Bits 0-6, Sunday being 0 (a written 7 is folded onto 0).
    let daysOfWeek: CronField
    /// Nil when there is no year field or it is `*`: such expressions run forever.
    let years: CronYearField?
    /// Whether a day matches when either day field does (both restricted) rather than when both do.
    let daysMatchEither: Bool

    init(
        text: String,
        seconds: CronField,
        minutes: CronField,
        hours: CronField,
        daysOfMonth: CronField,
        months: CronField,
        daysOfWeek: CronField,
        years: CronYearField?,
        daysMatchEither: Bool
    ) {
        self.text = text
        self.seconds = seconds
        self.minutes = minutes
        self.hours = hours
        self.daysOfMonth = daysOfMonth
        self.months = months
        self.daysOfWeek = daysOfWeek
        self.years = years
        self.daysMatchEither = daysMatchEither
    }

    /// Parses `text` as a cron expression.
    ///
    /// - Parameter text: The expression, at most ``maximumLength`` bytes of UTF-8.
    /// - Throws: ``CronParseError`` with a message naming the offending field and value.
    public init(parsing text: String) throws(CronParseError) {
        self = try Self.parse(text)
    }

    /// The expression exactly as it was given to ``init(parsing:)``.
    public var description: String {
        text
    }
}
