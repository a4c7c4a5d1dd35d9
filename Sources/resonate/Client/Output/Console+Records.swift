// resonate-swift — durable execution for Swift, compatible with Resonate.
// SPDX-License-Identifier: Apache-2.0

import ResonateProtocol

extension Console {
    /// Prints one record: aligned fields, or one JSON line.
    func show(_ record: some PrintableRecord) {
        if isJSON {
            var writer = JSONWriter()
            record.writeJSON(to: &writer)
            print(writer.text)
        } else {
            for line in record.textLines { print(line) }
        }
    }

    /// Prints a search result: a table and the next page's cursor, or `{"<list>":[…],"cursor":…}` on one line.
    func show<Record: PrintableRecord>(_ page: Page<Record>) {
        if isJSON {
            var writer = JSONWriter()
            writer.beginObject()
            writer.key(Record.listName)
            writer.beginArray()
            for record in page.records { record.writeJSON(to: &writer) }
            writer.endArray()
            if let cursor = page.cursor {
                writer.key("cursor")
                writer.string(cursor)
            }
            writer.endObject()
            print(writer.text)
            return
        }
        if page.records.isEmpty {
            print("no \(Record.listName) found")
        } else {
            var table = Record.tableHeader
            for record in page.records { table.append(record.tableRow) }
            for line in table.lines { print(line) }
        }
        if let cursor = page.cursor {
            print("")
            print(
                "next cursor: \(cursor)  (repeat with --cursor \(ShellQuoting.quote(cursor)) for the next page, or --all)"
            )
        }
    }

    /// Prints a JSON document on one line.
    func printJSON(_ write: (inout JSONWriter) -> Void) {
        var writer = JSONWriter()
        write(&writer)
        print(writer.text)
    }
}
