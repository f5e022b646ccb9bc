import CSQLite
import Foundation

/// The SQL functions procscreen adds to every connection.
///
/// `regexp(pattern, text)`, which SQLite calls for `text REGEXP pattern`:
///
/// Each compiled pattern is pinned to the statement with `sqlite3_set_auxdata`, so a scan of
/// a million rows compiles it once (a per-row dictionary lookup was 2-4x slower, SWIFT-NOTES.md).
/// A NULL text gives NULL; an invalid pattern is an SQL error carrying PCRE2's message.
/// See <https://www.sqlite.org/c3ref/create_function.html> and <https://www.sqlite.org/c3ref/get_auxdata.html>.
final class SQLFunctions {
    func register(on db: OpaquePointer) throws(StoreError) {
        let rc = sqlite3_create_function_v2(
            db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
            { context, argc, argv in
                guard let context, let argv, argc == 2 else { return }
                guard let textValue = argv[1], sqlite3_value_type(textValue) != SQLITE_NULL,
                      let patternValue = argv[0], sqlite3_value_type(patternValue) != SQLITE_NULL
                else {
                    sqlite3_result_null(context)
                    return
                }
                let regex: PCRERegex
                if let cached = sqlite3_get_auxdata(context, 0) {
                    regex = Unmanaged<PCRERegex>.fromOpaque(cached).takeUnretainedValue()
                } else {
                    let pattern = String(cString: sqlite3_value_text(patternValue))
                    do {
                        regex = try PCRERegex(pattern)
                    } catch {
                        sqlite3_result_error(context, "\(error)", -1)
                        return
                    }
                    sqlite3_set_auxdata(context, 0, Unmanaged.passRetained(regex).toOpaque()) { pointer in
                        if let pointer { Unmanaged<PCRERegex>.fromOpaque(pointer).release() }
                    }
                }
                let count = Int(sqlite3_value_bytes(textValue))
                guard let bytes = sqlite3_value_text(textValue) else {
                    sqlite3_result_null(context)
                    return
                }
                do {
                    let found = try regex.matches(UnsafeRawBufferPointer(start: bytes, count: count))
                    sqlite3_result_int(context, found ? 1 : 0)
                } catch {
                    sqlite3_result_error(context, "\(error)", -1)
                }
            }, nil, nil, nil)
        guard rc == SQLITE_OK else {
            throw StoreError(code: rc, message: String(cString: sqlite3_errmsg(db)), sql: "create_function(regexp)")
        }
        try registerNormText(on: db)
    }

    /// `norm_text(x)`: INDICATORS.md's `norm_text` (NFC, Thai digits folded, zero-width removed,
    /// Latin lower-cased, spaces collapsed), so SQL rules normalise exactly as Swift rules do.
    private func registerNormText(on db: OpaquePointer) throws(StoreError) {
        let rc = sqlite3_create_function_v2(
            db, "norm_text", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
            { context, argc, argv in
                guard let context, let argv, argc == 1, let value = argv[0], sqlite3_value_type(value) != SQLITE_NULL,
                      let text = sqlite3_value_text(value)
                else {
                    sqlite3_result_null(context)
                    return
                }
                let count = Int(sqlite3_value_bytes(value))
                let bytes = UnsafeBufferPointer(start: text, count: count)
                // ASCII (most contract numbers): lower-case and collapse spaces on bytes.
                if bytes.allSatisfy({ $0 < 0x80 }) {
                    var out = [UInt8]()
                    out.reserveCapacity(count)
                    var pendingSpace = false
                    for b in bytes {
                        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                            pendingSpace = !out.isEmpty
                            continue
                        }
                        if pendingSpace { out.append(0x20); pendingSpace = false }
                        out.append(b >= 0x41 && b <= 0x5A ? b + 32 : b)
                    }
                    out.withUnsafeBufferPointer { p in
                        sqlite3_result_text(context, UnsafeRawPointer(p.baseAddress)?.assumingMemoryBound(to: CChar.self),
                                            Int32(p.count), procscreen_sqlite_transient())
                    }
                    return
                }
                let normalized = ThaiText.normalize(String(decoding: bytes, as: UTF8.self))
                sqlite3_result_text(context, normalized, -1, procscreen_sqlite_transient())
            }, nil, nil, nil)
        guard rc == SQLITE_OK else {
            throw StoreError(code: rc, message: String(cString: sqlite3_errmsg(db)), sql: "create_function(norm_text)")
        }
    }
}
