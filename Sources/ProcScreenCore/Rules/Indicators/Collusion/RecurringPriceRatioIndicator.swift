import Foundation

/// BR-23: two bidders whose prices keep the same ratio across tenders, the trace of one firm
/// pricing both bids (Velasco's "concerted bids"; OCP's R023 proposal). In each tender, for each
/// pair of valid bidders a < b (by id) with different prices, r = round(price_a / price_b,
/// `decimals`); raised on the pair when the same r occurs in ≥ `min_tenders` distinct tenders of
/// the window. Each shared tender in scope is linked to the pair's finding.
///
/// Rule file: `Rules/collusion/BR-23-recurring-price-ratio.yaml`.
struct RecurringPriceRatioIndicator: DatasetIndicator {
    static let id = "BR-23"
    static let fields: Set<String> = ["projects.fiscal_year", "bids.bidder_id", "bids.price", "bids.status"]

    let decimals: Int
    let minTenders: Int
    let lookback: Int
    let nullStatusAsValid: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        decimals = Int(try rule.int("decimals"))
        guard (0...6).contains(decimals) else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.decimals.value", reason: "expected 0 to 6")
        }
        minTenders = Int(try rule.int("min_tenders"))
        lookback = Int(try rule.int("lookback_fy"))
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: DatasetRun {
        /// One pair's rounded ratio in one tender, in 16 bytes: firms are interned, and a ratio
        /// that does not fit 32 bits (prices millions of times apart) is kept apart in `wide`.
        struct Occurrence<Ratio: FixedWidthInteger>: Comparable {
            var a: Int32, b: Int32, ratio: Ratio, tender: Int32
            static func < (x: Self, y: Self) -> Bool { (x.a, x.b, x.ratio, x.tender) < (y.a, y.b, y.ratio, y.tender) }
        }
        struct Tender: ProjectReferencing {
            var project: ProjectRef, year: PackedOptional<Int32>, inScope: Bool, pairs: Bool
            var fiscalYear: Int? { year.int }
        }

        let rule: RecurringPriceRatioIndicator
        let scale: Double
        var window: FiscalYearWindow
        var firms = Interner()
        var tenders: [Tender] = []
        var occurrences: [Occurrence<Int32>] = []
        /// The rare occurrences whose ratio needs 64 bits: never equal to one of `occurrences`.
        var wide: [Occurrence<Int64>] = []

        init(_ rule: RecurringPriceRatioIndicator, shared: RunSharedState) {
            self.rule = rule
            scale = pow(10, Double(rule.decimals))
            window = FiscalYearWindow(lookback: rule.lookback, screenedFiscalYear: shared.screenedFiscalYear)
        }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            window.note(r, inScope: inScope)
            // Projects outside the window are never counted: they are not kept, and those kept
            // before the window moved on are dropped.
            if window.startMoved() {
                occurrences.removeAll { window.excludesForGood(tenders[Int($0.tender)].fiscalYear) }
                wide.removeAll { window.excludesForGood(tenders[Int($0.tender)].fiscalYear) }
            }
            let v = r.validPrices(nullStatusAsValid: rule.nullStatusAsValid)
            guard !window.excludesForGood(r.fiscalYear) else {
                // Interned all the same: firms are numbered in order of first sight, and the
                // numbers order a finding's pairs.
                if v.count >= 2 { for bidder in v.bidders { _ = firms.id(bidder) } }
                return
            }
            guard v.count >= 2 || inScope else { return }
            let tender = Int32(tenders.count)
            tenders.append(Tender(project: r.projectRef, year: PackedOptional(r.fiscalYear),
                                  inScope: inScope, pairs: v.count >= 2))
            guard v.count >= 2 else { return }
            let ids = v.bidders.map { firms.id($0) }
            for i in ids.indices {
                for j in ids.indices where j != i && v.bidders[i] < v.bidders[j] && v.prices[i] != v.prices[j] {
                    let ratio = Int64((Double(v.prices[i]) / Double(v.prices[j]) * scale).rounded())
                    if let narrow = Int32(exactly: ratio) {
                        occurrences.append(Occurrence(a: ids[i], b: ids[j], ratio: narrow, tender: tender))
                    } else {
                        wide.append(Occurrence(a: ids[i], b: ids[j], ratio: ratio, tender: tender))
                    }
                }
            }
        }

        func finish() -> DatasetResult {
            var result = DatasetResult()
            // Runs of one (pair, ratio): the distinct tenders sharing it.
            var hits: [Int32: [(a: Int32, b: Int32, ratio: Int64, count: Int)]] = [:]
            func collect<R>(_ occurrences: inout [Occurrence<R>]) {
                occurrences.removeAll { !window.contains(tenders[Int($0.tender)].fiscalYear) }
                occurrences.sort()
                var start = 0
                while start < occurrences.count {
                    var end = start + 1
                    let o = occurrences[start]
                    while end < occurrences.count, occurrences[end].a == o.a, occurrences[end].b == o.b, occurrences[end].ratio == o.ratio { end += 1 }
                    let shared = Set(occurrences[start..<end].map(\.tender))
                    if shared.count >= rule.minTenders {
                        for t in shared where tenders[Int(t)].inScope { hits[t, default: []].append((o.a, o.b, Int64(o.ratio), shared.count)) }
                    }
                    start = end
                }
            }
            collect(&occurrences)
            if !wide.isEmpty {
                collect(&wide)
                // A tender's pairs in (a, b, ratio) order, as one sorted list would give them.
                for (t, pairs) in hits where pairs.count > 1 { hits[t] = pairs.sorted { ($0.a, $0.b, $0.ratio) < ($1.a, $1.b, $1.ratio) } }
            }
            let format = "%.\(rule.decimals)f"
            for (index, t) in tenders.enumerated() where t.inScope {
                // Tenders before the window, or without two priced bidders, are not applicable.
                guard window.contains(t.fiscalYear), t.pairs else { continue }
                guard let pairs = hits[Int32(index)] else { result.notRaised += 1; continue }
                let named = pairs.map { (firms.name($0.a), firms.name($0.b), String(format: format, Double($0.ratio) / scale), $0.count) }
                result.add(.raised(FindingDraft(
                    summary: Message(en: "Recurring price ratio: " + named.map { "\($0.0) / \($0.1) = \($0.2) in \($0.3) tenders" }.joined(separator: "; "),
                                     th: "อัตราส่วนราคาของคู่เดิมซ้ำหลายโครงการ: " + named.map { "\($0.0) / \($0.1) = \($0.2) ใน \($0.3) โครงการ" }.joined(separator: "; ")),
                    evidence: named.map { a, b, ratio, count in
                        Evidence(field: "price_ratio", observed: ratio, threshold: "same ratio in ≥ \(rule.minTenders) tenders",
                                 note: "\(a) / \(b): \(count) tenders, \(window.description)")
                    },
                    subjectType: .pair, subjectID: "\(named[0].0)|\(named[0].1)",
                    involvedFirms: Array(Set(named.flatMap { [$0.0, $0.1] })).sorted())),
                    projectID: t.projectID, agencyID: t.agencyID, ministry: t.ministry)
            }
            return result
        }
    }
}
