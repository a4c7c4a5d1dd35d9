// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import HTTPTypes
import ResonateEngine
import ResonateProtocol

extension DashboardRenderer {
    typealias Page = (template: String, object: Any)

    // MARK: Executions

    /// The root promises of executions, newest filters first: by state, tag, id prefix and function, a page at a
    /// time on the protocol's cursors (`after`).
    func executions(_ query: [String: String], access: Access) async throws -> Page {
        let state = query["state"].flatMap { PromiseState(rawValue: $0) }
        let prefix = query["prefix"] ?? ""
        let function = query["function"] ?? ""
        let tag = query["tag"] ?? ""
        var tags: [String: String] = [:]
        if let equals = tag.firstIndex(of: "=") {
            tags[String(tag[..<equals])] = String(tag[tag.index(after: equals)...])
        } else if !tag.isEmpty {
            throw PageError(status: .badRequest, heading: "Bad tag filter", text: "Write a tag filter as key=value.")
        }
        var rows: [DashboardPages.ExecutionRow] = []
        var cursor = query["after"].flatMap { $0.isEmpty ? nil : $0 }
        var scanned = 0
        var isExhausted = false
        // An id prefix starts the search at the prefix, in the server's byte order, and stops after its run.
        if !prefix.isEmpty, cursor == nil {
            if let exact = try await promise(prefix), Self.isRoot(exact), matches(exact, state, tags, function) {
                rows.append(await row(exact))
            }
            cursor = prefix
        }
        scan: while rows.count < Self.pageSize, scanned < 5_000 {
            let page = try await searchPromises(PromiseSearch(state: state, tags: tags, limit: 200, cursor: cursor))
            scanned += page.records.count
            for record in page.records {
                cursor = record.id
                if !prefix.isEmpty, !record.id.utf8.starts(with: prefix.utf8) {
                    isExhausted = true
                    break scan
                }
                guard Self.isRoot(record), matches(record, state, tags, function) else { continue }
                rows.append(await row(record))
                if rows.count == Self.pageSize { break scan }
            }
            guard page.cursor != nil else {
                isExhausted = true
                break
            }
        }
        var next: String?
        if !isExhausted, let cursor {
            next = [
                ("state", query["state"] ?? ""), ("prefix", prefix), ("function", function), ("tag", tag),
                ("after", cursor),
            ]
            .map { "\($0.0)=\(Self.queryEncoded($0.1))" }.joined(separator: "&")
        }
        let page = DashboardPages.Executions(
            layout: layout("Executions", section: "executions", access: access, notice: query["notice"]),
            overview: try await overview(),
            filter: DashboardPages.Filter(
                idPrefix: prefix, function: function, tag: tag,
                states: PromiseState.allCases.map {
                    DashboardPages.Option(value: $0.rawValue, isSelected: $0 == state)
                }),
            rows: rows, nextPage: next)
        return ("executions", page)
    }

    /// Whether a promise is the root of an execution: no parent (or its own), and not a sleep.
    static func isRoot(_ promise: PromiseRecord) -> Bool {
        let parent = promise.tags[Tag.parent]
        return (parent == nil || parent == promise.id) && !promise.isTimer
    }

    private func matches(
        _ promise: PromiseRecord, _ state: PromiseState?, _ tags: [String: String], _ function: String
    ) -> Bool {
        if let state, promise.state != state { return false }
        guard tags.allSatisfy({ promise.tags[$0.key] == $0.value }) else { return false }
        return function.isEmpty || Invocation(param: promise.param)?.function == function
    }

    private func row(_ promise: PromiseRecord) async -> DashboardPages.ExecutionRow {
        let now = server.engine.clock.now.milliseconds
        let task = promise.target == nil ? nil : await task(promise.id)
        return DashboardPages.ExecutionRow(
            id: promise.id,
            href: DashboardPages.executionHref(promise.id),
            state: promise.state.rawValue,
            function: Invocation(param: promise.param)?.function ?? "",
            age: DashboardPages.duration(now - promise.createdAt),
            duration: promise.settledAt.map { DashboardPages.duration($0 - promise.createdAt) } ?? "",
            attempt: task.map { String(max($0.version, 1)) } ?? "",
            target: promise.target.map(CallNode.group(of:)) ?? "")
    }

    private func overview() async throws -> DashboardPages.Overview {
        let statistics = try await server.engine.statistics()
        return DashboardPages.Overview(
            promises: PromiseState.allCases.map {
                DashboardPages.Count(name: $0.rawValue, count: statistics.promises[$0] ?? 0)
            },
            tasks: TaskState.allCases.map { DashboardPages.Count(name: $0.rawValue, count: statistics.tasks[$0] ?? 0) },
            outboxDepth: statistics.outboxDepth,
            parked: server.engine.parkedMessageCount,
            relayed: server.engine.unacknowledgedRelayCount,
            connections: server.pollConnectionCount,
            schedules: statistics.schedules,
            requestsPerSecond: String(format: "%.1f", server.requestRate.perSecond()),
            timerLateness: "\(server.engine.recentTimerLateness.wholeMilliseconds)ms")
    }

    // MARK: One execution

    /// An execution's call tree (the whole execution, or the subtree of an inner promise), with each node's
    /// timings, decoded arguments and result, and its task.
    func execution(_ id: String, notice: String?, access: Access) async throws -> Page {
        guard !id.isEmpty, let root = try await promise(id) else {
            throw PageError(status: .notFound, heading: "Not found", text: "There is no promise '\(id)'.")
        }
        let origin = root.tags[Tag.origin] ?? root.id
        var promises: [PromiseRecord] = []
        var cursor: String?
        repeat {
            let page = try await searchPromises(PromiseSearch(tags: [Tag.origin: origin], limit: 1000, cursor: cursor))
            promises += page.records
            cursor = page.cursor
        } while cursor != nil && promises.count < 20_000
        let tree = CallTree(root: root, promises: promises)
        let now = server.engine.clock.now.milliseconds
        let lines = tree.lines
        let start = lines.map(\.node.promise.createdAt).min() ?? now
        let end = max(lines.map { $0.node.promise.settledAt ?? now }.max() ?? now, start + 1)
        var nodes: [DashboardPages.Node] = []
        for (node, prefix) in lines {
            let promise = node.promise
            let depth = prefix.count / 4
            let span = Double(end - start)
            let settleable = promise.state == .pending && node.kind == .promise && access.mayChange([promise.id])
            nodes.append(
                DashboardPages.Node(
                    id: promise.id,
                    kind: node.kind.rawValue,
                    function: node.function ?? promise.id,
                    location: node.location,
                    state: promise.state.rawValue,
                    created: DashboardPages.time(promise.createdAt),
                    settled: DashboardPages.time(promise.settledAt),
                    duration: DashboardPages.duration(node.elapsedMilliseconds(now: now)),
                    arguments: DashboardPages.payload(promise.param),
                    result: DashboardPages.payload(promise.value),
                    tags: promise.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        .joined(separator: "\n"),
                    indent: "\(Double(depth) * 1.2)em",
                    task: promise.target == nil ? nil : try await storedTask(promise.id).map { taskInfo($0, now: now) },
                    isSettleable: settleable,
                    offset: String(format: "%.2f", Double(promise.createdAt - start) / span * 100),
                    width: String(format: "%.2f", Double((promise.settledAt ?? now) - promise.createdAt) / span * 100)
                ))
        }
        let treeText = lines.map { line in
            "\(line.prefix)\(line.node.promise.id)  \(line.node.function ?? "-")  \(line.node.promise.state.rawValue)"
        }.joined(separator: "\n")
        let page = DashboardPages.Execution(
            layout: layout(root.id, section: "executions", access: access, notice: notice),
            id: root.id, state: root.state.rawValue,
            isPending: root.state == .pending && access.mayChange([root.id]),
            nodes: nodes, tree: treeText)
        return ("execution", page)
    }

    private func taskInfo(_ task: TaskRow, now: Int64) -> DashboardPages.TaskInfo {
        var timer = "-"
        if let timeout = task.timeout {
            let distance = DashboardPages.duration(abs(timeout.at - now))
            let relative = timeout.at >= now ? "in \(distance)" : "\(distance) ago"
            let when = "\(DashboardPages.time(timeout.at)) (\(relative))"
            switch timeout.kind {
            case .lease: timer = "lease of \(task.ttl.map(DashboardPages.duration) ?? "?") expires \(when)"
            case .retry: timer = "execute sent again \(when)"
            }
        }
        return DashboardPages.TaskInfo(
            state: task.state.rawValue, version: task.version, holder: task.pid ?? "-", timer: timer)
    }

    // MARK: Workers and schedules

    func workers(access: Access) async throws -> Page {
        var rows = server.registry.connectedProcesses.map {
            DashboardPages.WorkerRow(
                group: $0.group, process: $0.process, replica: server.cluster?.bus.replicaID ?? "this server",
                leasedTasks: server.leasedTasks(of: $0.process))
        }
        for peer in server.cluster?.peers ?? [] {
            rows.append(
                DashboardPages.WorkerRow(
                    group: peer.group, process: peer.process, replica: peer.replica,
                    leasedTasks: server.leasedTasks(of: peer.process)))
        }
        rows.sort { ($0.group, $0.process, $0.replica) < ($1.group, $1.process, $1.replica) }
        let page = DashboardPages.Workers(
            layout: layout("Workers", section: "workers", access: access, notice: nil), rows: rows)
        return ("workers", page)
    }

    func schedules(notice: String?, access: Access) async throws -> Page {
        var schedules: [ScheduleRecord] = []
        var cursor: String?
        repeat {
            guard
                case .schedules(let page, let next) = try await execute(
                    .scheduleSearch(ScheduleSearch(limit: 500, cursor: cursor)))
            else { break }
            schedules += page
            cursor = next
        } while cursor != nil && schedules.count < 5_000
        var rows: [DashboardPages.ScheduleRow] = []
        for schedule in schedules {
            let produced = try await searchPromises(
                PromiseSearch(tags: [Tag.schedule: schedule.id], limit: 5)
            ).records
            rows.append(
                DashboardPages.ScheduleRow(
                    id: schedule.id, cron: schedule.cron, promiseID: schedule.promiseId,
                    nextRun: DashboardPages.time(schedule.nextRunAt), lastRun: DashboardPages.time(schedule.lastRunAt),
                    produced: produced.map { DashboardPages.Link(id: $0.id, href: DashboardPages.executionHref($0.id)) }
                ))
        }
        let page = DashboardPages.Schedules(
            layout: layout("Schedules", section: "schedules", access: access, notice: notice), rows: rows)
        return ("schedules", page)
    }

    // MARK: Changes

    /// Resolves or rejects a pending promise with the JSON value typed in.
    func settle(_ form: [String: String], access: Access) async throws -> (location: String, notice: String) {
        let id = form["id"] ?? ""
        let state: PromiseState
        switch form["state"] {
        case "resolved": state = .resolved
        case "rejected": state = .rejected
        default: throw PageError(status: .badRequest, heading: "Cannot settle", text: "Choose resolve or reject.")
        }
        guard access.mayChange([id]) else {
            throw PageError(status: .forbidden, heading: "Not allowed", text: "The token may not settle '\(id)'.")
        }
        let text = (form["value"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let document: JSONValue
        do {
            document = text.isEmpty ? .null : try JSONParser().parse(Array(text.utf8))
        } catch {
            throw PageError(status: .badRequest, heading: "Not JSON", text: "The value is not JSON: \(error)")
        }
        _ = try await execute(.promiseSettle(PromiseSettle(id: id, state: state, value: Payload.value(of: document))))
        return (DashboardPages.executionHref(id), "\(id) \(state == .resolved ? "resolved" : "rejected")")
    }

    /// Cancels an execution: its promise is settled `rejected_canceled`, which cancels what it started.
    func cancel(_ form: [String: String], access: Access) async throws -> (location: String, notice: String) {
        let id = form["id"] ?? ""
        guard access.mayChange([id]) else {
            throw PageError(status: .forbidden, heading: "Not allowed", text: "The token may not cancel '\(id)'.")
        }
        // A settlement answers a settled promise unchanged, which cannot tell this cancel from an earlier one: look first.
        guard let current = try await promise(id) else {
            throw PageError(status: .notFound, heading: "Not found", text: "There is no promise '\(id)'.")
        }
        guard current.state == .pending else {
            return (DashboardPages.executionHref(id), "\(id) had already finished: \(current.state.rawValue)")
        }
        let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // The error object every SDK reads, as `resonate cancel --reason` writes it.
        let value =
            reason.isEmpty
            ? Value.empty
            : Payload.value(
                of: .object(["__type": .string("error"), "message": .string(reason), "name": .string("Error")]))
        _ = try await execute(.promiseSettle(PromiseSettle(id: id, state: .rejectedCanceled, value: value)))
        return (DashboardPages.executionHref(id), "\(id) canceled")
    }

    func deleteSchedule(_ form: [String: String], access: Access) async throws -> (location: String, notice: String) {
        let id = form["id"] ?? ""
        guard !access.isReadOnly else {
            throw PageError(status: .forbidden, heading: "Not allowed", text: "The token may not delete schedules.")
        }
        _ = try await execute(.scheduleDelete(id: id))
        return ("/ui/schedules", "schedule \(id) deleted")
    }
}
