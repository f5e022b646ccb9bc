import Foundation
import Testing
@testable import ProcScreenCore

/// Runs the built `procscreen` binary (the test target depends on it, so it is always built).
struct CLI {
    static let binary: URL = {
        // The test bundle sits next to the products of the same build.
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for dir in candidates {
            let url = dir.appendingPathComponent("procscreen")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Paths.repository.appendingPathComponent(".build/debug/procscreen")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], in directory: URL = Paths.repository) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Starts the binary without waiting (output discarded), for tests that stop it themselves.
    static func start(_ arguments: [String], in directory: URL = Paths.repository) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

@Suite("CLI")
struct CLITests {
    /// `procscreen cardinal` as a drop-in for Cardinal: its JSON for an upstream case, with a settings file.
    @Test func cardinalCommandPrintsCardinalsJSON() throws {
        let dir = try TemporaryDirectory()
        let settings = dir.path("settings.ini")
        try "no_price_comparison_procurement_methods = NPC\n[exclusions]\nprocurement_method_details = EXC\n[R024]\n"
            .write(toFile: settings, atomically: true, encoding: .utf8)
        let cases = Paths.realData.appendingPathComponent("oracle_synthetic/cardinal_rs_indicators")
        let result = try CLI.run(["cardinal", cases.appendingPathComponent("R024.jsonl").path, "--settings", settings])
        #expect(result.status == 0, "\(result.stderr)")
        let got = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? NSDictionary
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: cases.appendingPathComponent("R024.expected"))) as? NSDictionary
        #expect(got == expected, "\(result.stdout)")
        #expect(try CLI.run(["cardinal", cases.appendingPathComponent("R024.jsonl").path, "--settings", "/nonexistent.ini"]).status != 0)
        // A settings file Cardinal would refuse: the error names the line, nothing is printed as JSON.
        try "[R024]\nthreshold = 0.05\n[R999]\n".write(toFile: settings, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["cardinal", cases.appendingPathComponent("R024.jsonl").path, "--settings", settings])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("settings line 3: unknown section [R999]"), "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
    }

    /// The same market as OCDS from the CLI, ingested back.
    @Test func generateOCDSThenIngestIt() throws {
        let dir = try TemporaryDirectory()
        let out = dir.path("ocds")
        let generated = try CLI.run(["generate", "--projects", "80", "--format", "ocds", "-o", out])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/releases.jsonl"))
        let ingest = try CLI.run(["ingest", out, "--db", dir.path("o.db"), "--json"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(ingest.stdout.utf8)) as? [String: Any]
        let counts = summary?["storeCounts"] as? [String: Int] ?? summary?["store_counts"] as? [String: Int]
        #expect((counts?["projects"] ?? 0) >= 80)
        #expect((counts?["bids"] ?? 0) > 0)
        #expect(try CLI.run(["generate", "--projects", "10", "--format", "xml", "-o", out]).status == 2)
    }

    @Test func ingestScreenShowAndExitCodes() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("cli.db")
        let ingest = try CLI.run(["ingest", "SampleData", "--db", db])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stdout.contains("projects          3000"))

        let screen = try CLI.run(["screen", "--db", db])
        #expect(screen.status == 0, "\(screen.stderr)")
        #expect(screen.stdout.contains("findings per rule"))
        #expect(screen.stdout.contains("top projects by priority"))

        let failing = try CLI.run(["screen", "--db", db, "--fail-on", "high"])
        #expect(failing.status == 3, "findings at high severity must exit 3")
        let quiet = try CLI.run(["screen", "--db", db, "--only", "TH-01", "--fail-on", "critical"])
        #expect(quiet.status == 0)

        let json = try CLI.run(["screen", "--db", db, "--only", "LP-02", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["run_id"] != nil && object?["rules"] != nil)

        let truth = try JSONDecoder().decode(MarketTruth.self, from: Data(contentsOf: Paths.sampleData.appendingPathComponent("truth.json")))
        let project = try #require(truth.missingAssessments.first)
        let show = try CLI.run(["show", project, "--db", db, "--lang", "th"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("LP-02"))
        #expect(show.stdout.contains("ส่งต่อ"))
        let missing = try CLI.run(["show", "00000000000", "--db", db])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no project or firm"))

        // A firm id shows the firm: its co-bidders and its ring (the last run screened LP-02 only: screen again).
        _ = try CLI.run(["screen", "--db", db, "--only", "BP-06"])
        let firm = try CLI.run(["show", truth.rings[0].members[0], "--db", db])
        #expect(firm.status == 0, "\(firm.stderr)")
        #expect(firm.stdout.contains("Most frequent co-bidders") && firm.stdout.contains("BP-06"))
    }

    @Test func reportInEveryFormat() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("cli.db")
        _ = try CLI.run(["ingest", "SampleData", "--db", db])
        let none = try CLI.run(["report", "--db", db, "--format", "json"])
        #expect(none.status == 1 && none.stderr.contains("no finished screening run"))
        _ = try CLI.run(["screen", "--db", db])
        for format in ["csv", "xlsx", "json", "markdown", "html"] {
            let out = dir.path("report.\(format)")
            let run = try CLI.run(["report", "--db", db, "--format", format, "--top", "10", "--lang", "th", "-o", out])
            #expect(run.status == 0, "\(format): \(run.stderr)")
            #expect(run.stderr.contains("wrote \(out): 10 projects"))
        }
        // Without -o, CSV and HTML stream to stdout: the same bytes as the file.
        for format in ["csv", "html"] {
            let printed = try CLI.run(["report", "--db", db, "--format", format, "--top", "10", "--lang", "th"])
            let written = try Data(contentsOf: URL(fileURLWithPath: dir.path("report.\(format)")))
            #expect(printed.status == 0 && printed.stdout.utf8.count > 1000)
            // (The page's meta line names the time it was made: compared without it.)
            let lines = { (text: String) in text.split(separator: "\n").filter { !$0.contains(#"class="meta""#) } }
            #expect(lines(printed.stdout) == lines(String(decoding: written, as: UTF8.self)), "\(format)")
        }
        // A page lists its first projects by priority, says so, and counts every project.
        let page = try CLI.run(["report", "--db", db, "--format", "html", "--page-limit", "3", "-o", dir.path("page.html")])
        #expect(page.status == 0 && page.stderr.contains("(lists the first 3; --page-limit 0 lists all)"), "\(page.stderr)")
        let pageText = try String(contentsOfFile: dir.path("page.html"), encoding: .utf8)
        #expect(pageText.contains("Listed: the first 3 of ") && pageText.components(separatedBy: "<tr><td data-v=").count == 4)
        #expect(try CLI.run(["report", "--db", db, "--format", "html", "--page-limit", "-1"]).status == 2)
        // A screen keeps its populations for the next scan when asked, and only over every project.
        // (On a copy: the report steps below read the store's latest run.)
        let keeping = dir.path("kept.db")
        try FileManager.default.copyItem(atPath: db, toPath: keeping)
        let kept = try CLI.run(["screen", "--db", keeping, "--only", "BR-01", "--keep-state", "--json"])
        #expect(kept.status == 0, "\(kept.stderr)")
        let keptRun = try JSONDecoder().decode(RunSummary.self, from: Data(kept.stdout.utf8)).runID
        let tags = try Store(path: keeping).db.query(sql: "SELECT run_id FROM dataset_state WHERE population LIKE 'bid-distribution%'").map { $0[0].int64 }
        #expect(tags == [keptRun])
        #expect(try CLI.run(["screen", "--db", keeping, "--keep-state", "--fiscal-year", "2567"]).status == 2)
        // An output path that cannot be written: exit 1, the path named, nothing half-written.
        let unwritable = try CLI.run(["report", "--db", db, "--format", "csv", "-o", dir.path("missing/report.csv")])
        #expect(unwritable.status == 1 && unwritable.stderr.contains("cannot write \(dir.path("missing/report.csv"))"), "\(unwritable.stderr)")
        // The workbook fails as it starts, before the list is read, with the same message.
        let unwritableBook = try CLI.run(["report", "--db", db, "--format", "xlsx", "-o", dir.path("missing/report.xlsx")])
        #expect(unwritableBook.status == 1 && unwritableBook.stderr.contains("cannot write \(dir.path("missing/report.xlsx"))"),
                "\(unwritableBook.stderr)")
        // A store that is not there: a usage error naming it, and no empty store left behind.
        let noStore = try CLI.run(["report", "--db", dir.path("none.db"), "--format", "csv"])
        #expect(noStore.status == 2 && noStore.stderr.contains("no store at") && !FileManager.default.fileExists(atPath: dir.path("none.db")),
                "\(noStore.stderr)")
        let markdown = try CLI.run(["report", "--db", db, "--format", "markdown", "--rule", "BP-06", "--min-severity", "high"])
        #expect(markdown.status == 0 && markdown.stdout.contains("BP-06 (") && !markdown.stdout.contains("BP-07 ("))
        #expect(try CLI.run(["report", "--db", db, "--format", "xlsx"]).status == 2)        // a workbook needs -o
        #expect(try CLI.run(["report", "--db", db, "--format", "pdf", "-o", dir.path("x")]).status == 2)
        #expect(try CLI.run(["report", "--db", db, "--format", "csv", "--rule", "XX-99"]).status == 2)
        #expect(try CLI.run(["report", "--db", db, "--format", "csv", "--top", "0"]).status == 2)
        let gregorian = try CLI.run(["report", "--db", db, "--format", "csv", "--fiscal-year", "2024"])
        #expect(gregorian.status == 2 && gregorian.stderr.contains("Buddhist-era"))
        let unknownRun = try CLI.run(["report", "--db", db, "--format", "csv", "--run", "999"])
        #expect(unknownRun.status == 1 && unknownRun.stderr.contains("run 999 is not a finished run"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try CLI.run(["screen", "--fiscal-year", "2024"]).status == 2)
        #expect(try CLI.run(["frobnicate"]).status == 2)
    }

    @Test func rulesValidateFailsWithFileAndKeyPath() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.removeItem(at: dir.url)
        try FileManager.default.copyItem(at: Paths.rules, to: dir.url)
        #expect(try CLI.run(["rules", "validate", "--rules", dir.url.path]).status == 0)
        let file = dir.url.appendingPathComponent("price/BR-15-close-to-reference-price.yaml")
        try Data((try String(contentsOf: file, encoding: .utf8) + "threshhold: 3\n").utf8).write(to: file)
        let result = try CLI.run(["rules", "validate", "--rules", dir.url.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("BR-15-close-to-reference-price.yaml"))
        #expect(result.stderr.contains("unknown key 'threshhold'"))
    }

    @Test func rulesListShowAndInit() throws {
        let list = try CLI.run(["rules", "list"])
        #expect(list.stdout.contains("BP-01  Single bid on a competitive method / มีผู้ยื่นข้อเสนอเพียงรายเดียว"))
        let show = try CLI.run(["rules", "show", "BP-01"])
        #expect(show.stdout.contains("## Parameters") && show.stdout.contains("should flag"))
        let dir = try TemporaryDirectory()
        let out = dir.path("overrides.yaml")
        #expect(try CLI.run(["rules", "init", "-o", out]).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("#BP-01:"))
        #expect(try CLI.run(["rules", "init", "-o", out]).status != 0, "must not overwrite without --force")
    }
}

/// The part of truth.json the CLI test reads.
struct MarketTruth: Decodable {
    struct Ring: Decodable { var members: [String] }
    var missingAssessments: [String]
    var largeProjects: [String]
    var rings: [Ring]
}

@Suite("CLI paths")
struct CLIPathTests {
    @Test func strictIngestExitsOneWhenRowsAreQuarantinedAndKeepsTheGoodRows() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("strict.db")
        let file = Paths.fixtures.appendingPathComponent("Ingest/malformed/projects.csv").path
        let lenient = try CLI.run(["ingest", file, "--db", db])
        #expect(lenient.status == 0)
        #expect(lenient.stdout.contains("5 rows, 3 quarantined"))
        let strict = try CLI.run(["ingest", file, "--db", dir.path("strict2.db"), "--strict"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("5 rows, 3 quarantined"), "the good rows are stored even under --strict")
        let missing = try CLI.run(["ingest", dir.path("nope.csv"), "--db", db])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.csv"))
    }

    @Test func largeProjectsAsCSVAndJSON() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("lp.db")
        #expect(try CLI.run(["ingest", "SampleData", "--db", db]).status == 0)
        #expect(try CLI.run(["screen", "--db", db, "--only", "LP-01,LP-02"]).status == 0)
        let csv = try CLI.run(["large-projects", "--db", db, "--format", "csv", "--lang", "th"])
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("\u{FEFF}รหัสโครงการ,"))
        let truth = try JSONDecoder().decode(MarketTruth.self, from: Data(contentsOf: Paths.sampleData.appendingPathComponent("truth.json")))
        for id in truth.missingAssessments { #expect(csv.stdout.contains(id)) }
        let json = try CLI.run(["large-projects", "--db", db, "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["projects"] as? [Any])?.count == truth.largeProjects.count)
        #expect(try CLI.run(["large-projects", "--db", db, "--format", "xml"]).status == 2)
    }

    @Test func generateValidatesItsOptions() throws {
        #expect(try CLI.run(["generate", "--projects", "0", "-o", "/tmp/x"]).status == 2)
        #expect(try CLI.run(["generate", "--projects", "10", "--competitive-share", "2", "-o", "/tmp/x"]).status == 2)
    }
}
