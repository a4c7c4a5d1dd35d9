// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import ResonateProtocol

/// What the dashboard's templates render: plain values, read by the templates through their property names.
enum DashboardPages {
    /// The cookie that keeps the visitor's token when the server checks JWTs.
    static let tokenCookie = "resonate_ui_token"

    /// What every page shows around its content.
    struct Layout {
        var title: String
        var section: String
        /// Whether the page refreshes itself every two seconds.
        var isLive: Bool
        var isReadOnly: Bool
        var notice: String?
    }

    struct Count {
        var name: String
        var count: Int
    }

    struct Overview {
        var promises: [Count]
        var tasks: [Count]
        var outboxDepth: Int
        var parked: Int
        var relayed: Int
        var connections: Int
        var schedules: Int
        var requestsPerSecond: String
        var timerLateness: String
    }

    /// One row of the executions list.
    struct ExecutionRow {
        var id: String
        var href: String
        var state: String
        var function: String
        var age: String
        var duration: String
        var attempt: String
        var target: String
    }

    struct Filter {
        var idPrefix: String
        var function: String
        var tag: String
        var states: [Option]
    }

    struct Option {
        var value: String
        var isSelected: Bool
    }

    struct Executions {
        var layout: Layout
        var overview: Overview
        var filter: Filter
        var rows: [ExecutionRow]
        /// The query string of the next page, when there is one.
        var nextPage: String?
    }

    /// One node of an execution's call tree, flattened with its depth.
    struct Node {
        var id: String
        var kind: String
        var function: String
        var location: String
        var state: String
        var created: String
        var settled: String
        var duration: String
        var arguments: String
        var result: String
        var tags: String
        /// The node's depth in the tree, as a CSS length.
        var indent: String
        var task: TaskInfo?
        /// A pending promise settled from outside (a latent promise): it may be resolved or rejected here.
        var isSettleable: Bool
        /// The bar of the timeline: offset and width in percent of the execution's span.
        var offset: String
        var width: String
    }

    struct TaskInfo {
        var state: String
        var version: Int64
        var holder: String
        /// The lease's expiry while acquired, the next retry while pending.
        var timer: String
    }

    struct Execution {
        var layout: Layout
        var id: String
        var state: String
        var isPending: Bool
        var nodes: [Node]
        var tree: String
    }

    struct WorkerRow {
        var group: String
        var process: String
        var replica: String
        var leasedTasks: Int
    }

    struct Workers {
        var layout: Layout
        var rows: [WorkerRow]
    }

    struct ScheduleRow {
        var id: String
        var cron: String
        var promiseID: String
        var nextRun: String
        var lastRun: String
        var produced: [Link]
    }

    struct Link {
        var id: String
        var href: String
    }

    struct Schedules {
        var layout: Layout
        var rows: [ScheduleRow]
    }

    struct Message {
        var layout: Layout
        var heading: String
        var text: String
        var asksForToken: Bool
    }
}

extension DashboardPages {
    /// The dashboard's page of one execution.
    static func executionHref(_ id: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return "/ui/execution?id=" + (id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id)
    }

    /// Milliseconds since the epoch as an ISO 8601 time, UTC.
    static func time(_ milliseconds: Int64?) -> String {
        guard let milliseconds else { return "" }
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
    }

    /// A duration in milliseconds, as people read it: `850ms`, `12.4s`, `3m 05s`, `2h 10m`, `4d 3h`.
    static func duration(_ milliseconds: Int64) -> String {
        let value = max(milliseconds, 0)
        switch value {
        case ..<1_000: return "\(value)ms"
        case ..<60_000: return String(format: "%.1fs", Double(value) / 1000)
        case ..<3_600_000: return String(format: "%dm %02ds", value / 60_000, value % 60_000 / 1000)
        case ..<86_400_000: return String(format: "%dh %02dm", value / 3_600_000, value % 3_600_000 / 60_000)
        default: return String(format: "%dd %dh", value / 86_400_000, value % 86_400_000 / 3_600_000)
        }
    }

    /// A payload as readable JSON: base64 JSON decoded and pretty-printed; other data as stored.
    static func payload(_ value: Value) -> String {
        switch Payload(value) {
        case .none: return ""
        case .raw(let data): return data
        case .json(let document):
            let bytes =
                (try? JSONSerialization.data(
                    withJSONObject: document.foundationObject,
                    options: [
                        .prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes,
                    ])) ?? Data()
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

extension JSONValue {
    /// The value as Foundation objects, for `JSONSerialization`.
    fileprivate var foundationObject: Any {
        switch self {
        case .null: NSNull()
        case .bool(let value): value
        case .integer(let value): value
        case .number(let value): value
        case .string(let value): value
        case .array(let values): values.map(\.foundationObject)
        case .object(let members): members.mapValues(\.foundationObject)
        }
    }
}
