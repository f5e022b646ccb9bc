import Foundation

/// Sample quantiles as INDICATORS.md §1.1.6 defines them.
public enum Quantiles {
    /// Hyndman–Fan type 8 (numpy `method="median_unbiased"`, statrs 0.16) over sorted-or-not values.
    ///
    /// h = (n + 1/3)·p + 1/3, j = ⌊h⌋; x(1) if j < 1, x(n) if j ≥ n, else x(j) + (h − j)(x(j+1) − x(j)).
    /// For x = 1…10: Q1 = 2.91667, Q3 = 8.08333.
    public static func type8(_ values: [Double], _ p: Double) -> Double {
        type8(sorted: values.sorted(), p)
    }

    /// The same on an already sorted sample (one sort for Q1 and Q3).
    public static func type8(sorted x: [Double], _ p: Double) -> Double {
        precondition(!x.isEmpty, "quantile of an empty sample")
        let n = Double(x.count)
        let h = (n + 1.0 / 3.0) * p + 1.0 / 3.0
        let j = Int(h.rounded(.down))
        if j < 1 { return x[0] }
        if j >= x.count { return x[x.count - 1] }
        return x[j - 1] + (h - Double(j)) * (x[j] - x[j - 1])
    }
}

/// Tukey fences over a sample: Q1 − k·IQR and Q3 + k·IQR, inclusive comparisons; strict when
/// IQR = 0 so that a degenerate sample never raises its own bulk.
public struct TukeyFence: Sendable, Equatable, Codable {
    public let n: Int
    public let q1: Double
    public let q3: Double
    public let k: Double

    /// A fence as `run_fences` stores it.
    public init(n: Int, q1: Double, q3: Double, k: Double) {
        (self.n, self.q1, self.q3, self.k) = (n, q1, q3, k)
    }

    public init(values: [Double], k: Double = 1.5) {
        let sorted = values.sorted()
        n = sorted.count
        q1 = Quantiles.type8(sorted: sorted, 0.25)
        q3 = Quantiles.type8(sorted: sorted, 0.75)
        self.k = k
    }

    public var iqr: Double { q3 - q1 }
    public var lower: Double { q1 - k * iqr }
    public var upper: Double { q3 + k * iqr }

    public func isLowOutlier(_ v: Double) -> Bool { iqr == 0 ? v < q1 : v <= lower }
    public func isHighOutlier(_ v: Double) -> Bool { iqr == 0 ? v > q3 : v >= upper }
}

/// The comparable groups data-driven fences are computed in: method × project type × value band
/// × fiscal year, coarsened (drop the band, then the type) until a stratum has `minimumSize`
/// values; never pooled across methods or fiscal years.
public struct Stratum: Hashable, Sendable, Codable, CustomStringConvertible {
    public var method: String
    public var projectType: String?
    public var valueBand: String?
    public var fiscalYear: Int

    /// V1 ≤ 500,000; V2 ≤ 5 M; V3 ≤ 50 M; V4 < 500 M; V5 ≥ 500 M (baht; satang in).
    public static func valueBand(satang: Int64?) -> String? {
        guard let v = satang else { return nil }
        switch v {
        case ...50_000_000: return "V1"
        case ...500_000_000: return "V2"
        case ...5_000_000_000: return "V3"
        case ..<50_000_000_000: return "V4"
        default: return "V5"
        }
    }

    /// Hashed and compared on UTF-8 bytes: String hashing normalises non-ASCII text (Thai project
    /// types) on every call, and strata are hashed once per tender and statistic. Ingest has
    /// normalised the text already.
    public func hash(into hasher: inout Hasher) {
        for text in [method, projectType ?? "\u{0}", valueBand ?? "\u{0}"] {
            var copy = text
            copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(0xFF as UInt8)
        }
        hasher.combine(fiscalYear)
    }

    public static func == (a: Stratum, b: Stratum) -> Bool {
        a.fiscalYear == b.fiscalYear && a.method.utf8.elementsEqual(b.method.utf8)
            && (a.projectType ?? "\u{0}").utf8.elementsEqual((b.projectType ?? "\u{0}").utf8)
            && (a.valueBand ?? "\u{0}").utf8.elementsEqual((b.valueBand ?? "\u{0}").utf8)
    }

    /// The one stratum of a dataset-wide fence (Cardinal).
    public static let wholeDataset = Stratum(method: "*", projectType: nil, valueBand: nil, fiscalYear: 0)

    public var description: String {
        if self == Self.wholeDataset { return "all tenders" }
        return [method, projectType ?? "*", valueBand ?? "*", "FY\(fiscalYear)"].joined(separator: " × ")
    }

    /// The keys from finest to coarsest.
    public var coarsenings: [Stratum] {
        [self, Stratum(method: method, projectType: projectType, valueBand: nil, fiscalYear: fiscalYear),
         Stratum(method: method, projectType: nil, valueBand: nil, fiscalYear: fiscalYear)]
    }
}

/// Numbers the strata of a population once, with each stratum's coarsenings, so that fences
/// for many statistics group values by integer keys instead of hashing strata again and again.
public final class StrataIndex {
    private var ids: [Stratum: Int] = [:]
    private var coarsenings: [Stratum: [Int]] = [:]
    public private(set) var strata: [Stratum] = []

    public init() {}

    private func id(_ s: Stratum) -> Int {
        if let known = ids[s] { return known }
        ids[s] = strata.count
        strata.append(s)
        return strata.count - 1
    }

    /// The ids of the stratum's coarsenings, finest first.
    public func keys(for stratum: Stratum) -> [Int] {
        if let known = coarsenings[stratum] { return known }
        let keys = stratum.coarsenings.map(id)
        coarsenings[stratum] = keys
        return keys
    }
}

/// Fences per stratum for one statistic, with the coarsening rule and `n_min`.
public struct StratifiedFences {
    public let minimumSize: Int
    public let k: Double
    private let index: StrataIndex
    private var fences: [Int: TukeyFence] = [:]

    /// - Parameter values: every (stratum keys from `index`, value) observation of the statistic.
    public init(keyedValues: [([Int], Double)], index: StrataIndex, minimumSize: Int = 30, k: Double = 1.5) {
        self.minimumSize = minimumSize
        self.k = k
        self.index = index
        var samples = [[Double]](repeating: [], count: index.strata.count)
        for (keys, value) in keyedValues {
            // A stratum's coarsenings can coincide (no type, no band): count each once. A few
            // keys: a linear check, not a Set per value.
            for (i, key) in keys.enumerated() where !keys[..<i].contains(key) { samples[key].append(value) }
        }
        for (key, sample) in samples.enumerated() where sample.count >= minimumSize {
            fences[key] = TukeyFence(values: sample, k: k)
        }
    }

    /// The fences a run kept (`run_fences`, by stratum description), numbered by `index`: a
    /// continuing run resolves a project's previous fence as it resolves its new one.
    public init(kept: [String: TukeyFence], index: StrataIndex, minimumSize: Int, k: Double) {
        self.minimumSize = minimumSize
        self.k = k
        self.index = index
        for (key, stratum) in index.strata.enumerated() {
            if let fence = kept[stratum.description] { fences[key] = fence }
        }
    }

    /// Convenience for one-off use: strata given directly.
    public init(values: [(Stratum, Double)], minimumSize: Int = 30, k: Double = 1.5) {
        let index = StrataIndex()
        self.init(keyedValues: values.map { (index.keys(for: $0.0), $0.1) }, index: index, minimumSize: minimumSize, k: k)
    }

    /// The fence for a subject's stratum (the finest one large enough) and the key used; nil
    /// when even the coarsest stratum is too small (`stratum_too_small`).
    public func fence(for stratum: Stratum) -> (Stratum, TukeyFence)? { fence(forKeys: index.keys(for: stratum)) }

    /// Every stratum large enough for a fence, with its fence (stored per run for `show`).
    public var all: [(Stratum, TukeyFence)] { fences.map { (index.strata[$0.key], $0.value) } }

    public func fence(forKeys keys: [Int]) -> (Stratum, TukeyFence)? {
        resolve(keys).map { (index.strata[$0.key], $0.fence) }
    }

    /// The fence for a subject's stratum keys (finest first), with the key of the stratum used.
    public func resolve(_ keys: [Int]) -> (key: Int, fence: TukeyFence)? {
        for key in keys { if let f = fences[key] { return (key, f) } }
        return nil
    }
}
