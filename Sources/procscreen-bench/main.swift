// procscreen-bench: ingest and screening throughput on generated markets, phase by phase.
//
// Usage: procscreen-bench [ingest|screen|all] [--projects N] [--screen-projects N] [--rounds R] [--cache DIR] [--only IDS]
// Generates (or reuses) markets with about 3 bids per project in DIR (default .bench-cache,
// outside git).
// ingest: for R interleaved rounds, times reading bids.csv (CSV only), reading and parsing it
//   (no SQLite), and a whole `procscreen ingest` process on a fresh store (wall time, per-file
//   rates from its JSON summary, peak RSS of the child). Prints medians.
// screen: ingests the --screen-projects market once (cached store), then times R whole
//   `procscreen screen` processes (wall time, peak RSS).
// ocds: generates --projects N as OCDS compiled releases (cached), then for R rounds times the
//   JSON parse alone (in process), a whole `procscreen ingest` of releases.jsonl, and screens
//   with Rules-cardinal (Cardinal's indicators) and with all rules. Prints medians and MB/s.
// accuracy: generates a market of --projects N with the default shape (SampleData's), ingests
//   and screens it once, and prints each collusion and network rule's precision and recall
//   against the planted rings of truth.json, then the planted rings BP-06 finds whole, in part or
//   not, the spurious rings it flags, and the recall of TH-03 on the planted split purchases.
// suite: the whole pipeline at --sizes (default 100 k and 1 M; --with-5m adds 5 M): ingest, full
//   screen, reports (CSV, XLSX, HTML) and a batch scan, each a whole process on a fresh store;
//   prints the targets and the growth between sizes, and appends the table to BENCHMARKS.md.
// scan: for each --store-projects size (default 1 M and 2 M), a snapshot store (ingested and
//   screened once, cached), then R rounds of `procscreen scan` of one batch of --batch new
//   projects (default 20,000; --batch-fiscal-years 2568 confines it to one year, as a nightly
//   batch is) on a fresh copy; prints the medians per store size. Scans run as the cron job and
//   the systemd service do, writing their reports to --out; the screening's own time is printed
//   apart.
import Foundation
import ProcScreenCore
#if canImport(Glibc)
import Glibc
#endif

var projects = 200_000
var screenProjects = 1_000_000
var rounds = 3
var cache = ".bench-cache"
var phase = "all"
var only: String?
var scanSizes = [1_000_000, 2_000_000]
var batchSize = 20_000
/// The fiscal years of the batch's projects (nil: the store's four, the default). A nightly
/// batch of one country holds the current year: `--batch-fiscal-years 2568`.
var batchFiscalYears: [Int]?
var suiteSizes = [100_000, 1_000_000]
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let arg = arguments.next() {
    switch arg {
    case "ingest", "screen", "all", "accuracy", "ocds", "scan", "suite": phase = arg
    case "--sizes": suiteSizes = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--with-5m": suiteSizes.append(5_000_000)
    case "--store-projects": scanSizes = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--batch": batchSize = Int(arguments.next() ?? "") ?? batchSize
    case "--batch-fiscal-years": batchFiscalYears = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--projects": projects = Int(arguments.next() ?? "") ?? projects
    case "--screen-projects": screenProjects = Int(arguments.next() ?? "") ?? screenProjects
    case "--rounds": rounds = Int(arguments.next() ?? "") ?? rounds
    case "--cache": cache = arguments.next() ?? cache
    case "--only": only = arguments.next()
    default:
        FileHandle.standardError.write(Data("usage: procscreen-bench [ingest|screen|all|accuracy|ocds|scan|suite] [--sizes N,M] [--with-5m] [--projects N] [--screen-projects N] [--store-projects N,M] [--batch N] [--batch-fiscal-years Y,Z] [--rounds R] [--cache DIR]\n".utf8))
        exit(2)
    }
}
try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}

func fmt(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }

let executableDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let procscreen = executableDirectory.appendingPathComponent("procscreen").path
let rulesDirectory = URL(fileURLWithPath: "Rules")

// MARK: - Market

/// The bundle folder of a generated market of `n` projects, generating it on first use.
@MainActor func market(_ n: Int) throws -> String {
    let path = "\(cache)/market-\(n)"
    if !FileManager.default.fileExists(atPath: path + "/truth.json") {
        print("generating \(n) projects into \(path) …")
        var configuration = MarketGenerator.Configuration(projects: n, seed: 2568)
        // About 3 bids per project: half competitive with 5 bidders, half specific with 1 offer.
        configuration.competitiveShare = 0.5
        configuration.meanBidders = 5
        let started = Date()
        let summary = try MarketGenerator(configuration: configuration).write(to: path)
        print("generated \(summary.projects) projects, \(summary.bids) bids in \(fmt(Date().timeIntervalSince(started), 1)) s")
    }
    return path
}

func folderBytes(_ path: String) -> Double {
    Double(((try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []).reduce(0) { total, name in
        total + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + name)[.size] as? Int) ?? 0)
    })
}

/// Runs `procscreen` with arguments; returns (wall seconds, stdout, peak RSS of the child in KB).
/// The peak is this child's own when GNU time is installed (/usr/bin/time -f %M); otherwise it is
/// RUSAGE_CHILDREN's, the largest child so far.
@MainActor func runProcscreen(_ arguments: [String]) throws -> (Double, Data, Int) {
    // What was printed so far reaches its file or pipe before each step: a suite that fails late
    // (a 5 M scan filled the disk) otherwise loses the lines of every step before it.
    fflush(nil)
    let process = Process()
    let gnuTime = "/usr/bin/time"
    let peakFile = "\(cache)/.peak-rss"
    let measured = FileManager.default.isExecutableFile(atPath: gnuTime)
    if measured {
        try? FileManager.default.removeItem(atPath: peakFile)
        process.executableURL = URL(fileURLWithPath: gnuTime)
        process.arguments = ["-f", "%M", "-o", peakFile, procscreen] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: procscreen)
        process.arguments = arguments
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    var before = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &before)
    let started = Date()
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let wall = Date().timeIntervalSince(started)
    // ru_maxrss of RUSAGE_CHILDREN is the largest child so far; children run one at a time.
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    guard process.terminationStatus == 0 || process.terminationStatus == 3 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "procscreen \(arguments.first ?? "") exited \(process.terminationStatus)"])
    }
    if measured, let text = try? String(contentsOfFile: peakFile, encoding: .utf8),
       let kb = Int(text.split(separator: "\n").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "") {
        return (wall, output, kb)
    }
    return (wall, output, usage.ru_maxrss)
}

func removeStore(_ db: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
}

// MARK: - Ingest

@MainActor func benchIngest() throws {
    let market = try market(projects)
    let bidsPath = market + "/bids.csv"
    let bidsBytes = Double((try FileManager.default.attributesOfItem(atPath: bidsPath)[.size] as? Int) ?? 0)
    let marketBytes = folderBytes(market)
    let mapping = try FieldMapping(rulesDirectory: rulesDirectory)
    var csvTimes: [Double] = [], parseTimes: [Double] = [], walls: [Double] = [], bidRates: [Double] = []
    var peakKB = 0, bidRows = 0, totalRows = 0
    for round in 0..<rounds {
        var started = Date()
        let reader = try CSVRecordReader(path: bidsPath)
        var n = 0
        while try reader.next() != nil { n += 1 }
        csvTimes.append(Date().timeIntervalSince(started))
        bidRows = n - 1
        started = Date()
        _ = try BulkParseProbe.parseAll(path: bidsPath, table: .bids, mapping: mapping)
        parseTimes.append(Date().timeIntervalSince(started))
        let db = "\(cache)/bench-ingest.db"
        removeStore(db)
        let (wall, output, rss) = try runProcscreen(["ingest", market, "--db", db, "--json", "--rules", rulesDirectory.path])
        removeStore(db)
        let summary = try JSONDecoder().decode(IngestSummary.self, from: output)
        walls.append(wall)
        peakKB = max(peakKB, rss)
        totalRows = summary.files.reduce(0) { $0 + $1.rows }
        if let bids = summary.files.first(where: { $0.table == "bids" }) { bidRates.append(Double(bids.rows) / bids.seconds) }
        print("ingest round \(round + 1)/\(rounds): csv \(fmt(csvTimes.last!, 2)) s, parse \(fmt(parseTimes.last!, 2)) s, ingest \(fmt(wall, 2)) s")
    }
    let wall = median(walls)
    print("""

        ingest — \(projects) projects, \(bidRows) bid rows (\(fmt(bidsBytes / 1e6, 1)) MB bids.csv, \(fmt(marketBytes / 1e6, 1)) MB bundle), \(rounds) rounds, medians
          CSV read only (bids.csv)        \(fmt(Double(bidRows) / median(csvTimes))) rows/s   \(fmt(bidsBytes / 1e6 / median(csvTimes), 1)) MB/s
          read + parse, no SQLite (bids)  \(fmt(Double(bidRows) / median(parseTimes))) rows/s
          ingest: bids.csv into SQLite    \(fmt(median(bidRates))) rows/s   (target ≥ 300,000)
          ingest: whole bundle, process   \(fmt(wall, 2)) s   \(fmt(Double(totalRows) / wall)) rows/s   \(fmt(marketBytes / 1e6 / wall, 1)) MB/s
          peak RSS of the ingest process  \(fmt(Double(peakKB) / 1024)) MB

        """)
}

// MARK: - Screen

@MainActor func benchScreen() throws {
    let market = try market(screenProjects)
    // Each round screens a fresh copy of the ingested store: findings of earlier runs would
    // otherwise pile up (a store grown to 5 GB over many runs made every run slower).
    let base = "\(cache)/bench-screen-\(screenProjects).base.db"
    let db = "\(cache)/bench-screen-\(screenProjects).db"
    if !FileManager.default.fileExists(atPath: base) {
        print("ingesting \(market) into \(base) (once) …")
        let (wall, _, _) = try runProcscreen(["ingest", market, "--db", base, "--rules", rulesDirectory.path])
        print("ingested in \(fmt(wall, 1)) s")
    }
    var walls: [Double] = [], inner: [Double] = []
    var peakKB = 0, findings = 0, screened = 0, rules = 0
    for round in 0..<rounds {
        removeStore(db)
        try FileManager.default.copyItem(atPath: base, toPath: db)
        let (wall, output, rss) = try runProcscreen(["screen", "--db", db, "--json", "--rules", rulesDirectory.path]
                                                    + (only.map { ["--only", $0] } ?? []))
        let summary = try JSONDecoder().decode(RunSummary.self, from: output)
        walls.append(wall)
        inner.append(summary.seconds)
        peakKB = max(peakKB, rss)
        (findings, screened, rules) = (summary.findings, summary.projects, summary.rules.count)
        print("screen round \(round + 1)/\(rounds): \(fmt(wall, 2)) s (engine \(fmt(summary.seconds, 2)) s), \(summary.findings) findings")
    }
    let bids = (try? Store(path: db, readOnly: true).count("bids")) ?? 0
    print("""

        screen — \(screened) projects, \(bids) bids, \(rules) rules\(only.map { " (\($0))" } ?? ""), \(rounds) rounds, medians
          whole process                   \(fmt(median(walls), 2)) s   \(fmt(Double(screened) / median(walls))) projects/s   (target < 10 s for 1 M)
          engine (inside the process)     \(fmt(median(inner), 2)) s
          findings                        \(findings)
          peak RSS of the screen process  \(fmt(Double(peakKB) / 1024)) MB

        """)
}

// MARK: - Accuracy

@MainActor func benchAccuracy() throws {
    let path = "\(cache)/accuracy-\(projects)"
    let db = path + "/store.db"
    if !FileManager.default.fileExists(atPath: path + "/truth.json") {
        print("generating \(projects) projects (default market shape) into \(path) …")
        _ = try MarketGenerator(configuration: MarketGenerator.Configuration(projects: projects, seed: 2568)).write(to: path)
    }
    removeStore(db)
    _ = try runProcscreen(["ingest", path, "--db", db, "--rules", rulesDirectory.path])
    let truth = try JSONDecoder().decode(MarketGenerator.Truth.self, from: Data(contentsOf: URL(fileURLWithPath: path + "/truth.json")))
    // The shipped defaults, then the same rules with an analyst's overrides.yaml that also
    // applies the absolute cut-offs of the distribution screens (mode: either).
    let variant = path + "/rules-either"
    try? FileManager.default.removeItem(atPath: variant)
    try FileManager.default.copyItem(atPath: rulesDirectory.path, toPath: variant)
    let either = ["BR-01", "BR-02", "BR-03", "BR-04", "BR-05", "BR-06", "BR-07", "BR-08", "BR-09"]
        .map { "\($0):\n  parameters:\n    mode: either\n" }.joined()
    try either.write(toFile: variant + "/overrides.yaml", atomically: true, encoding: .utf8)
    for (label, rules) in [("shipped defaults (mode: fence)", rulesDirectory.path), ("overrides: distribution screens in mode either", variant)] {
        let (wall, output, _) = try runProcscreen(["screen", "--db", db, "--json", "--rules", rules])
        let summary = try JSONDecoder().decode(RunSummary.self, from: output)
        let score = try RingScore(store: try Store(path: db, readOnly: true), runID: summary.runID, truth: truth,
                                  categories: [.collusion, .network])
        print("accuracy — \(label): \(summary.projects) projects, \(truth.rings.count) planted rings, screened in \(fmt(wall, 1)) s")
        print(score.text)
        print(try NetworkScore(store: try Store(path: db, readOnly: true), runID: summary.runID, truth: truth).text)
    }
}

// MARK: - OCDS

@MainActor func benchOCDS() throws {
    let path = "\(cache)/ocds-\(projects)"
    if !FileManager.default.fileExists(atPath: path + "/releases.jsonl") {
        print("generating \(projects) projects as OCDS into \(path) …")
        var configuration = MarketGenerator.Configuration(projects: projects, seed: 2568)
        configuration.competitiveShare = 0.5
        configuration.meanBidders = 5
        _ = try MarketGenerator(configuration: configuration).writeOCDS(to: path, mapping: try FieldMapping(rulesDirectory: rulesDirectory))
    }
    let file = path + "/releases.jsonl"
    let bytes = Double((try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
    let db = "\(cache)/bench-ocds-\(projects).db"
    var parse: [Double] = [], ingest: [Double] = [], cardinal: [Double] = [], all: [Double] = []
    var releases = 0
    for round in 0..<rounds {
        let started = Date()
        releases = try OCDSParseProbe.count(path: file)
        parse.append(Date().timeIntervalSince(started))
        removeStore(db)
        let (wall, _, _) = try runProcscreen(["ingest", file, "--db", db, "--rules", rulesDirectory.path])
        ingest.append(wall)
        let (cardinalWall, _, _) = try runProcscreen(["screen", "--db", db, "--rules", "Rules-cardinal"])
        cardinal.append(cardinalWall)
        let (allWall, _, _) = try runProcscreen(["screen", "--db", db, "--rules", rulesDirectory.path])
        all.append(allWall)
        print("ocds round \(round + 1)/\(rounds): parse \(fmt(parse.last!, 2)) s, ingest \(fmt(wall, 2)) s, "
              + "Cardinal rules \(fmt(cardinalWall, 2)) s, all rules \(fmt(allWall, 2)) s")
    }
    let mb = bytes / 1e6
    print("""

        ocds — \(releases) compiled releases, \(fmt(mb, 1)) MB, \(rounds) rounds, medians
          parse only (pull parser, no store)        \(fmt(median(parse), 2)) s   \(fmt(mb / median(parse), 1)) MB/s
          procscreen ingest                         \(fmt(median(ingest), 2)) s   \(fmt(mb / median(ingest), 1)) MB/s
          + screen, Cardinal's rules (Rules-cardinal) \(fmt(median(cardinal), 2)) s   ingest + screen \(fmt(median(ingest) + median(cardinal), 2)) s = \(fmt(mb / (median(ingest) + median(cardinal)), 1)) MB/s
          + screen, all rules                       \(fmt(median(all), 2)) s
          reference: Cardinal (Rust, 11 indicators, no database) 3.3 s for 385 MB ≈ 117 MB/s; first milestone 60 MB/s

        """)
}

if phase == "ocds" { try benchOCDS() }
if phase == "accuracy" { try benchAccuracy() }
if phase == "ingest" || phase == "all" { try benchIngest() }
if phase == "screen" || phase == "all" { try benchScreen() }

// MARK: - Scan

/// A nightly batch: `--batch` new projects (a market of their own, project ids prefixed with 9
/// so none collides), as projects.csv, bids.csv and contracts.csv.
@MainActor func batchInbox(_ size: Int) throws -> String {
    let path = "\(cache)/batch-\(size)" + (batchFiscalYears.map { "-fy" + $0.map(String.init).joined(separator: "-") } ?? "")
    if !FileManager.default.fileExists(atPath: path + "/inbox/batch/contracts.csv") {
        let source = path + "/market"
        var configuration = MarketGenerator.Configuration(projects: size, seed: 99)
        if let batchFiscalYears { configuration.fiscalYears = batchFiscalYears }
        configuration.competitiveShare = 0.5
        configuration.meanBidders = 5
        _ = try MarketGenerator(configuration: configuration).write(to: source)
        try FileManager.default.createDirectory(atPath: path + "/inbox/batch", withIntermediateDirectories: true)
        for name in ["projects.csv", "bids.csv", "contracts.csv"] {
            let lines = try String(contentsOfFile: source + "/" + name, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let renamed = [String(lines[0])] + lines.dropFirst().filter { !$0.isEmpty }.map { "9" + $0 }
            try (renamed.joined(separator: "\n") + "\n").write(toFile: path + "/inbox/batch/" + name, atomically: true, encoding: .utf8)
        }
    }
    return path + "/inbox"
}

/// `procscreen scan` as the cron job and the systemd service run it: with its reports (the new
/// findings, the full current list) written to `--out`, and its JSON result on stdout.
@MainActor func scanArguments(db: String, inbox: String) -> [String] {
    let out = "\(cache)/scan-reports"
    try? FileManager.default.removeItem(atPath: out)
    return ["scan", "--db", db, "--inbox", inbox, "--rules", rulesDirectory.path, "--out", out, "--json"]
}

/// For each store size: a snapshot (ingested and fully screened once, cached, its populations
/// kept as a nightly scan keeps them), then R rounds of `procscreen scan` of the same new batch on
/// a fresh copy of it, timed as a whole process.
@MainActor func benchScan(sizes: [Int], batch: Int) throws {
    let inbox = try batchInbox(batch)
    var lines: [String] = []
    for n in sizes {
        let snapshot = "\(cache)/bench-scan-\(n).snapshot.db"
        // A snapshot screened with other rules or parameters, or by a version that did not record
        // the store's size or its findings' digests, makes the scan a full run or a rewrite of
        // every finding: screen it again (the cache outlives commits).
        if FileManager.default.fileExists(atPath: snapshot) {
            let current = try Engine.parametersJSON(catalog: try RuleCatalog.load(directory: rulesDirectory))
            let stored = try Store(path: snapshot, readOnly: true)
            let recorded = try stored.db.query(
                sql: "SELECT parameters, json_extract(summary, '$.store_projects') FROM runs WHERE finished_at IS NOT NULL ORDER BY run_id DESC LIMIT 1").first
            // (Opening it upgraded its schema; runs from before digests still lack them.)
            let undigested = try stored.db.scalar(sql: """
                SELECT EXISTS (SELECT 1 FROM findings WHERE run_id = (SELECT max(run_id) FROM runs WHERE finished_at IS NOT NULL)
                                                      AND digest IS NULL)
                """).int64 == 1
            // A nightly scan continues the populations the previous scan kept: so does the bench's.
            let unkept = try !stored.db.tableExists("dataset_state") || stored.db.scalar(sql: """
                SELECT NOT EXISTS (SELECT 1 FROM dataset_state WHERE run_id = (SELECT max(run_id) FROM runs WHERE finished_at IS NOT NULL))
                """).int64 == 1
            if recorded?[0].string != current || recorded?[1].int64 == nil || undigested || unkept {
                print("the \(n)-project snapshot was screened with other rules or parameters, or by an older version: screening it again …")
                let (wall, _, _) = try runProcscreen(["screen", "--db", snapshot, "--keep-state", "--rules", rulesDirectory.path])
                print("full screen of \(n) projects: \(fmt(wall, 1)) s")
            }
        }
        if !FileManager.default.fileExists(atPath: snapshot) {
            let base = "\(cache)/bench-screen-\(n).base.db"
            if !FileManager.default.fileExists(atPath: base) {
                print("ingesting \(n) projects into \(base) (once) …")
                _ = try runProcscreen(["ingest", try market(n), "--db", base, "--rules", rulesDirectory.path])
            }
            try FileManager.default.copyItem(atPath: base, toPath: snapshot)
            print("screening the \(n)-project snapshot (once), keeping its populations as a scan would …")
            let (wall, _, _) = try runProcscreen(["screen", "--db", snapshot, "--keep-state", "--rules", rulesDirectory.path])
            print("full screen of \(n) projects: \(fmt(wall, 1)) s")
        }
        var walls: [Double] = [], screens: [Double] = [], peak = 0
        var last: BatchScan.Result?
        let db = "\(cache)/bench-scan-\(n).db"
        for round in 0..<rounds {
            removeStore(db)
            try FileManager.default.copyItem(atPath: snapshot, toPath: db)
            let (wall, output, rss) = try runProcscreen(scanArguments(db: db, inbox: inbox))
            last = try JSONDecoder().decode(BatchScan.Result.self, from: output)
            walls.append(wall)
            screens.append(last!.screenSeconds)
            peak = max(peak, rss)
            print("scan round \(round + 1)/\(rounds) on \(n) projects: \(fmt(wall, 2)) s (ingest \(fmt(last!.ingestSeconds, 1)) s, screen \(fmt(last!.screenSeconds, 1)) s, "
                  + "reports \(fmt(last!.reportSeconds, 1)) s; \(last!.mode), \(last!.touchedProjects) touched, \(last!.newFindings) new findings; "
                  + "\(last!.findingRowsWritten) finding rows written, \(last!.findingRowsDropped) dropped, of \(last!.findings))")
        }
        lines.append("  store \(n) projects + batch \(batch): scan \(fmt(median(walls), 2)) s whole, its screening \(fmt(median(screens), 2)) s (medians of \(rounds)), "
                     + "peak RSS \(fmt(Double(peak) / 1024)) MB, \(last?.mode ?? "?")")
    }
    print("\nscan — a batch of \(batch) new projects (target < 10 s; time should grow with the batch, not the store)\n" + lines.joined(separator: "\n") + "\n")
}

if phase == "scan" { try benchScan(sizes: scanSizes, batch: batchSize) }

// MARK: - Suite

/// The whole pipeline at each size, each step a whole process on a fresh store: ingest, full
/// screen (all rules), the report in CSV, XLSX and HTML, and a nightly batch scan; then the
/// targets of DESIGN.md side by side and the growth from one size to the next. Appends the
/// table to BENCHMARKS.md with the machine, build mode and commit.
@MainActor func benchSuite(sizes: [Int], batch: Int) throws {
    struct Line { var n: Int; var bids: Int; var bidsSeconds: Double; var ingest: Double; var ingestKB: Int; var screen: Double
                  var screenKB: Int; var reports: [(format: String, seconds: Double, kb: Int)]; var scan: BatchScan.Result; var scanWall: Double; var scanKB: Int
                  var report: Double { reports.reduce(0) { $0 + $1.seconds } }
                  /// bids.csv's own load rate (0 when the bundle has no bids file).
                  var bidsRate: Double { bidsSeconds > 0 ? Double(bids) / bidsSeconds : 0 } }
    func shell(_ command: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardOutput = pipe
        try? p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    // The commit the binaries were built from, read now: a long suite can outlast later commits.
    let commit = shell("git rev-parse --short HEAD") + (shell("git status --porcelain -uno").isEmpty ? "" : " with uncommitted changes")
    let inbox = try batchInbox(batch)
    var lines: [Line] = []
    for n in sizes {
        let bundle = try market(n)
        let db = "\(cache)/bench-suite-\(n).db"
        removeStore(db)
        let (ingest, ingestOut, ingestKB) = try runProcscreen(["ingest", bundle, "--db", db, "--json", "--rules", rulesDirectory.path])
        let bidsFile = (try JSONDecoder().decode(IngestSummary.self, from: ingestOut)).files.first { $0.table == "bids" }
        let bids = bidsFile?.rows ?? 0
        let (screen, _, screenKB) = try runProcscreen(["screen", "--db", db, "--rules", rulesDirectory.path])
        var reports: [(String, Double, Int)] = []
        for format in ["csv", "xlsx", "html"] {
            let (seconds, _, kb) = try runProcscreen(["report", "--db", db, "--format", format, "-o", "\(cache)/bench-suite-report.\(format)", "--rules", rulesDirectory.path])
            reports.append((format.uppercased(), seconds, kb))
        }
        let (scanWall, scanOutput, scanKB) = try runProcscreen(scanArguments(db: db, inbox: inbox))
        let scan = try JSONDecoder().decode(BatchScan.Result.self, from: scanOutput)
        removeStore(db)
        let line = Line(n: n, bids: bids, bidsSeconds: bidsFile?.seconds ?? 0, ingest: ingest, ingestKB: ingestKB, screen: screen, screenKB: screenKB,
                        reports: reports, scan: scan, scanWall: scanWall, scanKB: scanKB)
        lines.append(line)
        print("suite \(n): ingest \(fmt(ingest, 1)) s, screen \(fmt(screen, 1)) s, reports \(fmt(line.report, 1)) s, scan of \(batch) \(fmt(scanWall, 1)) s "
              + "(screening \(fmt(scan.screenSeconds, 1)) s, reports \(fmt(scan.reportSeconds, 1)) s)")
    }
    let mb = { (kb: Int) in fmt(Double(kb) / 1024) }
    var text = """

        ## `procscreen-bench suite` — \(shell("date -u +%Y-%m-%dT%H:%MZ"))

        Machine: \(shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'")), \(shell("nproc")) cores, \
        \(shell("free -g | awk '/Mem:/ {print $2}'")) GB; release build; commit \(commit). \
        Each step is one whole process on a fresh store, one round (the machine is shared: compare rows of one run). \
        The scan is the first after a full screen that kept nothing: it observes every project and keeps the populations \
        for the next (`procscreen-bench scan` times the nightly one, which continues them).

        | projects | bids | ingest | peak | full screen (all rules) | peak | reports: time, peak | scan of \(batch) new, with its reports | peak |
        |---|---|---|---|---|---|---|---|---|

        """
    for l in lines {
        text += "| \(l.n) | \(l.bids) | \(fmt(l.ingest, 1)) s (bids.csv alone: \(fmt(l.bidsRate)) rows/s; bids ÷ whole ingest: \(fmt(Double(l.bids) / l.ingest))/s) | \(mb(l.ingestKB)) MB "
            + "| \(fmt(l.screen, 1)) s | \(mb(l.screenKB)) MB | \(l.reports.map { "\($0.format) \(fmt($0.seconds, 1)) s, \(mb($0.kb)) MB" }.joined(separator: "; ")) "
            + "| \(fmt(l.scanWall, 1)) s (screening \(fmt(l.scan.screenSeconds, 1)) s, reports \(fmt(l.scan.reportSeconds, 1)) s) | \(mb(l.scanKB)) MB |\n"
    }
    if let first = lines.first, let last = lines.last, last.n > first.n {
        let size = Double(last.n) / Double(first.n)
        text += "\nGrowth from \(first.n) to \(last.n) projects (×\(fmt(size, 0))): ingest ×\(fmt(last.ingest / first.ingest, 1)), "
            + "screen ×\(fmt(last.screen / first.screen, 1)), scan ×\(fmt(last.scanWall / first.scanWall, 1)) (linear would be ×\(fmt(size, 0)); "
            + "the scan should not grow).\n"
    }
    if let m = lines.first(where: { $0.n == 1_000_000 }) {
        text += "\nTargets at 1 M (DESIGN.md): ingest + full screen \(fmt(m.ingest + m.screen, 1)) s (< 60 s: \(m.ingest + m.screen < 60 ? "met" : "not met")), "
            + "peak memory \(mb(max(m.ingestKB, m.screenKB))) MB (< 1 GB = 10⁹ bytes: \(max(m.ingestKB, m.screenKB) * 1024 < 1_000_000_000 ? "met" : "not met")), "
            + "scan of \(batch) \(fmt(m.scanWall, 1)) s with its reports, its screening \(fmt(m.scan.screenSeconds, 1)) s (< 10 s: \(m.scanWall < 10 ? "met" : "not met")), "
            + "CSV ingest of bids.csv \(fmt(m.bidsRate)) rows/s (≥ 300,000: \(m.bidsRate >= 300_000 ? "met" : "not met")).\n"
    }
    print(text)
    if let handle = FileHandle(forWritingAtPath: "BENCHMARKS.md") {
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
        print("appended to BENCHMARKS.md")
    }
}

if phase == "suite" { try benchSuite(sizes: suiteSizes, batch: batchSize) }
