import Foundation

/// Flags a tier-1 project whose risk assessment is dated after a milestone it should precede:
/// the budget-request deadline of its fiscal year (when configured), the announcement, or the
/// bid deadline.
///
/// Exclusions: not tier 1; fiscal years before `from_fy`; no dated assessment (LP-02's case).
/// Source: seed L974 (assess before the detailed budget request), L968. Rule file:
/// `Rules/large_project/LP-03-late-assessment.yaml`.
struct LateAssessmentIndicator: RecordIndicator {
    static let id = "LP-03"
    static let fields: Set<String> = [
        "projects.budget_type", "projects.announce_date", "projects.bid_deadline",
        "risk_assessments.fiscal_year", "risk_assessments.assessment_date",
    ]

    let tier: LargeProjectTier
    let fromFY: Int
    let budgetRequestDeadline: [Int: String]

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        fromFY = Int(try rule.int("from_fy"))
        var deadlines: [Int: String] = [:]
        if case .map(let map) = try rule.parameterValue("budget_request_deadline") {
            for (fy, date) in map {
                guard let year = Int(fy), case .string(let iso) = date, DateMath.days(fromISO: iso) != nil else {
                    throw RuleFileError(path: rule.path, keyPath: "parameters.budget_request_deadline.value",
                                        reason: "expected fiscal year → ISO date, e.g. {2567: \"2023-12-15\"}")
                }
                deadlines[year] = iso
            }
        }
        budgetRequestDeadline = deadlines
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = tier.tier1Gate(record) { return stop }
        guard let fy = record.fiscalYear else { return .notComputable(.missingColumn, detail: "fiscal_year is empty") }
        guard fy >= fromFY else { return .notApplicable }
        guard let assessed = LargeProjectTier.assessment(of: record)?.assessmentDate,
              let assessedDay = DateMath.days(fromISO: assessed) else { return .notApplicable }
        let milestones = [("budget_request_deadline", budgetRequestDeadline[fy]), ("announce_date", record.announceDate),
                          ("bid_deadline", record.bidDeadline)]
            .compactMap { name, date in date.flatMap(DateMath.days(fromISO:)).map { (name, date!, $0) } }
        guard !milestones.isEmpty else {
            return .notComputable(.missingColumn, detail: "no milestone date (announce_date, bid_deadline, budget_request_deadline)")
        }
        let passed = milestones.filter { assessedDay > $0.2 }
        guard !passed.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Risk assessment dated \(assessed), after \(passed.map(\.0).joined(separator: ", "))",
                             th: "ประเมินความเสี่ยงเมื่อ \(assessed) ช้ากว่ากำหนด (\(passed.map(\.0).joined(separator: ", ")))"),
            evidence: [Evidence(field: "risk_assessments.assessment_date", observed: assessed)]
                + passed.map { Evidence(field: $0.0, observed: $0.1, threshold: "assessment on or before this date") }))
    }
}
