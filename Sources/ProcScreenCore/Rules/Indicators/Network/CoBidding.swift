import Foundation

/// Where a cross-tender rule looks for rings and co-bidders (INDICATORS.md §2.5): the whole store
/// by default, because rings bid to many buyers of a region; or one province, ministry or agency.
enum MarketScope: String {
    case all, province, ministry, agency = "agency_id"

    static func read(_ rule: RuleFile) throws(RuleFileError) -> MarketScope {
        let text = try rule.parameterValue("market_scope").description
        guard let scope = MarketScope(rawValue: text) else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.market_scope.value",
                                reason: "expected all, province, ministry or agency_id, got '\(text)'")
        }
        return scope
    }
}

/// Every tender's bidders and winner, with firms interned once per run, shared by the network
/// rules (BP-05, BP-06, BP-07): a tender's submitted bidders are a sorted slice of one flat
/// `[Int32]`, so 3 million bids cost a few dozen megabytes, and each rule reads the same copy.
final class CoBiddingTenders {
    /// 32 bytes: the province interned and the year in 32 bits (a String and an Int? took 48).
    struct Tender: LinkableProject, ProjectReferencing {
        var project: ProjectRef
        /// The interned province; -1 when the project has none.
        var province: Int32
        var year: PackedOptional<Int32>
        /// The tender's submitted bidders: `bidders[start ..< start + count]`, sorted, distinct.
        var start: Int32
        var count: Int32
        /// The interned winner; -1 when unknown or several (lots).
        var winner: Int32
        var inScope: Bool

        var fiscalYear: Int? { year.int }
    }

    let nullStatusAsValid: Bool
    private(set) var firms = Interner()
    private var provinces = Interner()
    private(set) var bidders: [Int32] = []
    /// Parallel to `bidders`: the bidder has a valid bid with a price (not only a submitted one).
    private(set) var valid: [Bool] = []
    private(set) var tenders: [Tender] = []
    private var window: FiscalYearWindow
    private var graphs: [String: CoBiddingGraph] = [:]
    /// The window of the longest lookback among the rules reading the table (0: every year);
    /// tenders before it are not kept. Every year until a rule says.
    private var kept: FiscalYearWindow
    private var keptLookback: Int?

    /// Says that a rule reads the tenders of the last `lookback` fiscal years (0: all). Called
    /// as the runs are made, before the pass.
    func keep(lookback: Int) {
        let longest = keptLookback.map { $0 == 0 || lookback == 0 ? 0 : max($0, lookback) } ?? lookback
        keptLookback = longest
        kept = FiscalYearWindow(lookback: longest, screenedFiscalYear: kept.screenedFiscalYear)
    }

    init(nullStatusAsValid: Bool, screenedFiscalYear: Int?) {
        self.nullStatusAsValid = nullStatusAsValid
        window = FiscalYearWindow(lookback: 0, screenedFiscalYear: screenedFiscalYear)
        kept = window
    }

    /// The run's shared table for this bid convention; `feeds` is true for the one rule that
    /// creates it and so must pass it the records.
    static func shared(_ shared: RunSharedState, nullStatusAsValid: Bool) -> (tenders: CoBiddingTenders, feeds: Bool) {
        var created = false
        let table = shared.value("co-bidding|\(nullStatusAsValid)") { () -> CoBiddingTenders in
            created = true
            return CoBiddingTenders(nullStatusAsValid: nullStatusAsValid, screenedFiscalYear: shared.screenedFiscalYear)
        }
        return (table, created)
    }


    func observe(_ r: ProcurementRecord, inScope: Bool) {
        window.note(r, inScope: inScope)
        // Tenders no rule's window can reach are not kept (a long history would otherwise stay
        // in memory whole); those kept before the window moved on are dropped.
        kept.note(r, inScope: inScope)
        if kept.startMoved() {
            dropTenders { kept.excludesForGood($0.fiscalYear) }
        }
        var local: [(firm: Int32, valid: Bool)] = []
        for b in r.bids {
            let counted = b.status == .valid || b.status == .disqualified || (b.status == nil && nullStatusAsValid)
            guard counted, let key = b.bidderKey else { continue }
            let isValid = b.status != .disqualified && (b.price ?? 0) > 0
            let id = firms.id(key)
            if let i = local.firstIndex(where: { $0.firm == id }) { local[i].valid = local[i].valid || isValid } else { local.append((id, isValid)) }
        }
        let winner = r.winnerID.map { firms.id($0) } ?? -1
        // A project without bid rows still counts when its winner is known (a win is a win).
        // Firms were interned all the same: numbered in order of first sight, which the
        // graph's candidate rings follow.
        guard !local.isEmpty || winner >= 0, !kept.excludesForGood(r.fiscalYear) else { return }
        local.sort { $0.firm < $1.firm }
        tenders.append(Tender(project: r.projectRef,
                              province: r.province.map { provinces.id($0) } ?? -1,
                              year: PackedOptional(r.fiscalYear), start: Int32(bidders.count), count: Int32(local.count),
                              winner: winner, inScope: inScope))
        for entry in local {
            bidders.append(entry.firm)
            valid.append(entry.valid)
        }
    }

    /// Removes the tenders `drop` selects, with their bidders.
    private func dropTenders(_ drop: (Tender) -> Bool) {
        guard tenders.contains(where: drop) else { return }
        var keptBidders: [Int32] = [], keptValid: [Bool] = []
        tenders = tenders.filter { !drop($0) }.map { tender in
            var moved = tender
            let range = Int(tender.start) ..< Int(tender.start + tender.count)
            moved.start = Int32(keptBidders.count)
            keptBidders.append(contentsOf: bidders[range])
            keptValid.append(contentsOf: valid[range])
            return moved
        }
        bidders = keptBidders
        valid = keptValid
    }

    /// The submitted bidders of tender `t`.
    @inline(__always) func bidders(of t: Int) -> ArraySlice<Int32> {
        let tender = tenders[t]
        return bidders[Int(tender.start) ..< Int(tender.start + tender.count)]
    }

    func window(lookback: Int) -> FiscalYearWindow { window.with(lookback: lookback) }

    /// The market key of a tender under `scope`; nil when the tender lacks it.
    func market(of t: Tender, _ scope: MarketScope) -> String? {
        switch scope {
        case .all: return ""
        case .province: return t.province < 0 ? nil : provinces.name(t.province)
        case .ministry: return t.ministry
        case .agency: return t.agencyID
        }
    }

    /// The co-bidding graph of the tenders in the window, per market; computed once per
    /// (scope, lookback) and shared by the rules that ask for it.
    func graph(scope: MarketScope, lookback: Int) -> CoBiddingGraph {
        let key = "\(scope.rawValue)|\(lookback)"
        if let known = graphs[key] { return known }
        let made = CoBiddingGraph(self, scope: scope, window: window(lookback: lookback))
        graphs[key] = made
        return made
    }
}

/// Firms as nodes, shared tenders as edge weights, per market: built by sorting the packed pair
/// keys of every tender (no dictionary per pair), then counting runs.
struct CoBiddingGraph {
    /// One market's pairs a < b that bid together, sorted by key, with their shared tenders: two
    /// flat arrays (12 bytes a pair; the 1 M screen has millions of pairs).
    struct PairCounts: RandomAccessCollection {
        let keys: [UInt64]
        let counts: [Int32]
        var startIndex: Int { 0 }
        var endIndex: Int { keys.count }
        subscript(i: Int) -> (key: UInt64, count: Int32) { (keys[i], counts[i]) }
    }

    /// Per tender: its market's index, or -1 when outside the window or without a market key.
    let marketOf: [Int32]
    let marketNames: [String]
    /// Per market: (a << 32 | b, shared tenders) for every pair a < b that bid together, sorted.
    let pairs: [PairCounts]
    /// Per market: firm → the number of window tenders it submitted a bid to.
    let tenderCounts: [[Int32: Int32]]

    @inline(__always) static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }
    @inline(__always) static func split(_ key: UInt64) -> (Int32, Int32) { (Int32(truncatingIfNeeded: key >> 32), Int32(truncatingIfNeeded: key)) }

    init(_ table: CoBiddingTenders, scope: MarketScope, window: FiscalYearWindow) {
        var markets = Interner()
        var marketOf = [Int32](repeating: -1, count: table.tenders.count)
        var counts: [[Int32: Int32]] = []
        // 1. Each tender's market, and how many pairs each market will hold (so the key arrays
        //    are allocated once, at their size, instead of doubling).
        var pairTotals: [Int] = []
        for (t, tender) in table.tenders.enumerated() where window.contains(tender.fiscalYear) && tender.count > 0 {
            guard let name = table.market(of: tender, scope) else { continue }
            let m = markets.id(name)
            if Int(m) == pairTotals.count {
                pairTotals.append(0)
                counts.append([:])
            }
            marketOf[t] = m
            let n = Int(tender.count)
            pairTotals[Int(m)] += n * (n - 1) / 2
            for a in table.bidders(of: t) { counts[Int(m)][a, default: 0] += 1 }
        }
        // 2. Every pair key, per market.
        var keys: [[UInt64]] = pairTotals.map { total in
            var k: [UInt64] = []
            k.reserveCapacity(total)
            return k
        }
        for t in table.tenders.indices where marketOf[t] >= 0 && table.tenders[t].count >= 2 {
            let bidders = table.bidders(of: t)
            let m = Int(marketOf[t])
            for i in bidders.indices {
                for j in bidders.indices where j > i { keys[m].append(Self.pairKey(bidders[i], bidders[j])) }
            }
        }
        self.marketOf = marketOf
        marketNames = markets.names
        tenderCounts = counts
        // 3. Sorted in place, runs counted, distinct keys kept.
        var pairs: [PairCounts] = []
        pairs.reserveCapacity(keys.count)
        for m in keys.indices {
            var sorted = keys[m]
            keys[m] = []   // the only reference now: sorted in place, not copied
            sorted.sort()
            var runCounts: [Int32] = []
            var distinct = 0
            var i = 0
            while i < sorted.count {
                var j = i + 1
                while j < sorted.count && sorted[j] == sorted[i] { j += 1 }
                sorted[distinct] = sorted[i]
                runCounts.append(Int32(j - i))
                distinct += 1
                i = j
            }
            pairs.append(PairCounts(keys: Array(sorted.prefix(distinct)), counts: runCounts))
        }
        self.pairs = pairs
    }
}

extension FiscalYearWindow {
    /// The same end, another length (a shared table serves rules with different lookbacks).
    func with(lookback: Int) -> FiscalYearWindow {
        var copy = FiscalYearWindow(lookback: lookback, screenedFiscalYear: screenedFiscalYear)
        if let latestSeen { copy.note(fiscalYear: latestSeen) }
        return copy
    }
}

/// Network findings gathered per linked project before they are written, so a project in two
/// rings (or with two raised pairs) gets one finding of the rule, not two weights in its score.
struct LinkedFindings {
    struct Hit {
        var subjectType: SubjectType
        var subjectID: String
        var firms: [String]
        var summary: Message
        var evidence: [Evidence]
        var value: Double?
        /// Larger is shown first and becomes the finding's subject.
        var rank: Int
    }

    private var hits: [Int: [Hit]] = [:]

    mutating func add(tender: Int, _ hit: Hit) { hits[tender, default: []].append(hit) }

    var isEmpty: Bool { hits.isEmpty }

    /// Adds the projects' outcomes to `result`: raised where linked, computed-not-raised for the
    /// other projects in scope that `computed` accepts.
    func write<P: LinkableProject>(into result: inout DatasetResult, tenders: [P], computed: (Int) -> Bool) {
        for (t, tender) in tenders.enumerated() where tender.inScope {
            guard var list = hits[t] else {
                if computed(t) { result.notRaised += 1 }
                continue
            }
            list.sort { ($0.rank, $1.subjectID) > ($1.rank, $0.subjectID) }
            let first = list[0]
            let more = list.dropFirst()
            let summary = more.isEmpty ? first.summary
                : Message(en: first.summary.en + " (and \(more.count) more)", th: first.summary.th + " (และอีก \(more.count) กลุ่ม)")
            result.add(.raised(FindingDraft(
                summary: summary, evidence: list.flatMap(\.evidence), subjectType: first.subjectType,
                subjectID: first.subjectType == .project ? nil : first.subjectID,
                involvedFirms: Array(Set(list.flatMap(\.firms))).sorted(), value: first.value)),
                projectID: tender.projectID, agencyID: tender.agencyID, ministry: tender.ministry)
        }
    }
}

/// A project a cross-tender finding can be linked to.
protocol LinkableProject {
    var projectID: String { get }
    var agencyID: String? { get }
    var ministry: String? { get }
    var inScope: Bool { get }
}
