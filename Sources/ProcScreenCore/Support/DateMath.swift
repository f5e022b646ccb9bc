import Foundation

/// Calendar arithmetic on ISO dates as day numbers (days since 1970-01-01), without Foundation's
/// calendars (slow in bulk, and Buddhist by default under a Thai locale).
public enum DateMath {
    /// (year, month, day) → days since 1970-01-01 (Howard Hinnant's civil algorithm).
    public static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Days since 1970-01-01 → (year, month, day).
    public static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The calendar day of an ISO date or timestamp (`2024-11-29`, `2024-11-29T10:00:00+07:00`).
    public static func days(fromISO iso: String) -> Int? {
        let b = Array(iso.utf8.prefix(10))
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
        return days(fromCivil: y, m, d)
    }

    public static func iso(fromDays n: Int) -> String {
        let (y, m, d) = civil(fromDays: n)
        return ValueParser.isoString(year: y, month: m, day: d)
    }

    /// An ISO date or timestamp as seconds since 1970 (UTC) and whether it had a time of day.
    /// A time without an offset is Asia/Bangkok (+07:00); a date alone is its Bangkok midnight.
    public static func instant(fromISO iso: String) -> (seconds: Int, hasTime: Bool)? {
        guard let day = days(fromISO: iso) else { return nil }
        let b = Array(iso.utf8)
        guard b.count > 10 else { return (day * 86_400 - 7 * 3600, false) }
        func number(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= b.count else { return nil }
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let h = number(11..<13), let m = number(14..<16) else { return nil }
        var i = 16
        var sec = 0
        if i < b.count, b[i] == UInt8(ascii: ":"), let s = number(i + 1..<i + 3) { sec = s; i += 3 }
        while i < b.count, b[i] == UInt8(ascii: ".") || (b[i] >= 0x30 && b[i] <= 0x39) { i += 1 }
        var offset = 7 * 3600
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") {
                offset = 0
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = number(i + 1..<i + 3) else { return nil }
                let om = number(i + 4..<i + 6) ?? number(i + 3..<i + 5) ?? 0
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        return (day * 86_400 + h * 3600 + m * 60 + sec - offset, true)
    }

    /// The last day (30 September) of Thai fiscal year `fy` (Buddhist era).
    public static func fiscalYearEnd(_ fy: Int) -> Int { days(fromCivil: fy - 543, 9, 30) }
}
