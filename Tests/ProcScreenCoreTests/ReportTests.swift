import Foundation
import Testing
import ZIPFoundation
@testable import ProcScreenCore

/// The flagged-project reports: golden files per format on SampleData, filters, escaping of
/// hostile text in every format, and the XLSX read back by LibreOffice when it is installed.
@Suite("Reports")
struct ReportTests {
    static let goldens = Paths.fixtures.appendingPathComponent("Reports")

    /// SampleData screened with every rule on a fixed run date (grace periods never age).
    static func screenedSample() throws -> (StoreFixture, RuleCatalog) {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([Paths.sampleData.path])
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        var options = ScreenOptions()
        options.runDate = "2026-11-27"
        _ = try Engine(store: fixture.store, catalog: catalog).screen(options)
        return (fixture, catalog)
    }

    /// A report with the values that change from run to run (clock, paths) fixed.
    static func report(_ fixture: StoreFixture, _ catalog: RuleCatalog, _ filters: ReportFilters) throws -> FlaggedReport {
        var report = try FlaggedReport.build(store: fixture.store, catalog: catalog, filters: filters, generatedAt: "2026-11-27T00:00:00Z")
        report.runStarted = "2026-11-27T00:00:00Z"
        report.rulesDirectory = "Rules"
        return report
    }

    /// The findings table of a report in memory: its header, and a row per finding.
    static func findingTable(_ r: FlaggedReport, _ l: Language) -> (header: [String], rows: [[ReportCell]]) {
        var rows: [[ReportCell]] = []
        for p in r.projects { ReportTables.findingRows(of: p, in: r, l) { rows.append($0) } }
        return (ReportTables.findingHeader(l), rows)
    }

    /// The projects table of a report in memory: its header, and a row per project.
    static func projectTable(_ r: FlaggedReport, _ l: Language) -> (header: [String], rows: [[ReportCell]]) {
        (ReportTables.projectHeader(l), r.projects.map { ReportTables.projectRow(of: $0, in: r, l) })
    }

    /// Compares `text` with the golden file; `UPDATE_GOLDEN=1` rewrites it.
    func expectGolden(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.goldens.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] != nil {
            try FileManager.default.createDirectory(at: Self.goldens, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        // Bytes, not String(contentsOf:), which drops a byte-order mark.
        let golden = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        #expect(text == golden, "\(name) differs from its golden file (UPDATE_GOLDEN=1 rewrites it after review)", sourceLocation: sourceLocation)
    }

    @Test func everyFormatMatchesItsGoldenFile() throws {
        let (fixture, catalog) = try Self.screenedSample()
        var filters = ReportFilters()
        filters.top = 5
        let report = try Self.report(fixture, catalog, filters)
        #expect(report.projects.count == 5)
        try expectGolden(CSVReport.render(report, language: .th), "top5.th.csv")
        try expectGolden(CSVReport.render(report, language: .en, rows: .project), "top5.projects.en.csv")
        try expectGolden(try JSONReport.render(report), "top5.json")
        try expectGolden(MarkdownReport.render(report, language: .en), "top5.en.md")
        try expectGolden(HTMLReport.render(report, language: .th), "top5.th.html")
        let rows = Self.findingTable(report, .th)
        try expectGolden(XLSXReport.worksheet([rows.header.map { ReportCell.text($0) }] + rows.rows, header: true), "top5.th.findings-sheet.xml")
    }

    /// The CSV and the HTML page streamed to files are the rendered text, and a report read without evidence gives
    /// the same CSV (CSV prints the summary line); the workbook's findings sheet, streamed from the
    /// report, is the golden sheet.
    @Test func streamedFormatsEqualTheRenderedOnes() throws {
        let (fixture, catalog) = try Self.screenedSample()
        let report = try Self.report(fixture, catalog, ReportFilters())
        let dir = try TemporaryDirectory()
        try CSVReport.write(report, language: .th, toFile: dir.path("all.csv"))
        let streamed = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("all.csv"))), as: UTF8.self)
        #expect(streamed == CSVReport.render(report, language: .th))
        #expect(streamed.split(separator: "\r\n").count == report.findings.count + 1)
        let withoutEvidence = try FlaggedReport.build(store: fixture.store, catalog: catalog, filters: ReportFilters(), evidence: false,
                                                      generatedAt: report.generatedAt)
        #expect(withoutEvidence.findings.allSatisfy(\.evidence.isEmpty) && report.findings.contains { !$0.evidence.isEmpty })
        #expect(CSVReport.render(withoutEvidence, language: .th) == streamed)
        try HTMLReport.write(report, language: .en, toFile: dir.path("all.html"))
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("all.html"))), as: UTF8.self)
                == HTMLReport.render(report, language: .en))

        var top = ReportFilters()
        top.top = 5
        try XLSXReport.write(try Self.report(fixture, catalog, top), language: .th, to: dir.path("top5.xlsx"))
        try expectGolden(try Self.entry(dir.path("top5.xlsx"), "xl/worksheets/sheet3.xml"), "top5.th.findings-sheet.xml")
    }

    /// A report streamed a project at a time (as the CLI and the nightly scan write CSV and XLSX)
    /// counts what the report built in memory counts, and writes the same CSV and workbook, with
    /// and without filters; its projects are never kept.
    @Test func aStreamedReportWritesWhatTheBuiltOneWrites() throws {
        let (fixture, catalog) = try Self.screenedSample()
        let dir = try TemporaryDirectory()
        var ministry = ReportFilters()
        ministry.ministry = try fixture.scalar("SELECT ministry FROM projects WHERE ministry IS NOT NULL GROUP BY ministry ORDER BY count(*) DESC LIMIT 1").string
        var top = ReportFilters()
        (top.top, top.minSeverity) = (4, .medium)
        for (k, filters) in [ReportFilters(), ministry, top].enumerated() {
            let built = try FlaggedReport.build(store: fixture.store, catalog: catalog, filters: filters, evidence: false, generatedAt: "2026-11-27T00:00:00Z")
            let csv = try CSVReport.Writer(toFile: dir.path("\(k).csv"), language: .th)
            let workbook = try XLSXReport.Writer(path: dir.path("\(k).xlsx"), language: .th, rowsPerSheet: 7)
            let json = try JSONReport.Writer(toFile: dir.path("\(k).json"))
            var handedOn: [String] = []
            let streamed = try FlaggedReport.stream(store: fixture.store, catalog: catalog, filters: filters, evidenceForFirst: 0,
                                                    generatedAt: "2026-11-27T00:00:00Z") { project, report in
                handedOn.append(project.info.projectID)
                csv.append(project, of: report)
                workbook.append(project, of: report)
                try json.append(project, of: report)
            }
            try csv.finish()
            try workbook.finish(streamed)
            try json.finish(streamed)
            #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("\(k).json"))), as: UTF8.self)
                    == (try JSONReport.render(built)))
            #expect(streamed.projects.isEmpty && streamed.ministries.isEmpty)
            #expect(handedOn == built.projects.map(\.info.projectID) && !handedOn.isEmpty)
            #expect(streamed.projectCount == built.projects.count && streamed.findingCount == built.findings.count)
            #expect(built.projectCount == built.projects.count && built.findingCount == built.findings.count)
            #expect(streamed.rules.map { "\($0.ruleID) \($0.findings) \($0.projects)" } == built.rules.map { "\($0.ruleID) \($0.findings) \($0.projects)" })
            #expect(streamed.rules.contains { $0.findings > 0 })
            #expect(streamed.perMinistry.map { "\($0.name) \($0.projects) \($0.findings)" }
                    == built.ministries.map { "\($0.ministry) \($0.projects) \($0.findings)" })
            #expect(streamed.categories.map { "\($0.name) \($0.projects) \($0.findings)" } == built.categories.map { "\($0.name) \($0.projects) \($0.findings)" })
            #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("\(k).csv"))), as: UTF8.self)
                    == CSVReport.render(built, language: .th))
            try XLSXReport.write(built, language: .th, to: dir.path("\(k)-built.xlsx"), rowsPerSheet: 7)
            let sheets = try Archive(url: URL(fileURLWithPath: dir.path("\(k)-built.xlsx")), accessMode: .read).map(\.path).sorted()
            #expect(try Archive(url: URL(fileURLWithPath: dir.path("\(k).xlsx")), accessMode: .read).map(\.path).sorted() == sheets)
            #expect(sheets.contains("xl/worksheets/sheet4.xml"))
            for name in sheets {
                #expect(try Self.entry(dir.path("\(k).xlsx"), name) == Self.entry(dir.path("\(k)-built.xlsx"), name), "\(k): \(name)")
            }
        }
    }

    /// A page listing its first projects (HTML and Markdown by default; the scan's page) lists
    /// them with their evidence, in priority order, and counts every project as the full report
    /// does; it says so in both languages. Unlike `--top`, nothing is left out of the counts.
    @Test func aPageListsItsFirstProjectsAndCountsThemAll() throws {
        let (fixture, catalog) = try Self.screenedSample()
        let full = try Self.report(fixture, catalog, ReportFilters())
        let page = try FlaggedReport.build(store: fixture.store, catalog: catalog, filters: ReportFilters(), listing: 3,
                                           generatedAt: full.generatedAt)
        #expect(full.projects.count > 3 && !full.listsSome && full.listingNote(.en) == nil)
        #expect(page.projects.map(\.info.projectID) == full.projects.prefix(3).map(\.info.projectID))
        #expect(page.findings.map(\.evidence) == full.projects.prefix(3).flatMap(\.findings).map(\.evidence))
        #expect(page.findings.contains { !$0.evidence.isEmpty })
        #expect(page.ministries.reduce(0) { $0 + $1.projects } == 3)
        #expect((page.projectCount, page.findingCount) == (full.projectCount, full.findingCount))
        #expect(page.rules.map { "\($0.ruleID) \($0.findings) \($0.projects)" } == full.rules.map { "\($0.ruleID) \($0.findings) \($0.projects)" })
        #expect(page.perMinistry.map { "\($0.name) \($0.projects) \($0.findings)" } == full.perMinistry.map { "\($0.name) \($0.projects) \($0.findings)" })
        let note = try #require(page.listingNote(.en))
        #expect(note.contains("first 3 of \(formatCount(full.projectCount))"))
        #expect(HTMLReport.render(page, language: .en).contains(note))
        #expect(HTMLReport.render(page, language: .th).contains(try #require(page.listingNote(.th))))
        #expect(MarkdownReport.render(page, language: .en).contains(note))
        #expect(!HTMLReport.render(full, language: .en).contains("Listed: the first"))
        // Past the last project, the page is the full report.
        var all = try FlaggedReport.build(store: fixture.store, catalog: catalog, filters: ReportFilters(), listing: full.projectCount,
                                          generatedAt: full.generatedAt)
        (all.runStarted, all.rulesDirectory) = (full.runStarted, full.rulesDirectory)
        #expect(HTMLReport.render(all, language: .en) == HTMLReport.render(full, language: .en))
    }

    /// The streamed JSON of a report with no project is the rendered one too (its arrays empty).
    @Test func anEmptyStreamedJSONReportIsTheRenderedOne() throws {
        let (fixture, catalog) = try Self.screenedSample()
        let dir = try TemporaryDirectory()
        var nothing = ReportFilters()
        nothing.ministry = "no such ministry"
        let json = try JSONReport.Writer(toFile: dir.path("empty.json"))
        let streamed = try FlaggedReport.stream(store: fixture.store, catalog: catalog, filters: nothing, generatedAt: "2026-11-27T00:00:00Z") {
            try json.append($0, of: $1)
        }
        try json.finish(streamed)
        let built = try FlaggedReport.build(store: fixture.store, catalog: catalog, filters: nothing, generatedAt: "2026-11-27T00:00:00Z")
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.path("empty.json"))), as: UTF8.self)
        let rendered = try JSONReport.render(built)
        #expect(built.projects.isEmpty && text == rendered && text.contains(#""findings" : ["#))
        #expect(throws: ReportError.self) { try JSONReport.Writer(toFile: dir.path("missing/x.json")) }
        // A writer that never finishes leaves no file behind.
        do { _ = try JSONReport.Writer(toFile: dir.path("unfinished.json")) }
        #expect(!FileManager.default.fileExists(atPath: dir.path("unfinished.json")))
    }

    /// A table longer than a worksheet holds goes on in further sheets, each with the header, the
    /// rows in order and none twice (Excel's limit is 1,048,576 rows; here 3 rows to a sheet).
    @Test func aLongTableGoesOnInFurtherSheets() throws {
        let (fixture, catalog) = try Self.screenedSample()
        var top = ReportFilters()
        top.top = 5
        let report = try Self.report(fixture, catalog, top)
        let dir = try TemporaryDirectory()
        try XLSXReport.write(report, language: .en, to: dir.path("split.xlsx"), rowsPerSheet: 3)
        let projects = Self.projectTable(report, .en), findings = Self.findingTable(report, .en)
        #expect(projects.rows.count == 5 && findings.rows.count > 6)
        var expected = [ReportLabel.summary.text(.en)]
        var sheet = 2
        for (name, table) in [(ReportLabel.projects.text(.en), projects), (ReportLabel.findings.text(.en), findings)] {
            let rows = table.rows
            for (k, start) in stride(from: 0, to: rows.count, by: 3).enumerated() {
                expected.append(k == 0 ? name : "\(name) \(k + 1)")
                let part = [table.header.map { ReportCell.text($0) }] + rows[start ..< min(rows.count, start + 3)]
                #expect(try Self.entry(dir.path("split.xlsx"), "xl/worksheets/sheet\(sheet).xml") == XLSXReport.worksheet(part, header: true))
                sheet += 1
            }
        }
        expected.append(ReportLabel.rules.text(.en))
        let workbook = try Self.entry(dir.path("split.xlsx"), "xl/workbook.xml")
        #expect(workbook.matches(of: /<sheet name="([^"]*)"/).map { String($0.1) } == expected)
    }

    /// A sheet longer than the rows its column widths are taken from: every row in order, widths
    /// from the first 200, the auto-filter over all.
    @Test func aLongSheetStreamsEveryRow() {
        let rows: [[ReportCell]] = [[.text("id"), .text("name")]] + (1 ... 449).map { i in
            [.number(String(i)), .text(i == 300 ? String(repeating: "x", count: 50) : "n\(i)")]
        }
        let sheet = XLSXReport.worksheet(rows, header: true)
        let numbers = sheet.matches(of: /<row r="(\d+)">/).map { Int($0.1)! }
        #expect(numbers == Array(1 ... 450))
        #expect(sheet.contains(#"<col min="2" max="2" width="8" customWidth="1"/>"#))
        #expect(sheet.contains(#"<autoFilter ref="A1:B450"/>"#))
        #expect(sheet.contains(String(repeating: "x", count: 50)))
    }

    /// Cell text escaped byte by byte equals the scalar-by-scalar escape: markup escaped, Thai
    /// kept, characters XML 1.0 forbids (controls, U+FFFE, U+FFFF) dropped.
    @Test func cellTextIsEscapedAsXML() {
        for text in ["", "plain", "a & b < c > d \" e", "กรม\u{0E50}ทาง\u{FFFE}หลวง\u{FFFF}!", "tab\tline\ncr\r\u{01}\u{1F}end",
                     "\u{FFFD}\u{EFBF}\u{FFFC}x\u{1F600}"] {
            var bytes: [UInt8] = []
            XLSXReport.appendXML(text, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == XLSXReport.xml(text))
        }
        #expect(XLSXReport.xml("x\u{FFFE}<\u{07}") == "x&lt;")
    }

    @Test func filtersSelectProjectsAndFindings() throws {
        let (fixture, catalog) = try Self.screenedSample()
        let all = try Self.report(fixture, catalog, ReportFilters())
        #expect(all.projects.count == Int(try fixture.scalar("SELECT count(DISTINCT project_id) FROM run_findings WHERE run_id = 1").int64 ?? -1))
        // Ranked by priority.
        #expect(all.projects.map(\.info.priority) == all.projects.map(\.info.priority).sorted())
        let ministry = try #require(all.ministries.first?.ministry)
        var filters = ReportFilters()
        filters.ministry = ministry
        filters.minSeverity = .high
        filters.category = "network"
        let some = try Self.report(fixture, catalog, filters)
        #expect(!some.projects.isEmpty)
        #expect(some.projects.allSatisfy { $0.info.ministry == ministry })
        #expect(some.findings.allSatisfy { $0.severity >= .high && $0.category == "network" })
        filters = ReportFilters()
        filters.rules = ["BP-06"]
        filters.fiscalYear = 2567
        let rings = try Self.report(fixture, catalog, filters)
        #expect(!rings.findings.isEmpty && rings.findings.allSatisfy { $0.ruleID == "BP-06" })
        #expect(rings.projects.allSatisfy { $0.info.fiscalYear == 2567 })
        // Groups count what they hold; the run's not-computable counts are reported apart.
        #expect(all.ministries.reduce(0) { $0 + $1.projects } == all.projects.count)
        #expect(all.ministries.reduce(0) { $0 + $1.findings } == all.findings.count)
        #expect(all.notComputable.contains { $0.rule == "BP-24" && $0.reason == "missing_table" })
    }

    /// A store whose two projects carry a formula and a script in their names, both flagged by TH-01.
    static func hostileStore() throws -> (StoreFixture, RuleCatalog) {
        let fixture = try StoreFixture()
        for (id, name) in [("H1", #"=HYPERLINK("http://x","click")"#), ("H2", "<script>alert(1)</script> & 'q'")] {
            try FixtureLoader.insert(#"{"project_id": "\#(id)", "project_name": \#(String(decoding: try JSONEncoder().encode(name), as: UTF8.self)), "agency_id": "A1", "ministry": "@SUM(1)", "method": "specific", "fiscal_year": 2567, "budget": 900000}"#,
                                     into: fixture.store.db)
        }
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        _ = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: ["TH-01"]))
        return (fixture, catalog)
    }

    @Test func hostileTextIsNeutralisedAndEscapedInEveryFormat() throws {
        let (fixture, catalog) = try Self.hostileStore()
        let report = try Self.report(fixture, catalog, ReportFilters())
        #expect(report.projects.count == 2)
        let csv = CSVReport.render(report, language: .en)
        #expect(csv.hasPrefix("\u{FEFF}"))
        #expect(csv.contains(#""'=HYPERLINK(""http://x"",""click"")""#))
        #expect(csv.contains(",'@SUM(1),"))
        #expect(!csv.contains(",=HYPERLINK") && !csv.contains(",@SUM"))
        let html = HTMLReport.render(report, language: .en)
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;q&#39;"))
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("http://") || !html.contains("<link"))   // nothing fetched from a network
        let markdown = MarkdownReport.render(report, language: .en)
        #expect(markdown.contains(#"\<script\>alert(1)\</script\>"#))
        let json = try JSONReport.render(report)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let names = (decoded?["projects"] as? [[String: Any]])?.compactMap { $0["project_name"] as? String }
        #expect(Set(names ?? []) == [#"=HYPERLINK("http://x","click")"#, "<script>alert(1)</script> & 'q'"])
        #expect(decoded?["generated_at"] != nil && decoded?["filters"] != nil && decoded?["findings"] != nil)
        // XLSX: text cells are inline strings, escaped, never formulas.
        let dir = try TemporaryDirectory()
        let path = dir.path("hostile.xlsx")
        try XLSXReport.write(report, language: .en, to: path)
        let sheet = try Self.entry(path, "xl/worksheets/sheet3.xml")
        #expect(sheet.contains("&lt;script&gt;") && !sheet.contains("<script>") && !sheet.contains("<f>"))
        #expect(sheet.contains(#"<t xml:space="preserve">=HYPERLINK(&quot;http://x&quot;,&quot;click&quot;)</t>"#))
    }

    static func entry(_ path: String, _ name: String) throws -> String {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        let entry = try #require(archive[name])
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The top five projects of SampleData as a Thai workbook in a scratch folder.
    static func sampleWorkbook() throws -> (FlaggedReport, TemporaryDirectory, String) {
        let (fixture, catalog) = try screenedSample()
        var filters = ReportFilters()
        filters.top = 5
        let report = try Self.report(fixture, catalog, filters)
        let dir = try TemporaryDirectory()
        let path = dir.path("report.xlsx")
        try XLSXReport.write(report, language: .th, to: path)
        return (report, dir, path)
    }

    @Test func theWorkbookHasItsSheetsAndNumbersAsNumbers() throws {
        let (report, directory, path) = try Self.sampleWorkbook()
        defer { withExtendedLifetime(directory) {} }
        let workbook = try Self.entry(path, "xl/workbook.xml")
        for sheet in ["สรุป", "โครงการ", "ข้อสังเกต", "เกณฑ์"] { #expect(workbook.contains(#"name="\#(sheet)""#)) }
        let projects = try Self.entry(path, "xl/worksheets/sheet2.xml")
        let budget = try #require(report.projects.first?.info.budget)
        #expect(projects.contains("<v>\(ReportText.number(budget))</v>"))   // a number cell, not text
        #expect(projects.contains(try #require(report.projects.first?.info.name).replacingOccurrences(of: "&", with: "&amp;")))
    }

    static let libreOffice = ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/local/bin/soffice"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: libreOffice != nil, "LibreOffice is not installed: the XLSX round trip through LibreOffice is skipped"))
    func libreOfficeReadsTheWorkbookBack() throws {
        let (report, dir, path) = try Self.sampleWorkbook()
        // Sheet 2 (projects) as UTF-8 CSV (filter token 76 = UTF-8; the last token picks the sheet).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.libreOffice!)
        process.arguments = ["-env:UserInstallation=file://" + dir.path("lo-profile"), "--headless", "--convert-to",
                             "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2", "--outdir", dir.path("out"), path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path("out"))
        let csv = try String(contentsOfFile: dir.path("out") + "/" + #require(files.first { $0.hasSuffix(".csv") }), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ลำดับความสำคัญ,คะแนนความเสี่ยง,เลขที่โครงการ") == true)
        let first = try #require(report.projects.first)
        let row = try #require(lines.dropFirst().first).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(row[2] == first.info.projectID)
        #expect(row[10] == ReportText.number(first.info.budget))   // read back as the number, Thai intact around it
        #expect(csv.contains(first.info.name ?? "—"))
    }
}
