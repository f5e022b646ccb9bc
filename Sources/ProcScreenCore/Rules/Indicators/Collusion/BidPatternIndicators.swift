import Foundation

extension ProcurementRecord {
    /// The valid bids, one per bidder, sorted (memoised per project for the default status rule).
    func validPrices(nullStatusAsValid: Bool = true) -> ValidPrices {
        guard nullStatusAsValid, let memo else { return ValidPrices(self, nullStatusAsValid: nullStatusAsValid) }
        if let known = memo.validPrices { return known }
        let v = ValidPrices(self, nullStatusAsValid: true)
        memo.validPrices = v
        return v
    }
}

/// The valid bids of one tender as INDICATORS.md §1.1 reads them: one price per bidder (its
/// lowest), positive, sorted ascending.
public struct ValidPrices: Sendable {
    var prices: [Int64]
    var bidders: [String]

    init(_ r: ProcurementRecord, nullStatusAsValid: Bool = true) {
        var lowest: [String: Int64] = [:]
        for b in r.validBids(nullStatusAsValid: nullStatusAsValid) {
            guard let k = b.bidderKey, let p = b.price else { continue }
            lowest[k] = min(lowest[k] ?? .max, p)
        }
        let sorted = lowest.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
        prices = sorted.map(\.value)
        bidders = sorted.map(\.key)
    }

    var count: Int { prices.count }
    var mean: Double { Double(prices.reduce(0, +)) / Double(prices.count) }
    /// Sample standard deviation (divisor n − 1).
    var sd: Double {
        let m = mean
        return (prices.map { pow(Double($0) - m, 2) }.reduce(0, +) / Double(prices.count - 1)).squareRoot()
    }
    var cv: Double { sd / mean }
    var spread: Double { Double(prices.last! - prices.first!) / Double(prices.first!) }
}

/// Flags two different bidders in one tender with exactly the same price (valid or disqualified
/// bids, compared in satang). A bidder repeating its own price does not count.
///
/// Source: Cardinal R028; ACT Ai "เสนอราคาเท่ากัน"; OECD. Rule file: `Rules/collusion/BR-11-identical-bids.yaml`.
struct IdenticalBidsIndicator: RecordIndicator {
    static let id = "BR-11"
    static let fields: Set<String> = ["bids.bidder_id", "bids.price", "bids.status", "bids.status_raw", "bids.currency"]

    let semantics: Semantics

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) { semantics = try Semantics.read(rule) }

    /// Prices are compared with their currency: 1 USD is not 1 CAD.
    struct PriceKey: Hashable, Comparable {
        var price: Int64
        var currency: String
        static func < (a: Self, b: Self) -> Bool { (a.price, a.currency) < (b.price, b.currency) }
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        // A specific purchase's single offer is not a tender these screens read.
        guard record.method?.isCompetitive ?? true else { return .notApplicable }
        // Cardinal R028: any submitted status, an amount and a currency; bidders (consortia as
        // one sorted set of ids) must differ.
        let submitted = semantics == .cardinal
            ? record.bids.filter { ProcurementRecord.cardinalSubmitted($0) && $0.price != nil && $0.currency != nil }
            : record.bids.filter { ($0.status == .valid || $0.status == .disqualified || $0.status == nil) && ($0.price ?? 0) > 0 }
        guard Set(submitted.compactMap(\.bidderKey)).count >= 2 else { return .notApplicable }
        var byPrice: [PriceKey: Set<String>] = [:]
        for b in submitted {
            if let k = b.bidderKey { byPrice[PriceKey(price: b.price!, currency: b.currency ?? record.currency), default: []].insert(k) }
        }
        let clashes = byPrice.filter { $0.value.count >= 2 }.sorted { $0.key < $1.key }
        guard !clashes.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Different bidders offered identical prices", th: "ผู้เสนอราคาต่างรายเสนอราคาเท่ากัน"),
            evidence: clashes.map {
                Evidence(field: "identical_price", observed: formatBaht($0.key.price) + " " + ($0.key.currency == "THB" ? "baht" : $0.key.currency),
                         note: $0.value.sorted().joined(separator: " & "))
            },
            involvedFirms: Array(Set(clashes.flatMap(\.value))).sorted(), value: 1))
    }
}

/// Flags bids spaced by a fixed percentage: (a) `min_run` consecutive steps between sorted valid
/// bids of equal ratio (each ≥ `min_step`, differing by ≤ `tol`), or (b) with four or more valid
/// bids, every losing bid's mark-up over the lowest within `tol` of a whole percent.
///
/// Exclusions: fewer than three valid bids (not computable). Source: World Bank INT ("a systematic
/// percentage"); OECD. Rule file: `Rules/collusion/BR-12-fixed-increment-bids.yaml`.
struct FixedIncrementBidsIndicator: RecordIndicator {
    static let id = "BR-12"
    static let fields: Set<String> = ["bids.bidder_id", "bids.price", "bids.status"]

    let minRun: Int
    let minStep: Double
    let tol: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minRun = max(1, Int(try rule.int("min_run")))
        minStep = try rule.double("min_step")
        tol = try rule.double("tol")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        // A specific purchase's single offer is not a tender these screens read.
        guard record.method?.isCompetitive ?? true else { return .notApplicable }
        let v = record.validPrices()
        guard v.count >= 3 else { return .notComputable(.tooFewBids, detail: "\(v.count) valid bids (3 needed)") }
        let steps = zip(v.prices, v.prices.dropFirst()).map { Double($1) / Double($0) - 1 }
        var evidence: [Evidence] = []
        // (a) a run of min_run equal steps.
        var run = 1
        for i in 1..<steps.count {
            guard steps[i] >= minStep && steps[i - 1] >= minStep && abs(steps[i] - steps[i - 1]) <= tol else {
                run = 1
                continue
            }
            run += 1
            if run >= minRun {
                evidence.append(Evidence(field: "equal_steps", observed: steps[(i - run + 1)...i].map { String(format: "%.4f", $0) }.joined(separator: ", "),
                                         threshold: "\(minRun) steps within \(tol)"))
                break
            }
        }
        if minRun == 1, evidence.isEmpty, let s = steps.first(where: { $0 >= minStep }) {
            evidence.append(Evidence(field: "equal_steps", observed: String(format: "%.4f", s), threshold: "1 step"))
        }
        // (b) every losing mark-up a whole percent.
        if v.count >= 4 {
            let markups = v.prices.dropFirst().map { Double($0) / Double(v.prices[0]) - 1 }
            let whole = markups.allSatisfy { m in
                let k = (m / 0.01).rounded()
                return k != 0 && abs(m - k * 0.01) <= tol
            }
            if whole {
                evidence.append(Evidence(field: "markups", observed: markups.map { String(format: "%.4f", $0) }.joined(separator: ", "),
                                         threshold: "whole percents within \(tol)"))
            }
        }
        guard !evidence.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Bids spaced by a fixed percentage", th: "ราคาห่างกันเป็นอัตราคงที่"),
            evidence: evidence, involvedFirms: v.bidders))
    }
}

/// Flags tenders where every losing valid bid is a round number (is_round with `k_min`) and the
/// winning bid is not: cover bids written without pricing work.
///
/// Exclusions: fewer than three valid bids (not computable); no single winner. Source: World Bank
/// INT ("losing bid prices are round"); OECD. Rule file: `Rules/collusion/BR-13-round-losing-bids.yaml`.
struct RoundLosingBidsIndicator: RecordIndicator {
    static let id = "BR-13"
    static let fields: Set<String> = ["bids.bidder_id", "bids.price", "bids.status", "bids.is_winner", "contracts.winner_id"]

    let kMin: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) { kMin = Int(try rule.int("k_min")) }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        // A specific purchase's single offer is not a tender these screens read.
        guard record.method?.isCompetitive ?? true else { return .notApplicable }
        let v = record.validPrices()
        guard v.count >= 3 else { return .notComputable(.tooFewBids, detail: "\(v.count) valid bids (3 needed)") }
        guard let winner = record.winnerID, let wi = v.bidders.firstIndex(of: winner) else { return .notApplicable }
        let losers = v.prices.enumerated().filter { $0.offset != wi }.map(\.element)
        guard losers.allSatisfy({ RoundAgreedPriceIndicator.isRound(satang: $0, kMin: kMin) }),
              !RoundAgreedPriceIndicator.isRound(satang: v.prices[wi], kMin: kMin) else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Every losing bid is a round number, the winning bid is not", th: "ราคาผู้แพ้เป็นตัวเลขกลมทุกราย"),
            evidence: [Evidence(field: "losing_bids", observed: losers.map(formatBaht).joined(separator: ", "), threshold: "round (k_min \(kMin))"),
                       Evidence(field: "winning_bid", observed: formatBaht(v.prices[wi]), note: winner)],
            involvedFirms: v.bidders))
    }
}

/// Flags bids clustered tightly: with three or more valid bids, spread (b(n) − b(1))/b(1) ≤
/// `spd_max` or coefficient of variation ≤ `cv_max`.
///
/// Exclusions: fewer than three valid bids (not computable). Source: ACT Ai "เสนอราคาเกาะกลุ่ม";
/// kachmaroman/prozorro-anomaly-detection. Rule file: `Rules/collusion/BR-14-clustered-bids.yaml`.
struct ClusteredBidsIndicator: RecordIndicator {
    static let id = "BR-14"
    static let fields: Set<String> = ["bids.bidder_id", "bids.price", "bids.status"]

    let spdMax: Double
    let cvMax: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        spdMax = try rule.double("spd_max")
        cvMax = try rule.double("cv_max")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        // A specific purchase's single offer is not a tender these screens read.
        guard record.method?.isCompetitive ?? true else { return .notApplicable }
        let v = record.validPrices()
        guard v.count >= 3 else { return .notComputable(.tooFewBids, detail: "\(v.count) valid bids (3 needed)") }
        let spd = v.spread, cv = v.cv
        guard spd <= spdMax || cv <= cvMax else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Bids clustered within \(String(format: "%.2f", spd * 100))%", th: "เสนอราคาเกาะกลุ่ม"),
            evidence: [Evidence(field: "spread", observed: String(format: "%.4f", spd), threshold: "≤ \(spdMax)"),
                       Evidence(field: "cv", observed: String(format: "%.4f", cv), threshold: "≤ \(cvMax)")],
            involvedFirms: v.bidders))
    }
}
