import Foundation

/// Marks every tier-1 project (budget ≥ 500 MB, or > 500 MB up to FY2565) as in scope of the
/// PACC large-project measure; notes tier 2 (≥ 1,000 MB) and "tier 1 by register".
///
/// Exclusions: below the threshold; operating-budget items when `investment_only` is set.
/// Source: seed L970 (FY2565 "เกินกว่า"), L974 and L102 (FY2566 "ตั้งแต่"), L1164. Rule file:
/// `Rules/large_project/LP-01-large-project-tier.yaml`.
struct LargeProjectTierIndicator: RecordIndicator {
    static let id = "LP-01"
    static let fields: Set<String> = ["projects.budget_type", "risk_assessments.fiscal_year", "risk_assessments.assessment_date"]

    let tier: LargeProjectTier

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(lp01: rule)
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        switch tier.classify(record) {
        case .outOfScope: return .notApplicable
        case .unknown(let reason, let detail): return .notComputable(reason, detail: detail)
        case .tiered(let tier1, let tier2, let byRegister, _):
            guard tier1 else { return .computedNotRaised }
            var evidence = [Evidence(
                field: "budget", observed: record.budget.map { formatBaht($0) + " baht" } ?? "—",
                threshold: tier.thresholdText(fiscalYear: record.fiscalYear),
                note: record.fiscalYear.map { "FY\($0)" })]
            if tier2 { evidence.append(Evidence(field: "tier", observed: "2", threshold: "≥ \(formatBaht(tier.t2)) baht")) }
            if byRegister { evidence.append(Evidence(field: "risk_assessments", observed: "on the register")) }
            if let t = record.budgetType { evidence.append(Evidence(field: "budget_type", observed: t)) }
            return .raised(FindingDraft(summary: Self.message(tier2: tier2, record: record), evidence: evidence))
        }
    }

    static func message(tier2: Bool, record: ProcurementRecord) -> Message {
        let amount = record.budget.map(formatBaht) ?? "—"
        return tier2
            ? Message(en: "Large project, tier 2: budget \(amount) baht (≥ 1,000 MB)",
                      th: "โครงการขนาดใหญ่ ระดับ ๒: วงเงิน \(amount) บาท (ตั้งแต่ ๑,๐๐๐ ล้านบาท)")
            : Message(en: "Large project, tier 1: budget \(amount) baht",
                      th: "โครงการขนาดใหญ่ ระดับ ๑: วงเงิน \(amount) บาท")
    }
}
