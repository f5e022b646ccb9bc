import Foundation

/// Rows of SQL values in flat arrays: a cell per value and the text bytes side by side.
///
/// A parsed batch crosses from the parsing thread to the writer as a few buffers instead of an
/// array and strings per row (freeing those on the writer was a tenth of its time), and text is
/// bound to SQLite straight from `bytes` without SQLite copying it.
public struct EncodedRows: Sendable {
    public enum Cell: Sendable {
        case null
        case integer(Int64)
        case real(Double)
        case text(offset: Int32, count: Int32)
    }

    /// Values per row.
    public let width: Int
    private(set) var cells: [Cell] = []
    private(set) var bytes: [UInt8] = []
    /// Each row's line in its source file.
    private(set) var lines: [Int] = []

    public init(width: Int) { self.width = width }

    public var count: Int { lines.count }
    public var isEmpty: Bool { lines.isEmpty }

    public mutating func append(_ values: [SQLValue], line: Int) {
        precondition(values.count == width, "a row of \(values.count) values in rows of \(width)")
        for value in values {
            switch value {
            case .null: cells.append(.null)
            case .integer(let v): cells.append(.integer(v))
            case .real(let v): cells.append(.real(v))
            case .text(let v):
                var text = v
                let offset = bytes.count
                text.withUTF8 { bytes.append(contentsOf: $0) }
                cells.append(.text(offset: Int32(offset), count: Int32(bytes.count - offset)))
            }
        }
        lines.append(line)
    }

    public mutating func removeAll() {
        cells.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        lines.removeAll(keepingCapacity: true)
    }

    /// Whether two rows hold the same values in `columns` (compared in place, no allocation).
    func sameValues(_ a: Int, _ b: Int, in columns: [Int]) -> Bool {
        columns.allSatisfy { column in
            switch (cells[a * width + column], cells[b * width + column]) {
            case (.null, .null): return true
            case (.integer(let x), .integer(let y)): return x == y
            case (.real(let x), .real(let y)): return x == y
            case (.text(let o1, let n1), .text(let o2, let n2)):
                return n1 == n2 && bytes[Int(o1)..<Int(o1 + n1)].elementsEqual(bytes[Int(o2)..<Int(o2 + n2)])
            default: return false
            }
        }
    }

    /// The value of one cell as text (group keys); nil for NULL.
    func text(row: Int, column: Int) -> String? {
        switch cells[row * width + column] {
        case .null: return nil
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let offset, let count): return String(decoding: bytes[Int(offset)..<Int(offset + count)], as: UTF8.self)
        }
    }
}

/// Writes the rows of one ingested file into one table with reused prepared statements.
///
/// Applies the table's replacement rule: an upsert replaces the row with the same primary key;
/// a group replace deletes, the first time a parent key is seen in this file, every older row
/// of that key (a newer bids.csv replaces a project's whole bid list).
public final class TableWriter {
    public let table: String
    public let columns: [String]
    private let dataWidth: Int
    private let insertOne: Statement
    private let insertMany: Statement
    private let deleteGroup: Statement?
    /// The positions of the group-replacement key among the data columns.
    private let groupColumns: [Int]
    private var seenGroups = Set<String>()
    /// Whether the table held rows before this file; if not, group deletes are skipped.
    private let tableHadRows: Bool
    private let withLine: Bool
    /// Rows given one at a time, waiting for the next multi-row INSERT (one statement step per
    /// `rowsPerInsert` rows instead of one per row: SQLite's per-statement cost dominates narrow rows).
    private var pending: EncodedRows
    private var pendingSource: Int64 = 0
    private static let rowsPerInsert = 64
    private let rowsPerStatement: Int

    /// - Parameters:
    ///   - columns: the data columns, bound in this order by `write`; `source_id` (and
    ///     `source_line` when `withLine`) are appended.
    ///   - upsert: `INSERT OR REPLACE` on the primary key.
    ///   - groupKey: the columns (among `columns`) whose older rows a newer file replaces.
    ///   - conflict: an `ON CONFLICT …` clause for upserts that merge instead of replacing.
    public init(db: Database, table: String, columns: [String], upsert: Bool, groupKey: [String], withLine: Bool,
                conflict: String? = nil) throws {
        self.table = table
        self.dataWidth = columns.count
        self.columns = columns + ["source_id"] + (withLine ? ["source_line"] : [])
        self.groupColumns = groupKey.map { key in
            guard let index = columns.firstIndex(of: key) else { preconditionFailure("group key \(key) is not a column of \(table)") }
            return index
        }
        self.withLine = withLine
        self.pending = EncodedRows(width: columns.count)
        let tuple = "(" + Array(repeating: "?", count: self.columns.count).joined(separator: ", ") + ")"
        let verb = upsert ? "INSERT OR REPLACE" : "INSERT"
        let head = "\(verb) INTO \(table) (\(self.columns.joined(separator: ", "))) VALUES "
        let tail = conflict.map { " " + $0 } ?? ""
        insertOne = try db.prepare(sql: head + tuple + tail, persistent: true)
        // A multi-row upsert could meet the same key twice in one statement: merge rows one by one.
        rowsPerStatement = conflict == nil ? Self.rowsPerInsert : 1
        insertMany = try db.prepare(
            sql: head + Array(repeating: tuple, count: rowsPerStatement).joined(separator: ", ") + tail, persistent: true)
        tableHadRows = try db.scalar(sql: "SELECT EXISTS (SELECT 1 FROM \(table))").int64 == 1
        if !groupKey.isEmpty {
            let condition = groupKey.map { "\($0) IS ?" }.joined(separator: " AND ")
            deleteGroup = try db.prepare(sql: "DELETE FROM \(table) WHERE \(condition)", persistent: true)
        } else {
            deleteGroup = nil
        }
    }

    /// Queues one row (values in `columns` order, without source id and line) for insertion.
    /// Call `finish()` after the last row.
    public func write(_ values: [SQLValue], sourceID: Int64, line: Int) throws {
        if sourceID != pendingSource {
            try flush()
            pendingSource = sourceID
        }
        pending.append(values, line: line)
        if pending.count == rowsPerStatement { try flush() }
    }

    /// Inserts a batch of rows encoded elsewhere (the parsing thread), in order.
    public func write(_ rows: EncodedRows, sourceID: Int64) throws {
        try flush()
        try insert(rows, sourceID: sourceID)
    }

    /// Inserts every queued row.
    public func finish() throws { try flush() }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        try insert(pending, sourceID: pendingSource)
        pending.removeAll()
    }

    /// Runs each new group's delete, then inserts the rows `rowsPerStatement` at a time.
    private func insert(_ rows: EncodedRows, sourceID: Int64) throws {
        precondition(rows.width == dataWidth, "rows of \(rows.width) values for \(dataWidth) columns of \(table)")
        try rows.bytes.withUnsafeBytes { text in
            var start = 0
            while start < rows.count {
                let end = rows.count - start >= rowsPerStatement ? start + rowsPerStatement : start + 1
                if let deleteGroup, tableHadRows {
                    for row in start..<end { try deleteIfNew(row: row, of: rows, with: deleteGroup) }
                }
                let statement = end - start == rowsPerStatement ? insertMany : insertOne
                var index: Int32 = 1
                for row in start..<end { index = bind(row: row, of: rows, text: text, sourceID: sourceID, into: statement, from: index) }
                try statement.run()
                start = end
            }
        }
    }

    /// Deletes the older rows of this row's group the first time the file shows the group.
    /// A group's rows are usually consecutive: a row of the previous row's group is known
    /// without building its key.
    private func deleteIfNew(row: Int, of rows: EncodedRows, with delete: Statement) throws {
        if row > 0 && rows.sameValues(row, row - 1, in: groupColumns) { return }
        let values = groupColumns.map { rows.text(row: row, column: $0) }
        guard seenGroups.insert(values.map { $0 ?? "\u{0}" }.joined(separator: "\u{1}")).inserted else { return }
        for (i, value) in values.enumerated() { delete.bind(text: value, at: Int32(i + 1)) }
        try delete.run()
    }

    /// Binds one row's values; text points into `text`, which stays put until the statement ran.
    private func bind(row: Int, of rows: EncodedRows, text: UnsafeRawBufferPointer, sourceID: Int64, into statement: Statement,
                      from start: Int32) -> Int32 {
        var index = start
        let first = row * rows.width
        for cell in rows.cells[first..<first + rows.width] {
            switch cell {
            case .null: statement.bind(text: nil, at: index)
            case .integer(let v): statement.bind(int: v, at: index)
            case .real(let v): statement.bind(double: v, at: index)
            case .text(let offset, let count):
                // An empty array's base address may be nil; an empty text still needs a real pointer.
                statement.bind(unownedText: text.baseAddress.map { $0 + Int(offset) } ?? UnsafeRawPointer(("" as StaticString).utf8Start),
                               count: Int(count), at: index)
            }
            index += 1
        }
        statement.bind(int: sourceID, at: index)
        index += 1
        if withLine {
            statement.bind(int: Int64(rows.lines[row]), at: index)
            index += 1
        }
        return index
    }
}

/// Writes `ingest_issues` rows.
public final class IssueWriter {
    private let insert: Statement

    public init(db: Database) throws {
        insert = try db.prepare(
            sql: """
                INSERT INTO ingest_issues (source_id, file, line, column_number, field, code, reason, action, raw, subject_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            persistent: true)
    }

    public func write(_ issue: IngestIssue, sourceID: Int64?) throws {
        insert.bind(int: sourceID, at: 1)
        insert.bind(text: issue.file, at: 2)
        insert.bind(int: Int64(issue.line), at: 3)
        insert.bind(int: issue.column.map(Int64.init), at: 4)
        insert.bind(text: issue.field, at: 5)
        insert.bind(text: issue.code, at: 6)
        insert.bind(text: issue.reason, at: 7)
        insert.bind(text: issue.action.rawValue, at: 8)
        insert.bind(text: issue.raw, at: 9)
        insert.bind(text: issue.subjectID, at: 10)
        try insert.run()
    }
}

extension Store {
    /// Drops a table's secondary indexes (for a bulk load into an empty table).
    public func dropIndexes(on table: String) throws {
        for index in Indexes.on(table) { try db.execute(sql: index.dropSQL) }
    }

    /// Creates any missing secondary index.
    public func ensureIndexes() throws {
        for index in Indexes.all { try db.execute(sql: index.createSQL) }
    }

    /// True when the table has no rows.
    public func isEmpty(_ table: String) throws -> Bool {
        try db.scalar(sql: "SELECT NOT EXISTS (SELECT 1 FROM \(table))").int64 == 1
    }

    /// Issues recorded for a source, in file order.
    public func issues(sourceID: Int64? = nil) throws -> [IngestIssue] {
        let sql = """
            SELECT file, line, column_number, field, code, reason, action, raw, subject_id FROM ingest_issues
            \(sourceID == nil ? "" : "WHERE source_id = ?") ORDER BY issue_id
            """
        return try db.query(sql: sql, bindings: sourceID.map { [$0] } ?? []).map { row in
            IngestIssue(
                file: row[0].string ?? "", line: Int(row[1].int64 ?? 0), column: row[2].int64.map(Int.init),
                field: row[3].string, code: row[4].string ?? "", reason: row[5].string ?? "",
                action: IngestIssue.Action(rawValue: row[6].string ?? "") ?? .kept, raw: row[7].string,
                subjectID: row[8].string)
        }
    }
}
