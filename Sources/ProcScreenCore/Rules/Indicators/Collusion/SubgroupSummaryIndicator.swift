import Foundation

/// BR-10: the bid-distribution statistics of BR-01…BR-09 over every subset of 3 and of 4 valid
/// bids of a tender with at least 5, summarised as min, median and max per statistic. A partial
/// cartel hides among honest bids; its subset keeps the cartel's low CV or high RD (Wallimann,
/// Imhof & Huber 2022). Never raised by default (`enabled = false`); when enabled it raises an
/// info finding (weight 0) carrying the summaries, for review and model training.
///
/// Subsets beyond `max_subsets` are sampled deterministically (seeded by the project id), so a
/// re-run gives the same evidence. Rule file: `Rules/collusion/BR-10-subgroup-summary.yaml`.
struct SubgroupSummaryIndicator: RecordIndicator {
    static let id = "BR-10"
    static let fields: Set<String> = ["bids.bidder_id", "bids.price", "bids.status", "bids.lot_id"]
    static let minimumBids = 5

    let enabled: Bool
    let maxSubsets: Int
    let nullStatusAsValid: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        enabled = try rule.bool("enabled")
        maxSubsets = Int(try rule.int("max_subsets"))
        nullStatusAsValid = try rule.bool("null_status_as_valid")
        guard maxSubsets >= 1 else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.max_subsets.value", reason: "must be at least 1")
        }
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard enabled, record.method?.isCompetitive ?? true, !record.spansLots else { return .notApplicable }
        let prices = record.validPrices(nullStatusAsValid: nullStatusAsValid).prices.map(Double.init)
        guard prices.count >= Self.minimumBids else {
            return prices.isEmpty ? .notApplicable
                : .notComputable(.tooFewBids, detail: "\(prices.count) valid bids (\(Self.minimumBids) needed)")
        }
        let subsets = Self.subsets(count: prices.count, limit: maxSubsets, seed: Self.seed(record.projectID))
        var values: [BidDistribution.Statistic: [Double]] = [:]
        for subset in subsets.indices {
            let d = BidDistribution(prices: subset.map { prices[$0] })
            for (statistic, value) in d.values { values[statistic, default: []].append(value) }
        }
        let evidence = BidDistribution.Statistic.allCases.compactMap { statistic -> Evidence? in
            guard var v = values[statistic], !v.isEmpty else { return nil }
            v.sort()
            let median = v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
            return Evidence(field: statistic.rawValue,
                            observed: String(format: "min %.4f / median %.4f / max %.4f", v[0], median, v[v.count - 1]),
                            note: "over \(v.count) subsets")
        }
        let how = subsets.sampled ? "a seeded sample of \(subsets.indices.count) of \(subsets.total)" : "all \(subsets.total)"
        return .raised(FindingDraft(
            summary: Message(en: "Bid statistics over \(how) subsets of 3 and 4 of the \(prices.count) valid bids",
                             th: "ค่าสถิติของกลุ่มย่อย ๓ และ ๔ รายจากผู้เสนอราคา \(prices.count) ราย (\(subsets.indices.count) กลุ่ม)"),
            evidence: evidence))
    }

    /// Every 3- and 4-subset of `0..<count` in lexicographic order, or, when there are more than
    /// `limit`, `limit` distinct ones drawn with a generator seeded by `seed`.
    static func subsets(count n: Int, limit: Int, seed: UInt64) -> (indices: [[Int]], total: Int, sampled: Bool) {
        let total = n * (n - 1) * (n - 2) / 6 + n * (n - 1) * (n - 2) * (n - 3) / 24
        if total <= limit {
            var all: [[Int]] = []
            for size in [3, 4] {
                var pick = Array(0..<size)
                while true {
                    all.append(pick)
                    var i = size - 1
                    while i >= 0 && pick[i] == n - size + i { i -= 1 }
                    if i < 0 { break }
                    pick[i] += 1
                    for j in (i + 1)..<size { pick[j] = pick[j - 1] + 1 }
                }
            }
            return (all, total, false)
        }
        var random = SeededRandom(seed: seed)
        var seen = Set<[Int]>()
        var drawn: [[Int]] = []
        let threes = Double(n * (n - 1) * (n - 2) / 6) / Double(total)
        while drawn.count < limit {
            let size = random.unit() < threes ? 3 : 4
            var chosen = Set<Int>()
            while chosen.count < size { chosen.insert(Int(random.next() % UInt64(n))) }
            let subset = chosen.sorted()
            if seen.insert(subset).inserted { drawn.append(subset) }
        }
        return (drawn, total, true)
    }

    /// FNV-1a of the project id: stable across processes (Swift's `hashValue` is not).
    static func seed(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
