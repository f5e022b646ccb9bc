import CSQLite
import Foundation

/// One SQLite connection; the class owns the `sqlite3*` handle and closes it.
///
/// Every connection is configured the same way: WAL journal, `synchronous=NORMAL`,
/// a 64 MB page cache, a busy timeout, and the SQL function `REGEXP` backed by PCRE2
/// (so `WHERE project_name REGEXP 'ก่อสร้าง|construction'` works in rule SQL).
/// A connection must stay on one thread: its statements and regex cache are not shared.
///
/// For example:
/// ```swift
/// let db = try Database(path: "procscreen.db")
/// let rows = try db.query(sql: "SELECT project_id FROM projects WHERE budget >= ?", bindings: [50_000_000_000])
/// ```
/// See <https://www.sqlite.org/c3ref/open.html>.
public final class Database {
    let handle: OpaquePointer
    public let path: String
    public let isReadOnly: Bool
    private let sqlFunctions: SQLFunctions

    /// Opens (creating when needed) the database at `path`.
    ///
    /// - Throws: `StoreError` when the file cannot be opened or configured.
    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 5_000) throws(StoreError) {
        var db: OpaquePointer?
        let flags = readOnly
            ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw StoreError(code: rc, message: "\(message) (\(path))")
        }
        self.handle = db
        self.path = path
        self.isReadOnly = readOnly
        self.sqlFunctions = SQLFunctions()
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        try sqlFunctions.register(on: db)
        if !readOnly {
            try execute(sql: "PRAGMA journal_mode=WAL")
            try execute(sql: "PRAGMA synchronous=NORMAL")
        }
        if readOnly {
            // Readers stream ordered scans: a small cache does as well, and big sorts (GROUP BY in
            // SQL rules) spill to temporary files instead of growing the process.
            try execute(sql: "PRAGMA cache_size=-16384")
        } else {
            try execute(sql: "PRAGMA cache_size=-65536")
            try execute(sql: "PRAGMA temp_store=MEMORY")
        }
        // No memory-mapped reads: a screen streams the whole store, and a 256 MB map stayed
        // resident through the pass (a quarter of the 1 M screen's peak) for no measured gain.
        try execute(sql: "PRAGMA mmap_size=0")
    }

    deinit { sqlite3_close_v2(handle) }

    // MARK: - Executing SQL

    /// Runs one or more SQL statements without bindings or results.
    /// See <https://www.sqlite.org/c3ref/exec.html>.
    public func execute(sql: String) throws(StoreError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw StoreError(code: rc, message: message, sql: sql)
        }
    }

    /// Runs one statement with bindings, discarding any rows.
    public func execute(sql: String, bindings: [any SQLBindable]) throws(StoreError) {
        let statement = try prepare(sql: sql)
        try statement.bind(bindings)
        try statement.run()
    }

    /// Runs one query and returns every row.
    public func query(sql: String, bindings: [any SQLBindable] = []) throws(StoreError) -> [Row] {
        let statement = try prepare(sql: sql)
        try statement.bind(bindings)
        return try statement.rows()
    }

    /// Calls `body` with each row of `sql` as it is read (for results too large to materialize).
    public func forEachRow(sql: String, bindings: [any SQLBindable] = [], _ body: (Row) throws -> Void) throws {
        let statement = try prepare(sql: sql)
        try statement.bind(bindings)
        try statement.forEachRow(body)
    }

    /// The first column of the first row, or `.null`.
    public func scalar(sql: String, bindings: [any SQLBindable] = []) throws(StoreError) -> SQLValue {
        let statement = try prepare(sql: sql)
        try statement.bind(bindings)
        defer { statement.reset() }
        return try statement.step() ? statement.value(0) : .null
    }

    /// Prepares a statement; `persistent` hints SQLite that it will be reused many times.
    public func prepare(sql: String, persistent: Bool = false) throws(StoreError) -> Statement {
        try Statement(connection: handle, sql: sql, persistent: persistent)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; any error rolls everything back.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute(sql: "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute(sql: "COMMIT")
            return result
        } catch {
            try? execute(sql: "ROLLBACK")
            throw error
        }
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether the table exists in the main schema.
    public func tableExists(_ name: String) throws(StoreError) -> Bool {
        try scalar(sql: "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name=?", bindings: [name]).int64 == 1
    }
}
