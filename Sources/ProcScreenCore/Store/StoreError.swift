import CSQLite

/// An SQLite failure: the result code, SQLite's message and the SQL that failed.
///
/// Bound values are never part of the description, as in GRDB, so that an error
/// message cannot leak the data being written.
public struct StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The primary or extended SQLite result code (<https://www.sqlite.org/rescode.html>).
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " — while executing `\(sql.trimmingCharacters(in: .whitespacesAndNewlines))`" }
        return text
    }

    /// True for "database is locked" / "busy" results, which callers may retry.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
}

import Foundation
