import Foundation

/// `norm_title` and `sim` of INDICATORS.md §1.2: project titles reduced to their Thai and Latin
/// letters (so "ช่วงที่ 1" and "ช่วงที่ 2" become equal), compared by the Jaccard index of their
/// character 3-gram sets. The normalisation runs with PCRE2, compiled once per instance.
public final class TitleSimilarity {
    private let methodSuffix: PCRERegex
    private let electronic: PCRERegex
    private let nonLetters: PCRERegex

    public init() {
        // Fixed, tested patterns: a failure here is a programming error, not bad input.
        methodSuffix = try! PCRERegex("โดยวิธี.*$")
        electronic = try! PCRERegex(#"\(?e-?(?:bidding|market)\)?"#, caseless: true)
        nonLetters = try! PCRERegex(#"[^\x{0E01}-\x{0E4F}a-z]+"#)
    }

    /// `norm_title(s)`: norm_text; drop "โดยวิธี…" and "(e-bidding)"; keep Thai letters and marks
    /// (U+0E01–U+0E4F) and Latin letters only.
    public func normalize(_ title: String) -> String {
        if let fast = Self.normalizeThaiAndASCII(title) { return fast }
        return normalizeWithPatterns(title)
    }

    /// The PCRE2 definition, for any text.
    func normalizeWithPatterns(_ title: String) -> String {
        var s = ThaiText.normalize(title)
        s = (try? methodSuffix.replacingMatches(in: s, with: "")) ?? s
        s = (try? electronic.replacingMatches(in: s, with: "")) ?? s
        s = (try? nonLetters.replacingMatches(in: s, with: "")) ?? s
        return s
    }

    /// `norm_title` in one pass over the bytes, for the common title: printable ASCII and the
    /// Thai block only, already in NFC. Nil for anything else (the PCRE2 path decides those);
    /// a test holds the two equal on every title of the sample and real data.
    static func normalizeThaiAndASCII(_ title: String) -> String? {
        guard ThaiText.isTriviallyNFC(title) else { return nil }
        let methodSuffix: [UInt8] = Array("โดยวิธี".utf8)
        var bytes = Array(title.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                guard b >= 0x20 && b < 0x7F else { return nil }
                i += 1
            } else {
                guard b == 0xE0, i + 2 < bytes.count, bytes[i + 1] == 0xB8 || bytes[i + 1] == 0xB9 else { return nil }
                if bytes[i + 1] == methodSuffix[1], bytes[i...].starts(with: methodSuffix) {
                    bytes.removeSubrange(i...)
                    break
                }
                i += 3
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        i = 0
        func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 32 : b }
        func matchesElectronic(at start: Int) -> Int? {
            // e-?(bidding|market), caseless: the length matched, or nil.
            guard lower(bytes[start]) == UInt8(ascii: "e") else { return nil }
            var j = start + 1
            if j < bytes.count, bytes[j] == UInt8(ascii: "-") { j += 1 }
            for word in ["bidding", "market"] {
                let w = Array(word.utf8)
                if j + w.count <= bytes.count, zip(bytes[j ..< j + w.count], w).allSatisfy({ lower($0) == $1 }) { return j + w.count - start }
            }
            return nil
        }
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if let n = matchesElectronic(at: i) { i += n; continue }
                let l = lower(b)
                if l >= 0x61 && l <= 0x7A { out.append(l) }
                i += 1
            } else {
                // U+0E01–U+0E4F: E0 B8 81–BF and E0 B9 80–8F; digits and the rest of the block go.
                let (b1, b2) = (bytes[i + 1], bytes[i + 2])
                if (b1 == 0xB8 && b2 >= 0x81) || (b1 == 0xB9 && b2 <= 0x8F) { out.append(contentsOf: bytes[i ... i + 2]) }
                i += 3
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The distinct character 3-grams (by Unicode scalar) of a normalised title, each packed
    /// exactly into 63 bits (three 21-bit scalars) and sorted: a few bytes per gram instead of a
    /// String in a Set (LP-13 keeps them for every candidate), and Jaccard by one merge.
    /// A title shorter than three scalars keeps itself instead: it is compared for equality.
    public struct Trigrams: Sendable, Equatable {
        let grams: [UInt64]
        let short: String?

        public init(_ normalized: String) {
            var packed: [UInt64] = []
            var window: (UInt64, UInt64) = (0, 0)
            var seen = 0
            for scalar in normalized.unicodeScalars {
                let v = UInt64(scalar.value)
                if seen >= 2 { packed.append(window.0 << 42 | window.1 << 21 | v) }
                window = (window.1, v)
                seen += 1
            }
            if seen < 3 {
                grams = []
                short = normalized
            } else {
                packed.sort()
                var distinct: [UInt64] = []
                distinct.reserveCapacity(packed.count)
                for g in packed where distinct.last != g { distinct.append(g) }
                grams = distinct
                short = nil
            }
        }

        /// The number of distinct 3-grams (0 for a short title).
        public var count: Int { grams.count }

        /// `sim`: the Jaccard index of the two gram sets; short titles are equal (1) or not (0).
        public func similarity(to other: Trigrams) -> Double {
            if short != nil || other.short != nil { return short == other.short ? 1 : 0 }
            var (i, j, shared) = (0, 0, 0)
            while i < grams.count && j < other.grams.count {
                if grams[i] == other.grams[j] { shared += 1; i += 1; j += 1 } else if grams[i] < other.grams[j] { i += 1 } else { j += 1 }
            }
            let union = grams.count + other.grams.count - shared
            return union == 0 ? 0 : Double(shared) / Double(union)
        }
    }

    /// `sim(a, b)` of two normalised titles: Jaccard of their 3-gram sets; titles shorter than
    /// three characters are compared for equality.
    public static func similarity(_ a: String, _ b: String) -> Double {
        Trigrams(a).similarity(to: Trigrams(b))
    }
}
