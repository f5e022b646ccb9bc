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
        var s = ThaiText.normalize(title)
        s = (try? methodSuffix.replacingMatches(in: s, with: "")) ?? s
        s = (try? electronic.replacingMatches(in: s, with: "")) ?? s
        s = (try? nonLetters.replacingMatches(in: s, with: "")) ?? s
        return s
    }

    /// The set of character 3-grams of a normalised title (by Unicode scalar).
    public static func trigrams(_ normalized: String) -> Set<String> {
        let scalars = Array(normalized.unicodeScalars)
        guard scalars.count >= 3 else { return [normalized] }
        var grams = Set<String>()
        for i in 0...(scalars.count - 3) {
            var g = String.UnicodeScalarView()
            g.append(contentsOf: scalars[i..<i + 3])
            grams.insert(String(g))
        }
        return grams
    }

    /// `sim(a, b)` of two normalised titles: Jaccard of their 3-gram sets; titles shorter than
    /// three characters are compared for equality.
    public static func similarity(_ a: String, _ b: String, gramsA: Set<String>? = nil, gramsB: Set<String>? = nil) -> Double {
        if a.unicodeScalars.count < 3 || b.unicodeScalars.count < 3 { return a == b ? 1 : 0 }
        let ga = gramsA ?? trigrams(a), gb = gramsB ?? trigrams(b)
        let union = ga.union(gb).count
        return union == 0 ? 0 : Double(ga.intersection(gb).count) / Double(union)
    }
}
