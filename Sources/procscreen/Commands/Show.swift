import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one project: its data, bids, contracts, findings with evidence, and routing.")

        @Argument(help: "The project id (e-GP number).")
        var projectID: String

        @OptionGroup var store: StoreOptions
        @OptionGroup var rules: RulesOptions

        @Option(help: "Label language: th or en.")
        var lang: Language = .en

        @Option(name: .customLong("run"), help: "Show the findings of this run (default: the latest).")
        var runID: Int64?

        func run() throws {
            let storeHandle = try Store(path: store.db, readOnly: true)
            guard let view = try ProjectView.load(store: storeHandle, projectID: projectID, runID: runID) else {
                throw ValidationError("no project \(projectID) in \(store.db)")
            }
            let catalog = try? RuleCatalog.load(directory: rules.directory)
            print(ProjectViewText.render(view, catalog: catalog, language: lang))
        }
    }
}

extension Language: ExpressibleByArgument {}
