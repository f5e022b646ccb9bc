import Foundation

/// Flags a bidder or winner without the written anti-corruption policy s.19 requires on
/// procurements of `s19_threshold` or more (inclusive in every fiscal year).
///
/// A firm whose policy is unknown (null) is listed, not raised. Exclusions: budgets below the
/// threshold; projects without bidders or winners. Source: seed L906, L1290, L954, L1292. Rule
/// file: `Rules/large_project/LP-07-bidder-without-s19-policy.yaml`.
struct BidderWithoutPolicyIndicator: RecordIndicator {
    static let id = "LP-07"
    static let fields: Set<String> = ["bids.bidder_id", "bids.status", "bids.is_winner", "bids.anti_corruption_policy",
                                      "contracts.winner_id", "contracts.winner_anti_corruption_policy"]

    let threshold: Int64

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        threshold = Int64((try rule.double("s19_threshold") * 100).rounded())
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard record.currency == "THB" else { return .notComputable(.missingColumn, detail: "budget is in \(record.currency)") }
        guard let budget = record.budget else { return .notComputable(.missingColumn, detail: "budget is empty") }
        guard budget >= threshold else { return .notApplicable }
        // (firm, role, policy) for submitted bidders and contract winners.
        var firms: [(String, String, Bool?)] = []
        for bid in record.bids where bid.status != .withdrawn {
            guard let id = bid.bidderID, !firms.contains(where: { $0.0 == id }) else { continue }
            firms.append((id, bid.isWinner == true ? "winner" : "bidder", bid.antiCorruptionPolicy))
        }
        for c in record.contracts {
            guard let id = c.winnerID else { continue }
            if let i = firms.firstIndex(where: { $0.0 == id }) { firms[i].1 = "winner" } else {
                firms.append((id, "winner", c.winnerAntiCorruptionPolicy))
            }
        }
        guard !firms.isEmpty else { return .notApplicable }
        let without = firms.filter { $0.2 == false }
        let unknown = firms.filter { $0.2 == nil }
        guard !without.isEmpty else {
            return unknown.isEmpty ? .computedNotRaised
                : .notComputable(.missingColumn, detail: "s.19 policy unknown for \(unknown.map(\.0).joined(separator: ", "))")
        }
        return .raised(FindingDraft(
            summary: Message(en: "\(without.count) firm(s) without the s.19 anti-corruption policy on a \(formatBaht(budget)) baht procurement",
                             th: "ผู้เสนอราคา \(without.count) รายไม่มีนโยบายป้องกันการทุจริตตามมาตรา ๑๙ ในโครงการวงเงิน \(formatBaht(budget)) บาท"),
            evidence: without.map { Evidence(field: "firms.anti_corruption_policy", observed: "no", threshold: "yes", note: "\($0.0) (\($0.1))") }
                + unknown.map { Evidence(field: "firms.anti_corruption_policy", observed: "unknown", note: "\($0.0) (\($0.1))") }))
    }
}

/// Flags a tier-1 project bought with limited competition: a method outside OPEN, a single
/// bidder, or fewer valid bids than `min_bids`.
///
/// Exclusions: not tier 1; an unknown method or bid count is not computable. Source: Fazekas &
/// Kocsis 2020; Cardinal R018; ACT Ai. Rule file: `Rules/large_project/LP-08-limited-competition.yaml`.
struct LargeProjectLimitedCompetitionIndicator: RecordIndicator {
    static let id = "LP-08"
    static let fields: Set<String> = ["projects.budget_type", "projects.method_raw", "projects.num_bids", "bids.bidder_id",
                                      "bids.price", "bids.status", "risk_assessments.fiscal_year"]

    let tier: LargeProjectTier
    let minBids: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        minBids = Int(try rule.int("min_bids"))
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = tier.tier1Gate(record) { return stop }
        guard let method = record.method else { return .notComputable(.missingColumn, detail: "method is empty") }
        var reasons: [Evidence] = []
        if !method.isOpen {
            reasons.append(Evidence(field: "method", observed: method.rawValue, threshold: "an open method", note: record.methodRaw))
        }
        let received = record.receivedBidderCount()
        let valid = record.bids.isEmpty ? record.numBids : Set(record.validBids().compactMap(\.bidderKey)).count
        if reasons.isEmpty {
            guard let received, let valid else {
                return .notComputable(.missingColumn, detail: "no bid rows and num_bids is empty")
            }
            if received == 1 {
                reasons.append(Evidence(field: "bidder_count", observed: "1", threshold: "> 1"))
            } else if valid < minBids {
                reasons.append(Evidence(field: "valid_bidders", observed: String(valid), threshold: "≥ \(minBids)"))
            }
        }
        guard !reasons.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Large project with limited competition (\(reasons.map { "\($0.field) \($0.observed)" }.joined(separator: ", ")))",
                             th: "โครงการขนาดใหญ่มีการแข่งขันจำกัด"),
            evidence: [tier.budgetEvidence(record)] + reasons))
    }
}

/// Flags a tier-1 competitive project won at, or within `delta` of, the reference price
/// (a price above the reference is included).
///
/// Exclusions: not tier 1; non-competitive methods. Source: ACT Ai; IACRC; OCP R031; seed L1349.
/// Rule file: `Rules/large_project/LP-09-priced-at-reference.yaml`.
struct LargeProjectAtReferencePriceIndicator: RecordIndicator {
    static let id = "LP-09"
    static let fields: Set<String> = ["projects.budget_type", "projects.reference_price", "projects.agreed_price", "bids.bidder_id",
                                      "bids.price", "bids.status", "bids.is_winner", "contracts.winner_id", "risk_assessments.fiscal_year"]

    let tier: LargeProjectTier
    let delta: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        delta = try rule.double("delta")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = tier.tier1Gate(record) { return stop }
        let discount: ReferenceDiscount
        switch ReferenceDiscount.of(record) {
        case .failure(let stop): return stop.outcome
        case .success(let value): discount = value
        }
        let (d, winning, reference) = (discount.d, discount.winning, discount.reference)
        guard d <= delta else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Large project won \(String(format: "%.2f", d * 100))% below the reference price",
                             th: "โครงการขนาดใหญ่ได้ราคาต่ำกว่าราคากลางเพียง \(String(format: "%.2f", d * 100))%"),
            evidence: [
                Evidence(field: "discount_to_reference", observed: String(format: "%.4f", d), threshold: "≤ \(delta)"),
                Evidence(field: "winning_price", observed: formatBaht(winning) + " baht"),
                Evidence(field: "reference_price", observed: formatBaht(reference) + " baht"),
            ]))
    }
}

/// Flags a tier-1 project whose contracts were amended `max_amendments` times or more, or grew
/// by `max_growth` or more: g = (Σ amended_amount − Σ amount) / Σ amount.
///
/// Exclusions: not tier 1. Contracts without amended_amount give no growth evidence; when none
/// has it and no amendment count is known, the rule is not computable. Source: Prozorro ari-1-1,
/// RISK2-10…12; World Bank INT; seed L1167. Rule file: `Rules/large_project/LP-12-contract-growth.yaml`.
struct ContractGrowthIndicator: RecordIndicator {
    static let id = "LP-12"
    static let fields: Set<String> = ["projects.budget_type", "contracts.amount", "contracts.n_amendments", "contracts.amended_amount",
                                      "contracts.status", "risk_assessments.fiscal_year"]

    let tier: LargeProjectTier
    let maxAmendments: Int
    let maxGrowth: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        maxAmendments = Int(try rule.int("max_amendments"))
        maxGrowth = try rule.double("max_growth")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = tier.tier1Gate(record) { return stop }
        guard !record.contracts.isEmpty else { return .notComputable(.missingTable, detail: "no contracts for the project") }
        let amendmentCounts = record.contracts.compactMap(\.amendments)
        let withGrowth = record.contracts.filter { $0.amendedAmount != nil && ($0.amount ?? 0) > 0 }
        guard !amendmentCounts.isEmpty || !withGrowth.isEmpty else {
            return .notComputable(.missingColumn, detail: "no amendment count and no amended amount")
        }
        var evidence: [Evidence] = []
        let amendments = amendmentCounts.reduce(0, +)
        if !amendmentCounts.isEmpty && amendments >= maxAmendments {
            evidence.append(Evidence(field: "n_amendments", observed: String(amendments), threshold: "≥ \(maxAmendments)"))
        }
        if !withGrowth.isEmpty {
            let base = withGrowth.compactMap(\.amount).reduce(0, +)
            let amended = withGrowth.compactMap(\.amendedAmount).reduce(0, +)
            let growth = Double(amended - base) / Double(base)
            if growth >= maxGrowth {
                evidence.append(Evidence(field: "contract_growth", observed: String(format: "%.4f", growth), threshold: "≥ \(maxGrowth)",
                                         note: "\(formatBaht(base)) → \(formatBaht(amended)) baht"))
            }
        }
        guard !evidence.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Large project's contracts amended: \(evidence.map { "\($0.field) \($0.observed)" }.joined(separator: ", "))",
                             th: "สัญญาโครงการขนาดใหญ่มีการแก้ไขเพิ่มวงเงิน"),
            evidence: evidence))
    }
}

/// Flags a tier-2 project (≥ 1,000 MB) that is not on the integrity-pact list, or joined it after
/// the announcement. Not computable until the list has been loaded.
///
/// Exclusions: below tier 2. Source: Procurement Act 2560 ss.17-18 (CGD letter กค 0419.4/ว 443);
/// Bangkok Post, April 2025. Rule file: `Rules/large_project/LP-14-no-integrity-pact.yaml`.
struct MissingIntegrityPactIndicator: RecordIndicator {
    static let id = "LP-14"
    static let fields: Set<String> = ["projects.budget_type", "projects.announce_date", "projects.on_integrity_pact",
                                      "projects.integrity_pact_joined", "risk_assessments.fiscal_year"]

    let tier: LargeProjectTier

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        switch tier.classify(record) {
        case .outOfScope: return .notApplicable
        case .unknown(let reason, let detail): return .notComputable(reason, detail: detail)
        case .tiered(_, let tier2, _, _): guard tier2 else { return .notApplicable }
        }
        guard context.loadedRegisters.contains("lists:integrity_pact") else {
            return .notComputable(.registerNotLoaded, detail: "no lists/integrity_pact.csv has been ingested")
        }
        if record.onIntegrityPact == true {
            guard let joined = record.integrityPactJoined, let announced = record.announceDate,
                  let j = DateMath.days(fromISO: joined), let a = DateMath.days(fromISO: announced), j > a else {
                return .computedNotRaised
            }
            return .raised(FindingDraft(
                summary: Message(en: "Integrity pact joined \(joined), after the announcement \(announced)",
                                 th: "เข้าร่วมข้อตกลงคุณธรรมเมื่อ \(joined) หลังวันประกาศ \(announced)"),
                evidence: [Evidence(field: "lists.integrity_pact.joined_date", observed: joined, threshold: "≤ announce_date \(announced)")]))
        }
        return .raised(FindingDraft(
            summary: Message(en: "Project of \(record.budget.map(formatBaht) ?? "—") baht without an integrity pact",
                             th: "โครงการวงเงิน \(record.budget.map(formatBaht) ?? "—") บาท ไม่มีข้อตกลงคุณธรรม"),
            evidence: [tier.budgetEvidence(record), Evidence(field: "lists.integrity_pact", observed: "not on the list")]))
    }
}
