import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load procurement files (CSV bundles, OCDS JSON) into the store.",
            discussion: """
                A folder is read as a bundle: projects.csv (required), bids.csv, contracts.csv, firms.csv,
                directors.csv, agencies.csv, risk_assessments.csv and lists/*.csv. Other CSV files are
                assigned to a table by their header. Headers may be English or Thai (Rules/mappings/headers.yaml).

                OCDS (.json, .jsonl, or any file starting with { or [; also JSON files in subfolders):
                compiled releases as JSON lines, release packages, record packages, bare releases or
                records. A record's compiledRelease is used; plain releases of one ocid are merged.
                ocid → project, buyer → agency, bids.details → bids, awards (+ contracts) → contracts,
                tenderer and supplier parties → firms. Currencies are kept as published.

                Files already ingested (same SHA-256) are skipped. Each file loads in one transaction.
                Bad rows are quarantined in the ingest_issues table with file, line and column; the
                command exits non-zero only when a file cannot be read, or with --strict when any row
                was quarantined.
                """)

        @Argument(help: "Files or bundle folders to ingest.")
        var paths: [String]

        @OptionGroup var store: StoreOptions
        @OptionGroup var rules: RulesOptions

        @Option(help: "Input format: auto (by extension and first bytes), bundle or ocds.")
        var format: InputFormat = .auto

        @Flag(help: "Exit with status 1 when any row was quarantined.")
        var strict = false

        @Flag(help: "Print the summary as JSON on stdout.")
        var json = false

        func run() throws {
            let mapping = try FieldMapping(rulesDirectory: rules.directory)
            let storeHandle = try Store(path: store.db)
            var options = IngestOptions(format: format)
            let progress = ProgressReporter(label: "ingest")
            options.progress = { p in
                progress.update(
                    "\(URL(fileURLWithPath: p.file).lastPathComponent) [\(p.fileIndex + 1)/\(p.fileCount)]",
                    fraction: p.fileSize > 0 ? Double(p.bytesRead) / Double(p.fileSize) : nil, detail: "\(p.rows) rows")
            }
            let summary = try Ingestor(store: storeHandle, mapping: mapping).ingest(paths: paths, options: options)
            progress.finish()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(IngestSummaryText.render(summary, db: store.db))
            }
            for failed in summary.failedFiles {
                FileHandle.standardError.write(Data("error: \(failed.error ?? failed.path)\n".utf8))
            }
            if !summary.failedFiles.isEmpty || (strict && summary.quarantined > 0) {
                throw ExitCode.failure
            }
        }
    }
}

extension InputFormat: ExpressibleByArgument {}
