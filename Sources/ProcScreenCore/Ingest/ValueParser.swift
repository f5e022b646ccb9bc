import Foundation

/// Parses the value forms found in Thai procurement data into clean, typed values.
///
/// Every function folds Thai digits first and treats an empty cell or a lone `-` as missing.
/// Hand-written on purpose: `DateFormatter` manages 12-15 k values/s on Linux (SWIFT-NOTES.md).
public enum ValueParser {
    public enum Parsed<T: Equatable & Sendable>: Equatable, Sendable {
        case missing
        case value(T)
        case invalid(String)

        public var value: T? { if case .value(let v) = self { return v } else { return nil } }
    }

    /// True for the spellings of "no value": empty, `-`, `–`, `—`, `N/A`, `null`.
    /// Compared on bytes: Character comparison is the hot spot of a bulk load otherwise.
    public static func isMissing(_ s: Substring) -> Bool {
        let utf8 = s.utf8
        switch utf8.count {
        case 0: return true
        case 1: return utf8.first == UInt8(ascii: "-")
        case 3:
            return utf8.elementsEqual("–".utf8) || utf8.elementsEqual("—".utf8)
                || utf8.elementsEqual("N/A".utf8) || utf8.elementsEqual("n/a".utf8)
        case 4: return utf8.elementsEqual("NULL".utf8) || utf8.elementsEqual("null".utf8)
        default: return false
        }
    }

    /// `raw` without leading and trailing spaces, tabs, no-break spaces and BOMs (byte-level).
    static func trimmed(_ raw: String) -> Substring {
        let utf8 = raw.utf8
        var start = utf8.startIndex, end = utf8.endIndex
        while start != end {
            let b = utf8[start]
            if b == 0x20 || b == 0x09 { start = utf8.index(after: start); continue }
            if b == 0xC2, utf8.index(after: start) != end, utf8[utf8.index(after: start)] == 0xA0 {
                start = utf8.index(start, offsetBy: 2); continue
            }
            if b == 0xEF, utf8.distance(from: start, to: end) >= 3,
               utf8[utf8.index(start, offsetBy: 1)] == 0xBB, utf8[utf8.index(start, offsetBy: 2)] == 0xBF {
                start = utf8.index(start, offsetBy: 3); continue
            }
            break
        }
        while end != start {
            let last = utf8.index(before: end)
            let b = utf8[last]
            if b == 0x20 || b == 0x09 { end = last; continue }
            if b == 0xA0, last != start, utf8[utf8.index(before: last)] == 0xC2 { end = utf8.index(before: last); continue }
            break
        }
        if start == utf8.startIndex && end == utf8.endIndex { return Substring(raw) }
        return Substring(utf8[start..<end])
    }

    /// True when every byte is an ASCII digit, comma or dot (the fast path for amounts).
    private static func isPlainNumber(_ s: Substring) -> Bool {
        s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ".") }
    }

    // MARK: - Numbers

    /// An amount in baht as integer satang: `1,234.50` → 123450, `๑,๒๐๐` → 120000,
    /// `8.14148E+07` → 8141480000. Thousands separators must group by three; more than two
    /// decimals round half away from zero. `฿`, `บาท` and `THB` are ignored.
    public static func satang(_ raw: String) -> Parsed<Int64> {
        var s = trimmed(raw.utf8.contains(0xB9) ? ThaiText.foldDigits(raw) : raw)
        if isMissing(s) { return .missing }
        if isPlainNumber(s), let decimal = parseDecimal(s) {
            guard let result = decimal.scaled(toDecimals: 2) else { return .invalid("number out of range: '\(raw)'") }
            return .value(result)
        }
        for unit in ["฿", "บาท", "THB", "thb"] {
            if s.hasPrefix(unit) { s = s.dropFirst(unit.count) }
            if s.hasSuffix(unit) { s = s.dropLast(unit.count) }
        }
        s = trimmed(String(s))
        guard let decimal = parseDecimal(s) else { return .invalid("not a number: '\(raw)'") }
        guard let result = decimal.scaled(toDecimals: 2) else { return .invalid("number out of range: '\(raw)'") }
        return .value(result)
    }

    /// A whole number (counts, years): `1,200` → 1200, `๒๕๖๘` → 2568. A fraction is invalid,
    /// except a zero one (`3.0`, as spreadsheets write integers).
    public static func integer(_ raw: String) -> Parsed<Int64> {
        let s = trimmed(raw.utf8.contains(0xB9) ? ThaiText.foldDigits(raw) : raw)
        if isMissing(s) { return .missing }
        guard let decimal = parseDecimal(s) else { return .invalid("not a number: '\(raw)'") }
        guard let scaled = decimal.scaled(toDecimals: 0, exact: true) else {
            return .invalid("not a whole number: '\(raw)'")
        }
        return .value(scaled)
    }

    /// A decimal number as mantissa × 10^exponent, exact.
    struct Decimal {
        var negative: Bool
        var mantissa: Int64
        var exponent: Int

        /// The value × 10^decimals as an integer, rounding half away from zero
        /// (or nil when `exact` and rounding would change it, or on overflow).
        func scaled(toDecimals decimals: Int, exact: Bool = false) -> Int64? {
            var m = mantissa
            let shift = exponent + decimals
            if shift >= 0 {
                for _ in 0..<shift {
                    let (r, o) = m.multipliedReportingOverflow(by: 10)
                    if o { return nil }
                    m = r
                }
            } else {
                var dropped = false
                for i in 0 ..< -shift {
                    let digit = m % 10
                    m /= 10
                    if i == -shift - 1 {
                        if digit >= 5 { m += 1 }
                        if digit != 0 { dropped = true }
                    } else if digit != 0 { dropped = true }
                }
                if exact && dropped { return nil }
            }
            return negative ? -m : m
        }
    }

    /// Parses `[-+]digits[,ddd…][.digits][e[-+]digits]`.
    static func parseDecimal(_ s: Substring) -> Decimal? {
        let bytes = Array(s.utf8)
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: Int64 = 0
        var digits = 0
        var fractionDigits = 0
        var groupLength = -1   // digits since the last thousands separator; -1 = none seen
        var inFraction = false
        var sawDigit = false
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                sawDigit = true
                if mantissa == 0 && b == 0x30 && !inFraction {
                    // leading zero: no significant digit yet
                } else {
                    if digits >= 18 { return nil }
                    mantissa = mantissa * 10 + Int64(b - 0x30)
                    digits += 1
                }
                if inFraction { fractionDigits += 1 } else if groupLength >= 0 { groupLength += 1 }
            } else if b == UInt8(ascii: ",") && !inFraction {
                guard sawDigit, groupLength == -1 || groupLength == 3 else { return nil }
                groupLength = 0
            } else if b == UInt8(ascii: ".") && !inFraction {
                guard groupLength == -1 || groupLength == 3 else { return nil }
                inFraction = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if !inFraction, groupLength != -1, groupLength != 3 { return nil }
        var exponent = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var expDigits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, expDigits < 4 {
                e = e * 10 + Int(bytes[i] - 0x30)
                expDigits += 1
                i += 1
            }
            guard expDigits > 0 else { return nil }
            exponent = expNegative ? -e : e
        }
        guard i == bytes.count else { return nil }
        return Decimal(negative: negative, mantissa: mantissa, exponent: exponent - fractionDigits)
    }

    // MARK: - Booleans

    /// `true/false`, `1/0`, `yes/no`, `y/n`, `ใช่/ไม่ใช่`, `มี/ไม่มี`, `จริง/เท็จ`.
    public static func bool(_ raw: String) -> Parsed<Bool> {
        let s = trimmed(raw)
        if isMissing(s) { return .missing }
        switch s.lowercased() {
        case "true", "t", "1", "yes", "y", "ใช่", "มี", "จริง", "x", "✓": return .value(true)
        case "false", "f", "0", "no", "n", "ไม่ใช่", "ไม่มี", "เท็จ": return .value(false)
        default: return .invalid("not a yes/no value: '\(raw)'")
        }
    }

    // MARK: - Dates

    static let thaiMonths: [(String, Int)] = [
        ("ม.ค.", 1), ("ก.พ.", 2), ("มี.ค.", 3), ("เม.ย.", 4), ("พ.ค.", 5), ("มิ.ย.", 6),
        ("ก.ค.", 7), ("ส.ค.", 8), ("ก.ย.", 9), ("ต.ค.", 10), ("พ.ย.", 11), ("ธ.ค.", 12),
        ("มกราคม", 1), ("กุมภาพันธ์", 2), ("มีนาคม", 3), ("เมษายน", 4), ("พฤษภาคม", 5), ("มิถุนายน", 6),
        ("กรกฎาคม", 7), ("สิงหาคม", 8), ("กันยายน", 9), ("ตุลาคม", 10), ("พฤศจิกายน", 11), ("ธันวาคม", 12),
        // Abbreviations written without dots, as some exports do.
        ("มค", 1), ("กพ", 2), ("มีค", 3), ("เมย", 4), ("พค", 5), ("มิย", 6),
        ("กค", 7), ("สค", 8), ("กย", 9), ("ตค", 10), ("พย", 11), ("ธค", 12),
        ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("may", 5), ("jun", 6),
        ("jul", 7), ("aug", 8), ("sep", 9), ("oct", 10), ("nov", 11), ("dec", 12),
    ]

    /// A calendar date (and time, when the source has one) as ISO-8601 text.
    ///
    /// Accepts ISO (`2024-11-29`, `2024-11-29T10:00:00+07:00`, `2024-11-29 10:00`), Thai
    /// `29 พ.ย. 67` / `29 พฤศจิกายน 2567`, and `29/11/2567` or `29-11-2024` (day first).
    /// Years ≥ 2400 are Buddhist era (CE = BE − 543); a 2-digit year is 25yy BE.
    public static func date(_ raw: String) -> Parsed<String> {
        let s = trimmed(raw.utf8.contains(0xB9) ? ThaiText.foldDigits(raw) : raw)
        if isMissing(s) { return .missing }
        let bytes = Array(s.utf8)
        if let iso = isoDate(bytes, text: s) { return iso }
        if let slashed = dayFirstDate(bytes) { return slashed }
        if let thai = wordMonthDate(s) { return thai }
        return .invalid("not a date: '\(raw)'")
    }

    private static func digits(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard range.upperBound <= bytes.count, !range.isEmpty else { return nil }
        var v = 0
        for i in range {
            let b = bytes[i]
            guard b >= 0x30, b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }

    /// `YYYY-MM-DD` optionally followed by `T` or a space and a time with an optional offset.
    private static func isoDate(_ bytes: [UInt8], text: Substring) -> Parsed<String>? {
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = digits(bytes, 0..<4), let m = digits(bytes, 5..<7), let d = digits(bytes, 8..<10)
        else { return nil }
        guard let date = make(year: y, month: m, day: d, raw: String(text)) else {
            return .invalid("no such date: '\(text)'")
        }
        guard case .value(let day) = date else { return date }
        if bytes.count == 10 { return .value(day) }
        let sep = bytes[10]
        guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: " ") else { return .invalid("not a date: '\(text)'") }
        let rest = String(decoding: bytes[11...], as: UTF8.self)
        // Midnight with no offset carries no information beyond the day (pandas exports add it).
        if rest == "00:00:00" || rest == "00:00" || rest == "00:00:00.000" { return .value(day) }
        guard validTime(Array(bytes[11...])) else { return .invalid("not a time: '\(text)'") }
        return .value(day + "T" + rest)
    }

    private static func validTime(_ t: [UInt8]) -> Bool {
        guard t.count >= 5, t[2] == UInt8(ascii: ":"), let h = digits(t, 0..<2), let mi = digits(t, 3..<5),
              h < 24, mi < 60 else { return false }
        var i = 5
        if i < t.count, t[i] == UInt8(ascii: ":") {
            guard let sec = digits(t, i + 1..<i + 3), sec < 61 else { return false }
            i += 3
            if i < t.count, t[i] == UInt8(ascii: ".") {
                i += 1
                while i < t.count, t[i] >= 0x30, t[i] <= 0x39 { i += 1 }
            }
        }
        if i == t.count { return true }
        if t[i] == UInt8(ascii: "Z"), i == t.count - 1 { return true }
        if t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-") {
            let off = Array(t[(i + 1)...])
            return (off.count == 5 && off[2] == UInt8(ascii: ":") && digits(off, 0..<2) != nil && digits(off, 3..<5) != nil)
                || (off.count == 4 && digits(off, 0..<4) != nil)
                || (off.count == 2 && digits(off, 0..<2) != nil)
        }
        return false
    }

    /// `d/m/y`, `d-m-y` or `d.m.y` with a 2- or 4-digit year.
    private static func dayFirstDate(_ bytes: [UInt8]) -> Parsed<String>? {
        var parts: [Int] = []
        var current = 0, length = 0
        var lengths: [Int] = []
        var separator: UInt8?
        for b in bytes {
            if b >= 0x30 && b <= 0x39 {
                current = current * 10 + Int(b - 0x30)
                length += 1
                if length > 4 { return nil }
            } else if b == UInt8(ascii: "/") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") {
                if separator == nil { separator = b } else if separator != b { return nil }
                guard length > 0 else { return nil }
                parts.append(current); lengths.append(length)
                current = 0; length = 0
            } else {
                return nil
            }
        }
        guard length > 0 else { return nil }
        parts.append(current); lengths.append(length)
        guard parts.count == 3, lengths[0] <= 2, lengths[1] <= 2, lengths[2] == 2 || lengths[2] == 4 else { return nil }
        let year = lengths[2] == 2 ? 2500 + parts[2] : parts[2]
        return make(year: year, month: parts[1], day: parts[0], raw: String(decoding: bytes, as: UTF8.self))
    }

    /// `29 พ.ย. 67`, `29 พฤศจิกายน 2567`, `29 Nov 2024`.
    private static func wordMonthDate(_ s: Substring) -> Parsed<String>? {
        let tokens = s.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard tokens.count == 3, let day = Int(tokens[0]), let year = Int(tokens[2]) else { return nil }
        let monthText = tokens[1].lowercased()
        let month = thaiMonths.first(where: { monthText == $0.0 || (monthText.count >= 3 && $0.0.count == 3 && monthText.hasPrefix($0.0)) })?.1
        guard let month else { return nil }
        let fullYear = tokens[2].count == 2 ? 2500 + year : year
        return make(year: fullYear, month: month, day: day, raw: String(s))
    }

    /// Validates and formats; converts Buddhist-era years.
    private static func make(year: Int, month: Int, day: Int, raw: String) -> Parsed<String>? {
        let ce = year >= 2400 ? year - 543 : year
        guard (1...12).contains(month) else { return .invalid("month \(month) out of range: '\(raw)'") }
        guard day >= 1, day <= daysIn(month: month, year: ce) else { return .invalid("no such date: '\(raw)'") }
        guard ce >= 1900, ce <= 2200 else { return .invalid("year out of range: '\(raw)'") }
        return .value(isoString(year: ce, month: month, day: day))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func isoString(year: Int, month: Int, day: Int) -> String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// The Thai fiscal year (Buddhist era) of an ISO date: October starts the next year.
    /// `FY(2022-10-01) = 2566`.
    public static func fiscalYear(ofISODate iso: String) -> Int? {
        let b = Array(iso.utf8)
        guard b.count >= 7, let y = digits(b, 0..<4), let m = digits(b, 5..<7) else { return nil }
        return y + 543 + (m >= 10 ? 1 : 0)
    }

    /// A fiscal year as Buddhist era: `2568` stays, `2025` (CE) becomes 2568.
    public static func fiscalYear(_ raw: String) -> Parsed<Int64> {
        switch integer(raw) {
        case .missing: return .missing
        case .invalid(let r): return .invalid(r)
        case .value(let y):
            if y >= 2400 && y <= 2800 { return .value(y) }
            if y >= 1900 && y < 2300 { return .value(y + 543) }
            return .invalid("fiscal year out of range: '\(raw)'")
        }
    }
}
