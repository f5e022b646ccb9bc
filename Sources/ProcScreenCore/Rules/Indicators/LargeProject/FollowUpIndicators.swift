import Foundation

/// Flags an assessed tier-1 project not reported in eMENSCR once its fiscal year has ended plus
/// `grace_days`; before that date the outcome is pending (not computable).
///
/// Exclusions: not tier 1; not assessed (LP-02's case). Source: seed L1411, L1414 (obligation 3),
/// L1341. Rule file: `Rules/large_project/LP-05-not-reported-emenscr.yaml`.
struct NotReportedInEMENSCRIndicator: RecordIndicator {
    static let readsRunDate = true
    static let id = "LP-05"
    static let fields: Set<String> = ["projects.budget_type", "risk_assessments.fiscal_year", "risk_assessments.assessment_date",
                                      "risk_assessments.emenscr_reported"]

    let tier: LargeProjectTier
    let graceDays: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        graceDays = Int(try rule.int("grace_days"))
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = tier.tier1Gate(record) { return stop }
        guard let row = LargeProjectTier.assessment(of: record) else { return .notApplicable }
        guard let fy = record.fiscalYear ?? row.fiscalYear else { return .notComputable(.missingColumn, detail: "fiscal_year is empty") }
        if row.emenscrReported == true { return .computedNotRaised }
        let due = DateMath.fiscalYearEnd(fy) + graceDays
        guard let today = DateMath.days(fromISO: context.runDate), today > due else {
            return .notComputable(.pending, detail: "reporting is due after \(DateMath.iso(fromDays: due))")
        }
        return .raised(FindingDraft(
            summary: Message(en: "Not reported in eMENSCR (due \(DateMath.iso(fromDays: due)))",
                             th: "ไม่รายงานผลในระบบ eMENSCR (ครบกำหนด \(DateMath.iso(fromDays: due)))"),
            evidence: [
                Evidence(field: "risk_assessments.emenscr_reported", observed: row.emenscrReported == false ? "no" : "empty", threshold: "yes"),
                Evidence(field: "due_date", observed: DateMath.iso(fromDays: due), note: "end of FY\(fy) + \(graceDays) days"),
            ]))
    }
}

/// Flags an assessed tier-1 project without follow-up: no inspection once its fiscal year has
/// ended plus `grace_days`, or still at the pre-contract phase `phase_grace_days` after a
/// contract was signed.
///
/// Exclusions: not tier 1; not assessed. Source: seed L1411 (obligation 2), L972, L102, L1167.
/// Rule file: `Rules/large_project/LP-06-not-followed-up.yaml`.
struct NotFollowedUpIndicator: RecordIndicator {
    static let readsRunDate = true
    static let id = "LP-06"
    static let fields: Set<String> = ["projects.budget_type", "risk_assessments.fiscal_year", "risk_assessments.assessment_date",
                                      "risk_assessments.inspected_date", "risk_assessments.inspection_phase",
                                      "contracts.contract_date"]

    let tier: LargeProjectTier
    let graceDays: Int
    let phaseGraceDays: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        graceDays = Int(try rule.int("grace_days"))
        phaseGraceDays = Int(try rule.int("phase_grace_days"))
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = tier.tier1Gate(record) { return stop }
        guard let row = LargeProjectTier.assessment(of: record) else { return .notApplicable }
        guard let today = DateMath.days(fromISO: context.runDate) else {
            return .notComputable(.unparseableValue, detail: "run date \(context.runDate)")
        }
        if row.inspectedDate == nil {
            guard let fy = record.fiscalYear ?? row.fiscalYear else { return .notComputable(.missingColumn, detail: "fiscal_year is empty") }
            let due = DateMath.fiscalYearEnd(fy) + graceDays
            guard today > due else { return .notComputable(.pending, detail: "follow-up is due after \(DateMath.iso(fromDays: due))") }
            return .raised(FindingDraft(
                summary: Message(en: "Assessed large project not inspected (due \(DateMath.iso(fromDays: due)))",
                                 th: "โครงการขนาดใหญ่ที่ประเมินแล้วยังไม่มีการตรวจติดตาม (ครบกำหนด \(DateMath.iso(fromDays: due)))"),
                evidence: [Evidence(field: "risk_assessments.inspected_date", observed: "empty", threshold: "by \(DateMath.iso(fromDays: due))")]))
        }
        if row.inspectionPhase == "pre_contract",
           let signed = record.contracts.compactMap({ $0.contractDate.flatMap(DateMath.days(fromISO:)) }).min(),
           signed <= today - phaseGraceDays {
            return .raised(FindingDraft(
                summary: Message(en: "Follow-up still at the pre-contract phase \(today - signed) days after the contract",
                                 th: "การตรวจติดตามยังอยู่ในขั้นก่อนลงนามสัญญา ทั้งที่ลงนามสัญญาแล้ว \(today - signed) วัน"),
                evidence: [
                    Evidence(field: "risk_assessments.inspection_phase", observed: "pre_contract", threshold: "contract_management"),
                    Evidence(field: "contracts.contract_date", observed: DateMath.iso(fromDays: signed), threshold: "+ \(phaseGraceDays) days"),
                ]))
        }
        return .computedNotRaised
    }
}
