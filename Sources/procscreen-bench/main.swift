// procscreen-bench: ingest throughput on a generated market, phase by phase.
//
// Usage: procscreen-bench [--projects N] [--rounds R] [--cache DIR]
// Generates (or reuses) a market with about 3 bids per project in DIR (default .bench-cache,
// outside git), then, for R interleaved rounds, times: reading bids.csv (CSV only), reading and
// parsing it (no SQLite), and a whole `procscreen ingest` process on a fresh store (wall time,
// per-file rates from its JSON summary, peak RSS of the child). Prints medians.
import Foundation
import ProcScreenCore
#if canImport(Glibc)
import Glibc
#endif

var projects = 200_000
var rounds = 3
var cache = ".bench-cache"
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let arg = arguments.next() {
    switch arg {
    case "--projects": projects = Int(arguments.next() ?? "") ?? projects
    case "--rounds": rounds = Int(arguments.next() ?? "") ?? rounds
    case "--cache": cache = arguments.next() ?? cache
    default:
        FileHandle.standardError.write(Data("usage: procscreen-bench [--projects N] [--rounds R] [--cache DIR]\n".utf8))
        exit(2)
    }
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? .nan : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
}

func fmt(_ v: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", v) }

let executableDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let procscreen = executableDirectory.appendingPathComponent("procscreen").path
let rulesDirectory = URL(fileURLWithPath: "Rules")

// MARK: - Market

let market = "\(cache)/market-\(projects)"
if !FileManager.default.fileExists(atPath: market + "/truth.json") {
    print("generating \(projects) projects into \(market) …")
    var configuration = MarketGenerator.Configuration(projects: projects, seed: 2568)
    // About 3 bids per project: half competitive with 5 bidders, half specific with 1 offer.
    configuration.competitiveShare = 0.5
    configuration.meanBidders = 5
    let started = Date()
    let summary = try MarketGenerator(configuration: configuration).write(to: market)
    print("generated \(summary.projects) projects, \(summary.bids) bids in \(fmt(Date().timeIntervalSince(started), 1)) s")
}
let bidsPath = market + "/bids.csv"
let bidsBytes = Double((try FileManager.default.attributesOfItem(atPath: bidsPath)[.size] as? Int) ?? 0)
let marketBytes = Double(((try? FileManager.default.subpathsOfDirectory(atPath: market)) ?? []).reduce(0) { total, name in
    total + ((try? FileManager.default.attributesOfItem(atPath: market + "/" + name)[.size] as? Int) ?? 0)
})

// MARK: - Phases

func timeCSVOnly() throws -> (Double, Int) {
    let started = Date()
    let reader = try CSVRecordReader(path: bidsPath)
    var n = 0
    while try reader.next() != nil { n += 1 }
    return (Date().timeIntervalSince(started), n - 1)
}

func timeParseOnly(mapping: FieldMapping) throws -> (Double, Int) {
    let started = Date()
    let n = try BulkParseProbe.parseAll(path: bidsPath, table: .bids, mapping: mapping)
    return (Date().timeIntervalSince(started), n)
}

struct IngestRun {
    var wall: Double
    var peakRSSKB: Int
    var bidRowsPerSecond: Double
    var totalRows: Int
}

func runIngest(round: Int, cache: String) throws -> IngestRun {
    let db = "\(cache)/bench-\(round).db"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: procscreen)
    process.arguments = ["ingest", market, "--db", db, "--json", "--rules", rulesDirectory.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    let started = Date()
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let wall = Date().timeIntervalSince(started)
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    let summary = try JSONDecoder().decode(IngestSummary.self, from: output)
    let bids = summary.files.first { $0.table == "bids" }
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
    return IngestRun(
        wall: wall, peakRSSKB: usage.ru_maxrss,
        bidRowsPerSecond: bids.map { Double($0.rows) / $0.seconds } ?? 0,
        totalRows: summary.files.reduce(0) { $0 + $1.rows })
}

let mapping = try FieldMapping(rulesDirectory: rulesDirectory)
var csvTimes: [Double] = [], parseTimes: [Double] = [], runs: [IngestRun] = []
var bidRows = 0
for round in 0..<rounds {
    let (csv, n) = try timeCSVOnly()
    csvTimes.append(csv)
    bidRows = n
    parseTimes.append(try timeParseOnly(mapping: mapping).0)
    runs.append(try runIngest(round: round, cache: cache))
    print("round \(round + 1)/\(rounds): csv \(fmt(csv, 2)) s, parse \(fmt(parseTimes.last!, 2)) s, ingest \(fmt(runs.last!.wall, 2)) s")
}

let ingestWall = median(runs.map(\.wall))
print("""

    ingest benchmark — \(projects) projects, \(bidRows) bid rows (\(fmt(bidsBytes / 1e6, 1)) MB bids.csv, \(fmt(marketBytes / 1e6, 1)) MB bundle), \(rounds) rounds, medians
      CSV read only (bids.csv)        \(fmt(Double(bidRows) / median(csvTimes))) rows/s   \(fmt(bidsBytes / 1e6 / median(csvTimes), 1)) MB/s
      read + parse, no SQLite (bids)  \(fmt(Double(bidRows) / median(parseTimes))) rows/s
      ingest: bids.csv into SQLite    \(fmt(median(runs.map { $0.bidRowsPerSecond }))) rows/s   (target ≥ 300,000)
      ingest: whole bundle, process   \(fmt(ingestWall, 2)) s   \(fmt(Double(runs[0].totalRows) / ingestWall)) rows/s   \(fmt(marketBytes / 1e6 / ingestWall, 1)) MB/s
      peak RSS of the ingest process  \(fmt(Double(runs.map(\.peakRSSKB).max() ?? 0) / 1024, 0)) MB
    """)
