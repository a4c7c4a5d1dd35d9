// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// The call graph of one execution: its root promise and, below each promise, the promises it created.
///
/// SDKs tag every promise of an execution with `resonate:origin` (the root's id) and `resonate:parent` (the
/// promise whose function created it); the tree is rebuilt from those tags.
public struct CallTree: Sendable {
    public var root: CallNode

    /// Builds the tree below `root` from the promises of its execution.
    ///
    /// Children are ordered by creation time, then id. A promise whose parent is not among `promises` is shown under
    /// the execution's root rather than dropped. `promises` may hold a whole execution while `root` is one of its inner
    /// promises; only what lies below `root` is shown.
    public init(root: PromiseRecord, promises: [PromiseRecord]) {
        var byID: [String: PromiseRecord] = [:]
        for promise in promises where promise.id != root.id { byID[promise.id] = promise }
        var children: [String: [PromiseRecord]] = [:]
        // For a subtree, the execution's other promises are in `byID` too, but are never reached from `root`.
        let origin = root.tags[Tag.origin] ?? root.id
        for promise in byID.values where promise.id != origin {
            var parent = promise.tags[Tag.parent] ?? origin
            if parent == promise.id { continue }
            if parent != root.id && byID[parent] == nil { parent = origin }
            children[parent, default: []].append(promise)
        }
        var visited: Set<String> = [root.id]
        func node(_ promise: PromiseRecord, kind: CallNode.Kind) -> CallNode {
            let ordered = (children[promise.id] ?? []).sorted { lhs, rhs in
                lhs.createdAt != rhs.createdAt
                    ? lhs.createdAt < rhs.createdAt : lhs.id.utf8.lexicographicallyPrecedes(rhs.id.utf8)
            }
            var nodes: [CallNode] = []
            for child in ordered where visited.insert(child.id).inserted {
                nodes.append(node(child, kind: CallNode.Kind(child)))
            }
            return CallNode(promise: promise, kind: kind, children: nodes)
        }
        self.root = node(root, kind: root.id == origin ? .root : CallNode.Kind(root))
    }

    /// Every node, depth first, with its tree-drawing prefix (`│   ├── `), empty for the root.
    public var lines: [(node: CallNode, prefix: String)] {
        var result: [(node: CallNode, prefix: String)] = [(root, "")]
        func visit(_ children: [CallNode], indent: String) {
            for (index, child) in children.enumerated() {
                let isLast = index == children.count - 1
                result.append((child, indent + (isLast ? "└── " : "├── ")))
                visit(child.children, indent: indent + (isLast ? "    " : "│   "))
            }
        }
        visit(root.children, indent: "")
        return result
    }

    /// What a change of the tree is: its promises, their states and settlement times (not the elapsed time of
    /// pending ones, which changes on every look).
    public var signature: String {
        lines.map { "\($0.node.promise.id)|\($0.node.promise.state.rawValue)|\($0.node.promise.settledAt ?? -1)" }
            .joined(separator: "\n")
    }
}
