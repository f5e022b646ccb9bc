import Foundation

/// Flags a tier-1 project with no corruption-risk assessment on the register for its fiscal year.
///
/// Exclusions: projects below the tier-1 threshold; fiscal years before `from_fy`; operating
/// items under `investment_only`. Not computable when the register was never loaded.
/// Source: seed L1411 (obligation 1), L968, L970, L974. Rule file:
/// `Rules/large_project/LP-02-no-risk-assessment.yaml`.
struct MissingRiskAssessmentIndicator: RecordIndicator {
    static let id = "LP-02"
    static let fields: Set<String> = ["projects.budget_type", "risk_assessments.fiscal_year", "risk_assessments.assessment_date"]

    let tier: LargeProjectTier
    let fromFY: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        // The tier parameters are LP-01's, so an override there moves every LP rule.
        tier = try LargeProjectTier(from: rules, for: rule)
        fromFY = Int(try rule.int("from_fy"))
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        switch tier.classify(record) {
        case .outOfScope: return .notApplicable
        case .unknown(let reason, let detail): return .notComputable(reason, detail: detail)
        case .tiered(let tier1, _, _, _):
            guard tier1 else { return .notApplicable }
        }
        guard let fy = record.fiscalYear else { return .notComputable(.missingColumn, detail: "fiscal_year is empty") }
        guard fy >= fromFY else { return .notApplicable }
        guard context.loadedRegisters.contains("risk_assessments") else {
            return .notComputable(.registerNotLoaded, detail: "no risk_assessments file has been ingested")
        }
        let assessed = record.assessments.contains { ($0.fiscalYear == nil || $0.fiscalYear == fy) && $0.assessmentDate != nil }
        guard !assessed else { return .computedNotRaised }
        let onRegisterUndated = record.assessments.contains { $0.fiscalYear == nil || $0.fiscalYear == fy }
        return .raised(FindingDraft(
            summary: Self.message(record),
            evidence: [
                Evidence(field: "budget", observed: record.budget.map { formatBaht($0) + " baht" } ?? "—",
                         threshold: tier.thresholdText(fiscalYear: fy), note: "FY\(fy)"),
                Evidence(field: "risk_assessments.assessment_date",
                         observed: onRegisterUndated ? "on the register without an assessment date" : "no register row for FY\(fy)"),
            ]))
    }

    static func message(_ r: ProcurementRecord) -> Message {
        let amount = r.budget.map(formatBaht) ?? "—"
        let fy = r.fiscalYear.map(String.init) ?? "?"
        return Message(
            en: "Large project (\(amount) baht, FY\(fy)) has no corruption-risk assessment on record",
            th: "โครงการวงเงิน \(amount) บาท (ปีงบประมาณ \(fy)) ไม่มีผลการประเมินความเสี่ยงการทุจริต")
    }
}
