// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Writes JSON straight into a byte buffer.
///
/// Responses are written field by field instead of going through `Codable`, which keeps the hot path free of
/// intermediate dictionaries and gives a stable field order. Commas are inserted automatically.
///
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject()
/// writer.key("id"); writer.string("wf")
/// writer.key("version"); writer.integer(1)
/// writer.endObject()
/// // writer.bytes == #"{"id":"wf","version":1}"#.utf8
/// ```
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    /// For each open container, whether it already holds an element (so the next one needs a comma).
    private var containerHasElement: [Bool] = []
    /// Set by `key(_:)`: the next value completes a member and must not get its own comma.
    private var afterKey = false

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Makes room for at least `count` more bytes, so that writing a long run of them copies the buffer at most once.
    public mutating func reserveCapacity(additional count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    /// The written document as text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func prepareValue() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = containerHasElement.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            containerHasElement[containerHasElement.count - 1] = true
        }
    }

    public mutating func beginObject() {
        prepareValue()
        bytes.append(UInt8(ascii: "{"))
        containerHasElement.append(false)
    }

    public mutating func endObject() {
        containerHasElement.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        prepareValue()
        bytes.append(UInt8(ascii: "["))
        containerHasElement.append(false)
    }

    public mutating func endArray() {
        containerHasElement.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes an object key; the next value written becomes its member value.
    public mutating func key(_ name: String) {
        prepareValue()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    public mutating func string(_ value: String) {
        prepareValue()
        appendQuoted(value)
    }

    public mutating func integer(_ value: Int64) {
        prepareValue()
        bytes.append(contentsOf: String(value).utf8)
    }

    public mutating func integer(_ value: Int) {
        integer(Int64(value))
    }

    public mutating func number(_ value: Double) {
        prepareValue()
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                bytes.append(contentsOf: String(Int64(value)).utf8)
            } else {
                bytes.append(contentsOf: String(value).utf8)
            }
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    public mutating func bool(_ value: Bool) {
        prepareValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func null() {
        prepareValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes pre-serialised JSON verbatim (it must be one complete, valid value).
    public mutating func raw(_ json: some Sequence<UInt8>) {
        prepareValue()
        bytes.append(contentsOf: json)
    }

    /// Writes a string-to-string map with keys in ascending order, so equal maps serialise identically.
    public mutating func stringMap(_ map: [String: String]) {
        beginObject()
        for key in map.keys.sorted() {
            self.key(key)
            string(map[key]!)
        }
        endObject()
    }

    /// Writes any parsed JSON value (object keys in ascending order).
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .integer(let number): integer(number)
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let members):
            beginObject()
            for name in members.keys.sorted() {
                key(name)
                self.value(members[name]!)
            }
            endObject()
        }
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: "u00".utf8)
                    bytes.append(hex[Int(byte >> 4)])
                    bytes.append(hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
