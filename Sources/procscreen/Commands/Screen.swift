import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Screen: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the rules over the store and record findings, scores and priorities.",
            discussion: """
                Writes a row to `runs`, one row per finding to `findings` (with evidence, agency, ministry and
                the oversight bodies it routes to), the not-computable outcomes to `not_computable`, and each
                flagged project's score (1 − Π(1 − weight)) to `project_scores` (ranked into priorities when read).
                Exit status 3 when a finding reaches --fail-on.
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var rules: RulesOptions

        @Option(help: "Only these rule ids (comma-separated), e.g. BP-01,BR-15.")
        var only: String?

        @Option(help: "Only projects of this fiscal year (Buddhist era, e.g. 2567).")
        var fiscalYear: Int?

        @Option(help: "Exit with status 3 when a finding has this severity or higher (info|low|medium|high|critical).")
        var failOn: Severity?

        @Flag(help: "Print the run summary as JSON.")
        var json = false

        @Flag(help: "Keep the cross-project rules' populations in the store, so that the next scan continues them instead of observing every project (a scan keeps them itself; a full screen does not by default: at 1 M projects they are 3.5 million rows).")
        var keepState = false

        func validate() throws {
            try validateFiscalYear(fiscalYear)
            if keepState && fiscalYear != nil {
                throw ValidationError("--keep-state needs a run over every project, not one fiscal year")
            }
        }

        func run() throws {
            let catalog = try RuleCatalog.load(directory: rules.directory)
            let storeHandle = try Store(path: store.db)
            var options = ScreenOptions(fiscalYear: fiscalYear)
            options.only = only.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
            options.keepsState = keepState
            let summary = try Engine(store: storeHandle, catalog: catalog).screen(options)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                print(RunSummaryText.render(summary))
            }
            if let failOn, let worst = summary.maxSeverity, worst >= failOn {
                throw ExitCode(3)
            }
        }
    }
}

extension Severity: ExpressibleByArgument {}
