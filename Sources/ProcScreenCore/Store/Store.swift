import Foundation

/// The procscreen store: one SQLite file, migrated on open.
///
/// Keeps SQLite specifics (pragmas, user functions, `INSERT OR REPLACE`) in Store/, so that a
/// PostgreSQL backend can follow. Not thread-safe: one `Store` per thread.
///
/// For example:
/// ```swift
/// let store = try Store(path: "procscreen.db")
/// print(try store.count("projects"))
/// ```
public final class Store {
    public let db: Database

    /// Opens or creates the store at `path` and applies pending migrations.
    ///
    /// - Throws: `StoreError` when the file cannot be opened or migrated.
    /// A store opened read-only that an older version wrote is migrated first, on a writable
    /// connection of its own: its readers query the current schema (the `run_*` views).
    public init(path: String, readOnly: Bool = false) throws {
        if readOnly {
            let reader = try Database(path: path, readOnly: true)
            let version = Int(try reader.scalar(sql: "PRAGMA user_version").int64 ?? 0)
            if version > 0 && version < Schema.currentVersion {
                do {
                    try Schema.migrate(try Database(path: path, readOnly: false))
                } catch {
                    throw StoreError(code: 0, message: "\(path) was written by an older procscreen (schema \(version) of "
                                     + "\(Schema.currentVersion)) and could not be upgraded: \(error)")
                }
            }
        }
        db = try Database(path: path, readOnly: readOnly)
        if !readOnly { try Schema.migrate(db) }
    }

    /// The tables a user sees counted in summaries.
    public static let countedTables = [
        "projects", "bids", "contracts", "firms", "firm_directors", "agencies", "risk_assessments", "lists",
        "ingest_issues",
    ]

    public func count(_ table: String) throws -> Int {
        precondition(table.allSatisfy { $0.isLetter || $0 == "_" }, "table names are identifiers")
        return Int(try db.scalar(sql: "SELECT count(*) FROM \(table)").int64 ?? 0)
    }

    public func counts() throws -> [String: Int] {
        var result: [String: Int] = [:]
        for table in Self.countedTables { result[table] = try count(table) }
        return result
    }

    // MARK: - Sources

    /// The source already ingested with this content hash, if any.
    public func source(withSHA256 sha: String) throws -> (id: Int64, path: String)? {
        let rows = try db.query(sql: "SELECT source_id, path FROM sources WHERE sha256 = ?", bindings: [sha])
        guard let row = rows.first, let id = row[0].int64 else { return nil }
        return (id, row[1].string ?? "")
    }

    /// Whether a source of this many bytes (or of a size not recorded) is in the store: if not,
    /// a file of that size cannot be content seen before.
    public func mayHoldSource(ofSize bytes: Int) throws -> Bool {
        try db.scalar(sql: "SELECT EXISTS (SELECT 1 FROM sources WHERE size_bytes = ? OR size_bytes IS NULL)",
                      bindings: [bytes]).int64 == 1
    }

    /// Records a file as ingested; returns its `source_id`.
    public func insertSource(path: String, sha256: String, format: String, table: String?, encoding: String?,
                             sizeBytes: Int? = nil) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO sources (path, sha256, format, table_name, encoding, ingested_at, size_bytes)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            bindings: [path, sha256, format, table, encoding, Self.timestamp(), sizeBytes])
        return db.lastInsertRowID
    }

    /// Sets a source's content hash once it is known (it was hashed while it loaded).
    public func setSHA256(_ sha: String, sourceID: Int64) throws {
        try db.execute(sql: "UPDATE sources SET sha256 = ? WHERE source_id = ?", bindings: [sha, sourceID])
    }

    public func finishSource(_ id: Int64, rows: Int, quarantined: Int, issues: Int) throws {
        try db.execute(
            sql: "UPDATE sources SET rows = ?, rows_quarantined = ?, issues = ? WHERE source_id = ?",
            bindings: [rows, quarantined, issues, id])
    }

    /// Notes that a register table (risk_assessments, lists) has been loaded at least once:
    /// from then on a missing row is evidence, not absence of data (INDICATORS.md §1.1.8).
    public func markLoaded(_ table: String, sourceID: Int64) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO loaded_tables (table_name, first_source_id) VALUES (?, ?)",
            bindings: [table, sourceID])
    }

    public func isLoaded(_ table: String) throws -> Bool {
        try db.scalar(sql: "SELECT count(*) FROM loaded_tables WHERE table_name = ?", bindings: [table]).int64 == 1
    }

    static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }
}
