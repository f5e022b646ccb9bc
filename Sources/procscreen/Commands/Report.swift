import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the flagged-project report of a screening run: CSV, XLSX, JSON, Markdown or HTML.",
            discussion: """
                Projects with findings, ranked by priority (score, then budget), with their findings, evidence summaries \
                and the oversight bodies each finding routes to; grouped by ministry → agency; summaries per rule, \
                category and ministry; the run's rule versions and parameters; "not computable" counted apart. \
                CSV is UTF-8 with a BOM and formula-safe for Excel; XLSX is a workbook (summary, projects, findings, \
                rules); HTML is one self-contained page.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, xlsx, json, markdown, html }

        @OptionGroup var store: StoreOptions
        @OptionGroup var rules: RulesOptions

        @Option(help: "csv, xlsx, json, markdown or html.")
        var format: Format

        @Option(help: "Label language: th or en.")
        var lang: Language = .en

        @Option(help: "Only this ministry (its name as in the data, e.g. กระทรวงคมนาคม).")
        var ministry: String?

        @Option(help: "Only this agency (agency_id or its name).")
        var agency: String?

        @Option(help: "Only this province.")
        var province: String?

        @Option(help: "Only this fiscal year (Buddhist era).")
        var fiscalYear: Int?

        @Option(help: "Only findings of this severity or above: info, low, medium, high, critical.")
        var minSeverity: Severity?

        @Option(help: "Only this category: large_project, collusion, competition, price, network, procedure, data_quality.")
        var category: RuleCategory?

        @Option(name: .customLong("rule"), help: "Only these rules (comma-separated ids).")
        var ruleIDs: String?

        @Option(help: "Only the first N projects by priority.")
        var top: Int?

        @Option(help: ArgumentHelp(
            "HTML and Markdown: list the first N projects by priority, with their evidence (0: all).",
            discussion: "The counts and charts still cover every project; CSV and XLSX list them all."))
        var pageLimit = FlaggedReport.pageLimit

        @Option(help: "CSV rows: one per finding (finding) or one per project (project).")
        var rows: ReportRows = .finding

        @Option(name: .customLong("run"), help: "Report this run (default: the latest).")
        var runID: Int64?

        @Option(name: .shortAndLong, help: "Write to this file (required for xlsx; text formats print to stdout without it).")
        var output: String?

        func validate() throws {
            if format == .xlsx && output == nil { throw ValidationError("--format xlsx needs -o FILE") }
            if let top, top < 1 { throw ValidationError("--top must be at least 1") }
            if pageLimit < 0 { throw ValidationError("--page-limit must be 0 (all) or more") }
            try validateFiscalYear(fiscalYear)
        }

        func run() throws {
            let catalog = try RuleCatalog.load(directory: rules.directory)
            if let ruleIDs {
                for id in ruleIDs.split(separator: ",") where catalog.rule(String(id)) == nil {
                    throw ValidationError("unknown rule \(id) in --rule")
                }
            }
            var filters = ReportFilters()
            (filters.ministry, filters.agency, filters.province, filters.fiscalYear) = (ministry, agency, province, fiscalYear)
            (filters.minSeverity, filters.category, filters.top) = (minSeverity, category?.rawValue, top)
            filters.rules = ruleIDs.map { $0.split(separator: ",").map(String.init) }
            guard FileManager.default.fileExists(atPath: store.db) else {
                throw ValidationError("no store at \(store.db): ingest and screen first (`procscreen ingest`, `procscreen screen`)")
            }
            // Read-only: the report's sort by priority spills to a temporary file past the cache,
            // instead of growing the process (temp_store=MEMORY is for the writing connection).
            let db = try Store(path: store.db, readOnly: true)
            switch format {
            case .csv, .xlsx: try writeTable(db: db, catalog: catalog, filters: filters)
            // JSON to a file streams too, with every finding's evidence (a national list).
            case .json where output != nil: try writeTable(db: db, catalog: catalog, filters: filters)
            case .html, .json, .markdown: try writeDocument(db: db, catalog: catalog, filters: filters)
            }
        }

        /// HTML, JSON and Markdown: the report built in memory, with each finding's evidence. A page
        /// for reading (HTML, Markdown) lists the first projects only: a national list is millions
        /// of findings, which no browser opens (and which held 13 GB at 5 M projects).
        func writeDocument(db: Store, catalog: RuleCatalog, filters: ReportFilters) throws {
            let listing = format == .json || pageLimit == 0 ? nil : pageLimit
            let report = try FlaggedReport.build(store: db, catalog: catalog, filters: filters, runID: runID, listing: listing)
            let text: String
            switch format {
            // The page streams to its file: a national page is hundreds of megabytes.
            case .html:
                if let output {
                    try HTMLReport.write(report, language: lang, toFile: output)
                    return wrote(output, report)
                }
                return try HTMLReport.write(report, language: lang, to: .standardOutput)
            case .json: text = try JSONReport.render(report)
            case .markdown: text = MarkdownReport.render(report, language: lang)
            case .csv, .xlsx: preconditionFailure("tables are written by writeTable")
            }
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                wrote(output, report)
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }

        /// CSV, XLSX and JSON to a file stream: each project is written as it is read (a national
        /// list is millions of findings); CSV and XLSX with each finding's summary line, JSON with
        /// its evidence.
        func writeTable(db: Store, catalog: RuleCatalog, filters: ReportFilters) throws {
            switch format {
            case .json:
                let writer = try JSONReport.Writer(toFile: output!)
                let report = try FlaggedReport.stream(store: db, catalog: catalog, filters: filters, runID: runID) {
                    try writer.append($0, of: $1)
                }
                try writer.finish(report)
                wrote(output!, report)
            case .xlsx:
                let writer = try XLSXReport.Writer(path: output!, language: lang)
                let report = try FlaggedReport.stream(store: db, catalog: catalog, filters: filters, runID: runID, evidenceForFirst: 0) {
                    writer.append($0, of: $1)
                }
                try writer.finish(report)
                wrote(output!, report)
            default:
                let writer = try output.map { try CSVReport.Writer(toFile: $0, language: lang, rows: rows) }
                    ?? CSVReport.Writer(to: .standardOutput, language: lang, rows: rows)
                let report = try FlaggedReport.stream(store: db, catalog: catalog, filters: filters, runID: runID, evidenceForFirst: 0) {
                    writer.append($0, of: $1)
                }
                try writer.finish()
                if let output { wrote(output, report) }
            }
        }

        func wrote(_ path: String, _ report: FlaggedReport) {
            // A streamed report holds no projects; a page that lists only its first ones says so.
            let listed = report.projects.isEmpty || !report.listsSome ? "" : " (lists the first \(report.projects.count); --page-limit 0 lists all)"
            FileHandle.standardError.write(Data("wrote \(path): \(report.projectCount) projects, \(report.findingCount) findings\(listed)\n".utf8))
        }
    }
}


extension RuleCategory: ExpressibleByArgument {}
extension ReportRows: ExpressibleByArgument {}
