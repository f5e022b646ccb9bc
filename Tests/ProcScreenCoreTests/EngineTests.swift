import Foundation
import Testing
@testable import ProcScreenCore

@Suite("Screening engine")
struct EngineTests {
    /// SampleData ingested once into a scratch store.
    func sampleStore() throws -> StoreFixture {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([Paths.sampleData.path])
        return fixture
    }

    func truth() throws -> MarketGenerator.Truth {
        try JSONDecoder().decode(MarketGenerator.Truth.self, from: Data(contentsOf: Paths.sampleData.appendingPathComponent("truth.json")))
    }

    @Test func largeProjectRulesAgreeWithThePlantedTruth() throws {
        let fixture = try sampleStore()
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let summary = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: ["LP-01", "LP-02"]))
        let truth = try truth()
        func flagged(_ rule: String) throws -> Set<String> {
            Set(try fixture.store.db.query(sql: "SELECT project_id FROM run_findings WHERE run_id = ? AND rule_id = ?",
                                           bindings: [summary.runID, rule]).compactMap { $0[0].string })
        }
        #expect(try flagged("LP-01") == Set(truth.largeProjects))
        #expect(try flagged("LP-02") == Set(truth.missingAssessments))
        #expect(!truth.missingAssessments.isEmpty)
    }

    @Test func specificAboveLimitMatchesTheTruth() throws {
        let fixture = try sampleStore()
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let summary = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: ["TH-01"]))
        let flagged = Set(try fixture.store.db.query(sql: "SELECT project_id FROM run_findings WHERE run_id = ?",
                                                     bindings: [summary.runID]).compactMap { $0[0].string })
        // Every planted case is found; large specific-method projects are above the limit too.
        #expect(Set(try truth().specificAboveLimit).isSubset(of: flagged))
    }

    /// `show`'s combined collusion view: every distribution screen that ran, its value on the
    /// tender, the fence of the tender's stratum stored with the run, and whether it fired.
    @Test func collusionViewShowsValuesFencesAndOutcomes() throws {
        let fixture = try sampleStore()
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let rules = ["BR-01", "BR-02", "BR-04", "BR-08", "BR-21", "BP-08"]
        let summary = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: Set(rules)))
        let ring = try truth().rings[0].projects
        let raised = try fixture.store.db.query(sql: "SELECT project_id FROM run_findings WHERE run_id = ? AND rule_id = 'BR-01'",
                                                bindings: [summary.runID]).compactMap { $0[0].string }
        let project = try #require(raised.first(where: ring.contains) ?? raised.first)
        let view = try #require(try ProjectView.load(store: fixture.store, projectID: project))
        let listed: [String] = view.collusionScreens.map { $0.ruleID }
        #expect(listed == ["BR-01", "BR-02", "BR-04", "BR-08", "BR-21"])
        let cv = try #require(view.collusionScreens.first { $0.ruleID == "BR-01" })
        #expect(cv.state == CollusionScreenLine.State.raised)
        let prices: [Double] = view.record.bids.filter { $0.status == .valid }.compactMap { $0.price.map(Double.init) }
        let mean: Double = prices.reduce(0, +) / Double(prices.count)
        let squares: Double = prices.map { ($0 - mean) * ($0 - mean) }.reduce(0, +)
        let sd: Double = (squares / Double(prices.count - 1)).squareRoot()
        #expect(abs((cv.value ?? 0) - sd / mean) < 1e-9)
        #expect(cv.fence?.contains("FY\(view.record.fiscalYear ?? 0)") == true)
        // Fewer than four bids: kurtosis is not computable, and the view says so.
        if prices.count < 4 {
            let kurtosis = view.collusionScreens.first { $0.ruleID == "BR-08" }
            #expect(kurtosis?.state == CollusionScreenLine.State.notComputable)
        }
        let text = ProjectViewText.render(view, catalog: catalog, language: .en)
        #expect(text.contains("Collusion screens on this tender"))
        #expect(text.contains("CV = " + String(format: "%.4f", sd / mean)))
    }

    @Test func findingsCarryRoutingAgencyAndMinistry() throws {
        let fixture = try sampleStore()
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let summary = try Engine(store: fixture.store, catalog: catalog).screen()
        let rows = try fixture.store.db.query(sql: """
            SELECT f.rule_id, f.route_to, f.agency_id, f.ministry, p.agency_id, p.ministry, f.evidence, f.rule_version, f.subject_type,
                   f.subject_id, f.project_id
            FROM run_findings f JOIN projects p USING (project_id) WHERE f.run_id = ?
            """, bindings: [summary.runID])
        #expect(rows.count == summary.findings)
        #expect(!rows.isEmpty)
        for row in rows {
            let rule = try #require(catalog.rule(row[0].string ?? ""))
            #expect(row[1].string == rule.routeTo.joined(separator: ","))
            #expect(row[2] == row[4] && row[3] == row[5])
            #expect(row[6].string?.hasPrefix("[") == true)
            #expect(row[7].int64 == Int64(rule.version))
            // Network and organisation rules name their subject and link each project they touch.
            let subject = try #require(SubjectType(rawValue: row[8].string ?? ""))
            if subject == .project { #expect(row[9] == row[10]) } else { #expect(row[9].string?.isEmpty == false) }
        }
    }

    @Test func scoresFollowTheFormulaAndPrioritiesRankByScoreThenBudget() throws {
        let fixture = try sampleStore()
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let run = try Engine(store: fixture.store, catalog: catalog).screen().runID
        let rows = try fixture.store.db.query(sql: """
            SELECT s.project_id, s.score, s.priority, p.budget,
                   (SELECT group_concat(weight) FROM run_findings f WHERE f.run_id = s.run_id AND f.project_id = s.project_id)
            FROM run_priorities s JOIN projects p USING (project_id) WHERE s.run_id = ? ORDER BY s.priority
            """, bindings: [run])
        #expect(!rows.isEmpty)
        for row in rows {
            let weights = (row[4].string ?? "").split(separator: ",").compactMap { Double($0) }
            let expected = 1 - weights.reduce(1) { $0 * (1 - $1) }
            #expect(abs((row[1].double ?? -1) - expected) < 1e-9)
        }
        for (a, b) in zip(rows, rows.dropFirst()) {
            let (sa, sb) = (a[1].double ?? 0, b[1].double ?? 0)
            #expect(sa > sb || (sa == sb && (a[3].int64 ?? 0) >= (b[3].int64 ?? 0)))
        }
        #expect(rows.map { $0[2].int64 ?? 0 } == Array(1...Int64(rows.count)))
    }

    /// Runs that build a large structure when they finish (the co-bidding graph) finish after
    /// the others, in rule order within each group: their populations are freed first.
    @Test func runsThatBuildOnFinishFinishLast() throws {
        final class Stub: DatasetRun {
            let late: Bool
            init(late: Bool) { self.late = late }
            func observe(_ record: ProcurementRecord, inScope: Bool) {}
            func finish() -> DatasetResult { DatasetResult() }
            var finishesLate: Bool { late }
        }
        let lateness = [true, false, true, false, false]
        let slots = DatasetRunSlots(lateness.map { Stub(late: $0) }, ids: lateness.indices.map { "R-\($0)" })
        #expect(slots.finishingOrder == [1, 3, 4, 0, 2])
        // The network rules of the catalog are the late ones.
        let shared = RunSharedState()
        let late = try RuleCatalog.load(directory: Paths.rules).evaluators(only: nil).compactMap { e -> String? in
            guard case .dataset(let rule, let indicator) = e, indicator.makeRun(shared: shared).finishesLate else { return nil }
            return rule.id
        }
        #expect(late == ["BP-05", "BP-06", "BP-07"])
    }

    /// Runs that share an object of the run are grouped, directly or through another run; the
    /// catalog's shared populations and the firm-id interner group the rules that use them.
    @Test func runsSharingAnObjectFormOneGroup() throws {
        #expect(DatasetRunSlots.groups(sharedKeys: [["a"], [], ["b"], ["a", "c"], ["c"], ["b"]]) == [[0, 3, 4], [1], [2, 5]])
        #expect(DatasetRunSlots.groups(sharedKeys: []) == [])
        let shared = RunSharedState()
        var made: [(id: String, keys: Set<String>)] = []
        for case .dataset(let rule, let indicator) in try RuleCatalog.load(directory: Paths.rules).evaluators(only: nil) {
            let (_, keys) = shared.keysUsed { indicator.makeRun(shared: shared) }
            made.append((rule.id, keys))
        }
        let groups = DatasetRunSlots.groups(sharedKeys: made.map(\.keys)).map { $0.map { made[$0].id } }
        let distribution = try #require(groups.first { $0.contains("BR-01") })
        #expect(Set(["BR-02", "BR-05", "BR-09"]).isSubset(of: distribution))
        let interner = try #require(groups.first { $0.contains("BP-21") })
        #expect(Set(["BP-22", "BR-21", "BR-22"]).isSubset(of: interner))
        #expect(groups.contains(["BR-20"]))
    }

    /// Finishing on several threads: the outcomes are written in the finishing order, on the
    /// calling thread; a group's runs never finish at the same time; a failed write stops the
    /// workers and is rethrown.
    @Test func runsFinishOnWorkersAndAreWrittenInOrder() throws {
        final class Tracker: @unchecked Sendable {
            let lock = NSLock()
            var running: [Int: Int] = [:]
            var overlapped = false
            var finished: [Int] = []
        }
        final class Stub: DatasetRun {
            let index: Int, group: Int, late: Bool
            let tracker: Tracker
            init(_ index: Int, group: Int, late: Bool, tracker: Tracker) { (self.index, self.group, self.late, self.tracker) = (index, group, late, tracker) }
            func observe(_ record: ProcurementRecord, inScope: Bool) {}
            func finish() -> DatasetResult {
                tracker.lock.withLock {
                    tracker.running[group, default: 0] += 1
                    if tracker.running[group]! > 1 { tracker.overlapped = true }
                }
                usleep(UInt32(2_000 * (10 - index % 10)))
                tracker.lock.withLock {
                    tracker.running[group]! -= 1
                    tracker.finished.append(index)
                }
                var result = DatasetResult()
                result.notRaised = index
                return result
            }
            var finishesLate: Bool { late }
        }
        let tracker = Tracker()
        let groupOf = [0, 1, 0, 2, 1, 0, 3, 2]
        let lateness = [false, false, false, true, false, false, true, false]
        let stubs = groupOf.indices.map { Stub($0, group: groupOf[$0], late: lateness[$0], tracker: tracker) }
        let slots = DatasetRunSlots(stubs, ids: stubs.map { "R-\($0.index)" }, sharedKeys: groupOf.map { ["g\($0)"] })
        let order = slots.finishingOrder
        var written: [Int] = []
        let caller = Thread.current
        try slots.finishAll(workers: 3, timing: nil) { index, result in
            #expect(Thread.current === caller)
            #expect(result.notRaised == index)
            written.append(index)
        }
        #expect(written == order)
        #expect(order == [0, 1, 2, 4, 5, 7, 3, 6])
        #expect(!tracker.overlapped)
        // The late runs finished after every other.
        #expect(Set(tracker.finished.suffix(2)) == [3, 6])

        struct Stop: Error {}
        let again = DatasetRunSlots(groupOf.indices.map { Stub($0, group: groupOf[$0], late: false, tracker: Tracker()) },
                                    ids: groupOf.indices.map { "R-\($0)" }, sharedKeys: groupOf.map { ["g\($0)"] })
        var calls = 0
        #expect(throws: Stop.self) {
            try again.finishAll(workers: 2, timing: nil) { _, _ in
                calls += 1
                throw Stop()
            }
        }
        #expect(calls == 1)
    }

    /// Rules finish in an order chosen for memory, and a scan carries findings over after the
    /// pass: a project's score must not depend on the order its findings arrive in.
    @Test func scoreDoesNotDependOnTheOrderOfFindings() {
        let weights = [0.05, 0.15, 0.35, 0.1, 0.2, 0.3, 0.05, 0.4, 0.25, 0.1]
        var rng = SystemRandomNumberGenerator()
        var first = ProjectScore()
        for w in weights { first.add(weight: w) }
        let expected = 1 - weights.reduce(1) { $0 * (1 - $1) }
        #expect(abs(first.score - expected) < 1e-10)
        #expect(first.findings == weights.count)
        for _ in 0 ..< 50 {
            var shuffled = ProjectScore()
            for w in weights.shuffled(using: &rng) { shuffled.add(weight: w) }
            #expect(shuffled.score.bitPattern == first.score.bitPattern)
        }
        var certain = ProjectScore()
        for w in [0.2, 1.0, 0.1] { certain.add(weight: w) }
        #expect(certain.score == 1)
        #expect(ProjectScore().score == 0)
    }

    /// Carrying over counts needs the untouched projects to be exactly the earlier run's: from a
    /// run that screened one fiscal year, the engine refuses (and writes nothing).
    @Test func carryingOverFromARunOfOtherProjectsIsRefused() throws {
        let fixture = try sampleStore()
        let engine = Engine(store: fixture.store, catalog: try RuleCatalog.load(directory: Paths.rules))
        let partial = try engine.screen(ScreenOptions(fiscalYear: 2567))
        var options = ScreenOptions()
        options.carryOver = ScreenOptions.CarryOver(previousRun: partial.runID, touched: [])
        #expect(throws: StoreError.self) { try engine.screen(options) }
        #expect(try fixture.store.db.scalar(sql: "SELECT count(*) FROM runs").int64 == 1)
    }

    @Test func subsetAndFiscalYearScopes() throws {
        let fixture = try sampleStore()
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let engine = Engine(store: fixture.store, catalog: catalog)
        let fy = try engine.screen(ScreenOptions(fiscalYear: 2567))
        #expect(fy.projects == Int(try fixture.scalar("SELECT count(*) FROM projects WHERE fiscal_year = 2567").int64 ?? -1))
        #expect(try fixture.store.db.scalar(sql: """
            SELECT count(*) FROM run_findings f JOIN projects p USING (project_id) WHERE f.run_id = ? AND p.fiscal_year <> 2567
            """, bindings: [fy.runID]).int64 == 0)
        let ids = try fixture.store.db.query(sql: "SELECT project_id FROM projects ORDER BY project_id LIMIT 25").compactMap { $0[0].string }
        let subset = try engine.screen(ScreenOptions(projectIDs: ids))
        #expect(subset.projects == 25)
        // The same projects screened in full give the same findings.
        let full = try engine.screen()
        let findings = { (run: Int64) in
            try fixture.store.db.query(sql: """
                SELECT rule_id, project_id, evidence FROM run_findings WHERE run_id = ? AND project_id IN (SELECT value FROM json_each(?))
                ORDER BY rule_id, project_id
                """, bindings: [run, String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)])
        }
        // Cross-tender windows end at the store's latest fiscal year, whatever the subset holds.
        #expect(try findings(subset.runID) == findings(full.runID))
    }

    @Test func registerNotLoadedIsRecordedAsNotComputableNeverNoRisk() throws {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([Paths.sampleData.appendingPathComponent("projects.csv").path])
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let summary = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: ["LP-02"]))
        let stats = try #require(summary.rules.first).stats
        #expect(stats.raised == 0)
        #expect(stats.notComputable == (try truth().largeProjects.count))
        #expect(stats.notComputableByReason["register_not_loaded"] == stats.notComputable)
        #expect(try fixture.scalar("SELECT count(*) FROM not_computable WHERE reason = 'register_not_loaded'").int64
                == Int64(stats.notComputable))
    }

    @Test func aFailedRunLeavesNoPartialFindings() throws {
        let fixture = try sampleStore()
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let engine = Engine(store: fixture.store, catalog: catalog)
        #expect(throws: (any Error).self) { try engine.screen(ScreenOptions(only: ["NO-99"])) }
        #expect(try fixture.scalar("SELECT count(*) FROM runs").int64 == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM findings").int64 == 0)
    }
}

@Suite("Stratum fences in a dataset indicator")
struct DatasetFenceTests {
    /// 40 e-bidding tenders in one stratum with runner-up gaps 5%…24.5%, plus one with a 90% gap.
    func population(in db: Database, outlierGap: Double, stratumSize: Int = 40) throws {
        for i in 0..<stratumSize {
            let gap = i == 0 ? outlierGap : 0.05 + Double(i) * 0.005
            try FixtureLoader.insert("""
                {"project_id":"S\(i)","method":"e_bidding","project_type":"จ้างก่อสร้าง","fiscal_year":2567,"budget":2000000,
                 "bids":[{"bidder_id":"0105522016247","price":1000000,"status":"valid","is_winner":true},
                         {"bidder_id":"0105551090549","price":\(1000000 * (1 + gap)),"status":"valid"}]}
                """, into: db)
        }
    }

    /// The finding quotes its stratum's fence by reference: the stored evidence holds placeholders,
    /// the findings as read hold the run's numbers. When more tenders move the fence, a run that
    /// continues the first keeps the finding's row as it is, and reads it with the new fence.
    @Test func theStratumFenceRaisesTheOutlierAndReportsTheFence() throws {
        let dir = try TemporaryDirectory()
        let store = try Store(path: dir.path("fence.db"))
        try population(in: store.db, outlierGap: 0.9)
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let run = try Engine(store: store, catalog: catalog).screen(ScreenOptions(only: ["BR-22"]))
        let rows = try store.db.query(sql: "SELECT project_id, evidence FROM run_findings WHERE run_id = ?", bindings: [run.runID])
        #expect(rows.map { $0[0].string } == ["S0"])
        let stored = try JSONDecoder().decode([Evidence].self, from: Data((rows.first?[1].string ?? "[]").utf8))
        #expect(stored.first { $0.field == "stratum" }?.note == "n={n}, Q1={q1}, Q3={q3}")
        #expect(stored.first { $0.field == "runner_up_gap" }?.threshold == "≥ {upper} (Q3 + {k}·IQR)")

        let screens = ScreenStore(store: store)
        func readEvidence(_ runID: Int64) throws -> [Evidence] { try #require(try screens.findings(runID: runID, projectID: "S0").first).evidence }
        let first = try readEvidence(run.runID)
        let stratum = try #require(first.first { $0.field == "stratum" })
        #expect(stratum.observed == "e_bidding × จ้างก่อสร้าง × V2 × FY2567")
        let fence = try #require(try screens.fence(runID: run.runID, ruleID: "BR-22", strata: [stratum.observed]))
        #expect(stratum.note?.hasPrefix("n=40, Q1=") == true && fence.hasPrefix(stratum.observed + ": n=40"))
        let upper = try #require(fence.components(separatedBy: "upper ").last)
        #expect(first.first { $0.field == "runner_up_gap" }?.threshold == "≥ \(upper) (Q3 + 1.5·IQR)")

        // Five more tenders with wide gaps raise Q3: the fence moves, the outlier stays raised.
        for i in 40..<45 {
            try FixtureLoader.insert("""
                {"project_id":"S\(i)","method":"e_bidding","project_type":"จ้างก่อสร้าง","fiscal_year":2567,"budget":2000000,
                 "bids":[{"bidder_id":"0105522016247","price":1000000,"status":"valid","is_winner":true},
                         {"bidder_id":"0105551090549","price":\(1000000 * (1.3 + Double(i - 40) * 0.01)),"status":"valid"}]}
                """, into: store.db)
        }
        var again = ScreenOptions(only: ["BR-22"])
        again.continues = run.runID
        let second = try Engine(store: store, catalog: catalog).screen(again)
        #expect(try store.db.query(sql: "SELECT project_id FROM run_findings WHERE run_id = ?", bindings: [second.runID]).map { $0[0].string } == ["S0"])
        #expect(try store.db.scalar(sql: "SELECT count(*) FROM findings WHERE rule_id = 'BR-22'").int64 == 1, "the row is kept, not rewritten")
        let moved = try readEvidence(second.runID)
        #expect(moved.first { $0.field == "stratum" }?.note?.hasPrefix("n=45, Q1=") == true)
        #expect(moved.first { $0.field == "runner_up_gap" }?.threshold != first.first { $0.field == "runner_up_gap" }?.threshold)
        #expect(try readEvidence(run.runID) == first, "the first run is read with its own fence")
    }

    /// A scan continues the populations the previous run kept (bid distribution, winner and
    /// runner-up): it observes only the new tenders, and re-decides the earlier ones whose fence
    /// moved. Batches that move BR-03's and BR-22's fences both ways flip earlier tenders both
    /// ways, and each continuing run equals a full screen.
    @Test func aContinuingRunReDecidesTheTendersAMovedFenceFlips() throws {
        let dir = try TemporaryDirectory()
        let store = try Store(path: dir.path("continue.db"))
        try population(in: store.db, outlierGap: 0.9)
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        func screen(continuing previous: Int64? = nil, touched: Set<String> = []) throws -> RunSummary {
            var options = ScreenOptions(only: ["BR-03", "BR-22"])
            options.keepsState = true
            options.carryOver = previous.map { ScreenOptions.CarryOver(previousRun: $0, touched: touched) }
            return try Engine(store: store, catalog: catalog).screen(options)
        }
        func raised(_ run: Int64, rule: String = "BR-03") throws -> Set<String> {
            Set(try store.db.query(sql: "SELECT project_id || '|' || evidence FROM run_findings WHERE run_id = ? AND rule_id = ?",
                                   bindings: [run, rule]).compactMap { $0[0].string })
        }
        func bothRaised(_ run: Int64) throws -> [Set<String>] { [try raised(run), try raised(run, rule: "BR-22")] }
        func outcomes(_ run: Int64) throws -> [[SQLValue]] {
            try store.db.query(sql: "SELECT rule_id, raised, not_raised, not_applicable, not_computable FROM run_rule_stats WHERE run_id = ? ORDER BY 1",
                               bindings: [run]).map(\.values)
                + store.db.query(sql: "SELECT rule_id, project_id, reason, detail FROM run_not_computable WHERE run_id = ? ORDER BY 1, 2",
                                 bindings: [run]).map(\.values)
        }
        func addTenders(_ prefix: String, gaps: [Double]) throws -> Set<String> {
            for (i, gap) in gaps.enumerated() {
                try FixtureLoader.insert("""
                    {"project_id":"\(prefix)\(i)","method":"e_bidding","project_type":"จ้างก่อสร้าง","fiscal_year":2567,"budget":2000000,
                     "bids":[{"bidder_id":"0105522016247","price":1000000,"status":"valid","is_winner":true},
                             {"bidder_id":"0105551090549","price":\(1000000 * (1 + gap)),"status":"valid"}]}
                    """, into: store.db)
            }
            // One tender with a single bid: not computable, decided once.
            try FixtureLoader.insert("""
                {"project_id":"\(prefix)X","method":"e_bidding","project_type":"จ้างก่อสร้าง","fiscal_year":2567,"budget":2000000,
                 "bids":[{"bidder_id":"0105522016247","price":1000000,"status":"valid","is_winner":true}]}
                """, into: store.db)
            return Set(gaps.indices.map { "\(prefix)\($0)" } + ["\(prefix)X"])
        }
        let first = try screen()
        #expect(try Set(raised(first.runID).map { $0.prefix(3) }) == ["S0|"])

        // Forty wide gaps raise Q3 past S0's 0.9: S0 is no longer raised.
        let wide = try addTenders("W", gaps: (0..<40).map { 0.5 + Double($0) * 0.01 })
        let second = try screen(continuing: first.runID, touched: wide)
        #expect(second.continuedRules == ["BR-03", "BR-22"])
        let secondFull = try screen()
        #expect(try bothRaised(second.runID) == bothRaised(secondFull.runID))
        #expect(try raised(first.runID, rule: "BR-22").contains { $0.hasPrefix("S0|") } && !raised(second.runID, rule: "BR-22").contains { $0.hasPrefix("S0|") })
        #expect(try outcomes(second.runID) == outcomes(secondFull.runID))
        #expect(try !raised(second.runID).contains { $0.hasPrefix("S0|") })

        // A hundred narrow gaps bring Q3 back down: the wide ones, not raised before, are raised now.
        let narrow = try addTenders("N", gaps: (0..<100).map { 0.06 + Double($0) * 0.0004 })
        let third = try screen(continuing: secondFull.runID, touched: narrow)
        #expect(third.continuedRules == ["BR-03", "BR-22"])
        let thirdFull = try screen()
        #expect(try bothRaised(third.runID) == bothRaised(thirdFull.runID))
        #expect(try raised(third.runID, rule: "BR-22").contains { $0.hasPrefix("W39|") })
        #expect(try outcomes(third.runID) == outcomes(thirdFull.runID))
        #expect(try raised(third.runID).contains { $0.hasPrefix("W39|") } && raised(secondFull.runID).allSatisfy { !$0.hasPrefix("W39|") })
        // Only the flipped and new tenders were written: the rows of the others stayed current.
        let written = try store.db.scalar(sql: "SELECT count(*) FROM findings WHERE run_id = ?", bindings: [third.runID]).int64 ?? 0
        let flipped = try zip(bothRaised(third.runID), bothRaised(secondFull.runID)).map { $0.subtracting($1).count }.reduce(0, +)
        #expect(written == Int64(flipped) && written > 0)
        // A run that does not continue (the population was kept by a later run) observes every project.
        let stale = try screen(continuing: secondFull.runID, touched: [])
        #expect(stale.continuedRules == [])
        // Nor does a scan after a full screen that kept nothing (a screen keeps its populations only when asked).
        let unkept = try Engine(store: store, catalog: catalog).screen(ScreenOptions(only: ["BR-03", "BR-22"]))
        #expect(try screen(continuing: unkept.runID, touched: []).continuedRules == [])
    }

    /// BP-22 continues the counts and lost tenders the previous run kept. A bidder that bids often
    /// and never wins is raised on every tender it lost; a batch in which it wins some changes its
    /// counts (every finding's evidence changes), and a batch four years on moves the window past
    /// every earlier tender. Each continuing run equals a full screen.
    @Test func unsuccessfulBiddersContinueTheirCountsAcrossBatchesAndAMovedWindow() throws {
        let dir = try TemporaryDirectory()
        let store = try Store(path: dir.path("bp22.db"))
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let loser = "0105599999999"
        func bidder(_ i: Int) -> String { String(format: "01055000000%02d", i % 20) }
        /// Tenders of three regular bidders in rotation (each wins about a third), `loser` bidding
        /// on every other one and winning where `loserWins` says.
        func addTenders(_ prefix: String, count: Int, fiscalYear: Int, loserWins: (Int) -> Bool) throws -> Set<String> {
            for t in 0..<count {
                var bidders = [bidder(t), bidder(t + 1), bidder(t + 7)]
                var winner = bidders[t % 3]
                if t % 2 == 0 {
                    bidders.append(loser)
                    if loserWins(t) { winner = loser }
                }
                let bids = bidders.enumerated().map { i, b in
                    "{\"bidder_id\":\"\(b)\",\"price\":\(1_000_000 + i * 10_000),\"status\":\"valid\",\"is_winner\":\(b == winner)}"
                }
                try FixtureLoader.insert("""
                    {"project_id":"\(prefix)\(t)","method":"e_bidding","fiscal_year":\(fiscalYear),"budget":2000000,"bids":[\(bids.joined(separator: ","))]}
                    """, into: store.db)
            }
            return Set((0..<count).map { "\(prefix)\($0)" })
        }
        func screen(continuing previous: Int64? = nil, touched: Set<String> = []) throws -> RunSummary {
            var options = ScreenOptions(only: ["BP-22"])
            options.keepsState = true
            options.carryOver = previous.map { ScreenOptions.CarryOver(previousRun: $0, touched: touched) }
            return try Engine(store: store, catalog: catalog).screen(options)
        }
        func findings(_ run: Int64) throws -> Set<String> {
            Set(try store.db.query(sql: "SELECT project_id || '|' || subject_id || '|' || evidence || '|' || summary FROM run_findings WHERE run_id = ?",
                                   bindings: [run]).compactMap { $0[0].string })
        }
        func stats(_ run: Int64) throws -> [SQLValue] {
            try store.db.query(sql: "SELECT raised, not_raised, not_applicable, not_computable FROM run_rule_stats WHERE run_id = ?",
                               bindings: [run]).first?.values ?? []
        }
        _ = try addTenders("A", count: 120, fiscalYear: 2567) { _ in false }
        let first = try screen()
        #expect(try findings(first.runID).count == 60 && findings(first.runID).allSatisfy { $0.contains("|\(loser)|") })

        // It wins a few: still raised, with new counts in every finding.
        let some = try addTenders("B", count: 40, fiscalYear: 2567) { $0 % 8 == 0 }
        let second = try screen(continuing: first.runID, touched: some)
        #expect(second.continuedRules == ["BP-22"])
        let secondFull = try screen()
        #expect(try findings(second.runID) == findings(secondFull.runID) && stats(second.runID) == stats(secondFull.runID))
        #expect(try findings(second.runID).count == 75 && findings(first.runID).isDisjoint(with: findings(second.runID)))

        // Four fiscal years on: the window holds only the new tenders, where it wins every one.
        let later = try addTenders("C", count: 30, fiscalYear: 2571) { _ in true }
        let third = try screen(continuing: secondFull.runID, touched: later)
        #expect(third.continuedRules == ["BP-22"])
        let thirdFull = try screen()
        #expect(try findings(third.runID) == findings(thirdFull.runID) && stats(third.runID) == stats(thirdFull.runID))
        #expect(try stats(third.runID).first?.int64 == 0)
    }

    /// Placeholders are filled in from the named fence; text that only looks like one is left alone.
    @Test func fencePlaceholders() {
        let fence = TukeyFence(n: 12, q1: 0.1, q3: 0.3, k: 1.5)
        let flat = TukeyFence(n: 3, q1: 0.2, q3: 0.2, k: 1.5)
        let evidence = [Evidence(field: "x", observed: "1", threshold: "{high_cmp} {upper} or {lower_above_zero}", note: "{n} {k} {q1.2} {q3} {other} {upper@flat}"),
                        Evidence(field: "stratum", observed: "s")]
        let filled = FenceText.resolve(evidence, fences: ["s": fence, "flat": flat])
        #expect(filled[0].threshold == "≥ 0.6000 or lower fence uninformative")
        #expect(filled[0].note == "12 1.5 0.10 0.3000 {other} 0.2000")
        #expect(FenceText.resolve(evidence, fences: ["s": flat])[0].threshold == "> 0.2000 or ≤ 0.2000")
        #expect(FenceText.resolve(evidence, fences: [:])[0].threshold == "? ? or ?")
        #expect(FenceText.resolve([Evidence(field: "a", observed: "{upper}")], fences: ["s": fence])[0].observed == "{upper}")
    }

    @Test func aSmallStratumIsCoarsenedThenNotComputable() throws {
        let dir = try TemporaryDirectory()
        let store = try Store(path: dir.path("small.db"))
        try population(in: store.db, outlierGap: 0.9, stratumSize: 20)
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let run = try Engine(store: store, catalog: catalog).screen(ScreenOptions(only: ["BR-22"]))
        #expect(run.findings == 0)
        #expect(try store.db.scalar(sql: "SELECT count(*) FROM not_computable WHERE reason = 'stratum_too_small'").int64 == 20)
    }
}

@Suite("Bid distribution")
struct BidDistributionTests {
    @Test func theTestVectorOfINDICATORS() throws {
        let d = BidDistribution(prices: [100, 110, 111, 112]).values
        func near(_ s: BidDistribution.Statistic, _ v: Double) -> Bool { abs((d[s] ?? .nan) - v) < 1e-4 }
        #expect(near(.cv, 0.051365))
        #expect(near(.spd, 0.12))
        #expect(near(.diffp, 0.10))
        #expect(near(.rd, 10.0))
        #expect(near(.rdnor, 2.5))
        #expect(near(.rdalt, 10.0))
        #expect(near(.skew, -1.87167))
        #expect(near(.kurt, 3.57687))
        #expect(near(.ks, 0.58333))
    }

    @Test func undefinedStatisticsAreAbsentNotZero() {
        let equal = BidDistribution(prices: [100, 100, 100]).values
        #expect(equal[.cv] == 0)
        #expect(equal[.rdnor] == nil && equal[.ks] == nil && equal[.skew] == nil && equal[.rd] == nil)
        #expect(BidDistribution(prices: [100, 110, 120]).values[.kurt] == nil, "kurtosis needs four bids")
    }
}
