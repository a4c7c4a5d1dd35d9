// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

/// Converts flag values to what requests need, with errors that name the flag and the expected form.
enum ArgumentParsing {
    /// Parses a JSON document given to `flag`.
    static func json(_ text: String, flag: String) throws(ClientError) -> JSONValue {
        do {
            return try JSONParser().parse(text)
        } catch {
            throw .usage(
                "invalid JSON for \(flag): \(error.message) at character \(error.offset + 1) of \(quoted(text))")
        }
    }

    /// A function argument: a JSON document, or else the text itself as a JSON string (`--arg Ada`).
    static func jsonOrString(_ text: String) -> JSONValue {
        (try? JSONParser().parse(text)) ?? .string(text)
    }

    /// Parses a duration such as `90s`, `1h30m` or `250ms` given to `flag`.
    static func duration(_ text: String, flag: String) throws(ClientError) -> Duration {
        guard let duration = DurationText.parse(text) else {
            throw .usage(
                "invalid duration \(quoted(text)) for \(flag): use whole numbers with units ms, s, m, h, d, e.g. 30s, 1h30m, 250ms"
            )
        }
        return duration
    }

    /// The number of milliseconds in `duration`.

    /// Merges tag arguments: each is a JSON object of strings (`{"env":"prod"}`) or one `key=value` pair.
    static func tags(_ arguments: [String], flag: String) throws(ClientError) -> [String: String] {
        var tags: [String: String] = [:]
        for argument in arguments {
            if argument.hasPrefix("{") {
                guard case .object(let members) = try json(argument, flag: flag) else {
                    throw .usage("invalid \(flag) \(quoted(argument)): expected a JSON object or key=value")
                }
                for (key, value) in members {
                    guard case .string(let text) = value else {
                        throw .usage(
                            "invalid \(flag): the value of tag \(quoted(key)) must be a string, got \(value.typeDescription)"
                        )
                    }
                    tags[key] = text
                }
            } else {
                guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                    throw .usage("invalid \(flag) \(quoted(argument)): expected key=value or a JSON object")
                }
                tags[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
            }
        }
        return tags
    }

    /// A search page size between 1 and 1000, the range the server accepts.
    static func limit(_ value: Int) throws(ClientError) -> Int {
        guard (1...1000).contains(value) else {
            throw .usage("invalid --limit \(value): must be between 1 and 1000")
        }
        return value
    }

    static func quoted(_ text: String) -> String {
        var writer = JSONWriter()
        writer.string(text.count > 80 ? String(text.prefix(80)) + "…" : text)
        return writer.text
    }
}
