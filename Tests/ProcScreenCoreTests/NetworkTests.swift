import Foundation
import Testing
@testable import ProcScreenCore

/// The cross-tender rules on the planted market of SampleData, and the firm view.
@Suite("Rings, pairs and splitting")
struct NetworkTests {
    func screened(_ rules: Set<String>) throws -> (StoreFixture, Int64, MarketGenerator.Truth) {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([Paths.sampleData.path])
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let summary = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: rules))
        let truth = try JSONDecoder().decode(MarketGenerator.Truth.self,
                                             from: Data(contentsOf: Paths.sampleData.appendingPathComponent("truth.json")))
        return (fixture, summary.runID, truth)
    }

    @Test func everyPlantedRingIsFoundWholeAndSplitsAreFound() throws {
        let (fixture, run, truth) = try screened(["BP-06", "TH-03"])
        let rings = try fixture.store.db.query(sql: "SELECT DISTINCT firms FROM run_findings WHERE run_id = ? AND rule_id = 'BP-06'", bindings: [run])
            .compactMap { $0[0].string.map { Set($0.split(separator: ",").map(String.init)) } }
        for planted in truth.rings {
            #expect(rings.contains(Set(planted.members)), "ring \(planted.members) not found whole")
        }
        // Every ring tender of the window is linked to its ring's finding, with the winner listed.
        let linked = Set(try fixture.store.db.query(sql: "SELECT project_id FROM run_findings WHERE run_id = ? AND rule_id = 'BP-06'", bindings: [run])
            .compactMap { $0[0].string })
        let window = try fixture.store.db.query(sql: "SELECT max(fiscal_year) FROM projects")[0][0].int64.map(Int.init)!
        for planted in truth.rings {
            let inWindow = try planted.projects.filter { id in
                let fy = try fixture.store.db.query(sql: "SELECT fiscal_year FROM projects WHERE project_id = ?", bindings: [id])[0][0].int64
                return Int(fy ?? 0) > window - 3
            }
            #expect(Set(inWindow).isSubset(of: linked))
        }
        let split = Set(try fixture.store.db.query(sql: "SELECT project_id FROM run_findings WHERE run_id = ? AND rule_id = 'TH-03'", bindings: [run])
            .compactMap { $0[0].string })
        #expect(Set(truth.splits.flatMap(\.projects)).isSubset(of: split))
    }

    @Test func theFirmViewShowsBidsCoBiddersAndTheRing() throws {
        let (fixture, _, truth) = try screened(["BP-06", "BP-07"])
        let member = truth.rings[0].members[0]
        let view = try #require(try FirmView.load(store: fixture.store, firmID: member))
        #expect(view.bids.count == truth.rings[0].projects.count)
        #expect(view.bids.filter(\.won).count == truth.rings[0].winners.filter { $0 == member }.count)
        #expect(Set(view.coBidders.prefix(truth.rings[0].members.count - 1).map(\.firmID)) == Set(truth.rings[0].members.dropFirst()))
        let ring = try #require(view.findings.first { $0.finding.ruleID == "BP-06" })
        #expect(ring.finding.subjectType == "ring")
        #expect(Set(ring.finding.firms) == Set(truth.rings[0].members))
        let text = FirmViewText.render(view, catalog: nil, language: .en)
        #expect(text.contains("Winner rotation") || text.contains("took turns"))
        #expect(try FirmView.load(store: fixture.store, firmID: "0000000000000") == nil)
    }
}

@Suite("Maximal cliques")
struct MaximalCliqueTests {
    typealias Run = WinnerRotationRingIndicator.Run

    static func adjacency(_ edges: [(Int32, Int32)]) -> [Int32: [Int32]] {
        var a: [Int32: [Int32]] = [:]
        for (x, y) in edges {
            a[x, default: []].append(y)
            a[y, default: []].append(x)
        }
        return a
    }

    @Test func smallGraphHasItsMaximalCliques() throws {
        // A 4-clique {1,2,3,4}, a triangle {4,5,6} sharing vertex 4, and a tail 6–7.
        let edges: [(Int32, Int32)] = [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4), (4, 5), (4, 6), (5, 6), (6, 7)]
        let cliques = try #require(Run.maximalCliques(Array(1...7), adjacency: Self.adjacency(edges), limit: 100))
        #expect(cliques == [[1, 2, 3, 4], [4, 5, 6], [6, 7]])
        #expect(Run.maximalCliques(Array(1...7), adjacency: Self.adjacency(edges), limit: 2) == nil)   // three > limit
    }

    /// A national-size sparse component: 60,000 firms, each linked to a few others, split in about
    /// 2 s by a debug build (each start of the degeneracy order sees only its later neighbours).
    @Test func aLargeSparseComponentIsSplitQuickly() throws {
        var rng = SeededRandom(seed: 5)
        var edges: [(Int32, Int32)] = []
        for v in 1..<60_000 {
            edges.append((Int32(v), Int32(rng.int(0...(v - 1)))))   // connected
            if v > 3 { edges.append((Int32(v), Int32(rng.int(0...(v - 1))))) }
        }
        let nodes = Array(Set(edges.flatMap { [$0.0, $0.1] })).sorted()
        let started = Date()
        let cliques = try #require(Run.maximalCliques(nodes, adjacency: Self.adjacency(edges), limit: 1_000_000))
        #expect(Date().timeIntervalSince(started) < 30)
        // Every edge lies in some maximal clique, and every clique is complete.
        #expect(cliques.reduce(0) { $0 + $1.count * ($1.count - 1) / 2 } >= Set(edges.map { [min($0.0, $0.1), max($0.0, $0.1)] }).count)
        let adjacency = Self.adjacency(edges).mapValues(Set.init)
        for clique in cliques.prefix(1_000) {
            for a in clique { for b in clique where a != b { #expect(adjacency[a]!.contains(b)) } }
        }
    }
}

/// Cross-tender populations keep only the fiscal years some rule's window can still reach: the
/// store is read in mostly chronological order, so older years are dropped as the window moves.
@Suite("Fiscal-year windows of populations")
struct PopulationWindowTests {
    @Test func aWindowExcludesForGoodOnlyWhatNoLaterRecordCanBringBack() {
        var window = FiscalYearWindow(lookback: 3, screenedFiscalYear: nil)
        #expect(window.start == nil && !window.excludesForGood(2500))
        window.note(fiscalYear: 2565)
        #expect(window.start == 2563)
        #expect(window.excludesForGood(2562) && !window.excludesForGood(2563) && !window.excludesForGood(2570))
        #expect(window.excludesForGood(nil), "a project without a fiscal year is in no window")
        window.note(fiscalYear: 2568)
        #expect(window.excludesForGood(2565) && !window.excludesForGood(2566))
        let screened = FiscalYearWindow(lookback: 3, screenedFiscalYear: 2566)
        #expect(screened.excludesForGood(2567) && screened.excludesForGood(2563) && !screened.excludesForGood(2564))
        let all = FiscalYearWindow(lookback: 0, screenedFiscalYear: nil)
        #expect(!all.excludesForGood(nil) && !all.excludesForGood(1))
    }

    func tender(_ id: String, fiscalYear: Int, bidders: [String]) -> ProcurementRecord {
        var r = ProcurementRecord(projectID: id)
        r.fiscalYear = fiscalYear
        r.bids = bidders.enumerated().map { i, b in
            ProcurementRecord.Bid(bidderID: b, price: Int64(100 + i), status: .valid, isWinner: i == 0)
        }
        return r
    }

    @Test func theCoBiddingTableDropsYearsNoRuleReadsAndKeepsEachTendersBidders() {
        let table = CoBiddingTenders(nullStatusAsValid: true, screenedFiscalYear: nil)
        table.keep(lookback: 2)
        table.keep(lookback: 3)
        for (i, fy) in (2560...2568).enumerated() {
            table.observe(tender("P\(i)", fiscalYear: fy, bidders: ["F\(fy)", "G\(fy)", "H"]), inScope: true)
        }
        #expect(table.tenders.map(\.fiscalYear) == [2566, 2567, 2568])
        for (t, tender) in table.tenders.enumerated() {
            let names = Set(table.bidders(of: t).map(table.firms.name))
            #expect(names == ["F\(tender.fiscalYear!)", "G\(tender.fiscalYear!)", "H"])
            #expect(table.firms.name(tender.winner) == "F\(tender.fiscalYear!)")
        }
        let everything = CoBiddingTenders(nullStatusAsValid: true, screenedFiscalYear: nil)
        everything.keep(lookback: 3)
        everything.keep(lookback: 0)
        for (i, fy) in (2560...2568).enumerated() { everything.observe(tender("P\(i)", fiscalYear: fy, bidders: ["A", "B"]), inScope: true) }
        #expect(everything.tenders.count == 9, "a rule reading every year keeps every year")
    }
}

/// CR-06 reads its candidates' titles from the store after the pass: when it cannot, the run
/// says "not computable", never "no relaunch".
@Suite("CR-06 titles from the store")
struct RelaunchTitleTests {
    func project(_ id: String, status: String?, day: String, name: String) -> ProcurementRecord {
        var r = ProcurementRecord(projectID: id)
        r.agencyID = "A1"
        r.status = status
        r.announceDate = day
        r.projectName = name
        r.fiscalYear = 2567
        return r
    }

    func finish(with lookup: ProjectTextLookup?) throws -> DatasetResult {
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        guard case .dataset(_, let indicator) = try #require(try catalog.evaluators(only: ["CR-06"]).first) else {
            Issue.record("CR-06 is a dataset rule")
            return DatasetResult()
        }
        let run = indicator.makeRun(shared: RunSharedState(projectText: lookup))
        run.observe(project("P1", status: "ยกเลิกประกาศ", day: "2024-01-10", name: "จ้างก่อสร้างถนน"), inScope: true)
        run.observe(project("P2", status: nil, day: "2024-01-20", name: "จ้างก่อสร้างถนน"), inScope: true)
        return run.finish()
    }

    @Test func unreadableTitlesMakeTheRuleNotComputable() throws {
        let missing = try finish(with: ProjectTextLookup(path: "/nonexistent/procscreen.db"))
        #expect(missing.everywhereNotComputable?.reason == .missingColumn)
        #expect(missing.outcomes.isEmpty && missing.notRaised == 0)
        #expect(try finish(with: nil).everywhereNotComputable != nil)
    }
}
