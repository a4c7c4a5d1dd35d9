// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

/// Where the server delivers messages: a `resonate:target` or a listener address.
///
/// | Text | Meaning |
/// |---|---|
/// | `poll://any@workers` | any process connected to group `workers` over SSE |
/// | `poll://any@workers/p1` | `p1` if it is connected, else any process of the group |
/// | `poll://uni@workers/p1` | exactly the process `p1` of group `workers` |
/// | `http://host:port/path`, `https://…` | an HTTP `POST` of the message JSON |
///
/// Group names are compared case-insensitively (URL hosts are case-insensitive, and some SDKs lower-case them
/// while others do not). Transports this server does not implement (`gcps://`, `bash://`, …) are rejected at
/// creation rather than accepted and silently dropped.
public enum Address: Sendable, Hashable, CustomStringConvertible {
    /// Delivery to exactly the connection `process` of `group`.
    case unicast(group: String, process: String)
    /// Delivery to one connection of `group`, preferring `process` when given and connected.
    case anycast(group: String, process: String?)
    /// An HTTP(S) push target.
    case http(url: String)

    /// The longest address accepted, in bytes.
    public static let maximumLength = 1024

    public var description: String {
        switch self {
        case .unicast(let group, let process): "poll://uni@\(group)/\(process)"
        case .anycast(let group, nil): "poll://any@\(group)"
        case .anycast(let group, let process?): "poll://any@\(group)/\(process)"
        case .http(let url): url
        }
    }

    /// Parses an address, explaining what is wrong when it is not one this server can deliver to.
    public init(parsing text: String) throws(AddressError) {
        guard !text.isEmpty else { throw AddressError("the address is empty") }
        guard text.utf8.count <= Self.maximumLength else {
            throw AddressError("the address is longer than \(Self.maximumLength) bytes")
        }
        guard let schemeEnd = text.firstRange(of: "://") else {
            throw AddressError("expected scheme://…, for example poll://any@workers or https://host/path")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = text[schemeEnd.upperBound...]
        if text.contains(where: { $0.isWhitespace || ($0.asciiValue.map { $0 < 0x20 } ?? false) }) {
            throw AddressError("the address contains whitespace or control characters")
        }
        switch scheme {
        case "poll":
            self = try Self.parsePoll(rest)
        case "http", "https":
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let host = authority.split(separator: "@").last.map(String.init) ?? ""
            guard !host.isEmpty, !host.hasPrefix(":") else { throw AddressError("the URL has no host") }
            self = .http(url: text)
        default:
            throw AddressError("unsupported scheme '\(scheme)'; this server delivers to poll://, http:// and https://")
        }
    }

    private static func parsePoll(_ rest: Substring) throws(AddressError) -> Address {
        guard let at = rest.firstIndex(of: "@") else {
            throw AddressError("poll addresses need a mode: poll://any@group or poll://uni@group/process")
        }
        let mode = rest[..<at]
        let location = rest[rest.index(after: at)...]
        let parts = location.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let group = String(parts[0])
        let process = parts.count > 1 ? String(parts[1]) : nil
        guard isValidName(group) else {
            throw AddressError(
                "poll group '\(group)' must be non-empty and use only letters, digits, '-', '_', '.', '~'")
        }
        if let process, !isValidProcess(process) {
            throw AddressError("poll process id '\(process)' must be non-empty and contain no '/', '?', '#' or '@'")
        }
        switch mode {
        case "any":
            return .anycast(group: group, process: process)
        case "uni":
            guard let process else {
                throw AddressError("poll://uni addresses need a process: poll://uni@group/process")
            }
            return .unicast(group: group, process: process)
        default:
            throw AddressError("unknown poll mode '\(mode)'; expected 'any' or 'uni'")
        }
    }

    private static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                    UInt8(ascii: "~"):
                    true
                default: false
                }
            }
    }

    private static func isValidProcess(_ process: String) -> Bool {
        !process.isEmpty && !process.contains { "/?#@".contains($0) }
    }

    /// The group key used to match connections: group names are case-insensitive.
    public static func normalizedGroup(_ group: String) -> String {
        group.lowercased()
    }
}

/// Why a string is not a usable delivery address.
public struct AddressError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
