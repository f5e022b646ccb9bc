import Foundation

/// The fiscal-year window of a cross-tender rule (INDICATORS.md §1.1.3): the `lookback` fiscal
/// years ending at the screened fiscal year (`screen --fiscal-year`), else at the latest one in
/// the store (0: every year, and projects without a fiscal year too). It never depends on which
/// projects are in scope, so screening a subset gives the same findings as a full run.
struct FiscalYearWindow {
    let lookback: Int
    /// The screened fiscal year of the run, when it has one.
    let screenedFiscalYear: Int?
    private(set) var latestSeen: Int?
    /// `start` when `startMoved()` last answered.
    private var startSeen: Int?

    init(lookback: Int, screenedFiscalYear: Int?) {
        self.lookback = lookback
        self.screenedFiscalYear = screenedFiscalYear
    }

    /// Notes every record of the population, in scope or not.
    mutating func note(_ r: ProcurementRecord, inScope: Bool) {
        if let fy = r.fiscalYear { note(fiscalYear: fy) }
    }

    mutating func note(fiscalYear fy: Int) { latestSeen = max(latestSeen ?? fy, fy) }

    var end: Int? { screenedFiscalYear ?? latestSeen }

    /// The first fiscal year the window can still hold: the end only moves forward in a pass,
    /// so years before it are out for good (nil: no limit yet).
    var start: Int? {
        guard lookback > 0, let end else { return nil }
        return end - lookback + 1
    }

    /// Whether `start` moved since the last call: a population then drops what fell out of
    /// the window (the store is read in mostly chronological order, so a few times per pass).
    mutating func startMoved() -> Bool {
        guard start != startSeen else { return false }
        startSeen = start
        return true
    }

    /// Whether a project of `fy` is outside the window whatever the rest of the pass holds: a
    /// population can drop it as it comes instead of keeping every year of a long history.
    func excludesForGood(_ fy: Int?) -> Bool {
        guard lookback > 0 else { return false }
        guard let fy else { return true }
        if let screened = screenedFiscalYear, fy > screened { return true }
        guard let start else { return false }
        return fy < start
    }

    func contains(_ fy: Int?) -> Bool {
        guard lookback > 0 else { return true }
        guard let fy, let latest = end else { return false }
        return fy <= latest && fy > latest - lookback
    }

    var description: String {
        guard lookback > 0, let latest = end else { return "all fiscal years" }
        return lookback == 1 ? "FY \(latest)" : "FY \(latest - lookback + 1)–\(latest)"
    }
}

/// Counts per organisation and fiscal year, organisations interned: one hash of the name's bytes
/// and one of a small key per update (nested dictionaries copied on write cost 4x more per bid).
struct OrganisationYearCounts<Value> {
    struct Key: Hashable { var organisation: Int32; var fiscalYear: PackedOptional<Int32> }

    private let organisations: SharedInterner
    private var values: [Key: Value] = [:]
    let zero: Value

    /// - Parameter names: the interner of the organisations' names; the run's firm interner
    ///   for bidders.
    init(zero: Value, names: SharedInterner = SharedInterner()) {
        self.zero = zero
        organisations = names
    }

    @inline(__always) mutating func update(_ name: String, fiscalYear: Int?, _ body: (inout Value) -> Void) {
        update(id: organisations.id(name), fiscalYear: fiscalYear, body)
    }

    /// The same for an organisation already interned with `id(_:)`.
    @inline(__always) mutating func update(id: Int32, fiscalYear: Int?, _ body: (inout Value) -> Void) {
        let start = zero
        body(&values[Key(organisation: id, fiscalYear: PackedOptional(fiscalYear)), default: start])
    }

    /// The organisation's id, assigned on first sight.
    func id(_ name: String) -> Int32 { organisations.id(name) }
    func existingID(_ name: String) -> Int32? { organisations.existingID(name) }
    func name(_ id: Int32) -> String { organisations.name(id) }

    /// Every organisation × fiscal year with its value.
    func forEach(_ body: (_ organisation: String, _ fiscalYear: Int?, Value) throws -> Void) rethrows {
        for (key, value) in values { try body(organisations.name(key.organisation), key.fiscalYear.int, value) }
    }

    /// The value of one organisation × fiscal year (`zero` when never updated).
    func value(_ id: Int32, fiscalYear: Int?) -> Value { values[Key(organisation: id, fiscalYear: PackedOptional(fiscalYear))] ?? zero }

    /// Forgets the counts of the fiscal years `exclude` selects.
    mutating func dropYears(where exclude: (Int?) -> Bool) {
        values = values.filter { key, _ in !exclude(key.fiscalYear.int) }
    }

    /// Each organisation's total over the fiscal years `include` accepts.
    func totals(including include: (Int?) -> Bool, _ combine: (inout Value, Value) -> Void) -> [String: Value] {
        var result: [String: Value] = [:]
        for (key, value) in values {
            guard include(key.fiscalYear.int) else { continue }
            combine(&result[organisations.name(key.organisation), default: zero], value)
        }
        return result
    }
}

/// BP-21: organisations whose share of disqualified bids is an upper outlier among their peers.
/// Three groups, each with its own fence: agencies (agency_id), sub-agencies (agency_id +
/// sub_agency_name), and bidders. ratio = Σ disqualified / Σ submitted over the window; the
/// population is the organisations with ≥ `min_submitted_bids` submitted bids; raised if
/// ratio ≥ Q3 + k·IQR (inclusive, guard fence > 0; `threshold` replaces the fences, as in
/// Cardinal R038). The linked projects are those in scope with a disqualified bid of the raised
/// organisation (for an agency: any disqualified bid on its projects).
///
/// Rule file: `Rules/competition/BP-21-excessive-disqualified-bids.yaml`.
struct ExcessiveDisqualifiedBidsIndicator: DatasetIndicator {
    static let id = "BP-21"
    static let fields: Set<String> = ["projects.sub_agency_name", "projects.fiscal_year", "projects.procuring_entity_id",
                                      "bids.bidder_id", "bids.status", "bids.status_raw"]

    let minimumSubmitted: Int
    let minimumSubmittedAgencies: Int
    let k: Double
    let threshold: Double?
    let lookback: Int
    let nullStatusAsValid: Bool
    let semantics: Semantics
    /// The second agency group: sub_agency (agency_id + sub_agency_name) or procuring_entity (OCDS).
    let entityGroup: String

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        semantics = try Semantics.read(rule)
        minimumSubmittedAgencies = Int(try rule.int("min_submitted_bids_agencies"))
        entityGroup = try rule.parameterValue("entity_group").description
        guard entityGroup == "sub_agency" || entityGroup == "procuring_entity" else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.entity_group.value", reason: "expected sub_agency or procuring_entity")
        }
        minimumSubmitted = Int(try rule.int("min_submitted_bids"))
        k = try rule.double("k")
        threshold = try rule.parameterValue("threshold").doubleValue
        lookback = Int(try rule.int("lookback_fy"))
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    enum Group: String, CaseIterable {
        case agency, subAgency = "sub_agency", procuringEntity = "procuring_entity", bidder
        init?(index: Int) {
            switch index {
            case 0: self = .agency
            case 1: self = .subAgency
            case 2: self = .procuringEntity
            case 3: self = .bidder
            default: return nil
            }
        }

        /// Its slot in per-group arrays (`allCases` builds a new array on every call).
        var index: Int {
            switch self {
            case .agency: return 0
            case .subAgency: return 1
            case .procuringEntity: return 2
            case .bidder: return 3
            }
        }
        var label: Message {
            switch self {
            case .agency: return Message(en: "agency", th: "หน่วยงาน")
            case .subAgency: return Message(en: "sub-agency", th: "หน่วยงานย่อย")
            case .procuringEntity: return Message(en: "procuring entity", th: "หน่วยงานจัดซื้อ")
            case .bidder: return Message(en: "bidder", th: "ผู้เสนอราคา")
            }
        }
    }

    final class Run: DatasetRun {
        struct Counts { var disqualified = 0, submitted = 0 }
        struct Linked: ProjectReferencing {
            var project: ProjectRef
            /// The organisations of each group this project's disqualified bids count against.
            var keys: [(Group, String)]
        }

        let rule: ExcessiveDisqualifiedBidsIndicator
        var window: FiscalYearWindow
        /// Per group, organisation × fiscal year → counts (the window is known only at the end).
        var counts: [OrganisationYearCounts<Counts>]
        var linked: [Linked] = []
        var inScopeWithBids = 0
        var inScopeWithBidsByFY: [Int?: Int] = [:]

        /// Set when the counts and linked projects were read back from the continued run's kept
        /// state: only the new projects are observed, and the counts they change are noted.
        private(set) var continuation: DatasetContinuation?
        private var touchedCounts: Set<OrganisationRatioState.CountKey> = []
        private var newlyLinked = 0
        private let keepsState: Bool
        /// The kept state's key: the parameters that shape what is observed.
        var stateKey: String {
            "BP-21|\(rule.semantics)|\(rule.nullStatusAsValid)|\(rule.entityGroup)"
        }

        init(_ rule: ExcessiveDisqualifiedBidsIndicator, shared: RunSharedState) {
            self.rule = rule
            window = FiscalYearWindow(lookback: rule.lookback, screenedFiscalYear: shared.screenedFiscalYear)
            let firms = SharedInterner.firms(shared)
            counts = Group.allCases.map { OrganisationYearCounts(zero: Counts(), names: $0 == .bidder ? firms : SharedInterner()) }
            keepsState = shared.keepsState
            // State that cannot be read back: every project is observed, as in a full run.
            if let continuation = shared.continuation, let kept = try? OrganisationRatioState.load(stateKey, continuing: continuation) {
                for c in kept.counts {
                    counts[c.group].update(c.organisation, fiscalYear: c.fiscalYear) { $0 = Counts(disqualified: c.first, submitted: c.second) }
                }
                linked = kept.linked.map { row in
                    Linked(project: row.project, keys: row.keys.compactMap { group, key in Group(index: group).map { ($0, key) } })
                }
                inScopeWithBidsByFY = kept.projectsByFiscalYear
                if let latest = kept.latestFiscalYear { window.note(fiscalYear: latest) }
                self.continuation = continuation
            }
        }

        var continues: Bool { continuation != nil }

        /// "agency / sub-agency", normalised once per distinct pair (not once per project).
        private var subAgencyKeys: [SubAgency: String] = [:]
        private struct SubAgency: Hashable { var agency: UTF8Key, sub: UTF8Key }
        private func subAgencyKey(_ agency: String, _ sub: String) -> String {
            let pair = SubAgency(agency: UTF8Key(agency), sub: UTF8Key(sub))
            if let known = subAgencyKeys[pair] { return known }
            let key = agency + " / " + ThaiText.normalize(sub)
            subAgencyKeys[pair] = key
            return key
        }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            window.note(r, inScope: inScope)
            var perProject = Counts()
            var disqualifiedBidders: [String] = []
            for b in r.bids {
                let submitted = rule.semantics == .cardinal ? ProcurementRecord.cardinalSubmitted(b)
                    : b.status == .valid || b.status == .disqualified || (b.status == nil && rule.nullStatusAsValid)
                guard submitted else { continue }
                let disqualified = rule.semantics == .cardinal ? ProcurementRecord.cardinalDisqualified(b) : b.status == .disqualified
                perProject.submitted += 1
                if disqualified { perProject.disqualified += 1 }
                if let key = b.bidderKey {
                    counts[Group.bidder.index].update(key, fiscalYear: r.fiscalYear) { $0.add(disqualified) }
                    if continuation != nil { touchedCounts.insert(.init(group: Group.bidder.index, organisation: key, fiscalYear: r.fiscalYear)) }
                    if disqualified { disqualifiedBidders.append(key) }
                }
            }
            guard perProject.submitted > 0 else { return }
            var agencyKeys: [(Group, String)] = []
            if let agency = r.agencyID {
                agencyKeys.append((.agency, agency))
                if rule.entityGroup == "sub_agency", let sub = r.subAgencyName, !sub.isEmpty {
                    agencyKeys.append((.subAgency, subAgencyKey(agency, sub)))
                }
            }
            if rule.entityGroup == "procuring_entity", let entity = r.procuringEntityID { agencyKeys.append((.procuringEntity, entity)) }
            for (group, key) in agencyKeys {
                counts[group.index].update(key, fiscalYear: r.fiscalYear) { $0.merge(perProject) }
                if continuation != nil { touchedCounts.insert(.init(group: group.index, organisation: key, fiscalYear: r.fiscalYear)) }
            }
            guard inScope else { return }
            inScopeWithBidsByFY[r.fiscalYear, default: 0] += 1
            if perProject.disqualified > 0 {
                linked.append(Linked(project: r.projectRef,
                                     keys: agencyKeys + Array(Set(disqualifiedBidders)).sorted().map { (.bidder, $0) }))
                if continuation != nil { newlyLinked += 1 }
            }
        }

        /// What keeps the counts and linked projects in the store: all of them after a pass over
        /// every project, the changed counts and new linked projects after a continuing one.
        private func stateKeeper() -> (@Sendable (Database, Int64) throws -> Void)? {
            guard keepsState else { return nil }
            var rows: [OrganisationRatioState.CountRow] = []
            if continuation != nil {
                for key in touchedCounts {
                    guard let id = counts[key.group].existingID(key.organisation) else { continue }
                    let c = counts[key.group].value(id, fiscalYear: key.fiscalYear)
                    rows.append(.init(group: key.group, organisation: key.organisation, fiscalYear: key.fiscalYear, first: c.disqualified, second: c.submitted))
                }
            } else {
                for group in Group.allCases {
                    counts[group.index].forEach { organisation, fy, c in
                        rows.append(.init(group: group.index, organisation: organisation, fiscalYear: fy, first: c.disqualified, second: c.submitted))
                    }
                }
            }
            // BP-21 decides linked projects of every fiscal year: their year is not kept (0).
            let newLinked = (continuation == nil ? linked[...] : linked.suffix(newlyLinked)).map { l in
                OrganisationRatioState.LinkedRow(project: l.project, fiscalYear: nil, keys: l.keys.map { ($0.0.index, $0.1) })
            }
            let state = UncheckedSendable((key: stateKey, replacing: continuation == nil, rows: rows, linked: newLinked,
                                           byFY: inScopeWithBidsByFY, latest: window.latestSeen))
            return { db, runID in
                let s = state.value
                try OrganisationRatioState.keep(s.key, replacing: s.replacing, counts: s.rows, linked: s.linked,
                                                projectsByFiscalYear: s.byFY, latestFiscalYear: s.latest, db: db, runID: runID)
            }
        }

        func finish() -> DatasetResult {
            var result = DatasetResult()
            // Per group: the organisations' ratios over the window, the fence, the raised ones.
            var raised: [Group: [String: (ratio: Double, counts: Counts)]] = [:]
            var fences: [Group: String] = [:]
            for group in Group.allCases {
                var ratios: [String: (Double, Counts)] = [:]
                for (key, total) in counts[group.index].totals(including: window.contains, { $0.merge($1) }) {
                    let minimum = group == .bidder ? rule.minimumSubmitted : rule.minimumSubmittedAgencies
                    guard total.submitted >= minimum, total.submitted > 0 else { continue }
                    ratios[key] = (Double(total.disqualified) / Double(total.submitted), total)
                }
                guard !ratios.isEmpty else { continue }
                let cut: Double
                if let threshold = rule.threshold {
                    cut = threshold
                    fences[group] = "≥ \(threshold) (fixed threshold)"
                } else {
                    let fence = TukeyFence(values: ratios.values.map(\.0), k: rule.k)
                    guard fence.upper > 0 else { continue }
                    cut = fence.upper
                    // By reference (`FenceText`): the numbers are filled in when a finding is read.
                    fences[group] = "≥ {upper} (Q3 + {k}·IQR; Q1 {q1}, Q3 {q3}, {n} \(group.label.en) ratios)"
                    result.fences.append(FenceRecord(statistic: "disqualified_share", stratum: group.rawValue, fence: fence))
                }
                raised[group] = ratios.filter { $0.value.0 >= cut }.mapValues { (ratio: $0.0, counts: $0.1) }
            }
            // One finding per organisation and linked project (DESIGN.md: one row per project a
            // finding touches); the value is the organisation's share.
            var linkedProjects = 0
            for project in linked {
                let hits = project.keys.compactMap { group, key in raised[group]?[key].map { (group, key, $0) } }
                guard !hits.isEmpty else { continue }
                linkedProjects += 1
                for (group, key, value) in hits {
                    result.add(.raised(FindingDraft(
                        summary: Message(en: "Excessive disqualified bids: \(group.label.en) \(key), " + String(format: "%.1f%%", value.ratio * 100)
                                             + " of \(value.counts.submitted) submitted bids (\(window.description))",
                                         th: "สัดส่วนการถูกตัดสิทธิ์สูงผิดปกติ: \(group.label.th) \(key) " + String(format: "%.1f%%", value.ratio * 100)),
                        evidence: [Evidence(field: "disqualified_share_\(group.rawValue)", observed: String(format: "%.4f", value.ratio),
                                            threshold: fences[group],
                                            note: "\(key): \(value.counts.disqualified) of \(value.counts.submitted) submitted bids disqualified, \(window.description)")]
                            + (rule.threshold == nil ? [Evidence(field: FenceText.keyField, observed: group.rawValue)] : []),
                        subjectType: group == .bidder ? .firm : .agency, subjectID: key,
                        involvedFirms: group == .bidder ? [key] : [], value: value.ratio)),
                        projectID: project.projectID, agencyID: project.agencyID, ministry: project.ministry)
                }
            }
            result.notRaised += inScopeWithBidsByFY.filter { window.contains($0.key) }.values.reduce(0, +) - linkedProjects
            result.keepState = stateKeeper()
            return result
        }
    }
}

private extension ExcessiveDisqualifiedBidsIndicator.Run.Counts {
    mutating func add(_ disqualified: Bool) {
        submitted += 1
        if disqualified { self.disqualified += 1 }
    }
    mutating func merge(_ other: Self) {
        submitted += other.submitted
        disqualified += other.disqualified
    }
}

/// BP-22: bidders that bid often and almost never win, judged against the other bidders. Over
/// single-winner projects in the window: den = the projects where the bidder has a valid bid,
/// num = those it won. Raised if den ≥ the activity fence (type-8 percentile `percentile` of den)
/// and num/den ≤ Q1 − k·IQR of the ratios. Guards (Cardinal R025): Q1 > 0 and fence > 0; when
/// IQR = 0 the comparison is strict (ratio < Q1), correcting Cardinal (INDICATORS.md §3.5).
/// `threshold` replaces the lower fence. The linked projects are the ones it lost.
///
/// Rule file: `Rules/competition/BP-22-excessive-unsuccessful-bids.yaml`.
struct ExcessiveUnsuccessfulBidsIndicator: DatasetIndicator {
    static let id = "BP-22"
    static let fields: Set<String> = ["projects.fiscal_year", "bids.bidder_id", "bids.status", "bids.is_winner", "contracts.winner_id",
                                      "bids.status_raw", "bids.n_tenderers", "contracts.status", "contracts.n_suppliers"]

    let semantics: Semantics
    let percentile: Double
    let k: Double
    let threshold: Double?
    let lookback: Int
    let nullStatusAsValid: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        semantics = try Semantics.read(rule)
        percentile = try rule.double("percentile")
        guard percentile > 0, percentile <= 100 else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.percentile.value", reason: "expected a percentile in (0, 100]")
        }
        k = try rule.double("k")
        threshold = try rule.parameterValue("threshold").doubleValue
        lookback = Int(try rule.int("lookback_fy"))
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: DatasetRun {
        /// A tender in scope; its losing bidders are `losers[start ..< start + count]`, interned,
        /// in name order (one flat array instead of an array of strings per tender).
        struct Tender: ProjectReferencing { var project: ProjectRef, fiscalYear: Int?, start: Int32, count: Int32 }

        let rule: ExcessiveUnsuccessfulBidsIndicator
        var window: FiscalYearWindow
        /// Bidder × fiscal year → (valid tenders, won).
        var record: OrganisationYearCounts<(den: Int, num: Int)>
        var tenders: [Tender] = []
        var losers: [Int32] = []
        /// Set when the counts and tenders were read back from the continued run's kept state:
        /// only the new projects are observed; the counts they change and the tenders they add
        /// are kept after the run.
        private(set) var continuation: DatasetContinuation?
        private var touchedCounts: Set<OrganisationRatioState.CountKey> = []
        /// How many of `tenders` were read back (the others are new).
        private var earlierTenders = 0
        private let keepsState: Bool
        /// The kept state's key: the parameters that shape what is observed (the window drops years).
        var stateKey: String { "BP-22|\(rule.semantics)|\(rule.nullStatusAsValid)|\(rule.lookback)" }

        init(_ rule: ExcessiveUnsuccessfulBidsIndicator, shared: RunSharedState) {
            self.rule = rule
            window = FiscalYearWindow(lookback: rule.lookback, screenedFiscalYear: shared.screenedFiscalYear)
            record = OrganisationYearCounts(zero: (den: 0, num: 0), names: SharedInterner.firms(shared))
            keepsState = shared.keepsState
            // State that cannot be read back: every project is observed, as in a full run.
            if let continuation = shared.continuation, let kept = try? OrganisationRatioState.load(stateKey, continuing: continuation) {
                for c in kept.counts { record.update(c.organisation, fiscalYear: c.fiscalYear) { $0 = (den: c.first, num: c.second) } }
                for row in kept.linked {
                    tenders.append(Tender(project: row.project, fiscalYear: row.fiscalYear, start: Int32(losers.count), count: Int32(row.keys.count)))
                    losers.append(contentsOf: row.keys.map { record.id($0.1) })
                }
                earlierTenders = tenders.count
                if let latest = kept.latestFiscalYear { window.note(fiscalYear: latest) }
                self.continuation = continuation
            }
        }

        var continues: Bool { continuation != nil }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            window.note(r, inScope: inScope)
            // Years outside the window are never counted: not kept, and dropped once the window
            // has moved past them.
            if window.startMoved() {
                record.dropYears(where: window.excludesForGood)
                earlierTenders -= tenders[..<earlierTenders].count { window.excludesForGood($0.fiscalYear) }
                tenders.removeAll { window.excludesForGood($0.fiscalYear) }
            }
            guard !window.excludesForGood(r.fiscalYear) else { return }
            // Cardinal R025: awards final, one active award with one supplier; valid bids of one tenderer.
            let cardinal = rule.semantics == .cardinal
            guard let winnerKey = cardinal ? (r.cardinalAwardsFinal ? r.cardinalSingleSupplier : nil) : r.winnerID else { return }
            // The distinct valid bidders, interned (a handful per tender: a linear check).
            var bidders: [Int32] = []
            for b in r.bids {
                let valid = cardinal ? ProcurementRecord.cardinalValid(b) && (b.tenderers ?? 1) == 1
                                     : b.status == .valid || (b.status == nil && rule.nullStatusAsValid)
                if valid, let key = b.bidderKey {
                    let id = record.id(key)
                    if !bidders.contains(id) { bidders.append(id) }
                }
            }
            guard !bidders.isEmpty else { return }
            let winner = record.existingID(winnerKey)
            for bidder in bidders {
                record.update(id: bidder, fiscalYear: r.fiscalYear) { entry in
                    entry.den += 1
                    if bidder == winner { entry.num += 1 }
                }
                if continuation != nil { touchedCounts.insert(.init(group: 0, organisation: record.name(bidder), fiscalYear: r.fiscalYear)) }
            }
            if inScope {
                let lost = bidders.filter { $0 != winner }.sorted { record.name($0) < record.name($1) }
                tenders.append(Tender(project: r.projectRef, fiscalYear: r.fiscalYear, start: Int32(losers.count), count: Int32(lost.count)))
                losers.append(contentsOf: lost)
            }
        }

        func finish() -> DatasetResult {
            var result = decide()
            result.keepState = stateKeeper()
            return result
        }

        /// What keeps the counts and tenders in the store: all of them after a pass over every
        /// project, the changed counts and new tenders after a continuing one.
        private func stateKeeper() -> (@Sendable (Database, Int64) throws -> Void)? {
            guard keepsState else { return nil }
            var rows: [OrganisationRatioState.CountRow] = []
            if continuation != nil {
                for key in touchedCounts {
                    guard let id = record.existingID(key.organisation) else { continue }
                    let c = record.value(id, fiscalYear: key.fiscalYear)
                    rows.append(.init(group: 0, organisation: key.organisation, fiscalYear: key.fiscalYear, first: c.den, second: c.num))
                }
            } else {
                record.forEach { organisation, fy, c in
                    rows.append(.init(group: 0, organisation: organisation, fiscalYear: fy, first: c.den, second: c.num))
                }
            }
            let kept = tenders[(continuation == nil ? 0 : earlierTenders)...].map { t in
                OrganisationRatioState.LinkedRow(project: t.project, fiscalYear: t.fiscalYear,
                                                 keys: losers[Int(t.start) ..< Int(t.start + t.count)].map { (0, record.name($0)) })
            }
            let state = UncheckedSendable((key: stateKey, replacing: continuation == nil, rows: rows, linked: kept,
                                           latest: window.latestSeen, first: window.start))
            return { db, runID in
                let s = state.value
                try OrganisationRatioState.keep(s.key, replacing: s.replacing, counts: s.rows, linked: s.linked, latestFiscalYear: s.latest,
                                                firstFiscalYear: s.first, db: db, runID: runID)
            }
        }

        private func decide() -> DatasetResult {
            var result = DatasetResult()
            let totals = record.totals(including: window.contains) { t, c in
                t.den += c.den
                t.num += c.num
            }.filter { $0.value.den > 0 }
            let inWindow = tenders.filter { window.contains($0.fiscalYear) }
            guard !totals.isEmpty else { return result }
            let activity = Quantiles.type8(totals.values.map { Double($0.den) }, rule.percentile / 100)
            // The activity fence is a quantile of its own, kept as a degenerate fence (Q1 = Q3).
            result.fences.append(FenceRecord(statistic: "valid_bids", stratum: "bidder_activity",
                                             fence: TukeyFence(n: totals.count, q1: activity, q3: activity, k: 0)))
            let ratios = totals.mapValues { Double($0.num) / Double($0.den) }
            let fence = TukeyFence(values: Array(ratios.values), k: rule.k)
            let cutText: String
            let isLow: (Double) -> Bool
            if let threshold = rule.threshold {
                cutText = "≤ \(threshold) (fixed threshold)"
                isLow = { $0 <= threshold }
            } else if fence.q1 > 0 && fence.lower > 0 {
                // By reference (`FenceText`): the numbers are filled in when a finding is read.
                cutText = "{low_cmp} {lower} (Q1 − {k}·IQR; Q1 {q1}, Q3 {q3}, {n} bidders)"
                isLow = fence.isLowOutlier
                result.fences.append(FenceRecord(statistic: "win_ratio", stratum: "bidder", fence: fence))
            } else {
                // The guard: a fence at or below zero cannot single out anyone. Computed, not raised.
                result.notRaised = inWindow.count
                return result
            }
            let raised = Set(totals.keys.filter { Double(totals[$0]!.den) >= activity && isLow(ratios[$0]!) }.compactMap(record.existingID))
            for t in inWindow {
                let hits = losers[Int(t.start) ..< Int(t.start + t.count)].filter(raised.contains).map(record.name)
                guard !hits.isEmpty else { result.notRaised += 1; continue }
                // One finding per raised bidder and tender it lost; the value is its win ratio.
                for bidder in hits {
                    let total = totals[bidder]!
                    result.add(.raised(FindingDraft(
                        summary: Message(en: "Frequent unsuccessful bidder: \(bidder) won \(total.num) of \(total.den) tenders",
                                         th: "ผู้เสนอราคาบ่อยแต่แพ้ผิดปกติ: \(bidder) ชนะ \(total.num) จาก \(total.den) โครงการ"),
                        evidence: [Evidence(field: "win_ratio", observed: String(format: "%.4f", ratios[bidder]!), threshold: cutText,
                                            note: "\(bidder): \(total.den) valid bids on single-winner tenders (activity fence ≥ "
                                                + "{q1.2@bidder_activity}), \(total.num) won, \(window.description)")]
                            + (rule.threshold == nil ? [Evidence(field: FenceText.keyField, observed: "bidder")] : []),
                        subjectType: .firm, subjectID: bidder, involvedFirms: [bidder], value: ratios[bidder]!)),
                        projectID: t.projectID, agencyID: t.agencyID, ministry: t.ministry)
                }
            }
            return result
        }
    }
}
