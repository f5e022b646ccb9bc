import Foundation
import Testing
@testable import ProcScreenCore

@Suite("OCDS ingest")
struct OCDSIngestTests {
    let ocds = Paths.realData.appendingPathComponent("ocds")

    func counts(_ fixture: StoreFixture) throws -> (projects: Int64, bids: Int64, contracts: Int64) {
        (try fixture.scalar("SELECT count(*) FROM projects").int64 ?? -1,
         try fixture.scalar("SELECT count(*) FROM bids").int64 ?? -1,
         try fixture.scalar("SELECT count(*) FROM contracts").int64 ?? -1)
    }

    /// Counts checked against the files read with Python's json module (distinct ocids,
    /// bids.details entries, awards).
    @Test(arguments: [
        ("ukraine_prozorro_2016_2017/compiled_releases.jsonl", 11, 12, 13),
        ("armenia_armeps_2016/armeps_release_package_page6.json", 100, 36, 21),
    ])
    func realFilesIngestWithTheirCounts(file: String, projects: Int, bids: Int, contracts: Int) throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([ocds.appendingPathComponent(file).path])
        #expect(summary.files.map(\.status) == [.ingested])
        #expect(summary.files.first?.format == "ocds")
        let c = try counts(fixture)
        #expect(c.projects == Int64(projects))
        #expect(c.bids == Int64(bids))
        #expect(c.contracts == Int64(contracts))
    }

    @Test func everyRealOCDSFolderIngests() throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([ocds.path])
        #expect(summary.failedFiles.isEmpty, "\(summary.failedFiles)")
        #expect(summary.quarantined == 0)
        // 100 Armenian, 12 Nigerian, 5 ocdskit and 11 Ukrainian processes.
        #expect(try fixture.scalar("SELECT count(*) FROM projects").int64 == 128)
        #expect(try fixture.scalar("SELECT count(*) FROM bids").int64 == 48)
        // Ukraine's releases/ repeat the compiled records: the stored version is kept, and each
        // repeat is an issue ("superseded"), not a quarantined row.
        let superseded = try fixture.scalar("SELECT count(*) FROM ingest_issues WHERE action = 'superseded'").int64 ?? 0
        #expect(superseded >= 11)
        // Tenderers written out in full (no id) are keyed by their org-id, as their parties are.
        #expect(try fixture.scalar("SELECT count(*) FROM bids WHERE bidder_id IS NULL").int64 == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM bids WHERE bidder_id LIKE 'UA-EDR-%'").int64 == 12)
        // Raw statuses survive next to the canonical ones; currencies are kept.
        #expect(try fixture.scalar("SELECT count(*) FROM bids WHERE status_raw = 'not-qualified' AND status = 'disqualified'").int64 == 3)
        #expect(try fixture.scalar("SELECT currency FROM projects WHERE project_id LIKE 'ocds-be6bcu-%' LIMIT 1").string == "UAH")
        // Re-ingesting changes nothing.
        let before = try counts(fixture)
        #expect(try fixture.ingest([ocds.path]).files.allSatisfy { $0.status == .skipped })
        #expect(try counts(fixture) == before)
    }

    @Test func competitionScreensFindTheUkrainianAndArmenianCases() throws {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([ocds.path])
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let summary = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: ["BP-01", "BP-04"]))
        func raised(_ rule: String) throws -> Set<String> {
            Set(try fixture.store.db.query(sql: "SELECT project_id FROM run_findings WHERE run_id = ? AND rule_id = ?",
                                           bindings: [summary.runID, rule]).compactMap { $0[0].string })
        }
        // The lowest bid lost (its award unsuccessful, the next bid won) in three Ukrainian tenders.
        #expect(try raised("BP-04").isSuperset(of: ["ocds-be6bcu-UA-2016-06-08-000504-c", "ocds-be6bcu-UA-2017-04-10-002020-b",
                                                    "ocds-be6bcu-UA-2017-04-12-001619-b"]))
        // The Armenian tender whose second lot's lowest bid (770,000 AMD) was not qualified.
        #expect(try raised("BP-04").contains("AM-PPS-e5da72b80ff4fdfdff594c6dcc1ba3be"))
        // Single bids on competitive procedures: two Ukrainian open tenders, two Armenian selective ones.
        #expect(try raised("BP-01").isSuperset(of: ["ocds-be6bcu-UA-2016-06-02-000468-c", "ocds-be6bcu-UA-2016-08-31-000670-b",
                                                    "AM-PPS-da8b1b1a019e53c5d1fd025ad076ad3d", "AM-PPS-3f08728a81c1e17c815043f6925e5e98"]))
    }

    @Test func badLinesAreQuarantinedWithLineAndColumnAndGoodOnesKept() throws {
        let fixture = try StoreFixture()
        let path = fixture.directory.path("mixed.jsonl")
        try """
            {"ocid":"A","tender":{"title":"good","value":{"amount":1234.565,"currency":"THB"}}}
            {"ocid":"B","tender":{"title":"broken"
            {"tender":{"title":"no ocid"}}
            {"ocid":42}
            {"ocid":"C","tender":{"title":"caf\\u00e9 \\ud83d\\ude00 \\"q\\""},"bids":{"details":[{"status":"invited","tenderers":[{"id":"T1"}]},{"tenderers":[{"id":"T2"}],"value":{"amount":1e3}}]}}

            """.write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try fixture.ingest([path])
        #expect(summary.files.first?.status == .ingested)
        #expect(summary.files.first?.rows == 2)
        #expect(summary.quarantined == 3)
        let issues = try fixture.store.db.query(sql: "SELECT line, column_number, code FROM ingest_issues ORDER BY line")
        #expect(issues.map { $0[0].int64 ?? 0 } == [2, 3, 4])
        #expect(issues.map { $0[2].string ?? "" } == ["invalid_json", "missing_ocid", "missing_ocid"])
        #expect(issues[0][1].int64 ?? 0 > 1)   // the column where the JSON broke
        let a = try fixture.store.db.query(sql: "SELECT reference_price, currency FROM projects WHERE project_id = 'A'")[0]
        #expect(a[0].int64 == 123_457)          // 1,234.565 → satang, rounded half up
        #expect(try fixture.scalar("SELECT project_name FROM projects WHERE project_id = 'C'").string == "café 😀 \"q\"")
        let bids = try fixture.store.db.query(sql: "SELECT bidder_id, status, status_raw, price FROM bids WHERE project_id = 'C' ORDER BY source_line")
        #expect(bids[0][1].string == "invited" && bids[0][2].string == "invited")
        #expect(bids[1][1] == .null && bids[1][2] == .null && bids[1][3].int64 == 100_000)
    }

    /// A package cut off mid-release keeps the releases that were complete and reports the break
    /// once; a JSON-lines file whose first line is broken keeps the lines after it.
    @Test func truncatedFilesKeepWhatWasComplete() throws {
        let fixture = try StoreFixture()
        let package = fixture.directory.path("cut.json")
        try """
            {"releases": [
              {"ocid": "A", "tag": ["tender"], "tender": {"title": "one"}},
              {"ocid": "B", "tag": ["tender"], "tender": {"title": "two"}},
              {"ocid": "C", "tag": ["tender"], "tender": {"tit
            """.write(toFile: package, atomically: true, encoding: .utf8)
        let lines = fixture.directory.path("lines.jsonl")
        try "{\"ocid\": \"X\", \"tender\": {\n{\"ocid\": \"Y\"}\n".write(toFile: lines, atomically: true, encoding: .utf8)
        let summary = try fixture.ingest([package, lines])
        #expect(summary.files.allSatisfy { $0.status == .ingested })
        #expect(try fixture.store.db.query(sql: "SELECT project_id FROM projects ORDER BY 1").compactMap { $0[0].string } == ["A", "B", "Y"])
        let issues = try fixture.store.db.query(sql: "SELECT file, line FROM ingest_issues ORDER BY file")
        #expect(issues.count == 2)
        #expect(issues.map { $0[1].int64 ?? 0 } == [4, 1])
    }

    @Test func plainReleasesOfOneOcidAreMergedInDateOrder() throws {
        let fixture = try StoreFixture()
        let path = fixture.directory.path("package.json")
        try """
            {"releases": [
              {"ocid": "X", "id": "2", "date": "2024-02-01T00:00:00Z", "tag": ["award"],
               "awards": [{"id": "a1", "status": "active", "suppliers": [{"id": "S"}], "value": {"amount": 90, "currency": "THB"}}]},
              {"ocid": "X", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
               "tender": {"title": "first", "value": {"amount": 100, "currency": "THB"}},
               "awards": [{"id": "a1", "status": "pending"}]}
            ]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try fixture.ingest([path])
        #expect(summary.files.first?.rows == 1)
        let row = try fixture.store.db.query(sql: "SELECT project_name, reference_price, agreed_price, release_date FROM projects")[0]
        #expect(row[0].string == "first")                      // from the earlier release
        #expect(row[1].int64 == 10_000 && row[2].int64 == 9_000)
        #expect(row[3].string == "2024-02-01T00:00:00Z")
        // The award merged by id: the later status wins.
        #expect(try fixture.scalar("SELECT status FROM contracts").string == "active")
    }

    @Test func tenderAmendmentsAreCountedAndAbsenceIsUnknown() throws {
        let fixture = try StoreFixture()
        let path = fixture.directory.path("releases.jsonl")
        try """
            {"ocid": "A", "id": "1", "date": "2024-01-01T00:00:00Z", "tender": {"title": "t", "amendments": [{"id": "1"}, {"id": "2"}]}}
            {"ocid": "B", "id": "1", "date": "2024-01-01T00:00:00Z", "tender": {"title": "t", "amendments": []}}
            {"ocid": "C", "id": "1", "date": "2024-01-01T00:00:00Z", "tender": {"title": "t"}}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        _ = try fixture.ingest([path])
        let rows = try fixture.store.db.query(sql: "SELECT project_id, tender_amendments FROM projects ORDER BY project_id")
        #expect(rows.map { $0[1].int64 } == [2, 0, nil])
    }

    @Test func tenderAmendmentsFromABundleColumnInEnglishOrThai() throws {
        let fixture = try StoreFixture()
        let dir = fixture.directory.path("bundle")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "project_id,method,tender_amendments\n66010000001,e_bidding,2\n66010000002,e_bidding,\n".write(toFile: dir + "/projects.csv", atomically: true, encoding: .utf8)
        _ = try fixture.ingest([dir])
        let rows = try fixture.store.db.query(sql: "SELECT tender_amendments FROM projects ORDER BY project_id")
        #expect(rows.map { $0[0].int64 } == [2, nil])
        let thai = fixture.directory.path("thai")
        try FileManager.default.createDirectory(atPath: thai, withIntermediateDirectories: true)
        try "project_id,จำนวนครั้งที่เปลี่ยนแปลงประกาศเชิญชวน\n66010000003,๑\n".write(toFile: thai + "/projects.csv", atomically: true, encoding: .utf8)
        _ = try fixture.ingest([thai])
        #expect(try fixture.scalar("SELECT tender_amendments FROM projects WHERE project_id = '66010000003'").int64 == 1)
    }

    @Test func minorUnitsAreExactForDecimals() {
        func units(_ s: String) -> Int64? {
            Array(s.utf8).withUnsafeBufferPointer { JSONNumber.minorUnits($0) }
        }
        #expect(units("0") == 0)
        #expect(units("12") == 1_200)
        #expect(units("12.5") == 1_250)
        #expect(units("-3.999") == -400)
        #expect(units("43788.90") == 4_378_890)
        #expect(units("2.5e3") == 250_000)
        #expect(units("-") == nil)
    }
}

@Suite("One market, two formats")
struct MarketFormatsTests {
    /// The same generated market ingested as a CSV bundle and as OCDS gives the same projects,
    /// bids, contracts and findings.
    @Test func bundleAndOCDSGiveTheSameStoreAndFindings() throws {
        let dir = try TemporaryDirectory()
        var configuration = MarketGenerator.Configuration(projects: 1_500, seed: 7)
        configuration.competitiveShare = 0.5
        let generator = MarketGenerator(configuration: configuration)
        _ = try generator.write(to: dir.path("bundle"))
        _ = try generator.writeOCDS(to: dir.path("ocds"), mapping: try Shared.mapping())
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        var stores: [Store] = []
        var findings: [[String]] = []
        for name in ["bundle", "ocds"] {
            let store = try Store(path: dir.path(name + ".db"))
            let summary = try Ingestor(store: store, mapping: try Shared.mapping()).ingest(paths: [dir.path(name)])
            #expect(summary.failedFiles.isEmpty && summary.quarantined == 0, "\(name): \(summary.failedFiles)")
            var options = ScreenOptions()
            options.runDate = "2026-11-27"
            let run = try Engine(store: store, catalog: catalog).screen(options)
            findings.append(try store.db.query(sql: "SELECT rule_id || ' ' || coalesce(project_id, '') || ' ' || subject_id FROM run_findings WHERE run_id = ? ORDER BY 1",
                                               bindings: [run.runID]).compactMap { $0[0].string })
            stores.append(store)
        }
        func rows(_ sql: String) throws -> [[String]] {
            try stores.map { store in try store.db.query(sql: sql).map { row in row.values.map { "\($0)" }.joined(separator: "|") } }
        }
        for sql in [
            """
            SELECT project_id, project_name, project_type, agency_id, ministry, province, method, fiscal_year, budget, reference_price,
                   agreed_price, announce_date, bid_deadline, award_date, num_bids, num_doc_buyers, budget_type, multi_year
            FROM projects ORDER BY project_id
            """,
            "SELECT project_id, bidder_id, price, status, is_winner, bid_date FROM bids ORDER BY project_id, source_line",
            "SELECT project_id, contract_no, winner_id, amount, contract_date, end_date FROM contracts ORDER BY project_id, source_line",
        ] {
            let both = try rows(sql)
            #expect(both[0].count > 0)
            let differing = zip(both[0], both[1]).filter { $0 != $1 }.prefix(3).map { "\($0.0)\n  vs \($0.1)" }
            #expect(both[0] == both[1], "\(sql.prefix(60)): \(both[0].count) vs \(both[1].count) rows; \(differing)")
        }
        #expect(findings[0].count > 100)
        let onlyBundle = Set(findings[0]).subtracting(findings[1]).sorted().prefix(5)
        let onlyOCDS = Set(findings[1]).subtracting(findings[0]).sorted().prefix(5)
        #expect(findings[0] == findings[1], "bundle only: \(onlyBundle); OCDS only: \(onlyOCDS)")
    }
}

@Suite("Currencies")
struct CurrencyTests {
    /// Baht thresholds apply to THB amounts; another currency is not computable until
    /// Rules/mappings/fx.yaml gives its rate, then it is converted.
    @Test func bahtThresholdsNeedAConversionTable() throws {
        let fixture = try StoreFixture()
        let path = fixture.directory.path("usd.jsonl")
        try #"{"ocid":"X1","tender":{"procurementMethod":"open","value":{"amount":19000000,"currency":"USD"},"tenderPeriod":{"startDate":"2023-11-01T00:00:00Z","endDate":"2023-12-01T00:00:00Z"}},"planning":{"budget":{"amount":{"amount":20000000,"currency":"USD"}}}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        _ = try fixture.ingest([path])
        func lp01(rules: URL) throws -> (raised: Int64, notComputable: String?) {
            let catalog = try RuleCatalog.load(directory: rules)
            let run = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: ["LP-01"]))
            let raised = try fixture.store.db.scalar(sql: "SELECT count(*) FROM run_findings WHERE run_id = ?", bindings: [run.runID]).int64 ?? 0
            let detail = try fixture.store.db.query(sql: "SELECT detail FROM run_not_computable WHERE run_id = ?", bindings: [run.runID]).first?[0].string
            return (raised, detail)
        }
        let without = try lp01(rules: Paths.rules)
        #expect(without.raised == 0)
        #expect(without.notComputable?.contains("USD") == true)
        // The same rules with a rate: 20 M USD × 34.5 = 690 M baht, a tier-1 project.
        let rules = URL(fileURLWithPath: fixture.directory.path("rules"))
        try FileManager.default.copyItem(at: Paths.rules, to: rules)
        try "rates: {USD: 34.5}\n".write(to: rules.appendingPathComponent("mappings/fx.yaml"), atomically: true, encoding: .utf8)
        let with = try lp01(rules: rules)
        #expect(with.raised == 1)
        #expect(with.notComputable == nil)
        // The store keeps the amount as published.
        #expect(try fixture.scalar("SELECT budget || ' ' || currency FROM projects").string == "2000000000 USD")
    }
}
