import Foundation

/// A nightly batch scan (`procscreen scan --inbox DIR`): ingest the inbox files the store has not
/// seen (by sha256, so renamed copies are not new), screen incrementally, record the run, write
/// its reports, and say whether new findings reach `--fail-on`.
///
/// Incremental screening: record rules (one project at a time) run only on the projects that new
/// rows touched, and their findings on every other project are carried over from the previous
/// snapshot run; cross-project rules (fences, rings, shares, SQL) run on the whole store. The run
/// is therefore equal to a full re-screen (a test holds them equal), and it falls back to a full
/// run when carrying over would not be exact: no previous snapshot, other rules or parameters,
/// new register rows (firms, directors, lists, agencies), which change what every record rule
/// may see, or new rows for projects the snapshot screened (their earlier not-raised and
/// not-applicable outcomes are counts, not rows, and cannot be taken back out).
///
/// Crash safety: each file is ingested in its own transaction and the screening run in another;
/// a run records the newest source it saw (`runs.sources_through`). A scan killed at any point
/// leaves the store as the last committed transaction left it, and the next scan screens every
/// source after the last finished run, so it completes the work.
public struct BatchScan {
    public struct Options: Sendable {
        public var inbox: String
        public var output: String?
        public var failOn: Severity?
        public var runDate: String?
        public var language: Language = .th
        /// A run continues the previous snapshot's chain of runs while the rows dropped along the
        /// chain are at most this many times its current findings; past it, the scan runs in
        /// full and starts a new chain. Reading a run walks every row its chain wrote, dropped
        /// ones too: this bounds that walk to (1 + ratio) × the run's findings.
        public var maxDroppedRatio = 1.0

        public init(inbox: String) { self.inbox = inbox }
    }

    public struct Result: Sendable, Codable {
        public var runID: Int64?
        public var mode: String
        public var reason: String
        public var filesIngested = 0
        public var filesSkipped = 0
        public var filesFailed = 0
        public var rows = 0
        public var touchedProjects = 0
        public var findings = 0
        public var newFindings = 0
        public var resolvedFindings = 0
        /// Finding rows the run wrote (new or changed) and earlier rows it marked as no longer
        /// current; the rest of its findings are the previous run's rows, kept as they were.
        public var findingRowsWritten = 0
        public var findingRowsDropped = 0
        public var maxNewSeverity: Severity?
        public var seconds = 0.0
        /// Where the time went: ingest, screen, reports.
        public var ingestSeconds = 0.0
        public var screenSeconds = 0.0
        public var reportSeconds = 0.0
        public var reports: [String] = []

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", mode, reason, filesIngested = "files_ingested", filesSkipped = "files_skipped"
            case filesFailed = "files_failed", rows, touchedProjects = "touched_projects", findings
            case newFindings = "new_findings", resolvedFindings = "resolved_findings", maxNewSeverity = "max_new_severity"
            case findingRowsWritten = "finding_rows_written", findingRowsDropped = "finding_rows_dropped"
            case seconds, ingestSeconds = "ingest_seconds", screenSeconds = "screen_seconds", reportSeconds = "report_seconds", reports
        }

        /// Whether new findings reach `severity`.
        public func reaches(_ severity: Severity?) -> Bool {
            guard let severity, let max = maxNewSeverity else { return false }
            return max >= severity
        }
    }

    let store: Store
    let catalog: RuleCatalog
    let mapping: FieldMapping
    /// Called from the report threads too: a line at a time.
    let log: @Sendable (String) -> Void

    public init(store: Store, catalog: RuleCatalog, mapping: FieldMapping, log: @escaping @Sendable (String) -> Void) {
        self.store = store
        self.catalog = catalog
        self.mapping = mapping
        self.log = log
    }

    public func run(_ options: Options) throws -> Result {
        let started = Date()
        var result = Result(mode: "nothing new", reason: "")
        // 1. Ingest what the inbox holds, oldest name first; seen content is skipped.
        let entries = try FileManager.default.contentsOfDirectory(atPath: options.inbox).filter { !$0.hasPrefix(".") }.sorted()
            .map { (options.inbox as NSString).appendingPathComponent($0) }
        if !entries.isEmpty {
            let summary = try Ingestor(store: store, mapping: mapping).ingest(paths: entries)
            result.ingestSeconds = summary.seconds
            for file in summary.files {
                switch file.status {
                case .ingested:
                    result.filesIngested += 1
                    result.rows += file.rows
                    log("ingested \(file.path): \(file.rows) rows\(file.quarantined > 0 ? ", \(file.quarantined) quarantined" : "")")
                case .skipped:
                    result.filesSkipped += 1
                    log("skipped \(file.path): seen before\(file.sameAs.map { " as \($0)" } ?? "")")
                case .failed:
                    result.filesFailed += 1
                    log("failed \(file.path): \(file.error ?? "unreadable")")
                }
            }
        }

        // 2. What the last snapshot run saw, and what came after it.
        let screens = ScreenStore(store: store)
        let newest = try screens.newestSourceID()
        let previous = try screens.latestSnapshot()
        if let previous, previous.through >= newest {
            result.reason = "no new data since run \(previous.run)"
            log("nothing new: \(result.reason)")
            result.seconds = Date().timeIntervalSince(started)
            return result
        }
        guard newest > 0 else {
            result.reason = "the store holds no data"
            log("nothing new: \(result.reason)")
            return result
        }

        // 3. Incremental when the previous snapshot can be carried over exactly.
        var screen = ScreenOptions()
        screen.kind = "scan"
        // The next scan continues what this one observed.
        screen.keepsState = true
        screen.runDate = options.runDate
        screen.sourcesThrough = newest
        let parameters = try Engine.parametersJSON(catalog: catalog)
        if let previous {
            // Incremental or full, the run is stored as changes to the previous snapshot's.
            screen.continues = previous.run
            let registers = try screens.registerSources(after: previous.through)
            let changed = try screens.changedProjects(after: previous.through, previousRun: previous.run)
            let chain = try screens.chainRows(previous.run)
            if Double(chain.dropped) > options.maxDroppedRatio * Double(chain.current) {
                result.mode = "full"
                result.reason = "the runs up to \(previous.run) dropped \(chain.dropped) finding rows, more than "
                    + "\(options.maxDroppedRatio) × its \(chain.current) current ones: a new chain of runs starts"
                screen.continues = nil
            } else if previous.parameters != parameters {
                result.mode = "full"
                result.reason = "rules or parameters changed since run \(previous.run)"
            } else if !registers.isEmpty {
                result.mode = "full"
                result.reason = "new register rows (\(registers.sorted().joined(separator: ", "))) can change any project's record rules"
            } else if changed != 0 {
                result.mode = "full"
                result.reason = changed.map { "\($0) projects screened by run \(previous.run) changed since: their earlier outcomes are not kept" }
                    ?? "run \(previous.run) did not record the store's size"
            } else {
                let touched = try screens.touchedProjects(after: previous.through)
                result.mode = "incremental"
                result.reason = "\(touched.count) new projects since run \(previous.run)"
                result.touchedProjects = touched.count
                screen.carryOver = ScreenOptions.CarryOver(previousRun: previous.run, touched: touched)
            }
        } else {
            result.mode = "full"
            result.reason = "first screening of this store"
        }
        log("screening (\(result.mode)): \(result.reason)")
        let screenStarted = Date()
        let summary = try Engine(store: store, catalog: catalog).screen(screen)
        result.runID = summary.runID
        result.findings = summary.findings

        // 4. New and resolved findings against the previous snapshot.
        if let previous {
            (result.newFindings, result.resolvedFindings, result.maxNewSeverity) = try screens.findingChanges(run: summary.runID, previous: previous.run)
        } else {
            result.newFindings = summary.findings
            result.maxNewSeverity = summary.maxSeverity
        }
        (result.findingRowsWritten, result.findingRowsDropped) = try screens.findingRows(run: summary.runID)
        result.screenSeconds = Date().timeIntervalSince(screenStarted)
        log("run \(summary.runID): \(summary.findings) findings (\(result.findingRowsWritten) rows written, \(result.findingRowsDropped) dropped), "
            + "\(result.newFindings) new, \(result.resolvedFindings) resolved ("
            + String(format: "ingest %.1f s, screen %.1f s", result.ingestSeconds, result.screenSeconds) + ")")

        // 5. Reports: the new findings, and the full current list.
        let reportStarted = Date()
        if let output = options.output {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let base = (output as NSString).appendingPathComponent("scan-\(summary.runID)")
            let (catalog, language, runID, log) = (catalog, options.language, summary.runID, log)
            @Sendable func write(_ path: String, _ body: () throws -> Void) throws {
                let fileStarted = Date()
                try body()
                log("wrote \(path) in " + String(format: "%.1f s", Date().timeIntervalSince(fileStarted)))
            }
            // The full current list, the longest to read and write (the workbook most of all), on
            // a second thread and its own connection, while this one writes the new findings: at
            // 1 M projects the reports took 95 s one after another. It is read once, a project at
            // a time, into the CSV, the workbook and the page together, never whole: at 5 M
            // projects the list held in memory peaked at 17.6 GB. The page for reading lists the
            // first projects by priority with their evidence; its counts cover them all.
            let fullList = BoundedQueue<[String]>.producing(capacity: 1) { [path = store.db.path] queue in
                let reader = try Store(path: path, readOnly: true)
                let (csvPath, workbookPath, pagePath) = (base + "-current.csv", base + "-current.xlsx", base + "-current.html")
                let fileStarted = Date()
                let csv = try CSVReport.Writer(toFile: csvPath, language: language)
                let workbook = try XLSXReport.Writer(path: workbookPath, language: language)
                var listed: [FlaggedReport.Project] = []
                // CSV and XLSX print each finding's summary line; the page, the evidence too.
                var current = try FlaggedReport.stream(store: reader, catalog: catalog, filters: ReportFilters(), runID: runID,
                                                       evidenceForFirst: FlaggedReport.pageLimit) { project, report in
                    csv.append(project, of: report)
                    workbook.append(project, of: report)
                    if listed.count < FlaggedReport.pageLimit { listed.append(project) }
                }
                try csv.finish()
                log("wrote \(csvPath) in " + String(format: "%.1f s", Date().timeIntervalSince(fileStarted)) + " (read with the workbook's rows)")
                current.list(listed)
                try write(pagePath) { try HTMLReport.write(current, language: language, toFile: pagePath) }
                try write(workbookPath) { try workbook.finish(current) }
                _ = queue.push([pagePath, csvPath, workbookPath])
            }
            do {
                // Read-only: a report's sort by priority spills to a temporary file past the
                // cache, where the writing connection would hold it in memory.
                let reader = try Store(path: store.db.path, readOnly: true)
                var newOnly = ReportFilters()
                newOnly.newSinceRun = previous?.run
                // Streamed too: on a first scan every finding of the store is new.
                try write(base + "-new-findings.csv/.json") {
                    let csv = try CSVReport.Writer(toFile: base + "-new-findings.csv", language: language)
                    let json = try JSONReport.Writer(toFile: base + "-new-findings.json")
                    let fresh = try FlaggedReport.stream(store: reader, catalog: catalog, filters: newOnly, runID: runID) { project, report in
                        csv.append(project, of: report)
                        try json.append(project, of: report)
                    }
                    try csv.finish()
                    try json.finish(fresh)
                }
                result.reports = [base + "-new-findings.csv", base + "-new-findings.json"] + (try fullList.pop() ?? [])
            } catch {
                fullList.cancel()
                throw error
            }
        }
        result.reportSeconds = options.output == nil ? 0 : Date().timeIntervalSince(reportStarted)
        result.seconds = Date().timeIntervalSince(started)
        // The run's summary keeps what the scan did (files, rows, new, resolved, seconds).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try screens.recordScan(runID: summary.runID, json: String(decoding: try encoder.encode(result), as: UTF8.self))
        return result
    }
}
