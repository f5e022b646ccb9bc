import Foundation
import Testing
@testable import ProcScreenCore

/// The batch scan: idempotent inboxes, incremental runs equal to a full screen, the lock, and
/// a scan killed at any point finishing its work on the next run.
@Suite("Batch scans")
struct ScanTests {
    /// Splits a bundle into `count` batch folders by project (registers go with the first), the way
    /// nightly e-GP extracts arrive. The generated CSV has one record per line and no quotes.
    static func splitBundle(_ source: URL, into directory: String, count: Int) throws -> [String] {
        func lines(_ name: String) throws -> [Substring] {
            try String(contentsOf: source.appendingPathComponent(name), encoding: .utf8).split(separator: "\n")
        }
        let ids = try lines("projects.csv").dropFirst().map { $0.split(separator: ",", maxSplits: 1)[0] }
        let size = (ids.count + count - 1) / count
        var batchOf: [Substring: Int] = [:]
        for (i, id) in ids.enumerated() { batchOf[id] = i / size }
        var folders: [String] = []
        for b in 0..<count {
            let folder = directory + "/batch\(b + 1)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for name in ["projects.csv", "bids.csv", "contracts.csv", "risk_assessments.csv"] {
                let all = try lines(name)
                let rows = all.dropFirst().filter { batchOf[$0.split(separator: ",", maxSplits: 1)[0]] == b }
                try ([all[0]] + rows).joined(separator: "\n").appending("\n").write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
            }
            if b == 0 {
                for name in ["agencies.csv", "firms.csv", "directors.csv", "lists"] {
                    try FileManager.default.copyItem(atPath: source.appendingPathComponent(name).path, toPath: folder + "/" + name)
                }
            }
            folders.append(folder)
        }
        return folders
    }

    static func scan(_ store: Store, inbox: String, out: String? = nil, rules: URL = Paths.rules,
                     maxDroppedRatio: Double = 1.0) throws -> BatchScan.Result {
        var options = BatchScan.Options(inbox: inbox)
        options.output = out
        options.maxDroppedRatio = maxDroppedRatio
        options.runDate = "2026-11-27"
        return try BatchScan(store: store, catalog: try RuleCatalog.load(directory: rules), mapping: try Shared.mapping(),
                             log: { _ in }).run(options)
    }

    /// SampleData split in two batches, the first scanned into a new store (the second not yet
    /// in the inbox).
    static func firstOfTwoBatchesScanned() throws -> (dir: TemporaryDirectory, batches: [String], inbox: String, store: Store) {
        let dir = try TemporaryDirectory()
        let batches = try splitBundle(Paths.sampleData, into: dir.path("batches"), count: 2)
        let inbox = dir.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let store = try Store(path: dir.path("scan.db"))
        try FileManager.default.copyItem(atPath: batches[0], toPath: inbox + "/batch1")
        _ = try scan(store, inbox: inbox)
        return (dir, batches, inbox, store)
    }

    /// (rule, project, subject, evidence) of every finding of a run.
    static func findings(_ store: Store, run: Int64) throws -> Set<String> {
        Set(try store.db.query(sql: "SELECT rule_id || '|' || project_id || '|' || subject_id || '|' || evidence FROM run_findings WHERE run_id = ?",
                               bindings: [run]).compactMap { $0[0].string })
    }

    /// SampleData split in three batches, each added to the inbox and scanned in turn into a new
    /// store; the i-th scan allows `maxDroppedRatio(i)`.
    static func threeBatchesScanned(writingReports: Bool = false, maxDroppedRatio: (Int) -> Double = { _ in 1 }) throws
        -> (dir: TemporaryDirectory, inbox: String, store: Store, results: [BatchScan.Result]) {
        let dir = try TemporaryDirectory()
        let batches = try splitBundle(Paths.sampleData, into: dir.path("batches"), count: 3)
        let inbox = dir.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let store = try Store(path: dir.path("scan.db"))
        var results: [BatchScan.Result] = []
        for (i, batch) in batches.enumerated() {
            try FileManager.default.copyItem(atPath: batch, toPath: inbox + "/" + (batch as NSString).lastPathComponent)
            results.append(try scan(store, inbox: inbox, out: writingReports ? dir.path("out") : nil, maxDroppedRatio: maxDroppedRatio(i)))
        }
        return (dir, inbox, store, results)
    }

    @Test func batchesScannedOneByOneEqualAFullScreenAndASecondScanDoesNothing() throws {
        let (dir, inbox, store, results) = try Self.threeBatchesScanned(writingReports: true)
        defer { withExtendedLifetime(dir) {} }
        #expect(results.map(\.mode) == ["full", "incremental", "incremental"])
        #expect(results[1].touchedProjects == 1000 && results[2].touchedProjects == 1000)
        // The bid-distribution and runner-up screens, and BP-21's and BP-22's organisation counts, continued what
        // each previous scan kept: they observed only the batch (the screens re-decided only the
        // earlier tenders whose fence moved).
        let continued = { (run: Int64?) in
            try store.db.scalar(sql: "SELECT json_extract(summary, '$.continued_rules') FROM runs WHERE run_id = ?", bindings: [run ?? 0]).string
        }
        let distributionScreens = "[" + (["\"BP-21\"", "\"BP-22\""] + (1...9).map { "\"BR-0\($0)\"" } + ["\"BR-21\"", "\"BR-22\""]).joined(separator: ",") + "]"
        #expect(try continued(results[0].runID) == "[]")
        #expect(try continued(results[1].runID) == distributionScreens && continued(results[2].runID) == distributionScreens)
        #expect(results.allSatisfy { $0.filesFailed == 0 })
        // The same inbox again: every file seen, nothing screened, no run recorded.
        let again = try Self.scan(store, inbox: inbox)
        #expect(again.mode == "nothing new" && again.filesIngested == 0 && again.runID == nil)
        let files = FileManager.default.enumerator(atPath: inbox)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".csv") }
        #expect(again.filesSkipped == files.count)
        // A renamed copy of a file already seen is not new either.
        try FileManager.default.copyItem(atPath: inbox + "/batch2/bids.csv", toPath: inbox + "/renamed-bids.csv")
        #expect(try Self.scan(store, inbox: inbox).filesIngested == 0)

        // The last incremental run equals a full screen of the same store, evidence included.
        let last = try #require(results.last?.runID)
        var options = ScreenOptions()
        options.runDate = "2026-11-27"
        let full = try Engine(store: store, catalog: try RuleCatalog.load(directory: Paths.rules)).screen(options)
        let (incremental, reference) = (try Self.findings(store, run: last), try Self.findings(store, run: full.runID))
        #expect(incremental.count == full.findings)
        #expect(incremental == reference)
        // The scores and priorities too.
        let scores = { (run: Int64) in
            try store.db.query(sql: "SELECT project_id, round(score, 9), priority FROM run_priorities WHERE run_id = ? ORDER BY project_id", bindings: [run])
        }
        #expect(try scores(last) == scores(full.runID))
        // The not-computable records (copied by SQL for the untouched projects) and the rules' counts.
        let notComputable = { (run: Int64) in
            try store.db.query(sql: "SELECT rule_id, project_id, reason, detail FROM run_not_computable WHERE run_id = ? ORDER BY 1, 2, 3", bindings: [run])
        }
        #expect(try notComputable(last) == notComputable(full.runID))
        let stats = { (run: Int64) in
            try store.db.query(sql: "SELECT rule_id, raised, not_raised, not_applicable, not_computable FROM run_rule_stats WHERE run_id = ? ORDER BY 1", bindings: [run])
        }
        let (incrementalStats, fullStats) = (try stats(last), try stats(full.runID))
        #expect(incrementalStats.count == fullStats.count)
        for (a, b) in zip(incrementalStats, fullStats) { #expect(a == b) }
        // The scan wrote only what changed: the earlier run's unchanged findings stay current.
        let previous = Int64(try #require(results[1].runID))
        let written = try store.db.scalar(sql: "SELECT count(*) FROM findings WHERE run_id = ?", bindings: [last]).int64 ?? -1
        let dropped = try store.db.scalar(sql: "SELECT count(*) FROM findings WHERE until_run = ?", bindings: [last]).int64 ?? -1
        // (Here the batch grows the store by half, which moves many fences in the evidence: 1,249
        // of 1,627 findings are written.)
        #expect(written > 0 && written < Int64(incremental.count))
        #expect(results[2].findingRowsWritten == Int(written) && results[2].findingRowsDropped == Int(dropped))
        #expect(Int64(incremental.count) == Int64(try Self.findings(store, run: previous).count) + written - dropped)
        // New and resolved findings add up between snapshots, and the reports are written.
        #expect(results[2].newFindings - results[2].resolvedFindings == incremental.count - (try Self.findings(store, run: previous)).count)
        // Counted from the rows the scan wrote and dropped, they are the same as between the
        // previous run and the full screen, compared whole.
        let screens = ScreenStore(store: store)
        let fresh = Set(try screens.findingKeys(in: last, notIn: previous).map(\.key))
        let freshWhole = Set(try screens.findingKeys(in: full.runID, notIn: previous).map(\.key))
        #expect(fresh.count == results[2].newFindings && fresh == freshWhole)
        let resolved = Set(try screens.findingKeys(in: previous, notIn: last).map(\.key))
        let resolvedWhole = Set(try screens.findingKeys(in: previous, notIn: full.runID).map(\.key))
        #expect(resolved.count == results[2].resolvedFindings && resolved == resolvedWhole)
        // The scan's new-findings report holds exactly the new ones.
        var newOnly = ReportFilters()
        newOnly.newSinceRun = previous
        let report = try FlaggedReport.build(store: store, catalog: try RuleCatalog.load(directory: Paths.rules), filters: newOnly, runID: last)
        #expect(Set(report.findings.map { $0.ruleID + "|" + ($0.projectID ?? "") + "|" + $0.subjectID }) == fresh)
        for report in results[2].reports { #expect(FileManager.default.fileExists(atPath: report)) }
        // The streamed new-findings JSON and CSV hold the same findings, the JSON with the summary's count.
        struct NewFindings: Decodable {
            struct Row: Decodable { var rule_id: String; var project_id: String?; var subject_id: String }
            struct Summary: Decodable { var findings: Int }
            var findings: [Row]
            var summary: Summary
        }
        let jsonPath = try #require(results[2].reports.first { $0.hasSuffix("-new-findings.json") })
        let newJSON = try JSONDecoder().decode(NewFindings.self, from: Data(contentsOf: URL(fileURLWithPath: jsonPath)))
        #expect(Set(newJSON.findings.map { $0.rule_id + "|" + ($0.project_id ?? "") + "|" + $0.subject_id }) == fresh)
        #expect(newJSON.summary.findings == fresh.count && newJSON.findings.count == fresh.count)
        let csvPath = try #require(results[2].reports.first { $0.hasSuffix("-new-findings.csv") })
        #expect(try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\r\n").count == fresh.count + 1)
        // The page for reading shows the findings' evidence (the full list, in CSV and XLSX, is read without it).
        let page = try String(contentsOfFile: try #require(results[2].reports.first { $0.hasSuffix("-current.html") }), encoding: .utf8)
        #expect(page.contains("<br><small>"))
        let summary = try store.db.scalar(sql: "SELECT json_extract(summary, '$.scan.new_findings') FROM runs WHERE run_id = ?", bindings: [last])
        #expect(summary.int64 == Int64(results[2].newFindings))
    }

    @Test func aScopedRunBetweenTwoScansIsNotPartOfTheLaterOnes() throws {
        let (dir, batches, inbox, store) = try Self.firstOfTwoBatchesScanned()
        defer { withExtendedLifetime(dir) {} }
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        var scoped = ScreenOptions(fiscalYear: 2567)
        scoped.runDate = "2026-11-27"
        let scopedRun = try Engine(store: store, catalog: catalog).screen(scoped)
        #expect(scopedRun.findings > 0)
        try FileManager.default.copyItem(atPath: batches[1], toPath: inbox + "/batch2")
        let second = try Self.scan(store, inbox: inbox)
        #expect(second.mode == "incremental")
        var options = ScreenOptions()
        options.runDate = "2026-11-27"
        let full = try Engine(store: store, catalog: catalog).screen(options)
        #expect(try Self.findings(store, run: try #require(second.runID)) == Self.findings(store, run: full.runID))
        // The scoped run still shows its own findings.
        #expect(try Self.findings(store, run: scopedRun.runID).count == scopedRun.findings)
        // A scoped run cannot be continued.
        var continuing = ScreenOptions()
        continuing.continues = scopedRun.runID
        continuing.fiscalYear = 2567
        #expect(throws: StoreError.self) { try Engine(store: store, catalog: catalog).screen(continuing) }
    }

    @Test func aChainWithMoreDroppedRowsThanCurrentOnesIsStartedAgain() throws {
        // The third scan allows no dropped rows at all: the second one dropped some.
        let (dir, _, store, results) = try Self.threeBatchesScanned(maxDroppedRatio: { $0 == 2 ? 0 : 1 })
        defer { withExtendedLifetime(dir) {} }
        #expect(results.map(\.mode) == ["full", "incremental", "full"])
        #expect(results[1].findingRowsDropped > 0)
        #expect(results[2].reason.contains("a new chain of runs starts"))
        let last = try #require(results[2].runID)
        let chain = try store.db.query(sql: "SELECT chain_start, continues FROM runs WHERE run_id = ?", bindings: [last]).first
        #expect(chain?[0].int64 == last && chain?[1] == .null)
        // Every finding of the new chain's first run is its own row.
        #expect(results[2].findingRowsWritten == results[2].findings && results[2].findingRowsDropped == 0)
        var options = ScreenOptions()
        options.runDate = "2026-11-27"
        let full = try Engine(store: store, catalog: try RuleCatalog.load(directory: Paths.rules)).screen(options)
        #expect(try Self.findings(store, run: last) == Self.findings(store, run: full.runID))
    }

    @Test func aStoreFromBeforeRunIntervalsKeepsEveryRunsFindingsAndPriorities() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("old.db"))
        // The schema as it was before migration 012, with two runs written the old way: every
        // finding copied into each run, priorities stored.
        for migration in Schema.migrations.prefix(11) { try db.execute(sql: migration.sql) }
        try db.execute(sql: "PRAGMA user_version = 11")
        try db.execute(sql: """
            INSERT INTO projects (project_id, budget) VALUES ('P1', 100), ('P2', 900);
            INSERT INTO runs (run_id, kind, started_at, finished_at, sources_through) VALUES (1, 'scan', 'x', 'y', 1), (2, 'scan', 'x', 'y', 2);
            INSERT INTO findings (run_id, rule_id, rule_version, category, severity, weight, subject_type, subject_id, project_id)
            VALUES (1, 'BP-01', 1, 'competition', 'medium', 0.2, 'project', 'P1', 'P1'),
                   (2, 'BP-01', 1, 'competition', 'medium', 0.2, 'project', 'P1', 'P1'),
                   (2, 'BP-02', 1, 'competition', 'low', 0.2, 'project', 'P2', 'P2');
            INSERT INTO project_scores (run_id, project_id, score, priority, findings, max_severity)
            VALUES (1, 'P1', 0.2, 1, 1, 'medium'), (2, 'P1', 0.2, 2, 1, 'medium'), (2, 'P2', 0.2, 1, 1, 'low');
            """)
        // A read-only command (`show`, `report`) upgrades it before reading.
        let upgraded = try Store(path: dir.path("old.db"), readOnly: true).db
        let findings = { (run: Int64) in
            try upgraded.query(sql: "SELECT project_id FROM run_findings WHERE run_id = ? ORDER BY 1", bindings: [run]).compactMap { $0[0].string }
        }
        #expect(try findings(1) == ["P1"])
        #expect(try findings(2) == ["P1", "P2"])
        // Priorities are ranked when read: equal scores by budget.
        let priorities = try upgraded.query(sql: "SELECT project_id, priority FROM run_priorities WHERE run_id = 2 ORDER BY priority")
        #expect(priorities.map { $0[0].string ?? "" } == ["P2", "P1"])
    }

    @Test func newRegisterRowsMakeTheScanFull() throws {
        let (dir, batches, inbox, store) = try Self.firstOfTwoBatchesScanned()
        try FileManager.default.copyItem(atPath: batches[1], toPath: inbox + "/batch2")
        try FileManager.default.createDirectory(atPath: inbox + "/batch2/lists", withIntermediateDirectories: true)
        try "firm_id,listed_date,delisted_date\n0105000100001,2020-01-01,\n".write(toFile: inbox + "/batch2/lists/debarred.csv", atomically: true, encoding: .utf8)
        let second = try Self.scan(store, inbox: inbox)
        #expect(second.mode == "full" && second.reason.contains("register"))

        // A changed mapping table (a currency rate) changes what rules see: the next scan is full.
        let rules = dir.path("rules")
        try FileManager.default.copyItem(atPath: Paths.rules.path, toPath: rules)
        try "rates:\n  USD: 35.5\n".write(toFile: rules + "/mappings/fx.yaml", atomically: true, encoding: .utf8)
        // New data too (one more bid file), or the scan would have nothing to do.
        let bids = try String(contentsOfFile: batches[1] + "/bids.csv", encoding: .utf8).split(separator: "\n")
        var row = bids[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        row[1] = "0105000199990"
        let text = String(bids[0]) + "\n" + row.joined(separator: ",") + "\n"
        try text.write(toFile: inbox + "/one-more-bid.csv", atomically: true, encoding: .utf8)
        let third = try Self.scan(store, inbox: inbox, rules: URL(fileURLWithPath: rules))
        #expect(third.mode == "full" && third.reason.contains("parameters changed"), "\(third.reason)")
    }

    /// A batch that changes projects already screened: their earlier not-raised and
    /// not-applicable outcomes are counts, not rows, so the scan runs the record rules on every
    /// project, and its counts equal a full screen's.
    @Test func aScanThatChangesScreenedProjectsCountsLikeAFullScreen() throws {
        let (dir, batches, inbox, store) = try Self.firstOfTwoBatchesScanned()
        defer { withExtendedLifetime(dir) {} }
        // Fifty projects of the first batch come again with three times their budget.
        let rows = try String(contentsOfFile: batches[0] + "/projects.csv", encoding: .utf8).split(separator: "\n")
        let header = rows[0].split(separator: ",", omittingEmptySubsequences: false)
        let budget = try #require(header.firstIndex(of: "budget"))
        let changed = rows.dropFirst().prefix(50).map { line -> String in
            var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[budget] = Double(cells[budget]).map { String(format: "%.2f", $0 * 3) } ?? cells[budget]
            return cells.joined(separator: ",")
        }
        try ([String(rows[0])] + changed).joined(separator: "\n").appending("\n")
            .write(toFile: inbox + "/changed-projects.csv", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: batches[1], toPath: inbox + "/batch2")
        let second = try Self.scan(store, inbox: inbox)
        #expect(second.mode == "full" && second.reason.contains("50 projects screened by run"), "\(second.reason)")
        let last = try #require(second.runID)
        var options = ScreenOptions()
        options.runDate = "2026-11-27"
        let full = try Engine(store: store, catalog: try RuleCatalog.load(directory: Paths.rules)).screen(options)
        #expect(try Self.findings(store, run: last) == Self.findings(store, run: full.runID))
        let stats = { (run: Int64) in
            try store.db.query(sql: "SELECT rule_id, raised, not_raised, not_applicable, not_computable FROM run_rule_stats WHERE run_id = ? ORDER BY 1", bindings: [run])
        }
        let (incremental, reference) = (try stats(last), try stats(full.runID))
        #expect(incremental.count == reference.count)
        for (a, b) in zip(incremental, reference) { #expect(a == b) }
    }

    @Test func aSecondScanWaitsThenGivesUpWithAClearMessage() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("scan.db")
        try FileManager.default.createDirectory(atPath: dir.path("inbox"), withIntermediateDirectories: true)
        let held = ScanLock(storePath: db)
        #expect(try held.acquire(timeout: 0))
        let started = Date()
        let blocked = try CLI.run(["scan", "--db", db, "--inbox", dir.path("inbox"), "--wait", "1"])
        #expect(blocked.status == 1)
        #expect(blocked.stderr.contains("another scan is running"))
        #expect(Date().timeIntervalSince(started) >= 1)
        held.release()
        let free = try CLI.run(["scan", "--db", db, "--inbox", dir.path("inbox"), "--wait", "1"])
        #expect(free.status == 0, "\(free.stderr)")
    }

    /// The exit codes operations rely on: 3 when new findings reach --fail-on, 1 when an inbox file
    /// cannot be read (the good ones are still ingested and screened), 2 for an inbox that is not a folder.
    @Test func exitCodesForFailOnABadFileAndAMissingInbox() throws {
        let dir = try TemporaryDirectory()
        let inbox = dir.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Paths.sampleData.path, toPath: inbox + "/sample")
        try? FileManager.default.removeItem(atPath: inbox + "/sample/truth.json")
        try? FileManager.default.removeItem(atPath: inbox + "/sample/README.md")
        let failing = try CLI.run(["scan", "--db", dir.path("a.db"), "--inbox", inbox, "--fail-on", "high", "--json"])
        #expect(failing.status == 3, "\(failing.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(failing.stdout.utf8)) as? [String: Any]
        #expect(json?["max_new_severity"] as? String == "critical" && (json?["new_findings"] as? Int ?? 0) > 0)

        try "hello\n".write(toFile: inbox + "/notes.txt", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["scan", "--db", dir.path("b.db"), "--inbox", inbox])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("failed \(inbox)/notes.txt") && bad.stderr.contains("notes.txt:1"))
        #expect(bad.stderr.contains("screening (full)"))   // the good files were still screened

        let missing = try CLI.run(["scan", "--db", dir.path("c.db"), "--inbox", dir.path("nowhere")])
        #expect(missing.status == 2 && missing.stderr.contains("is not a folder"))
    }

    /// Kills the scan at several points with SIGKILL, then lets the next scan finish: the store
    /// passes `PRAGMA integrity_check` and ends as an uninterrupted scan leaves it.
    @Test func aKilledScanLeavesTheStoreConsistentAndTheNextOneCompletesTheWork() throws {
        let dir = try TemporaryDirectory()
        let market = dir.path("market")
        _ = try MarketGenerator(configuration: MarketGenerator.Configuration(projects: 8_000, seed: 11)).write(to: market)
        let inbox = dir.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: market, toPath: inbox + "/market")
        try? FileManager.default.removeItem(atPath: inbox + "/market/truth.json")

        func finalState(_ db: String) throws -> (Set<String>, String?) {
            let store = try Store(path: db, readOnly: true)
            let run = try #require(try store.db.scalar(sql: "SELECT max(run_id) FROM runs WHERE finished_at IS NOT NULL").int64)
            let rows = try store.db.query(sql: "SELECT rule_id || '|' || project_id || '|' || subject_id || '|' || evidence FROM run_findings WHERE run_id = ?",
                                          bindings: [run]).compactMap { $0[0].string }
            return (Set(rows), try store.db.scalar(sql: "PRAGMA integrity_check").string)
        }
        let reference = dir.path("reference.db")
        let clean = try CLI.run(["scan", "--db", reference, "--inbox", inbox])
        #expect(clean.status == 0, "\(clean.stderr)")
        let (expected, _) = try finalState(reference)
        #expect(!expected.isEmpty)

        // Killed while ingesting, between files, while screening, while writing.
        for (i, delay) in [0.3, 0.9, 1.6, 2.4].enumerated() {
            let db = dir.path("killed\(i).db")
            let process = try CLI.start(["scan", "--db", db, "--inbox", inbox])
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let integrity = try Store(path: db).db.scalar(sql: "PRAGMA integrity_check").string
            #expect(integrity == "ok", "killed after \(delay) s")
            let resumed = try CLI.run(["scan", "--db", db, "--inbox", inbox])
            #expect(resumed.status == 0, "after \(delay) s: \(resumed.stderr)")
            let (state, check) = try finalState(db)
            #expect(check == "ok")
            #expect(state == expected, "killed after \(delay) s: the resumed scan differs from an uninterrupted one")
        }
    }
}
