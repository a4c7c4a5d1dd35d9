// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Foundation
import Testing

/// The README shows the examples' sources; they must be exactly the files CI compiles, so pasted code works.
@Suite("Documentation")
struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("every example shown in the README is identical to the compiled example")
    func readmeExamplesCompile() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let marker = "<!-- example: "
        var checked = 0
        var rest = readme[...]
        while let start = rest.firstRange(of: marker) {
            let afterMarker = rest[start.upperBound...]
            guard let close = afterMarker.firstRange(of: " -->") else { break }
            let path = String(afterMarker[..<close.lowerBound])
            let afterComment = afterMarker[close.upperBound...]
            let fence = try #require(afterComment.firstRange(of: "```swift\n"))
            let body = afterComment[fence.upperBound...]
            let end = try #require(body.firstRange(of: "```\n"))
            let shown = String(body[..<end.lowerBound])
            let source = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            #expect(shown == source, "the README's copy of \(path) differs from the file")
            checked += 1
            rest = body[end.upperBound...]
        }
        #expect(checked >= 2)
    }
}
