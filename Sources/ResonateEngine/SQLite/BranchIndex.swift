// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// The members of recently read branches, rendered and kept in step with every write of the SQLite writer, so that
/// a preload is answered without reading the branch again.
///
/// Every `task.fence` of an official SDK's execution answers with its whole branch (PROTOCOL §3.7). Reading that
/// branch per fence makes each step of a long execution cost more than the one before; with the index, an answer
/// shares the stored member list and only copies each member's rendered JSON into the response.
///
/// The index can mirror the file because the writer connection is the only one that changes it (the store holds the
/// file's lock) and every change of a promise goes through ``inserted(_:)`` and ``settled(id:state:value:settledAt:)``
/// inside the transaction that makes it. Those changes are logged, so a job rolled back to its savepoint, or a
/// whole transaction rolled back, takes its changes out again (``rollBack(to:)``); a branch first read by a job that
/// is rolled back is forgotten. Only at ``commit()`` are branches evicted, least recently used first, once their
/// rendered JSON exceeds the byte budget.
///
/// Confined to the writer's executor, like the connection it mirrors, hence `@unchecked Sendable`.
final class BranchIndex: @unchecked Sendable {
    struct Branch {
        /// The members whose id is not the branch's name, sorted by id, each ``PromiseRecord/encoded()``. A preload
        /// excludes the execution's own promise, which is the one named like its branch, so most answers are this
        /// very array.
        var members: [PromiseRecord] = []
        /// The member named like the branch, if any.
        var namesake: PromiseRecord?
        var bytes = 0
        var lastUsed: UInt64 = 0
    }

    /// A change of the current transaction, with what undoing it needs.
    enum Change {
        case loaded(branch: String)
        case inserted(branch: String, id: String)
        case replaced(branch: String, previous: PromiseRecord)
    }

    /// The fewest members a branch needs to be held: a shorter one is cheap to read again.
    static let minimumMembers = 32

    /// The most bytes of rendered JSON kept across transactions.
    let byteBudget: Int
    private var branches: [Key: Branch] = [:]
    /// The branch of every member held, for settlements, which name only the promise.
    private var branchOfMember: [Key: String] = [:]
    private var changes: [Change] = []
    private(set) var bytes = 0
    private var clock: UInt64 = 0

    init(byteBudget: Int) {
        self.byteBudget = max(byteBudget, 1)
    }

    /// The position to hand to ``rollBack(to:)`` to undo what follows.
    var changeCount: Int { changes.count }

    /// The branch's members but `excluding`, sorted by id, or `nil` when the branch is not held.
    func members(of name: String, excluding: String) -> [PromiseRecord]? {
        guard let index = branches.index(forKey: Key(name)) else { return nil }
        clock += 1
        branches.values[index].lastUsed = clock
        let branch = branches.values[index]
        if Key.same(excluding, name) { return branch.members }
        var members = branch.members.filter { !Key.same($0.id, excluding) }
        if let namesake = branch.namesake, !Key.same(namesake.id, excluding) {
            members.insert(namesake, at: Self.position(of: namesake.id, in: members))
        }
        return members
    }

    /// Holds a branch just read whole, by the current transaction, from the store.
    func load(_ name: String, members: [PromiseRecord]) {
        let name = Key(name)
        guard branches[name] == nil else { return }
        var branch = Branch()
        for member in members {
            let rendered = member.encoded()
            branch.bytes += rendered.encodedByteCount ?? 0
            branchOfMember[Key(member.id)] = name.text
            if Key.same(member.id, name.text) {
                branch.namesake = rendered
            } else {
                branch.members.append(rendered)
            }
        }
        branch.members.sort { Key.precedes($0.id, $1.id) }
        clock += 1
        branch.lastUsed = clock
        bytes += branch.bytes
        branches[name] = branch
        changes.append(.loaded(branch: name.text))
    }

    /// Records a promise inserted by the current transaction.
    func inserted(_ promise: PromiseRecord) {
        guard let text = promise.tags[Tag.branch], case let name = Key(text), branches[name] != nil else { return }
        let rendered = promise.encoded()
        let size = rendered.encodedByteCount ?? 0
        branches[name]!.bytes += size
        bytes += size
        branchOfMember[Key(promise.id)] = text
        if Key.same(promise.id, text) {
            branches[name]!.namesake = rendered
        } else {
            let position = Self.position(of: promise.id, in: branches[name]!.members)
            branches[name]!.members.insert(rendered, at: position)
        }
        changes.append(.inserted(branch: text, id: promise.id))
    }

    /// Records a settlement made by the current transaction.
    func settled(id: String, state: PromiseState, value: Value, settledAt: Int64) {
        guard let name = branchOfMember[Key(id)], let previous = member(id, of: name) else { return }
        var settled = previous
        settled.state = state
        settled.value = value
        settled.settledAt = settledAt
        replace(with: settled.encoded(), in: name)
        changes.append(.replaced(branch: name, previous: previous))
    }

    /// Undoes the changes after the first `count`, newest first.
    func rollBack(to count: Int) {
        while changes.count > count {
            switch changes.removeLast() {
            case .loaded(let name):
                forget(name)
            case .inserted(let text, let id):
                let name = Key(text)
                guard branches[name] != nil else { continue }
                let size: Int
                if Key.same(id, text) {
                    size = branches[name]!.namesake?.encodedByteCount ?? 0
                    branches[name]!.namesake = nil
                } else {
                    let position = Self.position(of: id, in: branches[name]!.members)
                    guard position < branches[name]!.members.count,
                        Key.same(branches[name]!.members[position].id, id)
                    else { continue }
                    size = branches[name]!.members.remove(at: position).encodedByteCount ?? 0
                }
                branches[name]!.bytes -= size
                bytes -= size
                branchOfMember[Key(id)] = nil
            case .replaced(let name, let previous):
                replace(with: previous, in: name)
            }
        }
    }

    /// Makes the current transaction's changes permanent, then evicts down to three quarters of the budget when it
    /// is exceeded.
    func commit() {
        changes.removeAll(keepingCapacity: true)
        guard bytes > byteBudget else { return }
        let target = byteBudget - byteBudget / 4
        for (name, _) in branches.sorted(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            guard bytes > target else { break }
            forget(name.text)
        }
    }

    /// Forgets every branch (the store's content was replaced).
    func removeAll() {
        branches.removeAll()
        branchOfMember.removeAll()
        bytes = 0
    }

    private func member(_ id: String, of name: String) -> PromiseRecord? {
        guard let branch = branches[Key(name)] else { return nil }
        if Key.same(id, name) { return branch.namesake }
        let position = Self.position(of: id, in: branch.members)
        guard position < branch.members.count, Key.same(branch.members[position].id, id) else { return nil }
        return branch.members[position]
    }

    private func replace(with record: PromiseRecord, in text: String) {
        let name = Key(text)
        guard branches[name] != nil else { return }
        let previousSize: Int
        if Key.same(record.id, text) {
            previousSize = branches[name]!.namesake?.encodedByteCount ?? 0
            branches[name]!.namesake = record
        } else {
            let position = Self.position(of: record.id, in: branches[name]!.members)
            guard position < branches[name]!.members.count,
                Key.same(branches[name]!.members[position].id, record.id)
            else { return }
            previousSize = branches[name]!.members[position].encodedByteCount ?? 0
            branches[name]!.members[position] = record
        }
        let size = (record.encodedByteCount ?? 0) - previousSize
        branches[name]!.bytes += size
        bytes += size
    }

    private func forget(_ name: String) {
        guard let branch = branches.removeValue(forKey: Key(name)) else { return }
        bytes -= branch.bytes
        for member in branch.members { branchOfMember[Key(member.id)] = nil }
        if let namesake = branch.namesake { branchOfMember[Key(namesake.id)] = nil }
    }

    /// The first position in `members` (sorted by id) whose id is not less than `id`.
    private static func position(of id: String, in members: [PromiseRecord]) -> Int {
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            if Key.precedes(members[middle].id, id) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// An id compared and hashed by its UTF-8 bytes, as SQLite compares it: Swift's `String` equality would merge
    /// canonically equivalent ids that the store keeps apart.
    struct Key: Hashable {
        let text: String

        init(_ text: String) { self.text = text }

        static func == (lhs: Key, rhs: Key) -> Bool { same(lhs.text, rhs.text) }

        func hash(into hasher: inout Hasher) {
            var text = text
            text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }

        static func same(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.elementsEqual(rhs.utf8) }

        /// The order of SQLite's `ORDER BY id` (binary collation).
        static func precedes(_ lhs: String, _ rhs: String) -> Bool {
            lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
        }
    }
}
