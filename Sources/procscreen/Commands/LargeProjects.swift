import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct LargeProjects: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "large-projects",
            abstract: "The large-project register: every project of 500 million baht or more and its obligations.",
            discussion: """
                One row per tier-1 project (LP-01's definition, overrides included): assessment on record and its
                date, risk plan, submitted to the Budget Bureau, reported in eMENSCR, follow-up inspection and
                phase, and the findings of the latest run; then counts per ministry and per agency.
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

        @OptionGroup var store: StoreOptions
        @OptionGroup var rules: RulesOptions

        @Option(help: "Only this fiscal year (Buddhist era).")
        var fiscalYear: Int?

        @Option(help: "Only this ministry (its name as in the data, e.g. กระทรวงคมนาคม).")
        var ministry: String?

        @Option(help: "table, csv (UTF-8 with BOM, Excel-safe) or json.")
        var format: Format = .table

        @Option(help: "Label language: th or en.")
        var lang: Language = .en

        @Option(name: .shortAndLong, help: "Write to this file instead of stdout.")
        var output: String?

        func run() throws {
            let catalog = try RuleCatalog.load(directory: rules.directory)
            let storeHandle = try Store(path: store.db)
            let register = try LargeProjectRegister.build(store: storeHandle, catalog: catalog, fiscalYear: fiscalYear, ministry: ministry)
            let text: String
            switch format {
            case .table: text = LargeProjectRegisterText.table(register, language: lang) + "\n"
            case .csv: text = LargeProjectRegisterText.csv(register, language: lang)
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                text = String(decoding: try encoder.encode(register), as: UTF8.self) + "\n"
            }
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                FileHandle.standardError.write(Data("wrote \(output)\n".utf8))
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
