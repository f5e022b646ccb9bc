import Foundation

/// The run of a network rule over the shared co-bidding table: the first rule of the run to ask
/// feeds the table; each rule decides from it at the end.
/// A rule over the co-bidding table: its bids count as valid per its own parameter.
protocol CoBiddingRule {
    var nullStatusAsValid: Bool { get }
    /// The fiscal years it reads, up to the latest (0: all).
    var lookback: Int { get }
}

class CoBiddingRun<Rule: CoBiddingRule>: DatasetRun {
    let rule: Rule
    let table: CoBiddingTenders
    private let feeds: Bool

    init(_ rule: Rule, shared: RunSharedState) {
        self.rule = rule
        (table, feeds) = CoBiddingTenders.shared(shared, nullStatusAsValid: rule.nullStatusAsValid)
        table.keep(lookback: rule.lookback)
    }

    func observe(_ record: ProcurementRecord, inScope: Bool) { if feeds { table.observe(record, inScope: inScope) } }

    func finish() -> DatasetResult { fatalError("a network rule decides in its own finish()") }

    /// The graph and its pair counts are built when the rule finishes.
    var finishesLate: Bool { true }

    func firmNames(_ ids: [Int32]) -> [String] { ids.map(table.firms.name) }
}

/// BP-05: a firm that keeps bidding and never wins (a cover bidder, OECD). Over the window,
/// n = the tenders with a known winner where the firm has a valid bid; raised if n ≥ `min_bids`
/// and it won none of the window's tenders (a win without bid rows counts). The finding names
/// the firm and is linked to each tender in scope it lost. BP-22 is the fence form.
///
/// Rule file: `Rules/network/BP-05-losing-bidder-never-wins.yaml`.
struct LosingBidderNeverWinsIndicator: DatasetIndicator, CoBiddingRule {
    static let id = "BP-05"
    static let fields: Set<String> = ["projects.fiscal_year", "bids.bidder_id", "bids.status", "bids.price", "bids.is_winner",
                                      "contracts.winner_id"]

    let minBids: Int
    let lookback: Int
    let nullStatusAsValid: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minBids = Int(try rule.int("min_bids"))
        lookback = Int(try rule.int("lookback_fy"))
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: CoBiddingRun<LosingBidderNeverWinsIndicator> {
        override func finish() -> DatasetResult {
            let window = table.window(lookback: rule.lookback)
            let tenders = table.tenders
            var lost = [Int32](repeating: 0, count: table.firms.count)
            var won = [Bool](repeating: false, count: table.firms.count)
            for tender in tenders where window.contains(tender.fiscalYear) && tender.winner >= 0 {
                won[Int(tender.winner)] = true
                let start = Int(tender.start)
                for i in start ..< start + Int(tender.count) where table.valid[i] && table.bidders[i] != tender.winner {
                    lost[Int(table.bidders[i])] += 1
                }
            }
            var linked = LinkedFindings()
            for (t, tender) in tenders.enumerated() where tender.inScope && window.contains(tender.fiscalYear) && tender.winner >= 0 {
                let start = Int(tender.start)
                for i in start ..< start + Int(tender.count) where table.valid[i] {
                    let f = Int(table.bidders[i])
                    guard !won[f], Int(lost[f]) >= rule.minBids else { continue }
                    let firm = table.firms.name(Int32(f))
                    linked.add(tender: t, .init(
                        subjectType: .firm, subjectID: firm, firms: [firm],
                        summary: Message(en: "Losing bidder never wins: \(firm) lost all \(lost[f]) tenders it bid in (\(window.description))",
                                         th: "เสนอราคาบ่อยแต่ไม่เคยชนะ: \(firm) แพ้ทั้ง \(lost[f]) โครงการที่เสนอราคา"),
                        evidence: [Evidence(field: "valid_bids_without_a_win", observed: String(lost[f]), threshold: "≥ \(rule.minBids), 0 wins",
                                            note: "\(firm): \(lost[f]) valid bids on awarded tenders, no win, \(window.description)")],
                        value: Double(lost[f]), rank: Int(lost[f])))
                }
            }
            var result = DatasetResult()
            linked.write(into: &result, tenders: tenders) { t in
                let tender = tenders[t]
                guard window.contains(tender.fiscalYear), tender.winner >= 0 else { return false }
                let start = Int(tender.start)
                return (start ..< start + Int(tender.count)).contains { table.valid[$0] }
            }
            return result
        }
    }
}

/// BP-06: a ring that takes turns to win (Imhof, Karagök & Rutz 2018; OECD "firms take turns").
/// 1. The co-bidding graph of the market: edges with ≥ `m` shared tenders. 2. Candidate groups:
/// each connected component of ≤ `max_component` firms; larger ones split into maximal cliques
/// (Bron–Kerbosch with pivoting; beyond `max_cliques` the component is not computable).
/// 3. T_G = the tenders where ≥ 2 members submitted. Raised when |T_G| ≥ `m_ring`, the members
/// won ≥ `share_in` of T_G's awarded tenders, ≥ `min_winners` members won, and the normalised
/// entropy of the members' wins H = −Σ pᵢ ln pᵢ / ln|G| ≥ `h`. The finding names the ring's
/// members, lists T_G with the winner of each, and is linked to each tender of T_G in scope.
///
/// Rule file: `Rules/network/BP-06-winner-rotation-ring.yaml`.
struct WinnerRotationRingIndicator: DatasetIndicator, CoBiddingRule {
    static let id = "BP-06"
    static let fields: Set<String> = ["projects.fiscal_year", "projects.agency_id", "projects.province", "projects.ministry",
                                      "bids.bidder_id", "bids.status", "bids.price", "bids.is_winner", "contracts.winner_id"]

    let m: Int
    let maxComponent: Int
    let maxCliques: Int
    let mRing: Int
    let shareIn: Double
    let minWinners: Int
    let h: Double
    let scope: MarketScope
    let lookback: Int
    let nullStatusAsValid: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        m = Int(try rule.int("m"))
        maxComponent = Int(try rule.int("max_component"))
        maxCliques = Int(try rule.int("max_cliques"))
        mRing = Int(try rule.int("m_ring"))
        shareIn = try rule.double("share_in")
        minWinners = Int(try rule.int("min_winners"))
        h = try rule.double("h")
        scope = try MarketScope.read(rule)
        lookback = Int(try rule.int("lookback_fy"))
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    /// A raised ring.
    struct Ring {
        var members: [Int32]
        var tenders: [Int]
        var memberWins: Int
        var awarded: Int
        var winners: Int
        var entropy: Double
    }

    final class Run: CoBiddingRun<WinnerRotationRingIndicator> {
        override func finish() -> DatasetResult {
            let graph = table.graph(scope: rule.scope, lookback: rule.lookback)
            let tenders = table.tenders
            // Each firm's window tenders (in its market), as one flat index.
            var offsets = [Int32](repeating: 0, count: table.firms.count + 1)
            for t in tenders.indices where graph.marketOf[t] >= 0 { for f in table.bidders(of: t) { offsets[Int(f) + 1] += 1 } }
            for i in 1 ..< offsets.count { offsets[i] += offsets[i - 1] }
            var firmTenders = [Int32](repeating: 0, count: Int(offsets.last!))
            var fill = offsets
            for t in tenders.indices where graph.marketOf[t] >= 0 {
                for f in table.bidders(of: t) {
                    firmTenders[Int(fill[Int(f)])] = Int32(t)
                    fill[Int(f)] += 1
                }
            }

            var rings: [Ring] = []
            var uncomputable: [(members: [Int32], market: Int32)] = []
            for (market, pairs) in graph.pairs.enumerated() {
                for group in candidateGroups(pairs, market: Int32(market), uncomputable: &uncomputable) {
                    if let ring = judge(group, market: Int32(market), graph: graph, offsets: offsets, firmTenders: firmTenders) {
                        rings.append(ring)
                    }
                }
            }

            var linked = LinkedFindings()
            for ring in rings {
                let members = firmNames(ring.members)
                let subject = members.joined(separator: "+")
                let listed = ring.tenders.prefix(30).map { t in
                    "\(tenders[t].projectID) → \(tenders[t].winner >= 0 ? table.firms.name(tenders[t].winner) : "no winner")"
                }.joined(separator: "; ") + (ring.tenders.count > 30 ? "; … \(ring.tenders.count - 30) more" : "")
                let share = Double(ring.memberWins) / Double(ring.awarded)
                let hit = LinkedFindings.Hit(
                    subjectType: .ring, subjectID: subject, firms: members,
                    summary: Message(en: "Ring of \(members.count) firms took turns to win: \(ring.winners) members won \(ring.memberWins) of \(ring.tenders.count) shared tenders",
                                     th: "กลุ่มผู้เสนอราคา \(members.count) รายผลัดกันชนะ: สมาชิก \(ring.winners) รายชนะ \(ring.memberWins) จาก \(ring.tenders.count) โครงการที่เสนอราคาร่วมกัน"),
                    evidence: [
                        Evidence(field: "ring_members", observed: members.joined(separator: ", ")),
                        Evidence(field: "shared_tenders", observed: String(ring.tenders.count), threshold: "≥ \(rule.mRing)"),
                        Evidence(field: "member_win_share", observed: String(format: "%.3f", share), threshold: "≥ \(rule.shareIn)",
                                 note: "\(ring.memberWins) of \(ring.awarded) awarded shared tenders"),
                        Evidence(field: "distinct_winners", observed: String(ring.winners), threshold: "≥ \(rule.minWinners)"),
                        Evidence(field: "win_entropy", observed: String(format: "%.3f", ring.entropy), threshold: "≥ \(rule.h)",
                                 note: "normalised by ln \(members.count)"),
                        Evidence(field: "tender_winners", observed: listed),
                    ],
                    value: ring.entropy, rank: ring.tenders.count)
                for t in ring.tenders where tenders[t].inScope { linked.add(tender: t, hit) }
            }
            var result = DatasetResult()
            // A component too dense to split: its tenders are not computable, never "no ring".
            var blocked: [Int: Int] = [:]
            if !uncomputable.isEmpty {
                // Components are per market: a firm maps to its component in each market.
                var componentOf: [UInt64: Int] = [:]
                for (i, component) in uncomputable.enumerated() {
                    for f in component.members { componentOf[UInt64(UInt32(component.market)) << 32 | UInt64(UInt32(f))] = i }
                }
                for t in tenders.indices where tenders[t].inScope && graph.marketOf[t] >= 0 {
                    let market = UInt64(UInt32(graph.marketOf[t])) << 32
                    var seen: [Int: Int] = [:]
                    for f in table.bidders(of: t) {
                        guard let i = componentOf[market | UInt64(UInt32(f))] else { continue }
                        seen[i, default: 0] += 1
                        if seen[i]! >= 2 { blocked[t] = i }
                    }
                }
            }
            for (t, i) in blocked.sorted(by: { $0.key < $1.key }) {
                result.add(.notComputable(.graphTooDense, detail: "a co-bidding component of \(uncomputable[i].members.count) firms has more than \(rule.maxCliques) maximal cliques"),
                           projectID: tenders[t].projectID, agencyID: tenders[t].agencyID, ministry: tenders[t].ministry)
            }
            linked.write(into: &result, tenders: tenders) { t in
                graph.marketOf[t] >= 0 && tenders[t].count >= 2 && blocked[t] == nil
            }
            return result
        }

        /// Connected components of the edges with weight ≥ m; large ones split into maximal cliques.
        private func candidateGroups(_ pairs: CoBiddingGraph.PairCounts, market: Int32,
                                     uncomputable: inout [(members: [Int32], market: Int32)]) -> [[Int32]] {
            var adjacency: [Int32: [Int32]] = [:]
            for p in pairs where Int(p.count) >= rule.m {
                let (a, b) = CoBiddingGraph.split(p.key)
                adjacency[a, default: []].append(b)
                adjacency[b, default: []].append(a)
            }
            var seen = Set<Int32>()
            var groups: [[Int32]] = []
            for start in adjacency.keys.sorted() where !seen.contains(start) {
                var component: [Int32] = [start]
                seen.insert(start)
                var i = 0
                while i < component.count {
                    for next in adjacency[component[i]]! where seen.insert(next).inserted { component.append(next) }
                    i += 1
                }
                component.sort()
                if component.count <= rule.maxComponent {
                    groups.append(component)
                } else if let cliques = Self.maximalCliques(component, adjacency: adjacency, limit: rule.maxCliques) {
                    groups.append(contentsOf: cliques)
                } else {
                    uncomputable.append((component, market))
                }
            }
            return groups
        }

        /// Bron–Kerbosch with pivoting, started from each vertex in degeneracy order (Eppstein, Löffler
        /// & Strash 2010): each start sees only its later neighbours, so a large sparse component
        /// (a national market's co-bidding graph) costs about n·d³, not n² per level. The maximal
        /// cliques of ≥ 2 firms; nil beyond `limit`.
        static func maximalCliques(_ nodes: [Int32], adjacency: [Int32: [Int32]], limit: Int) -> [[Int32]]? {
            var neighbours: [Int32: Set<Int32>] = [:]
            for v in nodes { neighbours[v] = Set(adjacency[v] ?? []) }
            var cliques: [[Int32]] = []
            var overflow = false
            func expand(_ r: [Int32], _ p: Set<Int32>, _ x: Set<Int32>) {
                guard !overflow else { return }
                if p.isEmpty {
                    if x.isEmpty && r.count >= 2 {
                        cliques.append(r.sorted())
                        if cliques.count > limit { overflow = true }
                    }
                    return
                }
                let pivot = p.union(x).max { neighbours[$0]!.intersection(p).count < neighbours[$1]!.intersection(p).count }!
                var p = p, x = x
                for v in p.subtracting(neighbours[pivot]!).sorted() {
                    let n = neighbours[v]!
                    expand(r + [v], p.intersection(n), x.intersection(n))
                    p.remove(v)
                    x.insert(v)
                }
            }
            var position: [Int32: Int] = [:]
            for (i, v) in degeneracyOrder(nodes, neighbours).enumerated() { position[v] = i }
            for v in nodes.sorted(by: { position[$0]! < position[$1]! }) {
                let n = neighbours[v]!
                expand([v], n.filter { position[$0]! > position[v]! }, n.filter { position[$0]! < position[v]! })
                if overflow { return nil }
            }
            return cliques.sorted { $0.lexicographicallyPrecedes($1) }
        }

        /// Vertices by repeatedly removing one of least remaining degree (bucket queue).
        static func degeneracyOrder(_ nodes: [Int32], _ neighbours: [Int32: Set<Int32>]) -> [Int32] {
            var degree = Dictionary(uniqueKeysWithValues: nodes.map { ($0, neighbours[$0]!.count) })
            var buckets = [Set<Int32>](repeating: [], count: (degree.values.max() ?? 0) + 1)
            for (v, d) in degree { buckets[d].insert(v) }
            var order: [Int32] = []
            order.reserveCapacity(nodes.count)
            var removed = Set<Int32>()
            var low = 0
            while order.count < nodes.count {
                while buckets[low].isEmpty { low += 1 }
                // Any vertex of least degree: the set of maximal cliques does not depend on which
                // (the result is sorted), and picking the smallest would cost a scan of the bucket.
                let v = buckets[low].removeFirst()
                removed.insert(v)
                order.append(v)
                for u in neighbours[v]! where !removed.contains(u) {
                    let d = degree[u]!
                    buckets[d].remove(u)
                    buckets[d - 1].insert(u)
                    degree[u] = d - 1
                    low = min(low, d - 1)
                }
            }
            return order
        }

        /// The ring test on one candidate group.
        private func judge(_ group: [Int32], market: Int32, graph: CoBiddingGraph, offsets: [Int32], firmTenders: [Int32]) -> Ring? {
            var membersIn: [Int32: Int] = [:]
            for f in group {
                for i in Int(offsets[Int(f)]) ..< Int(offsets[Int(f) + 1]) where graph.marketOf[Int(firmTenders[i])] == market {
                    membersIn[firmTenders[i], default: 0] += 1
                }
            }
            let shared = membersIn.filter { $0.value >= 2 }.keys.map(Int.init).sorted()
            guard shared.count >= rule.mRing else { return nil }
            let members = Set(group)
            var wins: [Int32: Int] = [:]
            var awarded = 0
            for t in shared where table.tenders[t].winner >= 0 {
                awarded += 1
                let w = table.tenders[t].winner
                if members.contains(w) { wins[w, default: 0] += 1 }
            }
            let memberWins = wins.values.reduce(0, +)
            guard awarded > 0, Double(memberWins) / Double(awarded) >= rule.shareIn, wins.count >= rule.minWinners else { return nil }
            // Summed in a fixed order: in the dictionary's (seeded per process) the last bit of
            // the entropy changed from one run to the next.
            let entropy = -wins.values.sorted().reduce(0.0) { sum, w in
                let p = Double(w) / Double(awarded)
                return sum + p * log(p)
            } / log(Double(group.count))
            guard entropy >= rule.h else { return nil }
            return Ring(members: group, tenders: shared, memberWins: memberWins, awarded: awarded, winners: wins.count, entropy: entropy)
        }
    }
}

/// BP-07: two firms that keep bidding together (ACT Ai "คู่เทียบเคยมีประวัติการเสนอราคาด้วยกันบ่อยครั้ง";
/// Conley & Decarolis 2016). Pair (a, b) in one market over the window: c = shared tenders,
/// J = c / (n_a + n_b − c) with n_x = the tenders x bid in. Raised if c ≥ `min_c` and J ≥ `min_j`;
/// the finding names the pair and is linked to each shared tender in scope.
///
/// Rule file: `Rules/network/BP-07-frequent-co-bidders.yaml`.
struct FrequentCoBiddersIndicator: DatasetIndicator, CoBiddingRule {
    static let id = "BP-07"
    static let fields: Set<String> = ["projects.fiscal_year", "projects.agency_id", "projects.province", "projects.ministry",
                                      "bids.bidder_id", "bids.status", "bids.price", "bids.is_winner", "contracts.winner_id"]

    let minC: Int
    let minJ: Double
    let scope: MarketScope
    let lookback: Int
    let nullStatusAsValid: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minC = Int(try rule.int("min_c"))
        minJ = try rule.double("min_j")
        scope = try MarketScope.read(rule)
        lookback = Int(try rule.int("lookback_fy"))
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: CoBiddingRun<FrequentCoBiddersIndicator> {
        override func finish() -> DatasetResult {
            let graph = table.graph(scope: rule.scope, lookback: rule.lookback)
            let tenders = table.tenders
            // Raised pairs per market, with (c, J).
            var raised: [[UInt64: (c: Int32, j: Double)]] = graph.pairs.map { _ in [:] }
            for (market, pairs) in graph.pairs.enumerated() {
                for p in pairs where Int(p.count) >= rule.minC {
                    let (a, b) = CoBiddingGraph.split(p.key)
                    let union = graph.tenderCounts[market][a]! + graph.tenderCounts[market][b]! - p.count
                    let j = Double(p.count) / Double(union)
                    if j >= rule.minJ { raised[market][p.key] = (p.count, j) }
                }
            }
            var linked = LinkedFindings()
            for (t, tender) in tenders.enumerated() where tender.inScope && graph.marketOf[t] >= 0 && tender.count >= 2 {
                let market = Int(graph.marketOf[t])
                guard !raised[market].isEmpty else { continue }
                let bidders = table.bidders(of: t)
                for i in bidders.indices {
                    for j in bidders.indices where j > i {
                        guard let pair = raised[market][CoBiddingGraph.pairKey(bidders[i], bidders[j])] else { continue }
                        let a = table.firms.name(bidders[i]), b = table.firms.name(bidders[j])
                        let nA = graph.tenderCounts[market][bidders[i]]!, nB = graph.tenderCounts[market][bidders[j]]!
                        linked.add(tender: t, .init(
                            subjectType: .pair, subjectID: "\(a)|\(b)", firms: [a, b],
                            summary: Message(en: "Frequent co-bidders: \(a) and \(b) bid together in \(pair.c) tenders (Jaccard " + String(format: "%.2f", pair.j) + ")",
                                             th: "คู่เทียบเสนอราคาด้วยกันบ่อยครั้ง: \(a) และ \(b) เสนอราคาร่วมกัน \(pair.c) โครงการ"),
                            evidence: [Evidence(field: "shared_tenders", observed: String(pair.c), threshold: "≥ \(rule.minC)", note: "\(a) & \(b)"),
                                       Evidence(field: "jaccard", observed: String(format: "%.3f", pair.j), threshold: "≥ \(rule.minJ)",
                                                note: "\(a) bid in \(nA), \(b) in \(nB) tenders, \(table.window(lookback: rule.lookback).description)"
                                                    + (rule.scope == .all ? "" : ", \(rule.scope.rawValue) \(graph.marketNames[market])"))],
                            value: pair.j, rank: Int(pair.c)))
                    }
                }
            }
            var result = DatasetResult()
            linked.write(into: &result, tenders: tenders) { t in graph.marketOf[t] >= 0 && tenders[t].count >= 2 }
            return result
        }
    }
}
