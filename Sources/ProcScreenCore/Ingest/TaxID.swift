import Foundation

/// The Thai 13-digit taxpayer / juristic-person identification number (TIN).
public enum TaxID {
    public enum Check: Equatable, Sendable {
        /// A well-formed TIN, normalised to 13 digits.
        case valid(String)
        /// 12 digits that pass once the leading 0 a spreadsheet dropped is restored.
        case leadingZeroLost(String)
        /// Masked digits (`899670500xxxx`), as some publishers print them.
        case masked(String)
        /// Not a Thai TIN at all (letters: a foreign scheme such as `AM-TIN-02704268`).
        case foreign(String)
        case invalid(normalized: String, reason: String)
    }

    /// Removes spaces and dashes and folds Thai digits.
    public static func normalize(_ raw: String) -> String {
        // Fast path: nothing to fold or drop (ASCII digits and letters only).
        if raw.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) { return raw }
        let folded = ThaiText.foldDigits(raw)
        return String(folded.unicodeScalars.filter { $0 != " " && $0 != "-" && $0 != "\u{A0}" && $0 != "\t" }.map(Character.init))
    }

    /// Checks the mod-11 check digit: d₁₂ = (11 − (Σ_{i=0..11} dᵢ·(13 − i)) mod 11) mod 10.
    ///
    /// For example: `TaxID.check("0105522016247") == .valid("0105522016247")`.
    public static func check(_ raw: String) -> Check {
        // Fast path: already 13 ASCII digits (the common case in bulk files).
        if raw.utf8.count == 13, raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return checksumOK(raw.utf8) ? .valid(raw) : .invalid(normalized: raw, reason: "TIN check digit does not match: '\(raw)'")
        }
        let id = normalize(raw)
        let bytes = Array(id.utf8)
        if bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            if bytes.count == 13 {
                return checksumOK(bytes) ? .valid(id) : .invalid(normalized: id, reason: "TIN check digit does not match: '\(raw)'")
            }
            if bytes.count == 12, checksumOK([0x30] + bytes) { return .leadingZeroLost("0" + id) }
            return .invalid(normalized: id, reason: "TIN must have 13 digits, has \(bytes.count): '\(raw)'")
        }
        if bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") || $0 == UInt8(ascii: "*") }) {
            return .masked(id)
        }
        return .foreign(raw.trimmingCharacters(in: .whitespaces))
    }

    static func checksumOK<C: Collection<UInt8>>(_ digits: C) -> Bool {
        var sum = 0
        var i = 0
        for d in digits {
            if i == 12 { return (11 - sum % 11) % 10 == Int(d - 0x30) }
            sum += Int(d - 0x30) * (13 - i)
            i += 1
        }
        return false
    }

    /// Appends the check digit to 12 digits (used by the generator).
    public static func withCheckDigit(_ twelve: String) -> String {
        let d = Array(twelve.utf8)
        var sum = 0
        for i in 0..<12 { sum += Int(d[i] - 0x30) * (13 - i) }
        return twelve + String((11 - sum % 11) % 10)
    }
}
