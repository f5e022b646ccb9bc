import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one project (data, bids, contracts, findings with evidence, routing) or one firm (bids, wins, co-bidders, rings).")

        @Argument(help: "A project id (e-GP number), or a firm id (TIN) to see the firm's bids, co-bidders and rings.")
        var projectID: String

        @OptionGroup var store: StoreOptions
        @OptionGroup var rules: RulesOptions

        @Option(help: "Label language: th or en.")
        var lang: Language = .en

        @Option(name: .customLong("run"), help: "Show the findings of this run (default: the latest).")
        var runID: Int64?

        func run() throws {
            let storeHandle = try Store(path: store.db, readOnly: true)
            let catalog = try? RuleCatalog.load(directory: rules.directory)
            if let view = try ProjectView.load(store: storeHandle, projectID: projectID, runID: runID) {
                print(ProjectViewText.render(view, catalog: catalog, language: lang))
            } else if let firm = try FirmView.load(store: storeHandle, firmID: projectID, runID: runID) {
                print(FirmViewText.render(firm, catalog: catalog, language: lang))
            } else {
                throw ValidationError("no project or firm \(projectID) in \(store.db)")
            }
        }
    }
}

extension Language: ExpressibleByArgument {}
