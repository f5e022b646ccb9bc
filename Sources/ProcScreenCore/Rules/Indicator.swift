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
    /// Whether the outcome depends on the run date (grace periods), not only on the record: such
    /// a rule is evaluated on every project by an incremental scan.
    static var readsRunDate: Bool { get }
}

extension RecordIndicator {
    public static var fields: Set<String> { ScreenStore.allFields }
    public static var readsRunDate: Bool { false }
}

/// An indicator over the whole dataset (fences, shares, repeat patterns): it observes every
/// project of the population in the engine's single pass, then decides each project in scope.
/// Thresholds it derives from the data (the stratum fence) go into the evidence.
public protocol DatasetIndicator: Indicator {
    /// The record fields it reads, as `table.column`.
    static var fields: Set<String> { get }
    /// Fresh state for one run; `shared` holds what several indicators of the run can compute
    /// once (BR-21 and BR-22 observe the same winner/runner-up population).
    func makeRun(shared: RunSharedState) -> any DatasetRun
}

/// Per-run state that indicators share by key (one population for BR-21 and BR-22).
public final class RunSharedState {
    private var values: [String: AnyObject] = [:]
    /// The fiscal year the run screens (`screen --fiscal-year`): cross-tender windows end there.
    public let screenedFiscalYear: Int?
    /// Text of chosen projects, read from the store when a rule finishes (nil: no store).
    public let projectText: ProjectTextLookup?

    /// Set in a scan that continues an earlier run: a population kept by that run is read back,
    /// and only the new projects are observed.
    public let continuation: DatasetContinuation?
    /// Whether the run observes every project (not a scoped run): its populations are then kept
    /// in the store for the next scan to continue.
    public let keepsState: Bool

    public init(screenedFiscalYear: Int? = nil, projectText: ProjectTextLookup? = nil,
                continuation: DatasetContinuation? = nil, keepsState: Bool = false) {
        self.screenedFiscalYear = screenedFiscalYear
        self.projectText = projectText
        self.continuation = continuation
        self.keepsState = keepsState
    }

    /// The keys asked for while `keysUsed` runs.
    private var used: Set<String>?

    /// The object stored under `key`, made by `make` on first use.
    public func value<T: AnyObject>(_ key: String, make: () -> T) -> T {
        used?.insert(key)
        if let existing = values[key] as? T { return existing }
        let made = make()
        values[key] = made
        return made
    }

    /// What `body` returns, and the keys of the shared objects it asked for: runs made by an
    /// indicator that share an object must finish on one thread at a time.
    public func keysUsed<T>(by body: () throws -> T) rethrows -> (T, Set<String>) {
        used = []
        defer { used = nil }
        let made = try body()
        return (made, used ?? [])
    }

    /// Drops the shared objects once every run has taken its own: a population then lives as
    /// long as the last run that reads it.
    public func releaseValues() { values = [:] }
}

/// Something that sees each project of a pass once.
public protocol RecordObserver: AnyObject {
    /// `inScope` says whether the project is being screened in this run.
    func observe(_ record: ProcurementRecord, inScope: Bool)
}

/// One run of a dataset indicator: sees the whole population, then returns the outcomes.
public protocol DatasetRun: RecordObserver {
    func finish() -> DatasetResult
    /// Whether `finish()` builds a large structure of its own (the co-bidding graph): such runs
    /// finish after the others have freed their populations, which keeps the run's peak memory
    /// at the end of the pass instead of on top of it.
    var finishesLate: Bool { get }
    /// Whether the run continues the previous run's kept population: the engine then shows it
    /// only the new projects.
    var continues: Bool { get }
    /// Whether its result, when it continues, holds only the new projects and the earlier ones
    /// whose outcome changed (`DatasetResult.continued`): every other earlier project keeps its
    /// previous outcome, and its rows are not written again. Otherwise the result is whole, as
    /// in a full run.
    var decidesChangesOnly: Bool { get }
}

extension DatasetRun {
    public var finishesLate: Bool { false }
    public var continues: Bool { false }
    public var decidesChangesOnly: Bool { false }
}

/// What a scan continuing run `previousRun` gives the dataset runs (Docs/INCREMENTAL.md).
public struct DatasetContinuation: Sendable {
    /// The run continued; a population kept by it can be read back.
    public var previousRun: Int64
    /// The projects new since that run: the only ones a continuing run observes.
    public var touched: Set<String>
    /// The store, read on a connection of the population's own.
    public var path: String
    /// The previous run's fences, by rule, then by stratum: a continuing run decides each earlier
    /// project under them and under its new fences, and re-decides it when the two differ.
    public var fences: [String: [String: TukeyFence]]

    public init(previousRun: Int64, touched: Set<String>, path: String, fences: [String: [String: TukeyFence]]) {
        self.previousRun = previousRun
        self.touched = touched
        self.path = path
        self.fences = fences
    }
}

/// A continuing run's earlier projects whose outcome changed (`DatasetRun.continues`).
public struct ContinuedOutcomes: Sendable {
    /// Their previous rows are dropped; `DatasetResult.outcomes` holds their new ones.
    public private(set) var changed: Set<String> = []
    /// Their previous outcomes' counts: the previous run's counts, less these, are the carried ones.
    public private(set) var previous = RuleStats()
    /// Those of them whose previous outcome was not computable (a row to drop).
    public private(set) var previouslyNotComputable: Set<String> = []

    public enum Previous: Equatable {
        case raised, notRaised, notApplicable
        case notComputable(NotComputableReason)
    }

    public init() {}

    /// Notes that `projectID`'s outcome changed from `previously`.
    public mutating func change(_ projectID: String, previously: Previous) {
        changed.insert(projectID)
        switch previously {
        case .raised: previous.raised += 1
        case .notRaised: previous.notRaised += 1
        case .notApplicable: previous.notApplicable += 1
        case .notComputable(let reason):
            previous.notComputable += 1
            previous.notComputableByReason[reason.rawValue, default: 0] += 1
            previouslyNotComputable.insert(projectID)
        }
    }
}

/// A raised finding of the current run, as a rule evaluated after the others sees it.
public struct RunFinding: Sendable, Equatable {
    public var projectID: String
    public var ruleID: String
    public var category: RuleCategory
    public var severity: Severity
    /// The firms the finding names.
    public var firms: [String] = []
}

/// An indicator over the other rules' findings (LP-11: a collusion signal on a large project;
/// LP-15: an agency's history). It observes the projects in scope during the engine's pass and
/// decides once every other rule of the run has raised its findings.
public protocol FindingsIndicator: Indicator {
    static var fields: Set<String> { get }
    func makeRun() -> any FindingsRun
}

public protocol FindingsRun: RecordObserver {
    /// - Parameters:
    ///   - findings: every finding the run's other rules raised.
    ///   - ranRules: the rules in the run and their categories (a rule that did not run is not "no finding").
    func finish(findings: [RunFinding], ranRules: [String: RuleCategory]) -> DatasetResult
}

/// What a dataset indicator found in scope: the raised and not-computable projects one by one,
/// the computed-and-not-raised ones as a count; the rest of the scope is not applicable.
public struct DatasetResult: Sendable {
    public var outcomes: [DatasetOutcome] = []
    public var notRaised = 0
    /// The stratum fences the rule computed, kept with the run so a project's view can show the
    /// fence its value was held to, raised or not.
    public var fences: [FenceRecord] = []
    /// Set when the rule cannot be computed on any project (the store lacks what it reads): one
    /// store-wide record instead of a row per project.
    public var everywhereNotComputable: (reason: NotComputableReason, detail: String)?
    /// Not computable for a whole subject (an agency × FY too small for its test): one row for the
    /// subject (`agency:<id>|<fy>`) instead of one per project; `projects` counts its projects in scope.
    public var subjectNotComputable: [(subject: String, reason: NotComputableReason, detail: String, projects: Int)] = []
    /// Set by a continuing run: `outcomes` and `notRaised` then cover the new projects and the
    /// earlier ones whose outcome changed, no others.
    public var continued: ContinuedOutcomes?
    /// Keeps what the run observed in the store, for the next scan to continue; the engine calls
    /// it once, in the run's transaction, with the run's id. Nil: nothing to keep.
    public var keepState: (@Sendable (Database, _ runID: Int64) throws -> Void)?

    public init() {}

    /// Adds one project's outcome, keeping only what must be written.
    public mutating func add(_ outcome: Outcome, projectID: String, agencyID: String?, ministry: String?) {
        switch outcome {
        case .raised, .notComputable:
            outcomes.append(DatasetOutcome(projectID: projectID, agencyID: agencyID, ministry: ministry, outcome: outcome))
        case .computedNotRaised:
            notRaised += 1
        case .notApplicable:
            break
        }
    }
}

/// A fence a dataset rule computed for one statistic in one stratum, or over one kind of
/// organisation (BP-21's bidders): `run_fences` keeps it, and findings quote it by reference
/// (`FenceText`).
public struct FenceRecord: Sendable {
    public var statistic: String
    /// The stratum's description, or the name of the population ("bidder", "supplier").
    public var stratum: String
    public var fence: TukeyFence

    /// Every fence of `fences`, for one statistic.
    static func all(_ statistic: String, _ fences: StratifiedFences) -> [FenceRecord] {
        fences.all.map { FenceRecord(statistic: statistic, stratum: $0.0.description, fence: $0.1) }
    }
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
    FewerThanThreeBiddersIndicator.self,     // BP-02
    AllButWinnerDisqualifiedIndicator.self,  // BP-03
    LowestBidDisqualifiedIndicator.self,     // BP-04
    LosingBidderNeverWinsIndicator.self,     // BP-05
    WinnerRotationRingIndicator.self,        // BP-06
    FrequentCoBiddersIndicator.self,         // BP-07
    SharedDirectorIndicator.self,            // BP-08
    SharedAddressIndicator.self,             // BP-09
    SharedContactIndicator.self,             // BP-10
    DebarredBidderIndicator.self,            // BP-11
    NewCompanyWinnerIndicator.self,          // BP-13
    CaptiveSupplierIndicator.self,           // BP-14
    BuyerDependenceIndicator.self,           // BP-15
    SupplierDependenceIndicator.self,        // BP-16
    AgencyConcentrationIndicator.self,       // BP-17
    ManyDocumentBuyersFewBiddersIndicator.self,  // BP-19
    SupplierAcrossCategoriesIndicator.self,  // BP-20
    ExcessiveDisqualifiedBidsIndicator.self, // BP-21
    ExcessiveUnsuccessfulBidsIndicator.self, // BP-22
    LateBidWonIndicator.self,                // BP-23
    HeterogeneousSupplierIndicator.self,     // BP-24
    LowCVIndicator.self,                     // BR-01
    NarrowSpreadIndicator.self,              // BR-02
    LowestBidsGapIndicator.self,             // BR-03
    RelativeDistanceIndicator.self,          // BR-04
    NormalisedDistanceIndicator.self,        // BR-05
    AlternativeDistanceIndicator.self,       // BR-06
    NegativeSkewIndicator.self,              // BR-07
    HighKurtosisIndicator.self,              // BR-08
    NonUniformBidsIndicator.self,            // BR-09
    SubgroupSummaryIndicator.self,           // BR-10
    IdenticalBidsIndicator.self,             // BR-11
    FixedIncrementBidsIndicator.self,        // BR-12
    RoundLosingBidsIndicator.self,           // BR-13
    ClusteredBidsIndicator.self,             // BR-14
    CloseToReferencePriceIndicator.self,     // BR-15
    AboveReferencePriceIndicator.self,       // BR-16
    AbnormallyLowAgainstReferenceIndicator.self, // BR-17
    AbnormallyLowAgainstBiddersIndicator.self,   // BR-18
    ContractAboveWinningPriceIndicator.self,     // BR-19
    BenfordPerAgencyIndicator.self,          // BR-20
    PriceCloseToWinningBidIndicator.self,    // BR-21
    HeavilyDiscountedWinningBidIndicator.self,   // BR-22
    RecurringPriceRatioIndicator.self,       // BR-23
    ShortSubmissionPeriodIndicator.self,     // CR-03
    CallForTendersModifiedIndicator.self,    // CR-05
    CancelledAndRelaunchedIndicator.self,    // CR-06
    ShortWorksExecutionIndicator.self,       // CR-08
    MissingBidsOrWinnerIndicator.self,       // DQ-05
    InvalidTaxIDIndicator.self,              // DQ-06
    LargeProjectTierIndicator.self,          // LP-01
    MissingRiskAssessmentIndicator.self,     // LP-02
    LateAssessmentIndicator.self,            // LP-03
    IncompleteAssessmentIndicator.self,      // LP-04
    NotReportedInEMENSCRIndicator.self,      // LP-05
    NotFollowedUpIndicator.self,             // LP-06
    BidderWithoutPolicyIndicator.self,       // LP-07
    LargeProjectLimitedCompetitionIndicator.self,   // LP-08
    LargeProjectAtReferencePriceIndicator.self,     // LP-09
    LargeProjectConnectedWinnerIndicator.self,      // LP-10
    LargeProjectCollusionSignalIndicator.self,      // LP-11
    ContractGrowthIndicator.self,            // LP-12
    SlicingBelowThresholdIndicator.self,     // LP-13
    MissingIntegrityPactIndicator.self,      // LP-14
    AgencyLargeProjectHistoryIndicator.self, // LP-15
    BunchingBelowThresholdIndicator.self,    // TH-02
    ContractSplittingIndicator.self,         // TH-03
    YearEndSpecificPurchaseIndicator.self,   // TH-04
    ReferenceVersusBudgetIndicator.self,     // TH-05
    ZeroDiscountIndicator.self,              // TH-06
    RoundAgreedPriceIndicator.self,          // TH-08
    WinnerNotAmongBiddersIndicator.self,     // TH-10
]

/// The type name used in rule files' `implementation:` key.
func implementationName(_ type: any Indicator.Type) -> String { String(describing: type) }

/// Read access to the other rule files of the catalog being built.
public struct RuleLookup: Sendable {
    let byID: [String: RuleFile]

    public init(_ rules: [RuleFile]) { byID = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }

    public func rule(_ id: String) -> RuleFile? { byID[id] }
}
