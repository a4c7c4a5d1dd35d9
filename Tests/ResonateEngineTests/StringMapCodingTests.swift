// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import Testing

@testable import ResonateEngine

@Suite("Stored maps")
struct StringMapCodingTests {
    @Test(
        "a stored map reads back as written, whether the direct reader or the JSON parser takes it",
        arguments: [
            [:],
            ["resonate:target": "poll://any@workers", "resonate:origin": "order-7", "resonate:scope": "global"],
            ["ünïcödé": "日本語 ✓", "": ""],
            ["quote": "a \"quoted\" value", "back\\slash": "tab\tnew\nline"],
            ["control": "\u{01}\u{1F}", "emoji": "🦅"],
        ])
    func roundTrip(map: [String: String]) throws {
        #expect(try StringMapCoding.decode(StringMapCoding.encode(map)) == map)
    }

    @Test(
        "text that is not a flat map of strings is refused or read by the JSON parser",
        arguments: [
            (#"{"a": "b"}"#, ["a": "b"] as [String: String]?),
            (#" {"a":"b"} "#, ["a": "b"]),
            (#"{"a":"b\u0041"}"#, ["a": "bA"]),
            (#"{"a":1}"#, nil),
            (#"["a"]"#, nil),
            (#"{"a":"b""#, nil),
            (#"{"a":"b",}"#, nil),
            (#"{"a":"b","a":"c"}"#, nil),
            ("", nil),
        ])
    func unusualText(text: String, expected: [String: String]?) {
        #expect((try? StringMapCoding.decode(text)) == expected)
    }
}
