import CSQLite
import Foundation

/// A value bound to, or read from, an SQLite statement.
public enum SQLValue: Equatable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var description: String {
        switch self {
        case .null: return "NULL"
        case .integer(let v): return String(v)
        case .real(let v): return String(v)
        case .text(let v): return v
        }
    }

    public var int64: Int64? {
        switch self {
        case .integer(let v): return v
        case .real(let v): return Int64(v)
        case .text(let v): return Int64(v)
        case .null: return nil
        }
    }

    public var double: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        case .text(let v): return Double(v)
        case .null: return nil
        }
    }

    public var string: String? {
        switch self {
        case .null: return nil
        case .text(let v): return v
        default: return description
        }
    }
}

/// Anything that can be bound as a statement parameter.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One result row, by column name and by index.
public struct Row: Sendable, Equatable {
    public let columns: [String]
    public let values: [SQLValue]

    public subscript(_ index: Int) -> SQLValue { values[index] }
    public subscript(_ name: String) -> SQLValue {
        guard let i = columns.firstIndex(of: name) else { return .null }
        return values[i]
    }
}

/// A prepared statement; the class owns the `sqlite3_stmt` and finalizes it.
///
/// See <https://www.sqlite.org/c3ref/stmt.html>. A statement belongs to the
/// connection that prepared it and must not outlive it or cross threads.
public final class Statement {
    let handle: OpaquePointer
    let connection: OpaquePointer
    public let sql: String

    init(connection: OpaquePointer, sql: String, persistent: Bool) throws(StoreError) {
        var stmt: OpaquePointer?
        let flags: UInt32 = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(connection, sql, -1, flags, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw StoreError(code: rc, message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.handle = stmt
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: - Binding

    /// Binds values to parameters 1…n, in order. See <https://www.sqlite.org/c3ref/bind_blob.html>.
    public func bind(_ values: [any SQLBindable]) throws(StoreError) {
        for (i, value) in values.enumerated() { try bind(value.sqlValue, at: Int32(i + 1)) }
    }

    public func bind(_ value: SQLValue, at index: Int32) throws(StoreError) {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let v): rc = sqlite3_bind_text(handle, index, v, -1, procscreen_sqlite_transient())
        }
        try check(rc)
    }

    /// Fast paths for bulk inserts: no enum boxing.
    @inline(__always) public func bind(int value: Int64?, at index: Int32) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    @inline(__always) public func bind(text value: String?, at index: Int32) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        var copy = value
        copy.withUTF8 { buf in
            _ = sqlite3_bind_text(
                handle, index, UnsafeRawPointer(buf.baseAddress)?.assumingMemoryBound(to: CChar.self),
                Int32(buf.count), procscreen_sqlite_transient())
        }
    }

    /// Binds bytes SQLite does not copy: they must stay unchanged until the statement has run
    /// (the bulk writer's `EncodedRows` buffer), saving SQLite a malloc, a copy and a free per value.
    @inline(__always) public func bind(unownedText bytes: UnsafeRawPointer, count: Int, at index: Int32) {
        sqlite3_bind_text(handle, index, bytes.assumingMemoryBound(to: CChar.self), Int32(count), nil)
    }

    @inline(__always) public func bind(double value: Double?, at index: Int32) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    // MARK: - Stepping

    /// Runs the statement to completion (for INSERT/UPDATE/DELETE), then resets it.
    public func run() throws(StoreError) {
        defer { sqlite3_reset(handle) }
        var rc = sqlite3_step(handle)
        while rc == SQLITE_ROW { rc = sqlite3_step(handle) }
        guard rc == SQLITE_DONE else { throw error(rc) }
    }

    /// Advances to the next row; false when done. Throws on error.
    public func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw error(rc)
    }

    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// The names of the statement's named parameters (`:name`), in index order; nil for `?`.
    public var parameterNames: [String?] {
        (0..<sqlite3_bind_parameter_count(handle)).map { i in
            sqlite3_bind_parameter_name(handle, i + 1).map { String(cString: $0) }
        }
    }

    /// Whether the statement only reads (<https://www.sqlite.org/c3ref/stmt_readonly.html>).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    // MARK: - Reading the current row

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    public func columnName(_ i: Int32) -> String { String(cString: sqlite3_column_name(handle, i)) }

    public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }

    public func int64(_ i: Int32) -> Int64? { isNull(i) ? nil : sqlite3_column_int64(handle, i) }

    public func double(_ i: Int32) -> Double? { isNull(i) ? nil : sqlite3_column_double(handle, i) }

    public func string(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        return String(cString: p)
    }

    /// The text of a column whose values repeat (ministry, status): a shared copy from `pool`.
    func string(_ i: Int32, pool: StringPool) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        return pool.string(bytes: UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, i))))
    }

    public func value(_ i: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_NULL: return .null
        default: return .text(string(i) ?? "")
        }
    }

    /// Each remaining row in turn, without holding them all (large result sets).
    public func forEachRow(_ body: (Row) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        let n = columnCount
        let names = (0..<n).map(columnName)
        while try step() { try body(Row(columns: names, values: (0..<n).map(value))) }
    }

    /// All remaining rows, materialized.
    public func rows() throws(StoreError) -> [Row] {
        defer { sqlite3_reset(handle) }
        let n = columnCount
        let names = (0..<n).map(columnName)
        var result: [Row] = []
        while try step() {
            result.append(Row(columns: names, values: (0..<n).map(value)))
        }
        return result
    }

    // MARK: - Errors

    func check(_ rc: Int32) throws(StoreError) {
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    func error(_ rc: Int32) -> StoreError {
        StoreError(code: rc, message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}
