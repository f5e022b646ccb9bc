import Foundation

/// The identity keys of INDICATORS.md §1.2 that tell whether two firms are the same behind
/// different names: `norm_addr`, `norm_phone`, `norm_email` and `norm_person`. Patterns are
/// PCRE2, compiled once per instance (keep one per thread).
public final class IdentityNormalizer {
    private let bangkok = try! PCRERegex(#"กทม\.?|กรุงเทพฯ|กรุงเทพ(?!มหานคร)"#)
    private let houseWord = try! PCRERegex("เลขที่")
    private let house = try! PCRERegex(#"^\s*(\d+(?:/\d+)?)"#)
    private let moo = try! PCRERegex(#"(?:ม\.|หมู่ที่|หมู่)\s*(\d+)"#)
    private let soi = try! PCRERegex(#"(?:ซ\.|ซอย)\s*([^\s,]+)"#)
    private let road = try! PCRERegex(#"(?:ถ\.|ถนน)\s*([^\s,]+)"#)
    private let subdistrict = try! PCRERegex(#"(?:ต\.|ตำบล|แขวง)\s*([^\s,]+)"#)
    private let district = try! PCRERegex(#"(?:อ\.|อำเภอ|เขต)\s*([^\s,]+)"#)
    private let province = try! PCRERegex(#"(?:จ\.|จังหวัด)\s*([^\s,]+)"#)
    private let postcode = try! PCRERegex(#"(?<!\d)(\d{5})(?!\d)"#)
    private let punctuation = try! PCRERegex(#"[\s\p{P}]+"#)
    private let personTitle = try! PCRERegex(#"^(?:นางสาว|นาย|นาง|น\.ส\.|ด\.ช\.|ด\.ญ\.|ดร\.|mrs\.?|mr\.?|ms\.?|miss|dr\.?)\s*"#, caseless: true)

    public init() {}

    /// The address key (house number, หมู่, ซอย, ถนน, ตำบล/แขวง, อำเภอ/เขต, จังหวัด, postcode), or nil
    /// when the address lacks both a house number and a subdistrict (too vague to match on).
    public func addressKey(_ raw: String) -> String? {
        var s = ThaiText.normalize(raw)
        s = (try? bangkok.replacingMatches(in: s, with: "กรุงเทพมหานคร")) ?? s
        s = (try? houseWord.replacingMatches(in: s, with: "")) ?? s
        func part(_ regex: PCRERegex) -> String {
            guard let value = (try? regex.captures(in: s))??[1] else { return "" }
            return (try? punctuation.replacingMatches(in: value, with: "")) ?? value
        }
        let parts = [part(house), part(moo), part(soi), part(road), part(subdistrict), part(district), part(province), part(postcode)]
        guard !parts[0].isEmpty || !parts[4].isEmpty else { return nil }
        return parts.joined(separator: "|")
    }

    /// Digits only; a leading 66 becomes 0; the last 9 digits; nil when fewer than 9.
    public static func phoneKey(_ raw: String) -> String? {
        // Bytes, not Characters: ASCII digits after folding Thai ones.
        var digits = ThaiText.foldDigits(raw).utf8.filter { $0 >= 0x30 && $0 <= 0x39 }
        if digits.starts(with: [0x36, 0x36]) { digits = [0x30] + digits.dropFirst(2) }
        guard digits.count >= 9 else { return nil }
        return String(decoding: digits.suffix(9), as: UTF8.self)
    }

    /// Trimmed and lower-cased; nil unless it holds exactly one "@".
    public static func emailKey(_ raw: String) -> String? {
        // ASCII without spaces (nearly every address): lower-case the bytes; else Foundation.
        if raw.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            let lowered = raw.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
            return lowered.filter { $0 == 0x40 }.count == 1 ? String(decoding: lowered, as: UTF8.self) : nil
        }
        let s = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return s.filter { $0 == "@" }.count == 1 ? s : nil
    }

    /// A person's name without title, spaces or punctuation.
    public func personKey(_ raw: String) -> String? {
        var s = ThaiText.normalize(raw)
        s = (try? personTitle.replacingMatches(in: s, with: "")) ?? s
        s = (try? punctuation.replacingMatches(in: s, with: "")) ?? s
        return s.isEmpty ? nil : s
    }
}
