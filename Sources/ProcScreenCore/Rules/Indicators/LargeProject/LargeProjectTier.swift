import Foundation

/// The tier test of the large-project measure, shared by every LP rule (parameters from LP-01).
///
/// tier 1: budget > T1 up to `exclusive_until_fy` (FY2565 "เกินกว่า"), budget ≥ T1 after it
/// (FY2566 on "ตั้งแต่…ขึ้นไป"), or a register row for the project's FY ("tier 1 by register").
/// tier 2: budget ≥ T2. With `investment_only`, an operating-budget item is out of scope.
public struct LargeProjectTier: Sendable {
    public let t1: Int64          // satang
    public let t2: Int64          // satang
    public let exclusiveUntilFY: Int
    public let investmentOnly: Bool

    public enum Result: Equatable, Sendable {
        case tiered(tier1: Bool, tier2: Bool, byRegister: Bool, inclusive: Bool)
        case outOfScope(String)
        case unknown(NotComputableReason, String)
    }

    public init(lp01: RuleFile) throws(RuleFileError) {
        t1 = Int64((try lp01.double("threshold_baht") * 100).rounded())
        t2 = Int64((try lp01.double("tier2_baht") * 100).rounded())
        exclusiveUntilFY = Int(try lp01.int("exclusive_until_fy"))
        investmentOnly = try lp01.bool("investment_only")
    }

    /// LP-01's tier definition, for another LP rule (`rule`, named in the error when LP-01 is missing).
    public init(from rules: RuleLookup, for rule: RuleFile) throws(RuleFileError) {
        guard let lp01 = rules.rule("LP-01") else {
            throw RuleFileError(path: rule.path, keyPath: "", reason: "needs LP-01 (the tier definition) in the same rules folder")
        }
        try self.init(lp01: lp01)
    }

    /// Whether the T1 comparison is inclusive (≥) in fiscal year `fy`.
    public func isInclusive(fiscalYear fy: Int) -> Bool { fy > exclusiveUntilFY }

    public func classify(_ r: ProcurementRecord) -> Result {
        if investmentOnly, r.budgetType == "operating" {
            return .outOfScope("operating budget; investment_only is set")
        }
        let byRegister = r.assessments.contains { $0.fiscalYear == nil || $0.fiscalYear == r.fiscalYear }
        guard r.currency == "THB" else {
            return byRegister ? .tiered(tier1: true, tier2: false, byRegister: true, inclusive: true)
                : .unknown(.missingColumn, "budget is in \(r.currency); baht thresholds need a conversion table")
        }
        guard let budget = r.budget else {
            return byRegister ? .tiered(tier1: true, tier2: false, byRegister: true, inclusive: true)
                : .unknown(.missingColumn, "budget is empty")
        }
        let tier2 = budget >= t2
        if budget > t1 { return .tiered(tier1: true, tier2: tier2, byRegister: byRegister, inclusive: true) }
        if budget < t1 { return .tiered(tier1: byRegister, tier2: false, byRegister: byRegister, inclusive: true) }
        // Exactly T1: the fiscal year decides.
        guard let fy = r.fiscalYear else {
            return byRegister ? .tiered(tier1: true, tier2: tier2, byRegister: true, inclusive: true)
                : .unknown(.missingColumn, "budget equals the threshold and fiscal_year is empty")
        }
        let inclusive = isInclusive(fiscalYear: fy)
        return .tiered(tier1: inclusive || byRegister, tier2: tier2, byRegister: byRegister, inclusive: inclusive)
    }

    /// nil when the project is tier 1 (the rule goes on), else the outcome to stop with:
    /// not applicable below the threshold, not computable when the tier cannot be told.
    public func tier1Gate(_ r: ProcurementRecord) -> Outcome? {
        switch classify(r) {
        case .outOfScope: return .notApplicable
        case .unknown(let reason, let detail): return .notComputable(reason, detail: detail)
        case .tiered(let tier1, _, _, _): return tier1 ? nil : .notApplicable
        }
    }

    /// The register row for the project's fiscal year (a row without a year counts).
    public static func assessment(of r: ProcurementRecord) -> ProcurementRecord.RiskAssessment? {
        r.assessments.first { $0.fiscalYear == nil || $0.fiscalYear == r.fiscalYear }
    }

    /// Evidence line for the budget against the threshold.
    public func budgetEvidence(_ r: ProcurementRecord) -> Evidence {
        Evidence(field: "budget", observed: r.budget.map { formatBaht($0) + " baht" } ?? "—",
                 threshold: thresholdText(fiscalYear: r.fiscalYear), note: r.fiscalYear.map { "FY\($0)" })
    }

    /// "≥ 500,000,000" or "> 500,000,000" for the project's fiscal year.
    public func thresholdText(fiscalYear: Int?) -> String {
        let op = fiscalYear.map { isInclusive(fiscalYear: $0) } ?? true ? "≥" : ">"
        return "\(op) \(formatBaht(t1)) baht"
    }
}
