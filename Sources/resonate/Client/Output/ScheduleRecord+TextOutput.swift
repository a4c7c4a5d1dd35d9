// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension ScheduleRecord {
    /// The record as aligned `key  value` lines (`schedules get`).
    func textFields(now: Int64 = TimeText.now) -> [String] {
        TextTable.fields([
            ("id", id),
            ("cron", cron),
            ("promise id", promiseId),
            ("promise timeout", TimeText.duration(milliseconds: promiseTimeout)),
            ("promise param", Payload(promiseParam).displayText),
            ("promise tags", PromiseRecord.tagsText(promiseTags)),
            ("created", TimeText.timestamp(createdAt)),
            ("next run", "\(TimeText.timestamp(nextRunAt)) (\(TimeText.relative(nextRunAt, now: now)))"),
            ("last run", lastRunAt.map(TimeText.timestamp) ?? "-"),
        ])
    }

    /// The columns of a search listing.
    static var tableHeader: TextTable { TextTable("ID", "CRON", "PROMISE ID", "NEXT RUN", "LAST RUN") }

    var tableRow: [String] {
        [id, cron, promiseId, TimeText.timestamp(nextRunAt), lastRunAt.map(TimeText.timestamp) ?? "-"]
    }
}
