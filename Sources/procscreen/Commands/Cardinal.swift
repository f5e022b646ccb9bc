import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Cardinal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Screen OCDS files as Cardinal (open-contracting/cardinal-rs) does and print its JSON.",
            discussion: """
                Ingests the OCDS files into the store (a temporary one unless --db is given), screens them with the
                Cardinal rule set (Rules-cardinal: the same rule files, Cardinal's definitions and global rules) and
                the indicators of the Cardinal settings file, and prints the findings as Cardinal's JSON: the groups
                OCID, Buyer, ProcuringEntity and Tenderer, each mapping an id to {code: value}.
                Without --settings every indicator is on with Cardinal's defaults. Where Cardinal has a
                documented bug (INDICATORS.md §3.5) the corrected result is printed.
                """)

        @Argument(help: "OCDS files: compiled releases as JSON lines, packages, releases or records.")
        var paths: [String]

        @Option(help: "A Cardinal settings file (INI).")
        var settings: String?

        @Option(help: "The Cardinal rules folder.")
        var rules: String = "Rules-cardinal"

        @Option(help: "Keep the store here (default: a temporary store, removed afterwards).")
        var db: String?

        func run() throws {
            let rulesDirectory = URL(fileURLWithPath: rules)
            var catalog = try RuleCatalog.load(directory: rulesDirectory)
            let ini = try settings.map { try String(contentsOfFile: $0, encoding: .utf8) }
                ?? CardinalSettings.rulesByCode.keys.sorted().map { "[\($0)]" }.joined(separator: "\n")
            catalog = try CardinalSettings(ini: ini).apply(to: catalog)
            let temporary = db == nil ? FileManager.default.temporaryDirectory.appendingPathComponent("procscreen-cardinal-\(UUID().uuidString)") : nil
            if let temporary { try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true) }
            defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
            let storePath = db ?? temporary!.appendingPathComponent("store.db").path
            let store = try Store(path: storePath)
            var options = IngestOptions(format: .ocds)
            options.progress = nil
            let summary = try Ingestor(store: store, mapping: try FieldMapping(rulesDirectory: rulesDirectory)).ingest(paths: paths, options: options)
            for failed in summary.failedFiles { FileHandle.standardError.write(Data("error: \(failed.path): \(failed.error ?? "failed")\n".utf8)) }
            if summary.quarantined > 0 {
                FileHandle.standardError.write(Data("warning: \(summary.quarantined) releases skipped (see ingest_issues)\n".utf8))
            }
            let run = try Engine(store: store, catalog: catalog).screen()
            print(try CardinalReport.json(try CardinalReport.render(store: store, runID: run.runID)))
            if !summary.failedFiles.isEmpty { throw ExitCode.failure }
        }
    }
}
