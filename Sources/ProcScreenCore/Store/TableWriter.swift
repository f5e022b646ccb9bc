import Foundation

/// Writes the rows of one ingested file into one table with a reused prepared statement.
///
/// Applies the table's replacement rule: an upsert replaces the row with the same primary key;
/// a group replace deletes, the first time a parent key is seen in this file, every older row
/// of that key (a newer bids.csv replaces a project's whole bid list).
public final class TableWriter {
    public let table: String
    public let columns: [String]
    private let insertOne: Statement
    private let insertMany: Statement
    private let deleteGroup: Statement?
    private let groupKey: [String]
    private var seenGroups = Set<String>()
    /// Whether the table held rows before this file; if not, group deletes are skipped.
    private let tableHadRows: Bool
    private let withLine: Bool
    /// Rows waiting for the next multi-row INSERT (one statement step per `rowsPerInsert` rows
    /// instead of one per row: SQLite's per-statement cost dominates narrow rows).
    private var pending: [([SQLValue], Int64, Int)] = []
    private static let rowsPerInsert = 64
    private let rowsPerStatement: Int

    /// - Parameters:
    ///   - columns: the data columns, bound in this order by `write`; `source_id` (and
    ///     `source_line` when `withLine`) are appended.
    ///   - upsert: `INSERT OR REPLACE` on the primary key.
    ///   - groupKey: the columns whose older rows a newer file replaces.
    ///   - conflict: an `ON CONFLICT …` clause for upserts that merge instead of replacing.
    public init(db: Database, table: String, columns: [String], upsert: Bool, groupKey: [String], withLine: Bool,
                conflict: String? = nil) throws {
        self.table = table
        self.columns = columns + ["source_id"] + (withLine ? ["source_line"] : [])
        self.groupKey = groupKey
        self.withLine = withLine
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
        pending.reserveCapacity(Self.rowsPerInsert)
    }

    /// Queues one row (values in `columns` order, without source id and line) for insertion.
    /// Call `finish()` after the last row.
    public func write(_ values: [SQLValue], groupValues: [String?], sourceID: Int64, line: Int) throws {
        if let deleteGroup, tableHadRows {
            let key = groupValues.map { $0 ?? "\u{0}" }.joined(separator: "\u{1}")
            if seenGroups.insert(key).inserted {
                for (i, v) in groupValues.enumerated() { deleteGroup.bind(text: v, at: Int32(i + 1)) }
                try deleteGroup.run()
            }
        }
        pending.append((values, sourceID, line))
        if pending.count == rowsPerStatement { try flush() }
    }

    /// Inserts every queued row.
    public func finish() throws { try flush() }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        if pending.count == rowsPerStatement {
            var index: Int32 = 1
            for row in pending { index = bind(row, into: insertMany, from: index) }
            try insertMany.run()
        } else {
            for row in pending {
                _ = bind(row, into: insertOne, from: 1)
                try insertOne.run()
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func bind(_ row: ([SQLValue], Int64, Int), into statement: Statement, from start: Int32) -> Int32 {
        var index = start
        for value in row.0 {
            switch value {
            case .null: statement.bind(text: nil, at: index)
            case .integer(let v): statement.bind(int: v, at: index)
            case .real(let v): statement.bind(double: v, at: index)
            case .text(let v): statement.bind(text: v, at: index)
            }
            index += 1
        }
        statement.bind(int: row.1, at: index)
        index += 1
        if withLine {
            statement.bind(int: Int64(row.2), at: index)
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
