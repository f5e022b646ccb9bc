import Foundation

/// Flags an assessed tier-1 project whose register row lacks a risk-management plan, or was not
/// submitted to the Budget Bureau (or another budget-screening body).
///
/// Exclusions: not tier 1; no register row (LP-02's case). With `register_authoritative`, an
/// empty risk_plan or submitted_to counts as missing. Source: seed L1411, L968, L974. Rule file:
/// `Rules/large_project/LP-04-incomplete-assessment.yaml`.
struct IncompleteAssessmentIndicator: RecordIndicator {
    static let id = "LP-04"
    static let fields: Set<String> = ["projects.budget_type", "risk_assessments.fiscal_year", "risk_assessments.risk_plan",
                                      "risk_assessments.submitted_to", "risk_assessments.assessment_date"]

    let tier: LargeProjectTier
    let budgetBureau: PCRERegex
    let otherBodies: [PCRERegex]
    let registerAuthoritative: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        func compile(_ pattern: String, _ keyPath: String) throws(RuleFileError) -> PCRERegex {
            do { return try PCRERegex(pattern, caseless: true) } catch {
                throw RuleFileError(path: rule.path, keyPath: keyPath, reason: "\(error)")
            }
        }
        budgetBureau = try compile(try rule.strings("budget_bureau_pattern").joined(separator: "|"), "parameters.budget_bureau_pattern.value")
        var others: [PCRERegex] = []
        for (i, pattern) in try rule.strings("other_bodies").enumerated() {
            others.append(try compile(pattern, "parameters.other_bodies.value[\(i)]"))
        }
        otherBodies = others
        registerAuthoritative = try rule.bool("register_authoritative")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = tier.tier1Gate(record) { return stop }
        guard let row = LargeProjectTier.assessment(of: record) else { return .notApplicable }
        var problems: [Evidence] = []
        switch row.riskPlan {
        case true?: break
        case false?: problems.append(Evidence(field: "risk_assessments.risk_plan", observed: "no", threshold: "yes"))
        case nil:
            guard registerAuthoritative else { return .notComputable(.missingColumn, detail: "risk_plan is empty") }
            problems.append(Evidence(field: "risk_assessments.risk_plan", observed: "empty", threshold: "yes"))
        }
        if let to = row.submittedTo, !to.trimmingCharacters(in: .whitespaces).isEmpty {
            let known = ((try? budgetBureau.matches(to)) ?? false) || otherBodies.contains { (try? $0.matches(to)) ?? false }
            if !known {
                problems.append(Evidence(field: "risk_assessments.submitted_to", observed: to, threshold: "the Budget Bureau"))
            }
        } else {
            guard registerAuthoritative else { return .notComputable(.missingColumn, detail: "submitted_to is empty") }
            problems.append(Evidence(field: "risk_assessments.submitted_to", observed: "empty", threshold: "the Budget Bureau"))
        }
        guard !problems.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Risk assessment incomplete: \(problems.map(\.field).map { $0.replacingOccurrences(of: "risk_assessments.", with: "") }.joined(separator: ", "))",
                             th: "การประเมินความเสี่ยงไม่ครบ: ไม่มีแผนบริหารความเสี่ยงหรือไม่ได้ยื่นต่อสำนักงบประมาณ"),
            evidence: [tier.budgetEvidence(record)] + problems))
    }
}
