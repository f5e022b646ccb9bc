import Foundation

/// Flags a price above the reference price (ราคากลาง): the agreed price, or any valid bid
/// (strict: equality is TH-06's case). All methods. The evidence gives the highest ratio.
///
/// Exclusions: no reference price (not computable). Source: ACT Ai "เสนอราคาสูงกว่าราคากลาง"; OCP
/// R031. Rule file: `Rules/price/BR-16-above-reference-price.yaml`.
struct AboveReferencePriceIndicator: RecordIndicator {
    static let id = "BR-16"
    static let fields: Set<String> = ["projects.reference_price", "projects.agreed_price", "bids.bidder_id", "bids.price", "bids.status"]

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {}

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard let reference = record.referencePrice, reference > 0 else {
            return .notComputable(.missingColumn, detail: "reference_price is empty")
        }
        // The highest price first; its label only when raised (a string per bid cost more than the rule).
        var highestBid: ProcurementRecord.Bid?
        for b in record.validBids() where (b.price ?? .min) > (highestBid?.price ?? .min) { highestBid = b }
        let agreed = record.agreedPrice
        guard agreed != nil || highestBid != nil else { return .notComputable(.missingColumn, detail: "no agreed price and no valid bid") }
        let bidWins = (highestBid?.price ?? .min) > (agreed ?? .min)
        let top = bidWins ? highestBid!.price! : agreed!
        guard top > reference else { return .computedNotRaised }
        let highest = (bidWins ? "bid of \(highestBid!.bidderKey ?? "?")" : "agreed price", top)
        let ratio = Double(highest.1) / Double(reference)
        return .raised(FindingDraft(
            summary: Message(en: "Price \(String(format: "%.1f", (ratio - 1) * 100))% above the reference price (\(highest.0))",
                             th: "เสนอราคาสูงกว่าราคากลาง \(String(format: "%.1f", (ratio - 1) * 100))%"),
            evidence: [Evidence(field: "price_to_reference", observed: String(format: "%.4f", ratio), threshold: "> 1", note: highest.0),
                       Evidence(field: "reference_price", observed: formatBaht(reference) + " baht")]))
    }
}

/// Flags a winning price abnormally far below the reference price on a competitive method:
/// (reference − P_win) / reference ≥ tau.
///
/// Exclusions: non-competitive methods. Source: ACT Ai "เสนอราคาต่ำกว่าราคากลางผิดปกติ"; Prozorro sas-3-6.
/// Rule file: `Rules/price/BR-17-abnormally-low-against-reference.yaml`.
struct AbnormallyLowAgainstReferenceIndicator: RecordIndicator {
    static let id = "BR-17"
    static let fields: Set<String> = ["projects.reference_price", "projects.agreed_price", "bids.bidder_id", "bids.price", "bids.status",
                                      "bids.is_winner", "contracts.winner_id"]

    let tau: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) { tau = try rule.double("tau") }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        let discount: ReferenceDiscount
        switch ReferenceDiscount.of(record) {
        case .failure(let stop): return stop.outcome
        case .success(let value): discount = value
        }
        let (d, winning, reference) = (discount.d, discount.winning, discount.reference)
        guard d >= tau else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Won \(String(format: "%.1f", d * 100))% below the reference price",
                             th: "ราคาต่ำกว่าราคากลาง \(String(format: "%.1f", d * 100))% ผิดปกติ"),
            evidence: [Evidence(field: "discount_to_reference", observed: String(format: "%.4f", d), threshold: "≥ \(tau)"),
                       Evidence(field: "winning_price", observed: formatBaht(winning) + " baht"),
                       Evidence(field: "reference_price", observed: formatBaht(reference) + " baht")]))
    }
}

/// d = (reference_price − P_win) / reference_price on a competitive method, read by BR-17 and
/// LP-09; or the outcome that stops the rule (not competitive, a price missing).
struct ReferenceDiscount {
    struct Stop: Error { var outcome: Outcome }
    var d: Double
    var winning: Int64
    var reference: Int64

    static func of(_ record: ProcurementRecord) -> Result<ReferenceDiscount, Stop> {
        guard let method = record.method else { return .failure(Stop(outcome: .notComputable(.missingColumn, detail: "method is empty"))) }
        guard method.isCompetitive else { return .failure(Stop(outcome: .notApplicable)) }
        guard let reference = record.referencePrice, reference > 0 else {
            return .failure(Stop(outcome: .notComputable(.missingColumn, detail: "reference_price is empty")))
        }
        guard let (winning, _) = record.winningPrice() else {
            return .failure(Stop(outcome: .notComputable(.missingColumn, detail: "no winning bid and agreed_price is empty")))
        }
        return .success(ReferenceDiscount(d: Double(reference - winning) / Double(reference), winning: winning, reference: reference))
    }
}

/// Flags a winning bid far below the other bidders: with M the median of the losing valid bids,
/// (M − W) / M ≥ tau. Needs three valid bids.
///
/// Exclusions: no single winner; fewer than three valid bids (not computable). Source: ACT Ai
/// "เสนอราคาต่ำกว่าผู้เสนอรายอื่นผิดปกติ"; Cardinal R058. Rule file: `Rules/price/BR-18-abnormally-low-against-bidders.yaml`.
struct AbnormallyLowAgainstBiddersIndicator: RecordIndicator {
    static let id = "BR-18"
    static let fields: Set<String> = ["bids.bidder_id", "bids.price", "bids.status", "bids.is_winner", "contracts.winner_id"]

    let tau: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) { tau = try rule.double("tau") }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard record.method?.isCompetitive ?? true else { return .notApplicable }
        guard let winner = record.winnerID else { return .notApplicable }
        var lowest: [String: Int64] = [:]
        for b in record.validBids() { if let k = b.bidderKey, let p = b.price { lowest[k] = min(lowest[k] ?? .max, p) } }
        guard lowest.count >= 3 else { return .notComputable(.tooFewBids, detail: "\(lowest.count) valid bidders (3 needed)") }
        guard let w = lowest[winner] else { return .notApplicable }
        let losers = lowest.filter { $0.key != winner }.map(\.value).sorted()
        let m = losers.count % 2 == 1 ? Double(losers[losers.count / 2]) : Double(losers[losers.count / 2 - 1] + losers[losers.count / 2]) / 2
        let gap = (m - Double(w)) / m
        guard gap >= tau else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Winning bid \(String(format: "%.1f", gap * 100))% below the other bidders' median",
                             th: "ราคาผู้ชนะต่ำกว่ามัธยฐานของผู้เสนอรายอื่น \(String(format: "%.1f", gap * 100))%"),
            evidence: [Evidence(field: "gap_to_loser_median", observed: String(format: "%.4f", gap), threshold: "≥ \(tau)"),
                       Evidence(field: "winning_bid", observed: formatBaht(w) + " baht", note: winner),
                       Evidence(field: "losers_median", observed: formatBaht(Int64(m.rounded())) + " baht")],
            involvedFirms: [winner]))
    }
}

/// Flags contracts worth more than the winning price: C = Σ amount of the contracts not
/// cancelled; raised if C > W·(1 + tol), or, without bids and with `use_agreed_price`,
/// C > agreed_price·(1 + tol).
///
/// Exclusions: no contracts; no winning bid or agreed price. Source: ACT Ai "มูลค่าสัญญาสูงกว่าราคาประมูลชนะ";
/// OCP R059. Rule file: `Rules/price/BR-19-contract-above-winning-price.yaml`.
struct ContractAboveWinningPriceIndicator: RecordIndicator {
    static let id = "BR-19"
    static let fields: Set<String> = ["projects.agreed_price", "bids.bidder_id", "bids.price", "bids.status", "bids.is_winner",
                                      "contracts.winner_id", "contracts.amount", "contracts.status"]

    let tol: Double
    let useAgreedPrice: Bool
    let cancelled = ContractStatus()

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tol = try rule.double("tol")
        useAgreedPrice = try rule.bool("use_agreed_price")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        let active = record.contracts.filter { !cancelled.isCancelled($0.status) }
        let amounts = active.compactMap(\.amount)
        guard !amounts.isEmpty else { return .notApplicable }
        let total = amounts.reduce(0, +)
        let base: Int64
        let source: String
        if let w = record.winningBid() {
            (base, source) = (w, "winning bid")
        } else if record.bids.isEmpty, useAgreedPrice, let agreed = record.agreedPrice {
            (base, source) = (agreed, "agreed price")
        } else {
            return .notComputable(.missingColumn, detail: "no winning bid\(useAgreedPrice ? " and no agreed price" : "")")
        }
        guard Double(total) > Double(base) * (1 + tol) else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Contracts total \(formatBaht(total)) baht, above the \(source) \(formatBaht(base)) baht",
                             th: "มูลค่าสัญญา \(formatBaht(total)) บาท สูงกว่าราคาที่ชนะ \(formatBaht(base)) บาท"),
            evidence: [Evidence(field: "contracts_total", observed: formatBaht(total) + " baht", threshold: "≤ \(source) × (1 + \(tol))"),
                       Evidence(field: source == "winning bid" ? "winning_bid" : "agreed_price", observed: formatBaht(base) + " baht")]))
    }
}

/// Flags a reference price out of line with the budget: above it, or at most `r_low` of it.
///
/// Exclusions: budgets below `min_budget`; missing values (not computable). Source: ACT Ai
/// "ราคากลางสูง/ต่ำกว่างบประมาณ". Rule file: `Rules/price/TH-05-reference-vs-budget.yaml`.
struct ReferenceVersusBudgetIndicator: RecordIndicator {
    static let id = "TH-05"
    static let fields: Set<String> = ["projects.reference_price"]

    let minBudget: Int64
    let rLow: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minBudget = Int64((try rule.double("min_budget") * 100).rounded())
        rLow = try rule.double("r_low")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = record.bahtThresholdsUnknown { return stop }
        guard let budget = record.budget else { return .notComputable(.missingColumn, detail: "budget is empty") }
        guard budget >= minBudget else { return .notApplicable }
        guard let reference = record.referencePrice else { return .notComputable(.missingColumn, detail: "reference_price is empty") }
        let ratio = Double(reference) / Double(budget)
        let finding: String
        if reference > budget { finding = "above" } else if ratio <= rLow { finding = "far below" } else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Reference price \(finding) the budget (\(String(format: "%.2f", ratio)) × budget)",
                             th: finding == "above" ? "ราคากลางสูงกว่างบประมาณ" : "ราคากลางต่ำกว่างบประมาณผิดปกติ"),
            evidence: [Evidence(field: "reference_to_budget", observed: String(format: "%.4f", ratio),
                                threshold: finding == "above" ? "≤ 1" : "> \(rLow)", note: finding)]))
    }
}

/// Flags a competitive purchase agreed at exactly the reference price (zero discount).
///
/// Exclusions: non-competitive methods; reference below `min_ref`. Source: ACT Ai; IACRC.
/// Rule file: `Rules/price/TH-06-zero-discount.yaml`.
struct ZeroDiscountIndicator: RecordIndicator {
    static let id = "TH-06"
    static let fields: Set<String> = ["projects.reference_price", "projects.agreed_price"]

    let minReference: Int64

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minReference = Int64((try rule.double("min_ref") * 100).rounded())
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = record.bahtThresholdsUnknown { return stop }
        guard let method = record.method else { return .notComputable(.missingColumn, detail: "method is empty") }
        guard method.isCompetitive else { return .notApplicable }
        guard let reference = record.referencePrice, let agreed = record.agreedPrice else {
            return .notComputable(.missingColumn, detail: "reference_price or agreed_price is empty")
        }
        guard reference >= minReference else { return .notApplicable }
        guard agreed == reference else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Agreed at exactly the reference price \(formatBaht(reference)) baht on a competitive method",
                             th: "ราคาตกลงเท่าราคากลาง \(formatBaht(reference)) บาท ในวิธีที่มีการแข่งขัน"),
            evidence: [Evidence(field: "agreed_price", observed: formatBaht(agreed) + " baht", threshold: "≠ reference_price")]))
    }
}

/// Flags a competitive agreed price with only two significant digits (1,200,000 but not
/// 1,234,000) that differs from the reference price.
///
/// Exclusions: non-competitive methods; amounts below `min_amount`; agreed = reference (TH-06).
/// Source: World Bank INT (round numbers); OECD. Rule file: `Rules/price/TH-08-round-agreed-price.yaml`.
struct RoundAgreedPriceIndicator: RecordIndicator {
    static let id = "TH-08"
    static let fields: Set<String> = ["projects.reference_price", "projects.agreed_price"]

    let minAmount: Int64

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minAmount = Int64((try rule.double("min_amount") * 100).rounded())
    }

    /// `is_round(x, k)` of INDICATORS.md §1.2 on satang: whole baht and divisible by 10^max(k, d − 2).
    static func isRound(satang: Int64, kMin: Int) -> Bool {
        guard satang % 100 == 0 else { return false }
        let baht = satang / 100
        let digits = String(baht).count
        var step: Int64 = 1
        for _ in 0..<max(kMin, digits - 2) { step *= 10 }
        return baht % step == 0
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = record.bahtThresholdsUnknown { return stop }
        guard let method = record.method else { return .notComputable(.missingColumn, detail: "method is empty") }
        guard method.isCompetitive else { return .notApplicable }
        guard let agreed = record.agreedPrice else { return .notComputable(.missingColumn, detail: "agreed_price is empty") }
        guard agreed >= minAmount, agreed != record.referencePrice else { return .notApplicable }
        guard Self.isRound(satang: agreed, kMin: 0) else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Round agreed price \(formatBaht(agreed)) baht", th: "ราคาตกลงเป็นตัวเลขกลม \(formatBaht(agreed)) บาท"),
            evidence: [Evidence(field: "agreed_price", observed: formatBaht(agreed) + " baht", threshold: "more than two significant digits")]))
    }
}

/// P_CANCELLED (INDICATORS.md §1.2): a contract or project status saying it was cancelled.
/// One compiled pattern per holder (a PCRE2 handle is not shared across threads).
final class ContractStatus: @unchecked Sendable {
    private let cancelled = RepeatedValueMatcher(try! PCRERegex("ยกเลิก|cancel", caseless: true))

    func isCancelled(_ status: String?) -> Bool { cancelled.matches(status) }
}

/// A PCRE2 pattern over a column whose values repeat (statuses: a handful of values over millions
/// of rows): each distinct value is matched once. Used by one thread at a time, like the rule
/// evaluation it serves.
final class RepeatedValueMatcher: @unchecked Sendable {
    private let regex: PCRERegex
    private var known: [String: Bool] = [:]

    init(_ regex: PCRERegex) { self.regex = regex }

    func matches(_ value: String?) -> Bool {
        guard let value else { return false }
        if let hit = known[value] { return hit }
        let hit = (try? regex.matches(value)) ?? false
        if known.count < 10_000 { known[value] = hit }
        return hit
    }
}
