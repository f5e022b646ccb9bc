import Foundation

/// The bid-distribution statistics of one tender (INDICATORS.md §2.2; Imhof 2017, Huber & Imhof
/// 2019), over its valid bids, one per bidder, sorted b(1) ≤ … ≤ b(n). A statistic that is not
/// computable for the tender is nil.
///
/// Test vector {100, 110, 111, 112}: CV 0.051365, SPD 0.12, DIFFP 0.10, RD 10, RDNOR 2.5,
/// RDALT 10, SKEW −1.87167, KURT 3.57687, KS 0.58333.
public struct BidDistribution: Sendable, Equatable {
    public enum Statistic: String, Sendable, CaseIterable {
        case cv, spd, diffp, rd, rdnor, rdalt, skew, kurt, ks
    }

    /// The statistics, NaN where not computable: stored inline, not a dictionary per tender
    /// (a million tenders are held at once).
    public struct Values: Sendable, Equatable, Sequence {
        // Nine stored numbers (NaN: absent), no heap storage.
        var cv = Double.nan, spd = Double.nan, diffp = Double.nan, rd = Double.nan, rdnor = Double.nan
        var rdalt = Double.nan, skew = Double.nan, kurt = Double.nan, ks = Double.nan

        private func raw(_ s: Statistic) -> Double {
            switch s {
            case .cv: return cv
            case .spd: return spd
            case .diffp: return diffp
            case .rd: return rd
            case .rdnor: return rdnor
            case .rdalt: return rdalt
            case .skew: return skew
            case .kurt: return kurt
            case .ks: return ks
            }
        }

        public subscript(_ s: Statistic) -> Double? {
            get { let v = raw(s); return v.isNaN ? nil : v }
            set {
                let v = newValue ?? .nan
                switch s {
                case .cv: cv = v
                case .spd: spd = v
                case .diffp: diffp = v
                case .rd: rd = v
                case .rdnor: rdnor = v
                case .rdalt: rdalt = v
                case .skew: skew = v
                case .kurt: kurt = v
                case .ks: ks = v
                }
            }
        }

        public static func == (a: Values, b: Values) -> Bool {
            Statistic.allCases.allSatisfy { a[$0] == b[$0] }
        }

        public func makeIterator() -> AnyIterator<(Statistic, Double)> {
            var i = 0
            return AnyIterator {
                while i < Statistic.allCases.count {
                    let s = Statistic.allCases[i]
                    i += 1
                    if let v = self[s] { return (s, v) }
                }
                return nil
            }
        }
    }

    public var values = Values()

    public init(prices raw: [Double]) {
        let b = raw.sorted()
        let n = b.count
        guard n >= 2 else { return }
        values[.diffp] = (b[1] - b[0]) / b[0]
        guard n >= 3 else { return }
        let nd = Double(n)
        // Loops, not map/reduce: this runs once per tender of the population.
        var sum = 0.0
        for x in b { sum += x }
        let mean = sum / nd
        var squares = 0.0
        for x in b { squares += (x - mean) * (x - mean) }
        let s = (squares / (nd - 1)).squareRoot()
        values[.cv] = s / mean
        values[.spd] = (b[n - 1] - b[0]) / b[0]
        let lm = (sum - b[0]) / (nd - 1)
        var lossSquares = 0.0
        for x in b.dropFirst() { lossSquares += (x - lm) * (x - lm) }
        let sL = (lossSquares / (nd - 2)).squareRoot()
        if sL > 0 { values[.rd] = (b[1] - b[0]) / sL }
        if b[n - 1] > b[0] {
            values[.rdnor] = (nd - 1) * (b[1] - b[0]) / (b[n - 1] - b[0])
            var d = 0.0
            for i in 0..<n {
                let u = (b[i] - b[0]) / (b[n - 1] - b[0])
                d = max(d, Double(i + 1) / nd - u, u - Double(i) / nd)
            }
            values[.ks] = d
        }
        if b[n - 1] > b[1] { values[.rdalt] = (nd - 2) * (b[1] - b[0]) / (b[n - 1] - b[1]) }
        if s > 0 {
            var cubes = 0.0, fourths = 0.0
            for x in b {
                let z = (x - mean) / s
                cubes += z * z * z
                fourths += z * z * z * z
            }
            values[.skew] = nd / ((nd - 1) * (nd - 2)) * cubes
            if n >= 4 {
                values[.kurt] = nd * (nd + 1) / ((nd - 1) * (nd - 2) * (nd - 3)) * fourths
                    - 3 * (nd - 1) * (nd - 1) / ((nd - 2) * (nd - 3))
            }
        }
    }

    /// The fewest valid bids each statistic needs.
    static func minimumBids(_ statistic: Statistic) -> Int {
        switch statistic {
        case .diffp: return 2
        case .kurt: return 4
        default: return 3
        }
    }
}

/// The population of one run: each tender's statistics and stratum, computed once and shared by
/// BR-01…BR-09. In a scan that continues a run which kept its population
/// (`bid_distribution_state`), the earlier tenders are read back and only the new projects are
/// observed.
final class BidDistributionPopulation {
    struct Tender: ProjectReferencing {
        var project: ProjectRef
        var stratumKeys: [Int]?
        var bids: Int
        var distribution: BidDistribution
        var inScope: Bool
    }

    let nullStatusAsValid: Bool
    let strata = StrataIndex()
    private(set) var tenders: [Tender] = []
    private var fencesCache: [String: StratifiedFences] = [:]
    /// The key its kept state is stored under: its parameters.
    let stateKey: String
    /// Set when the earlier tenders were read back from the continued run's kept population:
    /// they are out of scope, and only the new projects are observed.
    private(set) var continuation: DatasetContinuation?
    private let keepsState: Bool
    private var stateHandedOut = false

    init(nullStatusAsValid: Bool, stateKey: String, shared: RunSharedState = RunSharedState()) {
        self.nullStatusAsValid = nullStatusAsValid
        self.stateKey = stateKey
        keepsState = shared.keepsState
        // A population that cannot be read back is observed whole, as in a full run.
        if let continuation = shared.continuation,
           let kept = try? BidDistributionState.load(stateKey, continuing: continuation, strata: strata) {
            tenders = kept
            self.continuation = continuation
        }
    }

    func observe(_ r: ProcurementRecord, inScope: Bool) {
        // Specific purchases, and tenders of several lots (each lot is its own competition), are
        // outside the population.
        guard r.method?.isCompetitive ?? true, !r.spansLots else { return }
        let v = r.validPrices(nullStatusAsValid: nullStatusAsValid)
        guard v.count >= 2 || inScope else { return }
        let stratum = r.method.flatMap { m in
            r.fiscalYear.map { Stratum(method: m.rawValue, projectType: r.projectType,
                                       valueBand: r.currency == "THB" ? Stratum.valueBand(satang: r.budget ?? r.referencePrice) : nil, fiscalYear: $0) }
        }
        tenders.append(Tender(project: r.projectRef, stratumKeys: stratum.map(strata.keys),
                              bids: v.count, distribution: BidDistribution(prices: v.prices.map(Double.init)), inScope: inScope))
    }

    func fences(_ statistic: BidDistribution.Statistic, minimumSize: Int, k: Double) -> StratifiedFences {
        let key = "\(statistic.rawValue)|\(minimumSize)|\(k)"
        if let cached = fencesCache[key] { return cached }
        let values = tenders.compactMap { t in t.stratumKeys.flatMap { keys in t.distribution.values[statistic].map { (keys, $0) } } }
        let fences = StratifiedFences(keyedValues: values, index: strata, minimumSize: minimumSize, k: k)
        fencesCache[key] = fences
        return fences
    }

    /// What keeps the population in the store, for the first of its rules to finish (the
    /// others get nil); nil in a scoped run, which does not observe every project.
    func takeStateKeeper() -> (@Sendable (Database, Int64) throws -> Void)? {
        guard keepsState, !stateHandedOut else { return nil }
        stateHandedOut = true
        let population = UncheckedSendable(self)
        return { db, runID in try BidDistributionState.keep(population.value, db: db, runID: runID) }
    }
}

/// One bid-distribution screen: a statistic, the tail (or both tails) that is suspicious, absolute
/// cut-offs and the stratum fence, combined by `mode` (fence | absolute | either).
struct DistributionScreen {
    enum Mode: String { case fence, absolute, either }

    let statistic: BidDistribution.Statistic
    /// Raised at or below this (the low tail), when the low tail is suspicious.
    let lowCutoff: Double?
    /// Raised at or above this (the high tail), when the high tail is suspicious.
    let highCutoff: Double?
    let mode: Mode
    let k: Double
    let minimumStratum: Int
    let fallbackAbsolute: Bool
    let nullStatusAsValid: Bool
    /// Statistics whose floor is 0: a lower fence ≤ 0 cannot raise anything (uninformative).
    var floorsAtZero: Bool { [.cv, .spd, .diffp].contains(statistic) }

    /// - Parameters: `low` and `high` name the cut-off parameters of the suspicious tails.
    init(rule: RuleFile, statistic: BidDistribution.Statistic, low: String? = nil, high: String? = nil) throws(RuleFileError) {
        self.statistic = statistic
        guard let mode = Mode(rawValue: try rule.parameterValue("mode").description) else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.mode.value", reason: "expected fence, absolute or either")
        }
        self.mode = mode
        lowCutoff = try low.map { name throws(RuleFileError) in try rule.double(name) }
        highCutoff = try high.map { name throws(RuleFileError) in try rule.double(name) }
        k = try rule.double("k")
        minimumStratum = Int(try rule.int("min_stratum_size"))
        fallbackAbsolute = try rule.bool("fallback_absolute")
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    var sharingKey: String { "bid-distribution|\(nullStatusAsValid)" }

    private var cutoffText: String {
        [lowCutoff.map { "≤ \($0)" }, highCutoff.map { "≥ \($0)" }].compactMap { $0 }.joined(separator: " or ")
    }

    /// How a tender is decided: the outcome's kind, and for a raised one what its finding says
    /// apart from the tender's own value (the tail, and the stratum whose fence it is held to).
    enum Decision: Equatable {
        case notApplicable
        case notComputable(NotComputableReason, String)
        case notRaised
        case raised(low: Bool, stratum: Int?)

        var previous: ContinuedOutcomes.Previous {
            switch self {
            case .notApplicable: return .notApplicable
            case .notComputable(let reason, _): return .notComputable(reason)
            case .notRaised: return .notRaised
            case .raised: return .raised
            }
        }
    }

    /// The decision on `t`, held to `fence` (its stratum's fence, when one is large enough).
    func decision(_ t: BidDistributionPopulation.Tender, fence resolved: (key: Int, fence: TukeyFence)?) -> Decision {
        let needed = BidDistribution.minimumBids(statistic)
        guard t.bids >= needed else {
            return t.bids == 0 ? .notApplicable : .notComputable(.tooFewBids, "\(t.bids) valid bids (\(needed) needed)")
        }
        guard let value = t.distribution.values[statistic] else {
            return .notComputable(.unparseableValue, "\(statistic.rawValue) undefined (equal bids)")
        }
        let absoluteLow = lowCutoff.map { value <= $0 } ?? false
        let absoluteHigh = highCutoff.map { value >= $0 } ?? false
        var fenceLow = false, fenceHigh = false
        var used: (key: Int, lowInformative: Bool)?
        var fenceKnown = false
        if mode != .absolute, t.stratumKeys != nil, let (key, fence) = resolved {
            let lowInformative = lowCutoff != nil && !(floorsAtZero && fence.lower <= 0)
            fenceKnown = lowInformative || highCutoff != nil
            fenceLow = lowInformative && fence.isLowOutlier(value)
            fenceHigh = highCutoff != nil && fence.isHighOutlier(value)
            used = (key, lowInformative)
        }
        let low: Bool, high: Bool
        switch mode {
        case .absolute: (low, high) = (absoluteLow, absoluteHigh)
        case .either: (low, high) = (absoluteLow || fenceLow, absoluteHigh || fenceHigh)
        case .fence:
            if let used {
                // A side whose fence is uninformative falls back to its cut-off when allowed.
                let lowFallback = lowCutoff != nil && !used.lowInformative && fallbackAbsolute
                guard fenceKnown || lowFallback else { return .notRaised }
                (low, high) = (fenceLow || (lowFallback && absoluteLow), fenceHigh)
            } else if fallbackAbsolute {
                (low, high) = (absoluteLow, absoluteHigh)
            } else {
                return .notComputable(.stratumTooSmall, "fewer than \(minimumStratum) comparable tenders")
            }
        }
        guard low || high else { return .notRaised }
        return .raised(low: low, stratum: used?.key)
    }

    /// The outcome a decision gives, with the finding's text.
    func outcome(_ decision: Decision, _ t: BidDistributionPopulation.Tender, strata: StrataIndex, title: Message) -> Outcome {
        switch decision {
        case .notApplicable: return .notApplicable
        case .notComputable(let reason, let detail): return .notComputable(reason, detail: detail)
        case .notRaised: return .computedNotRaised
        case .raised(let low, let stratum):
            let value = t.distribution.values[statistic] ?? .nan
            // The fence by reference (`FenceText`): its numbers are filled in when the finding is
            // read, so a fence that moves leaves the finding's row unchanged.
            let fenceNote = stratum.map { key in
                var sides: [String] = []
                if lowCutoff != nil { sides.append(floorsAtZero ? "{lower_above_zero}" : "≤ {lower}") }
                if highCutoff != nil { sides.append("≥ {upper}") }
                return Evidence(field: FenceText.keyField, observed: strata.strata[key].description, threshold: sides.joined(separator: " or "),
                                note: "n={n}, Q1={q1}, Q3={q3}")
            }
            let name = statistic.rawValue.uppercased()
            let tail = lowCutoff != nil && highCutoff != nil ? (low ? Message(en: " (low)", th: " (ต่ำ)") : Message(en: " (high)", th: " (สูง)"))
                                                             : Message(en: "", th: "")
            return .raised(FindingDraft(
                summary: Message(en: "\(title.en): \(name) = \(String(format: "%.4f", value))\(tail.en)",
                                 th: "\(title.th): \(name) = \(String(format: "%.4f", value))\(tail.th)"),
                evidence: [Evidence(field: statistic.rawValue, observed: String(format: "%.4f", value),
                                    threshold: cutoffText, note: "absolute cut-off (mode \(mode.rawValue))")]
                    + (fenceNote.map { [$0] } ?? [])))
        }
    }

    /// Decides every tender in scope. A population that continues the previous run's also
    /// decides each earlier tender under the previous run's fences (`previousFences`, by stratum)
    /// and under the new ones, and re-decides it where the two differ.
    func decide(_ population: BidDistributionPopulation, title: Message, previousFences: [String: TukeyFence]? = nil) -> DatasetResult {
        var result = DatasetResult()
        let fences = population.fences(statistic, minimumSize: minimumStratum, k: k)
        if mode != .absolute { result.fences = FenceRecord.all(statistic.rawValue, fences) }
        // The previous run's fences, when the population was read back: a tender was held to the
        // finest stratum of its keys that had one, as now.
        var previous: StratifiedFences?
        if population.continuation != nil {
            result.continued = ContinuedOutcomes()
            previous = StratifiedFences(kept: previousFences ?? [:], index: population.strata, minimumSize: minimumStratum, k: k)
        }
        for t in population.tenders {
            let resolved = t.stratumKeys.flatMap(fences.resolve)
            if t.inScope {
                let decided = decision(t, fence: resolved)
                result.add(outcome(decided, t, strata: population.strata, title: title), projectID: t.projectID, agencyID: t.agencyID, ministry: t.ministry)
            } else if let previous, mode != .absolute {
                let before = decision(t, fence: t.stratumKeys.flatMap(previous.resolve))
                let now = decision(t, fence: resolved)
                guard now != before else { continue }
                result.continued?.change(t.projectID, previously: before.previous)
                result.add(outcome(now, t, strata: population.strata, title: title), projectID: t.projectID, agencyID: t.agencyID, ministry: t.ministry)
            }
        }
        return result
    }
}

/// Shared run for the distribution screens.
final class DistributionScreenRun: DatasetRun {
    let screen: DistributionScreen
    let title: Message
    let ruleID: String
    let population: BidDistributionPopulation
    let feeds: Bool
    /// The previous run's fences of this rule, when the population continues that run.
    let previousFences: [String: TukeyFence]?

    init(screen: DistributionScreen, title: Message, ruleID: String, shared: RunSharedState) {
        self.screen = screen
        self.title = title
        self.ruleID = ruleID
        var created = false
        population = shared.value(screen.sharingKey) {
            created = true
            return BidDistributionPopulation(nullStatusAsValid: screen.nullStatusAsValid, stateKey: screen.sharingKey, shared: shared)
        }
        feeds = created
        previousFences = population.continuation.map { $0.fences[ruleID] ?? [:] }
    }

    func observe(_ record: ProcurementRecord, inScope: Bool) { if feeds { population.observe(record, inScope: inScope) } }

    func finish() -> DatasetResult {
        var result = screen.decide(population, title: title, previousFences: previousFences)
        result.keepState = population.takeStateKeeper()
        return result
    }

    var continues: Bool { population.continuation != nil }
    var decidesChangesOnly: Bool { continues }
}

private let distributionFields: Set<String> = [
    "projects.project_type", "bids.lot_id", "projects.reference_price", "bids.bidder_id", "bids.price", "bids.status",
]

/// A bid-distribution screen (BR-01…BR-09): which statistic it reads and the cut-off
/// parameters of its suspicious tails; the rule file supplies the rest, and every screen shares
/// one population per run.
protocol DistributionIndicator: DatasetIndicator {
    static var statistic: BidDistribution.Statistic { get }
    /// The parameter of the low cut-off (raised at or below), when the low tail is suspicious.
    static var lowCutoff: String? { get }
    /// The parameter of the high cut-off (raised at or above), when the high tail is suspicious.
    static var highCutoff: String? { get }
    var screen: DistributionScreen { get }
    var title: Message { get }
    init(screen: DistributionScreen, title: Message)
}

extension DistributionIndicator {
    static var fields: Set<String> { distributionFields }
    static var lowCutoff: String? { nil }
    static var highCutoff: String? { nil }

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        self.init(screen: try DistributionScreen(rule: rule, statistic: Self.statistic, low: Self.lowCutoff, high: Self.highCutoff),
                  title: rule.title)
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun {
        DistributionScreenRun(screen: screen, title: title, ruleID: Self.id, shared: shared)
    }
}

/// BR-01: low coefficient of variation (CV = s/μ), n ≥ 3. Rule file `Rules/collusion/BR-01-low-cv.yaml`.
struct LowCVIndicator: DistributionIndicator {
    static let id = "BR-01"
    static let statistic = BidDistribution.Statistic.cv
    static let lowCutoff: String? = "cv_max"
    let screen: DistributionScreen
    let title: Message
}

/// BR-02: narrow spread (SPD = (b(n) − b(1))/b(1)), n ≥ 3. Rule file `Rules/collusion/BR-02-narrow-spread.yaml`.
struct NarrowSpreadIndicator: DistributionIndicator {
    static let id = "BR-02"
    static let statistic = BidDistribution.Statistic.spd
    static let lowCutoff: String? = "spd_max"
    let screen: DistributionScreen
    let title: Message
}

/// BR-03: the gap between the two lowest bids (DIFFP = (b(2) − b(1))/b(1)), n ≥ 2, two-sided: a tiny gap mimics competition, a wide one is the cover bids' mark. Rule file `Rules/collusion/BR-03-lowest-bids-gap.yaml`.
struct LowestBidsGapIndicator: DistributionIndicator {
    static let id = "BR-03"
    static let statistic = BidDistribution.Statistic.diffp
    static let lowCutoff: String? = "diffp_low"
    static let highCutoff: String? = "diffp_high"
    let screen: DistributionScreen
    let title: Message
}

/// BR-04: high relative distance (RD = (b(2) − b(1))/s_L), n ≥ 3. Rule file `Rules/collusion/BR-04-relative-distance.yaml`.
struct RelativeDistanceIndicator: DistributionIndicator {
    static let id = "BR-04"
    static let statistic = BidDistribution.Statistic.rd
    static let highCutoff: String? = "rd_min"
    let screen: DistributionScreen
    let title: Message
}

/// BR-05: high normalised distance (RDNOR), n ≥ 3. Rule file `Rules/collusion/BR-05-normalised-distance.yaml`.
struct NormalisedDistanceIndicator: DistributionIndicator {
    static let id = "BR-05"
    static let statistic = BidDistribution.Statistic.rdnor
    static let highCutoff: String? = "rdnor_min"
    let screen: DistributionScreen
    let title: Message
}

/// BR-06: high alternative distance (RDALT), n ≥ 3. Rule file `Rules/collusion/BR-06-alternative-distance.yaml`.
struct AlternativeDistanceIndicator: DistributionIndicator {
    static let id = "BR-06"
    static let statistic = BidDistribution.Statistic.rdalt
    static let highCutoff: String? = "rdalt_min"
    let screen: DistributionScreen
    let title: Message
}

/// BR-07: negative skew, n ≥ 3. Rule file `Rules/collusion/BR-07-negative-skew.yaml`.
struct NegativeSkewIndicator: DistributionIndicator {
    static let id = "BR-07"
    static let statistic = BidDistribution.Statistic.skew
    static let lowCutoff: String? = "skew_max"
    let screen: DistributionScreen
    let title: Message
}

/// BR-08: high excess kurtosis, n ≥ 4. Rule file `Rules/collusion/BR-08-high-kurtosis.yaml`.
struct HighKurtosisIndicator: DistributionIndicator {
    static let id = "BR-08"
    static let statistic = BidDistribution.Statistic.kurt
    static let highCutoff: String? = "kurt_min"
    let screen: DistributionScreen
    let title: Message
}

/// BR-09: non-uniform bids (KS distance to U(0,1)), n ≥ 3. Rule file `Rules/collusion/BR-09-non-uniform-bids.yaml`.
struct NonUniformBidsIndicator: DistributionIndicator {
    static let id = "BR-09"
    static let statistic = BidDistribution.Statistic.ks
    static let highCutoff: String? = "ks_min"
    let screen: DistributionScreen
    let title: Message
}
