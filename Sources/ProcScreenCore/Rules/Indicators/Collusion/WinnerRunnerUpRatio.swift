import Foundation

/// One project's winner and best other bid (INDICATORS.md §1.2: W and L), with its stratum keys.
struct WinnerRunnerUp: Sendable, Equatable, ProjectReferencing {
    var project: ProjectRef
    var method: ProcurementMethod?
    var projectType: String?
    /// budget, else reference price (the value band).
    var bandValue: Int64?
    var fiscalYear: Int?
    /// Distinct winners among the valid bidders.
    var winners: Int
    /// W: the winner's lowest valid bid.
    var winningBid: Int64?
    var winner: String?
    /// L: the lowest valid bid of any other bidder.
    var runnerUpBid: Int64?
    var runnerUp: String?
    /// Cardinal: whether the awards meet R024's conditions (else the process is skipped).
    var awardsQualify = true
}

/// In an extension, so that the struct keeps its memberwise initialiser (the compact rows of
/// BR-21/22 expand into it).
extension WinnerRunnerUp {
    /// The winner is the bidder flagged `is_winner`, else the single contract winner. Cardinal
    /// (R024, R058): awards final, one active award with one supplier, valid bids of one tenderer.
    init(_ r: ProcurementRecord, nullStatusAsValid: Bool, semantics: Semantics = .thai) {
        var best: [String: Int64] = [:]
        let valid = semantics == .cardinal
            ? r.bids.filter { ProcurementRecord.cardinalValid($0) && ($0.tenderers ?? 1) == 1 }
            : r.validBids(nullStatusAsValid: nullStatusAsValid)
        for bid in valid {
            guard let key = bid.bidderKey, let price = bid.price else { continue }
            best[key] = min(best[key] ?? .max, price)
        }
        let flagged = Set(r.bids.filter { $0.isWinner == true }.compactMap(\.bidderKey))
        let winners: Set<String>
        if semantics == .cardinal {
            let supplier = r.cardinalAwardsFinal ? r.cardinalSingleSupplier : nil
            winners = supplier.map { best[$0] != nil ? [$0] : [] } ?? []
            awardsQualify = supplier != nil
        } else if !flagged.isEmpty {
            winners = flagged.intersection(best.keys)
        } else if let w = r.winnerID, best[w] != nil {
            winners = [w]
        } else {
            winners = []
        }
        let winner = winners.count == 1 ? winners.first : nil
        let runnerUp = best.filter { !winners.contains($0.key) }.min { ($0.value, $0.key) < ($1.value, $1.key) }
        project = r.projectRef
        method = r.method
        projectType = r.projectType
        // Value bands are in baht: other currencies fall into the band-less stratum.
        bandValue = r.currency == "THB" ? r.budget ?? r.referencePrice : nil
        fiscalYear = r.fiscalYear
        self.winners = winners.count
        winningBid = winner.flatMap { best[$0] }
        self.winner = winner
        runnerUpBid = runnerUp?.value
        self.runnerUp = runnerUp?.key
    }
}

/// The ratio both BR-21 and BR-22 judge: (L − W) / W, the gap between the winning bid and the
/// best other valid bid, with each project's stratum and the fences over the population.
///
/// Scope (INDICATORS.md BR-21): exactly one winner and method ∈ PRICE_ONLY. L < W is not
/// applicable (price was not the only criterion). No W or no L is not computable (too few bids).
struct WinnerRunnerUpRatio {
    static let fields: Set<String> = [
        "projects.project_type", "projects.reference_price", "bids.bidder_id", "bids.price", "bids.status",
        "bids.is_winner", "contracts.winner_id", "bids.status_raw", "bids.n_tenderers", "contracts.status", "contracts.n_suppliers",
    ]
    let priceOnly: Set<ProcurementMethod>
    let nullStatusAsValid: Bool
    let minimumStratum: Int
    let k: Double
    let semantics: Semantics
    /// One fence over every tender (Cardinal) instead of one per stratum.
    let datasetScope: Bool

    /// Rules with the same population parameters share one population per run.
    var sharingKey: String {
        "winner-runner-up|\(priceOnly.map(\.rawValue).sorted())|\(nullStatusAsValid)|\(minimumStratum)|\(k)|\(semantics)|\(datasetScope)"
    }

    init(rule: RuleFile) throws(RuleFileError) {
        priceOnly = try rule.methodSet("price_only_methods")
        nullStatusAsValid = try rule.bool("null_status_as_valid")
        minimumStratum = Int(try rule.int("min_stratum_size"))
        k = try rule.double("k")
        semantics = try Semantics.read(rule)
        let scope = try rule.parameterValue("fence_scope").description
        guard scope == "stratum" || scope == "dataset" else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.fence_scope.value", reason: "expected stratum or dataset")
        }
        datasetScope = scope == "dataset"
    }

    enum Status {
        case ratio(Double)
        case outcome(Outcome)
    }

    func status(_ row: WinnerRunnerUp) -> Status {
        // An empty method list: no method gate (OCDS without Thai methods, Cardinal mode).
        if !priceOnly.isEmpty {
            guard let method = row.method else { return .outcome(.notComputable(.missingColumn, detail: "method is empty")) }
            guard priceOnly.contains(method) else { return .outcome(.notApplicable) }
        }
        guard row.awardsQualify else { return .outcome(.notApplicable) }
        if row.winners > 1 { return .outcome(.notApplicable) }   // lots: several winners
        guard row.winners == 1, let w = row.winningBid else {
            return .outcome(.notComputable(.tooFewBids, detail: "no winner among the valid bids"))
        }
        guard let l = row.runnerUpBid else {
            return .outcome(.notComputable(.tooFewBids, detail: "no other valid bid"))
        }
        guard l >= w else { return .outcome(.notApplicable) }
        return .ratio(Double(l - w) / Double(w))
    }

    func stratum(_ row: WinnerRunnerUp) -> Stratum? {
        if datasetScope { return Stratum.wholeDataset }
        guard let method = row.method, let fy = row.fiscalYear else { return nil }
        return Stratum(method: method.rawValue, projectType: row.projectType, valueBand: Stratum.valueBand(satang: row.bandValue),
                       fiscalYear: fy)
    }

    /// Collects the population in one pass: every ratio for the fences, and the in-scope
    /// projects that need a decision (the rest of the scope is not applicable). A project's
    /// status and stratum are worked out again from its row when needed rather than kept with
    /// it (an outcome and a stratum per project took 170 MB of a 1 M-project screen).
    ///
    /// In a scan that continues a run which kept its population (`runner_up_state`), the
    /// earlier projects whose ratio enters a fence are read back, and only the new projects
    /// are observed.
    final class Population {
        /// A candidate row in 56 bytes: strings interned, optionals as sentinels (a
        /// `WinnerRunnerUp` takes 144, which held 74 MB of a 1 M-project screen).
        struct Compact {
            var project: ProjectRef
            var bandValue: PackedOptional<Int64>, winningBid: PackedOptional<Int64>, runnerUpBid: PackedOptional<Int64>
            /// Interned; -1 when none.
            var projectType: Int32, winner: Int32, runnerUp: Int32
            var fiscalYear: PackedOptional<Int32>
            var winners: Int32
            var method: ProcurementMethod?
            var awardsQualify: Bool
            /// Read back from the continued run's kept population: decided before, re-decided
            /// only when its fence moved.
            var earlier = false
        }

        let ratio: WinnerRunnerUpRatio
        private var compact: [Compact] = []
        /// Firms (winner, runner-up) and project types.
        private let names: SharedInterner
        /// The ratios of the projects out of scope, which the fences count too.
        var outOfScopeValues: [(Stratum, Double)] = []
        let strata = StrataIndex()
        /// Set when the earlier projects were read back from the continued run's kept population.
        private(set) var continuation: DatasetContinuation?
        private let keepsState: Bool
        private var stateHandedOut = false

        init(_ ratio: WinnerRunnerUpRatio, names: SharedInterner, shared: RunSharedState = RunSharedState()) {
            self.ratio = ratio
            self.names = names
            keepsState = shared.keepsState
            // A population that cannot be read back is observed whole, as in a full run.
            if let continuation = shared.continuation, let kept = try? RunnerUpState.load(ratio.sharingKey, continuing: continuation) {
                compact = kept.map { var c = compress($0); c.earlier = true; return c }
                self.continuation = continuation
            }
        }

        /// The in-scope projects that need a decision, in the order observed, each with whether
        /// it was read back (`Compact.earlier`).
        var candidates: LazyMapSequence<[Compact], (row: WinnerRunnerUp, earlier: Bool)> { compact.lazy.map { (self.expand($0), $0.earlier) } }

        func observe(_ record: ProcurementRecord, inScope: Bool) {
            // Methods outside PRICE_ONLY never enter the ratio's population.
            if !ratio.priceOnly.isEmpty, let method = record.method, !ratio.priceOnly.contains(method) { return }
            let row = WinnerRunnerUp(record, nullStatusAsValid: ratio.nullStatusAsValid, semantics: ratio.semantics)
            if inScope {
                compact.append(compress(row))
            } else if case .ratio(let r) = ratio.status(row), let s = ratio.stratum(row) {
                outOfScopeValues.append((s, r))
            }
        }

        private func compress(_ row: WinnerRunnerUp) -> Compact {
            func id(_ s: String?) -> Int32 { s.map { names.id($0) } ?? -1 }
            return Compact(project: row.project, bandValue: PackedOptional(row.bandValue), winningBid: PackedOptional(row.winningBid),
                           runnerUpBid: PackedOptional(row.runnerUpBid), projectType: id(row.projectType), winner: id(row.winner),
                           runnerUp: id(row.runnerUp), fiscalYear: PackedOptional(row.fiscalYear), winners: Int32(row.winners),
                           method: row.method, awardsQualify: row.awardsQualify)
        }

        private func expand(_ c: Compact) -> WinnerRunnerUp {
            func name(_ i: Int32) -> String? { i < 0 ? nil : names.name(i) }
            return WinnerRunnerUp(project: c.project, method: c.method, projectType: name(c.projectType), bandValue: c.bandValue.value,
                                  fiscalYear: c.fiscalYear.int, winners: Int(c.winners),
                                  winningBid: c.winningBid.value, winner: name(c.winner), runnerUpBid: c.runnerUpBid.value,
                                  runnerUp: name(c.runnerUp), awardsQualify: c.awardsQualify)
        }

        /// Built once, after the pass, for both BR-21 and BR-22.
        lazy var fences: StratifiedFences = {
            var keyed = outOfScopeValues.map { (strata.keys(for: $0.0), $0.1) }
            for (row, _) in candidates {
                if case .ratio(let r) = ratio.status(row), let s = ratio.stratum(row) { keyed.append((strata.keys(for: s), r)) }
            }
            return StratifiedFences(keyedValues: keyed, index: strata, minimumSize: ratio.minimumStratum, k: ratio.k)
        }()

        /// The rows whose ratio enters a fence: the only ones a later fence can decide otherwise.
        /// New ones only, when the population was read back.
        func rowsToKeep() -> [WinnerRunnerUp] {
            compact.lazy.filter { self.continuation == nil || !$0.earlier }.map(expand).filter { row in
                if case .ratio = ratio.status(row), ratio.stratum(row) != nil { return true }
                return false
            }
        }

        /// What keeps the population in the store, for the first of its rules to finish; nil in
        /// a scoped run, which does not observe every project.
        func takeStateKeeper() -> (@Sendable (Database, Int64) throws -> Void)? {
            guard keepsState, !stateHandedOut else { return nil }
            stateHandedOut = true
            let population = UncheckedSendable(self)
            return { db, runID in
                try RunnerUpState.keep(population.value.rowsToKeep(), key: population.value.ratio.sharingKey,
                                       replacing: population.value.continuation == nil, db: db, runID: runID)
            }
        }
    }

    func evidence(_ row: WinnerRunnerUp, ratio: Double, threshold: String, stratum: String?) -> [Evidence] {
        var evidence = [
            Evidence(field: "runner_up_gap", observed: String(format: "%.4f", ratio), threshold: threshold, note: "(L − W) / W"),
            Evidence(field: "winning_bid", observed: row.winningBid.map { formatBaht($0) + " baht" } ?? "—", note: row.winner),
            Evidence(field: "runner_up_bid", observed: row.runnerUpBid.map { formatBaht($0) + " baht" } ?? "—", note: row.runnerUp),
        ]
        if let stratum {
            evidence.append(Evidence(field: FenceText.keyField, observed: stratum, note: "n={n}, Q1={q1}, Q3={q3}"))
        }
        return evidence
    }
}

/// One run of BR-21 or BR-22: the shared population, judged at one tail of the ratio.
final class WinnerRunnerUpRun: DatasetRun {
    enum Tail { case low, high }

    let ratio: WinnerRunnerUpRatio
    let threshold: Double?
    let tail: Tail
    let message: (Double) -> Message
    let population: WinnerRunnerUpRatio.Population
    /// Only the first run sharing a population feeds it.
    let feeds: Bool

    /// The previous run's fences of this rule, when the population continues that run.
    let previousFences: [String: TukeyFence]?

    init(ratio: WinnerRunnerUpRatio, threshold: Double?, tail: Tail, message: @escaping (Double) -> Message, ruleID: String,
         shared: RunSharedState) {
        self.ratio = ratio
        self.threshold = threshold
        self.tail = tail
        self.message = message
        var created = false
        population = shared.value(ratio.sharingKey) {
            created = true
            return WinnerRunnerUpRatio.Population(ratio, names: SharedInterner.firms(shared), shared: shared)
        }
        feeds = created
        previousFences = population.continuation.map { $0.fences[ruleID] ?? [:] }
    }

    func observe(_ record: ProcurementRecord, inScope: Bool) { if feeds { population.observe(record, inScope: inScope) } }

    var continues: Bool { population.continuation != nil }
    var decidesChangesOnly: Bool { continues }

    /// How a ratio held to its stratum's fence is decided.
    enum FenceDecision: Equatable {
        case raised(stratum: Int)
        case notRaised
        case stratumTooSmall

        var previous: ContinuedOutcomes.Previous {
            switch self {
            case .raised: return .raised
            case .notRaised: return .notRaised
            case .stratumTooSmall: return .notComputable(.stratumTooSmall)
            }
        }
    }

    func decision(_ r: Double, fence resolved: (key: Int, fence: TukeyFence)?) -> FenceDecision {
        guard let (key, fence) = resolved else { return .stratumTooSmall }
        // Cardinal's guards: the low tail needs Q1 > 0 and a lower fence > 0; the high tail an upper fence > 0.
        let informative = tail == .low ? fence.q1 > 0 && fence.lower > 0 : fence.upper > 0
        let hit = informative && (tail == .low ? fence.isLowOutlier(r) : fence.isHighOutlier(r))
        return hit ? .raised(stratum: key) : .notRaised
    }

    func outcome(_ decision: FenceDecision, _ row: WinnerRunnerUp, _ r: Double) -> Outcome {
        switch decision {
        case .raised(let key):
            // The fence by reference (`FenceText`), filled in when the finding is read.
            let limit = tail == .low ? "≤ {lower} (Q1 − {k}·IQR)" : "≥ {upper} (Q3 + {k}·IQR)"
            return raised(row, r, threshold: limit, stratum: population.strata.strata[key].description)
        case .notRaised: return .computedNotRaised
        case .stratumTooSmall: return .notComputable(.stratumTooSmall, detail: "fewer than \(ratio.minimumStratum) comparable tenders")
        }
    }

    func finish() -> DatasetResult {
        let fences = population.fences
        var result = DatasetResult()
        if threshold == nil { result.fences = FenceRecord.all("runner_up_gap", fences) }
        // The previous run's fences, when the population was read back: an earlier project is
        // re-decided when its decision under them differs from the one under the new.
        var previous: StratifiedFences?
        if population.continuation != nil {
            result.continued = ContinuedOutcomes()
            previous = StratifiedFences(kept: previousFences ?? [:], index: population.strata, minimumSize: ratio.minimumStratum, k: ratio.k)
        }
        for (row, earlier) in population.candidates {
            if earlier {
                // Only rows with a ratio and a stratum are kept: with a fixed threshold, none changes.
                guard let previous, threshold == nil, case .ratio(let r) = ratio.status(row), let stratum = ratio.stratum(row) else { continue }
                let keys = population.strata.keys(for: stratum)
                let before = decision(r, fence: previous.resolve(keys))
                let now = decision(r, fence: fences.resolve(keys))
                guard now != before else { continue }
                result.continued?.change(row.projectID, previously: before.previous)
                result.add(outcome(now, row, r), projectID: row.projectID, agencyID: row.agencyID, ministry: row.ministry)
                continue
            }
            let outcome: Outcome
            switch ratio.status(row) {
            case .outcome(let o):
                outcome = o
            case .ratio(let r):
                if let threshold {
                    let hit = tail == .low ? r <= threshold : r >= threshold
                    outcome = hit ? raised(row, r, threshold: "\(tail == .low ? "≤" : "≥") \(threshold)", stratum: nil) : .computedNotRaised
                } else if let stratum = ratio.stratum(row) {
                    outcome = self.outcome(decision(r, fence: fences.resolve(population.strata.keys(for: stratum))), row, r)
                } else {
                    outcome = .notComputable(.stratumTooSmall, detail: "fewer than \(ratio.minimumStratum) comparable tenders")
                }
            }
            result.add(outcome, projectID: row.projectID, agencyID: row.agencyID, ministry: row.ministry)
        }
        result.keepState = population.takeStateKeeper()
        return result
    }

    private func raised(_ row: WinnerRunnerUp, _ r: Double, threshold: String, stratum: String?) -> Outcome {
        // BR-21 names both bidders; BR-22 (a discounted winning bid) the winner.
        .raised(FindingDraft(summary: message(r), evidence: ratio.evidence(row, ratio: r, threshold: threshold, stratum: stratum),
                             involvedFirms: (tail == .low ? [row.winner, row.runnerUp] : [row.winner]).compactMap { $0 }, value: r))
    }
}

/// BR-21 and BR-22: one tail each of the shared runner-up gap, with its own message.
protocol RunnerUpGapIndicator: DatasetIndicator {
    static var tail: WinnerRunnerUpRun.Tail { get }
    static func message(_ r: Double) -> Message
    var ratio: WinnerRunnerUpRatio { get }
    var threshold: Double? { get }
    init(ratio: WinnerRunnerUpRatio, threshold: Double?)
}

extension RunnerUpGapIndicator {
    static var fields: Set<String> { WinnerRunnerUpRatio.fields }

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        self.init(ratio: try WinnerRunnerUpRatio(rule: rule), threshold: try rule.parameterValue("threshold").doubleValue)
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun {
        WinnerRunnerUpRun(ratio: ratio, threshold: threshold, tail: Self.tail, message: Self.message, ruleID: Self.id, shared: shared)
    }
}

/// Flags a runner-up bid abnormally close to the winning bid (a low outlier of (L − W)/W in
/// its stratum): mimicked competition. Exclusions: methods outside PRICE_ONLY; several
/// winners; the runner-up below the winner. Source: Cardinal R024. Rule file:
/// `Rules/collusion/BR-21-price-close-to-winning-bid.yaml`.
struct PriceCloseToWinningBidIndicator: RunnerUpGapIndicator {
    static let id = "BR-21"
    static let tail = WinnerRunnerUpRun.Tail.low
    let ratio: WinnerRunnerUpRatio
    let threshold: Double?

    static func message(_ r: Double) -> Message {
        let percent = String(format: "%.2f", r * 100)
        return Message(en: "The second-best bid is only \(percent)% above the winning bid: an outlier for comparable tenders",
                       th: "ราคาอันดับสองสูงกว่าราคาผู้ชนะเพียง \(percent)% ผิดปกติเมื่อเทียบกับโครงการลักษณะเดียวกัน")
    }
}

/// Flags a winning bid far below the runner-up (a high outlier of (L − W)/W in its stratum):
/// a cover-bidding pattern or an abnormally low offer. Exclusions as BR-21. Source: Cardinal
/// R058. Rule file: `Rules/collusion/BR-22-heavily-discounted-winning-bid.yaml`.
struct HeavilyDiscountedWinningBidIndicator: RunnerUpGapIndicator {
    static let id = "BR-22"
    static let tail = WinnerRunnerUpRun.Tail.high
    let ratio: WinnerRunnerUpRatio
    let threshold: Double?

    static func message(_ r: Double) -> Message {
        let percent = String(format: "%.2f", r * 100)
        return Message(en: "The winning bid is \(percent)% below the second-best bid: an outlier for comparable tenders",
                       th: "ราคาผู้ชนะต่ำกว่าราคาอันดับสอง \(percent)% ผิดปกติเมื่อเทียบกับโครงการลักษณะเดียวกัน")
    }
}
