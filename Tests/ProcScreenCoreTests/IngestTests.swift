import Foundation
import Testing
@testable import ProcScreenCore

@Suite("Bundle ingest")
struct IngestTests {
    struct ExpectedIssue: Decodable {
        var line: Int
        var column: Int?
        var field: String?
        var code: String
        var action: String
    }

    @Test func malformedRowsAreQuarantinedWithTheirLinesAndTheRestKept() throws {
        let fixture = try StoreFixture()
        let path = Paths.fixtures.appendingPathComponent("Ingest/malformed/projects.csv").path
        let summary = try fixture.ingest([path])
        #expect(summary.failedFiles.isEmpty)
        let expected = try JSONDecoder().decode(
            [ExpectedIssue].self,
            from: Data(contentsOf: Paths.fixtures.appendingPathComponent("Ingest/malformed/expected-issues.json")))
        let issues = try fixture.store.issues()
        #expect(issues.count == expected.count, "\(issues.map(\.description))")
        for (issue, want) in zip(issues, expected) {
            #expect(issue.line == want.line, "\(issue)")
            #expect(issue.column == want.column, "\(issue)")
            #expect(issue.field == want.field, "\(issue)")
            #expect(issue.code == want.code, "\(issue)")
            #expect(issue.action.rawValue == want.action, "\(issue)")
            #expect(issue.file == path)
            if issue.action == .quarantined { #expect(issue.raw?.isEmpty == false) }
        }
        #expect(try fixture.store.count("projects") == 5)
        #expect(summary.quarantined == 3)
        // The good rows are intact: multi-line name, Thai digits, Thai-numbered date, missing date kept as NULL.
        let row = try fixture.store.db.query(
            sql: "SELECT project_name, budget, fiscal_year, announce_date, method FROM projects WHERE project_id = '67010000005'")[0]
        #expect(row[0].string == "ชื่อหลายบรรทัด\nบรรทัดที่สอง")
        #expect(row[1].int64 == 120_050)
        #expect(row[2].int64 == 2567)
        #expect(row[3].string == "2023-12-01")
        #expect(row[4].string == "specific")
        #expect(try fixture.scalar("SELECT announce_date FROM projects WHERE project_id = '67010000006'") == .null)
        #expect(try fixture.scalar("SELECT announce_date FROM projects WHERE project_id = '67010000001'").string == "2023-11-29")
        #expect(try fixture.scalar("SELECT method_raw FROM projects WHERE project_id = '67010000008'").string == "วิธีแปลก")
        #expect(try fixture.scalar("SELECT method FROM projects WHERE project_id = '67010000008'") == .null)
    }

    @Test func thaiHeadersBOMCRLFAndTheTwoMethodColumns() throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([Paths.fixtures.appendingPathComponent("Ingest/thai_headers").path])
        #expect(summary.files.first?.table == "projects")
        let rows = try fixture.store.db.query(
            sql: "SELECT project_id, method, budget, reference_price, agreed_price, fiscal_year, announce_date, province, agency_id FROM projects ORDER BY project_id")
        #expect(rows.count == 2)
        // e-bidding comes from the first method column; the generic text is skipped for the second.
        #expect(rows[0]["project_id"].string == "66027311752")
        #expect(rows[0]["method"].string == "e_bidding")
        #expect(rows[0]["budget"].int64 == 8_141_480_000)
        #expect(rows[0]["announce_date"] == .null)
        #expect(rows[1]["method"].string == "specific")
        #expect(rows[1]["budget"].int64 == 148_000)
        #expect(rows[1]["announce_date"].string == "2024-11-29")
        #expect(rows[1]["fiscal_year"].int64 == 2568)
        #expect(rows[1]["agency_id"].string == "กรมอนามัย")
        let unknown = try fixture.store.issues().filter { $0.code == "unknown_column" }
        #expect(unknown.map(\.field) == ["หมายเหตุ"])
        #expect(unknown.first?.column == 12)
    }

    @Test func tis620Bundle() throws {
        let fixture = try StoreFixture()
        // project_id,project_name,budget / 1,ซื้อ,๑๐๐  — in TIS-620 (๑ = 0xF1, ๐ = 0xF0).
        var bytes = Array("project_id,project_name,budget,announce_date\n1,".utf8)
        bytes += [0xAB, 0xD7, 0xE9, 0xCD]                                   // ซื้อ
        bytes += Array(",".utf8) + [0xF1, 0xF0, 0xF0]                        // ๑๐๐
        bytes += Array(",29 ".utf8) + [0xBE, 0x2E, 0xC2, 0x2E] + Array(" 67\n".utf8)   // 29 พ.ย. 67
        let path = try fixture.directory.write("tis/projects.csv", Data(bytes))
        let summary = try fixture.ingest([path])
        #expect(summary.files.first?.encoding == "tis-620")
        let row = try fixture.store.db.query(sql: "SELECT project_name, budget, announce_date FROM projects")[0]
        #expect(row[0].string == "ซื้อ")
        #expect(row[1].int64 == 10_000)
        #expect(row[2].string == "2024-11-29")
    }

    @Test func reingestingTheSameFileChangesNothing() throws {
        let fixture = try StoreFixture()
        let first = try fixture.ingest([Paths.sampleData.path])
        let before = try fixture.store.counts()
        let second = try fixture.ingest([Paths.sampleData.path])
        #expect(first.files.allSatisfy { $0.status == .ingested })
        #expect(second.files.allSatisfy { $0.status == .skipped })
        #expect(try fixture.store.counts() == before)
        // A renamed copy is the same content: still skipped.
        let copy = fixture.directory.path("copy.csv")
        try FileManager.default.copyItem(atPath: Paths.sampleData.appendingPathComponent("projects.csv").path, toPath: copy)
        #expect(try fixture.ingest([copy]).files.first?.status == .skipped)
    }

    @Test func aFailureMidFileLeavesTheStoreAsItWas() throws {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([Paths.sampleData.appendingPathComponent("agencies.csv").path])
        let before = try fixture.store.counts()
        let sources = try fixture.scalar("SELECT count(*) FROM sources")
        struct Crash: Error {}
        var options = IngestOptions()
        options.beforeRow = { file, row in if file.hasSuffix("projects.csv"), row == 1_500 { throw Crash() } }
        let summary = try fixture.ingest([Paths.sampleData.appendingPathComponent("projects.csv").path], options: options)
        #expect(summary.failedFiles.count == 1)
        #expect(try fixture.store.counts() == before)
        #expect(try fixture.scalar("SELECT count(*) FROM sources") == sources)
        // The next run, without the fault, loads the file completely.
        let retry = try fixture.ingest([Paths.sampleData.appendingPathComponent("projects.csv").path])
        #expect(retry.files.first?.status == .ingested)
        #expect(try fixture.store.count("projects") == 3_000)
    }

    @Test func aNewerRowReplacesTheOlderOneAndANewerBidListReplacesTheOld() throws {
        let fixture = try StoreFixture()
        let dir = fixture.directory
        try dir.write("v1/projects.csv", "project_id,project_name,budget\nP1,old name,100\nP2,other,200\n")
        try dir.write("v1/bids.csv", "project_id,bidder_id,price\nP1,0105522016247,90\nP1,0105551090549,95\nP2,0105522016247,180\n")
        try dir.write("v2/projects.csv", "project_id,project_name,budget\nP1,new name,150\n")
        try dir.write("v2/bids.csv", "project_id,bidder_id,price\nP1,0105543008219,140\n")
        _ = try fixture.ingest([dir.path("v1")])
        _ = try fixture.ingest([dir.path("v2")])
        #expect(try fixture.scalar("SELECT project_name FROM projects WHERE project_id = 'P1'").string == "new name")
        #expect(try fixture.scalar("SELECT budget FROM projects WHERE project_id = 'P1'").int64 == 15_000)
        #expect(try fixture.scalar("SELECT count(*) FROM projects").int64 == 2)
        #expect(try fixture.scalar("SELECT group_concat(bidder_id) FROM bids WHERE project_id = 'P1'").string == "0105543008219")
        #expect(try fixture.scalar("SELECT count(*) FROM bids WHERE project_id = 'P2'").int64 == 1)
    }

    @Test func aNewerBidListOfManyRowsReplacesEachProjectsBidsOnce() throws {
        // More rows than one multi-row INSERT holds, projects straddling its boundaries: each
        // project's older bids are deleted once, before its first new row, never after.
        let fixture = try StoreFixture()
        let dir = fixture.directory
        let tins = ["0105522016247", "0105551090549", "0105543008219"]
        var projects = "project_id,project_name,budget\n", v1 = "project_id,bidder_id,price\n", v2 = v1
        for p in 1...100 {
            projects += "P\(p),project \(p),1000\n"
            for b in 0..<2 { v1 += "P\(p),\(tins[b]),\(900 + b)\n" }
            if p <= 70 { for b in 0..<3 { v2 += "P\(p),\(tins[b]),\(800 + b)\n" } }
        }
        try dir.write("v1/projects.csv", projects)
        try dir.write("v1/bids.csv", v1)
        try dir.write("v2/bids.csv", v2)
        _ = try fixture.ingest([dir.path("v1")])
        _ = try fixture.ingest([dir.path("v2")])
        #expect(try fixture.scalar("SELECT count(*) FROM bids").int64 == 70 * 3 + 30 * 2)
        #expect(try fixture.scalar("SELECT count(*) FROM (SELECT project_id FROM bids GROUP BY project_id HAVING count(*) = 3 AND min(price) = 80000)").int64 == 70)
        #expect(try fixture.scalar("SELECT count(*) FROM bids WHERE price >= 90000").int64 == 30 * 2)
    }

    @Test func theWriterKeepsEmptyTextApartFromMissing() throws {
        let fixture = try StoreFixture()
        let writer = try TableWriter(db: fixture.store.db, table: "agencies", columns: ["agency_id", "agency_name", "province"],
                                     upsert: true, groupKey: [], withLine: false)
        for i in 0..<130 { try writer.write([.text("A\(i)"), .text(i % 2 == 0 ? "" : "กรม \(i)"), .null], sourceID: 1, line: i) }
        try writer.finish()
        #expect(try fixture.scalar("SELECT count(*) FROM agencies").int64 == 130)
        #expect(try fixture.scalar("SELECT count(*) FROM agencies WHERE agency_name = ''").int64 == 65)
        #expect(try fixture.scalar("SELECT agency_name FROM agencies WHERE agency_id = 'A129'").string == "กรม 129")
        #expect(try fixture.scalar("SELECT count(*) FROM agencies WHERE province IS NULL AND source_id = 1").int64 == 130)
    }

    @Test func aFileOfANewSizeIsHashedWhileItLoadsAndAFileOfAKnownSizeFirst() throws {
        let fixture = try StoreFixture()
        let dir = fixture.directory
        let first = try dir.write("a/projects.csv", "project_id,project_name,budget\nP1,one,100\n")
        let sameSize = try dir.write("b/projects.csv", "project_id,project_name,budget\nP2,two,200\n")
        let copy = try dir.write("c/renamed.csv", "project_id,project_name,budget\nP1,one,100\n")
        #expect(try fixture.ingest([first]).files.first?.status == .ingested)
        // Hashed alongside the load, the hash is recorded, not the placeholder.
        #expect(try fixture.scalar("SELECT sha256 FROM sources WHERE path = '\(first)'").string == (try Ingestor.sha256(ofFile: first)))
        #expect(try fixture.scalar("SELECT size_bytes FROM sources WHERE path = '\(first)'").int64 == 42)
        // Same size, other content: new. Same content under another name: skipped.
        #expect(try fixture.ingest([sameSize]).files.first?.status == .ingested)
        let skipped = try fixture.ingest([copy]).files.first
        #expect(skipped?.status == .skipped)
        #expect(skipped?.sameAs == first)
        #expect(try fixture.scalar("SELECT count(*) FROM sources WHERE sha256 LIKE 'pending:%'").int64 == 0)
    }

    @Test func aStoreWithoutRecordedSizesStillSkipsSeenContent() throws {
        // Sources ingested before sizes were recorded: any file may be one of them, so it is
        // hashed before loading and a renamed copy is skipped, not loaded and refused.
        let fixture = try StoreFixture()
        let first = try fixture.directory.write("a/projects.csv", "project_id,project_name,budget\nP1,one,100\n")
        let copy = try fixture.directory.write("b/renamed.csv", "project_id,project_name,budget\nP1,one,100\n")
        _ = try fixture.ingest([first])
        try fixture.store.db.execute(sql: "UPDATE sources SET size_bytes = NULL")
        let again = try fixture.ingest([copy]).files.first
        #expect(again?.status == .skipped)
        #expect(again?.sameAs == first)
        #expect(try fixture.scalar("SELECT count(*) FROM sources").int64 == 1)
    }

    @Test func invalidTINsAreKeptAndRecorded() throws {
        let fixture = try StoreFixture()
        let path = try fixture.directory.write("b/bids.csv", """
            project_id,bidder_id,bidder_name,price
            P1,0105522016248,bad check digit,100
            P1,105522016247,lost zero,110
            P1,0105522016247,good,120

            """)
        _ = try fixture.ingest([path])
        #expect(try fixture.store.count("bids") == 3)
        let issues = try fixture.store.issues()
        #expect(issues.map(\.code) == ["invalid_tin", "tin_leading_zero_lost"])
        #expect(issues.map(\.line) == [2, 3])
        #expect(issues.allSatisfy { $0.action == .kept && $0.column == 2 && $0.field == "bidder_id" })
        #expect(try fixture.scalar("SELECT count(*) FROM bids WHERE bidder_id = '0105522016247'").int64 == 2)
    }

    @Test func missingRequiredColumnFailsTheFileWithAClearError() throws {
        let fixture = try StoreFixture()
        let path = try fixture.directory.write("x/projects.csv", "name,budget\nx,1\n")
        let summary = try fixture.ingest([path])
        #expect(summary.failedFiles.count == 1)
        #expect(summary.failedFiles[0].error?.contains("required column 'project_id'") == true)
        #expect(summary.failedFiles[0].error?.contains("projects.csv:1") == true)
        #expect(try fixture.store.count("projects") == 0)
    }

    @Test func registersAreMarkedLoaded() throws {
        let fixture = try StoreFixture()
        #expect(try !fixture.store.isLoaded("risk_assessments"))
        _ = try fixture.ingest([Paths.sampleData.path])
        #expect(try fixture.store.isLoaded("risk_assessments"))
        #expect(try fixture.store.isLoaded("lists:debarred"))
        #expect(try fixture.store.isLoaded("lists:integrity_pact"))
    }
}

@Suite("Real Thai e-GP files")
struct RealThaiDataTests {
    static let thai = Paths.realData.appendingPathComponent("thai")

    @Test func dataGoThFileIngestsAsProjects() throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([Self.thai.appendingPathComponent("dga_egp_contract_fy2568_part10_first250.csv").path])
        #expect(summary.files.first?.table == "projects")
        #expect(try fixture.store.count("projects") == 250)
        #expect(summary.quarantined == 0)
        // Every row is a specific purchase, dated in Buddhist-era short form or "-".
        #expect(try fixture.scalar("SELECT count(*) FROM projects WHERE method = 'specific'").int64 == 250)
        #expect(try fixture.scalar("SELECT count(*) FROM projects WHERE fiscal_year = 2568").int64 == 250)
        #expect(try fixture.scalar("SELECT award_date FROM projects WHERE project_id = '67119524001'").string == "2024-11-29")
        #expect(try fixture.scalar("SELECT budget FROM projects WHERE project_id = '67119524001'").int64 == 148_000)
    }

    @Test func govspendingFileIngestsAsProjects() throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([Self.thai.appendingPathComponent("govspending_cgdcontract_dlt_bma_131.csv").path])
        #expect(summary.files.first?.table == "projects")
        #expect(summary.failedFiles.isEmpty)
        let distinct = try fixture.scalar("SELECT count(*) FROM projects").int64 ?? 0
        #expect(distinct > 0 && distinct <= 131)
        #expect(try fixture.scalar("SELECT count(*) FROM projects WHERE method = 'e_bidding'").int64 == distinct)
        #expect(try fixture.scalar("SELECT budget FROM projects WHERE project_id = '66027311752'").int64 == 8_141_480_000)
    }

    @Test func topValueContractsIngestAsContracts() throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([Self.thai.appendingPathComponent("fy2568_top_value_contracts_excerpt_57.csv").path])
        #expect(summary.files.first?.table == "contracts")
        #expect(try fixture.store.count("contracts") == 57)
        #expect(try fixture.scalar("SELECT max(amount) FROM contracts").int64 == 2_867_900_000_000)
        // Masked TINs are kept and flagged.
        #expect(try fixture.scalar("SELECT count(*) FROM ingest_issues WHERE code = 'tin_masked'").int64 ?? 0 > 0)
    }
}

@Suite("Generator")
struct GeneratorTests {
    @Test func sameSeedSameMarket() throws {
        let a = try TemporaryDirectory(), b = try TemporaryDirectory()
        var config = MarketGenerator.Configuration(projects: 800, seed: 42)
        config.competitiveShare = 0.3
        let sa = try MarketGenerator(configuration: config).write(to: a.url.path)
        _ = try MarketGenerator(configuration: config).write(to: b.url.path)
        for file in ["projects.csv", "bids.csv", "firms.csv", "truth.json"] {
            #expect(try Data(contentsOf: a.url.appendingPathComponent(file)) == Data(contentsOf: b.url.appendingPathComponent(file)))
        }
        #expect(sa.projects == 800)
        #expect(!sa.truth.rings.isEmpty && !sa.truth.splits.isEmpty && !sa.truth.missingAssessments.isEmpty)
    }

    @Test func sampleDataIsMostlySpecificWithLargeProjects() throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([Paths.sampleData.path])
        #expect(summary.quarantined == 0)
        let specific = Double(try fixture.scalar("SELECT count(*) FROM projects WHERE method = 'specific'").int64 ?? 0)
        #expect((0.7...0.9).contains(specific / 3_000))
        #expect(try fixture.scalar("SELECT count(*) FROM projects WHERE budget >= 50000000000").int64 ?? 0 >= 5)
        let truth = try JSONDecoder().decode(
            MarketGenerator.Truth.self, from: Data(contentsOf: Paths.sampleData.appendingPathComponent("truth.json")))
        // Ring tenders are in the store with every member bidding.
        for ring in truth.rings {
            for project in ring.projects {
                let bidders = try fixture.store.db.query(
                    sql: "SELECT bidder_id FROM bids WHERE project_id = ?", bindings: [project]).compactMap { $0[0].string }
                #expect(Set(bidders) == Set(ring.members))
            }
        }
    }
}

@Suite("CGD contract file")
struct CGDIngestTests {
    static let header = "ลำดับ,รหัสโครงการ,ชื่อโครงการ,ชื่อประเภทโครงการ,ชื่อหน่วยงาน,ชื่อหน่วยงานย่อย,วิธีจัดซื้อฯ,กลุ่มวิธีจัดซื้อฯ,วันที่ประกาศ,"
        + "งบประมาณ(บาท),ราคากลาง(บาท),ราคาตกลงซื้อ/จ้าง,ปีงบประมาณ,วันที่เกิดรายการ,จังหวัด,จังหวัด(Eng),เขต/อำเภอ(Eng),แขวง/ตำบล(Eng),"
        + "สถานะโครงการ,พิกัดของโครงการ,เลขนิติบุคคล,ชื่อผู้ชนะ,เลขที่สัญญา,วันที่ทำสัญญา,ราคาตามสัญญา"

    /// Rows as published: the phantom English columns empty, missing, or with values slid into
    /// them; one project on two rows with different money; a row no repair explains.
    @Test func rowsAreSplitRealignedAndRecorded() throws {
        let fixture = try StoreFixture()
        let path = fixture.directory.path("cgd.csv")
        let head = "ซื้อ,กรมทดสอบ,กองทดสอบ,ประกวดราคาอิเล็กทรอนิกส์ (e-bidding),ประกวดราคาอิเล็กทรอนิกส์ (e-bidding),1 พ.ย. 66"
        let tail = "จัดทำสัญญา/PO แล้ว,POINT(100.5 13.7)"
        try [
            Self.header,
            // 1. as it should be: the three phantom columns present and empty
            "1,67019000001,งาน ก,\(head),\"1,000,000\",\"990,000\",\"950,000\",2567,1 ธ.ค. 66,กรุงเทพมหานคร,,,,\(tail),0105522016247,บริษัท ก จำกัด,สัญญา 1/2567,5 ธ.ค. 66,\"500,000\"",
            // 2. the phantom fields missing: three fields fewer
            "2,67019000002,งาน ข,\(head),\"2,000,000\",\"1,990,000\",\"1,900,000\",2567,2 ธ.ค. 66,เชียงใหม่,\(tail),0105551090549,บริษัท ข จำกัด,สัญญา 2/2567,6 ธ.ค. 66,\"1,900,000\"",
            // 3. project 1 again, a second contract, its budget differing
            "3,67019000001,งาน ก,\(head),\"1,100,000\",\"990,000\",\"950,000\",2567,1 ธ.ค. 66,กรุงเทพมหานคร,,,,\(tail),0105543008219,บริษัท ค จำกัด,สัญญา 3/2567,7 ธ.ค. 66,\"450,000\"",
            // 4. values slid left into the phantom columns, the last three empty
            "4,67019000004,งาน ง,\(head),\"3,000,000\",\"2,990,000\",\"2,900,000\",2567,3 ธ.ค. 66,ลำปาง,\(tail),0105522016247,บริษัท ก จำกัด,สัญญา 4/2567,8 ธ.ค. 66,\"2,900,000\",,,",
            // 5. too few fields for any repair
            "5,67019000005,งาน จ,\(head)",
        ].joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try fixture.ingest([path])
        #expect(summary.files.first?.format == "cgd")
        #expect(summary.files.first?.rows == 3)
        #expect(summary.quarantined == 1)
        #expect(try fixture.scalar("SELECT count(*) FROM projects").int64 == 3)
        let contracts = try fixture.store.db.query(sql: "SELECT project_id, winner_id, amount, contract_date FROM contracts ORDER BY source_line")
        #expect(contracts.map { $0[0].string ?? "" } == ["67019000001", "67019000002", "67019000001", "67019000004"])
        #expect(contracts.map { $0[1].string ?? "" } == ["0105522016247", "0105551090549", "0105543008219", "0105522016247"])
        #expect(contracts[3][2].int64 == 290_000_000 && contracts[3][3].string == "2023-12-08")
        // The first row's money is kept; the differing one is recorded.
        #expect(try fixture.scalar("SELECT budget FROM projects WHERE project_id = '67019000001'").int64 == 100_000_000)
        let issues = try fixture.store.db.query(sql: "SELECT line, code, subject_id FROM ingest_issues WHERE code <> 'unknown_column' ORDER BY line")
        #expect(issues.map { "\($0[0].int64 ?? 0) \($0[1].string ?? "")" } == ["3 column_shift", "4 project_money_differs", "5 column_shift", "6 field_count"])
        #expect(issues[0][2].string == "67019000002")
    }

    /// The govspending MongoDB export (extended JSON) is the same CGD row as JSON.
    @Test func theGovspendingJSONDocumentLoads() throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([Paths.realData.appendingPathComponent("thai/govspending_cgdcontract_example_document.json").path])
        #expect(summary.files.first?.format == "cgd" && summary.files.first?.status == .ingested)
        let p = try fixture.store.db.query(sql: "SELECT project_id, budget, announce_date, fiscal_year, method FROM projects")
        #expect(p.count == 1)
        #expect(p[0][0].string == "66069005470" && p[0][1].int64 == 1_069_849_926 && p[0][2].string == "2023-07-26")
        #expect(p[0][3].int64 == 2568 && p[0][4].string == "e_bidding")
        #expect(try fixture.scalar("SELECT winner_id || ' ' || amount FROM contracts").string == "0105537149566 976495829")
        // Hashed once, during the OCDS attempt, and recorded on the CGD source.
        let path = Paths.realData.appendingPathComponent("thai/govspending_cgdcontract_example_document.json").path
        #expect(try fixture.scalar("SELECT sha256 FROM sources").string == (try Ingestor.sha256(ofFile: path)))
    }

    @Test func everyThaiFileIngests() throws {
        let fixture = try StoreFixture()
        let thai = Paths.realData.appendingPathComponent("thai")
        let files = try FileManager.default.contentsOfDirectory(atPath: thai.path).filter { !$0.hasSuffix(".metadata.json") }
        let summary = try fixture.ingest(files.map { thai.appendingPathComponent($0).path })
        #expect(summary.files.count == 4 && summary.files.allSatisfy { $0.status == .ingested }, "\(summary.files)")
        // 250 (DGA) + 131 (govspending CSV) + 1 (govspending JSON) projects; 131 + 57 + 1 contracts.
        #expect(try fixture.scalar("SELECT count(*) FROM projects").int64 == 382)
        #expect(try fixture.scalar("SELECT count(*) FROM contracts").int64 == 189)
    }

    @Test func theGovspendingFileLoadsProjectsAndContracts() throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([Paths.realData.appendingPathComponent("thai/govspending_cgdcontract_dlt_bma_131.csv").path])
        #expect(summary.files.first?.format == "cgd" && summary.quarantined == 0)
        #expect(try fixture.scalar("SELECT count(*) FROM projects").int64 == 131)
        #expect(try fixture.scalar("SELECT count(*) FROM contracts WHERE winner_id IS NOT NULL").int64 == 131)
        // บริษัท มานีโสภณ จำกัด wins 6 times (README of the data).
        #expect(try fixture.scalar("SELECT count(*) FROM contracts WHERE winner_name = 'บริษัท มานีโสภณ จำกัด'").int64 == 6)
    }
}
