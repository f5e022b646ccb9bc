import Foundation

/// A Swift indicator: its logic lives in Swift, its metadata and defaults in its rule file.
public protocol Indicator {
    /// The rule id this type implements (`BP-01`).
    static var id: String { get }
    /// Builds the indicator from its (validated) rule file, reading the parameters it needs;
    /// `rules` gives access to the rules it builds on (LP rules read LP-01's tier thresholds).
    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError)
}

/// What the engine knows about the run while evaluating one record.
public struct ScreeningContext: Sendable {
    /// Registers loaded at least once (`risk_assessments`, `lists:debarred`, …): a missing row
    /// in a loaded register is evidence; an unloaded register makes its rules not computable.
    public var loadedRegisters: Set<String>
    /// The run date (ISO), for rules with grace periods.
    public var runDate: String

    public init(loadedRegisters: Set<String>, runDate: String) {
        self.loadedRegisters = loadedRegisters
        self.runDate = runDate
    }
}

/// An indicator evaluated on one project at a time; pure, no I/O.
public protocol RecordIndicator: Indicator {
    /// The record fields it reads, as `table.column` (routing fields are always there); the
    /// engine fetches only the union over the run's rules.
    static var fields: Set<String> { get }
    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome
}

extension RecordIndicator {
    public static var fields: Set<String> { ScreenStore.allFields }
}

/// An indicator over the whole dataset (fences, shares, repeat patterns): it reads aggregates
/// the store computes in SQL and returns an outcome for each project in scope. Thresholds it
/// derives from the data (the stratum fence) go into the evidence.
public protocol DatasetIndicator: Indicator {
    func evaluate(_ aggregates: DatasetAggregates, isInScope: (String) -> Bool) throws -> [DatasetOutcome]
}

/// One project's outcome from a dataset indicator, with the routing fields of its project.
public struct DatasetOutcome: Sendable {
    public var projectID: String
    public var agencyID: String?
    public var ministry: String?
    public var outcome: Outcome
}

/// The registry of Swift indicators, sorted by id: the only central list (a test checks it
/// against `Rules/` both ways). Adding an indicator adds one line here.
public let allIndicators: [any Indicator.Type] = [
    SingleBidIndicator.self,                 // BP-01
    CloseToReferencePriceIndicator.self,     // BR-15
    PriceCloseToWinningBidIndicator.self,    // BR-21
    HeavilyDiscountedWinningBidIndicator.self,   // BR-22
    InvalidTaxIDIndicator.self,              // DQ-06
    LargeProjectTierIndicator.self,          // LP-01
    MissingRiskAssessmentIndicator.self,     // LP-02
]

/// The type name used in rule files' `implementation:` key.
func implementationName(_ type: any Indicator.Type) -> String { String(describing: type) }

/// Read access to the other rule files of the catalog being built.
public struct RuleLookup: Sendable {
    let byID: [String: RuleFile]

    public init(_ rules: [RuleFile]) { byID = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }

    public func rule(_ id: String) -> RuleFile? { byID[id] }
}
