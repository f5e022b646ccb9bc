import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, show, validate and document the rule files.",
            subcommands: [List.self, Show.self, Validate.self, Docs.self, Init.self],
            defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List every rule: id, titles, category, severity, weight.")
            @OptionGroup var rules: RulesOptions

            func run() throws {
                let catalog = try RuleCatalog.load(directory: rules.directory)
                for r in catalog.rules {
                    let kind: String
                    switch r.kind {
                    case .swift: kind = "swift"
                    case .pattern: kind = "pattern"
                    case .sql: kind = "sql"
                    }
                    print("\(r.id)  \(r.title.en) / \(r.title.th)  [\(r.category.rawValue), \(r.severity.rawValue), weight \(r.weight), \(kind)]")
                }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show one rule: rationale, parameters, routing, references, examples.")
            @Argument(help: "The rule id, e.g. BP-01.") var id: String
            @OptionGroup var rules: RulesOptions

            func run() throws {
                let catalog = try RuleCatalog.load(directory: rules.directory)
                guard let rule = catalog.rule(id) else { throw ValidationError("no rule with id \(id)") }
                print(RuleDocs.page(for: rule, catalog: catalog))
                // Examples from the rule's fixtures, when the source tree is at hand.
                let fixtures = rules.directory.deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/Rules/\(id).jsonl")
                if let text = try? String(contentsOf: fixtures, encoding: .utf8) {
                    let lines = text.split(separator: "\n")
                    print("## Examples (\(fixtures.lastPathComponent))\n")
                    func expect(_ line: Substring) -> String? {
                        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["expect"] as? String
                    }
                    if let flag = lines.first(where: { expect($0) == "flag" }) { print("should flag:\n    \(flag)\n") }
                    if let pass = lines.first(where: { expect($0) == "pass" }) { print("should not flag:\n    \(pass)") }
                }
            }
        }

        struct Validate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check every rule file, agencies.yaml and overrides.yaml; exit 1 on any error.")
            @OptionGroup var rules: RulesOptions

            func run() throws {
                let directory = rules.directory
                switch Result(catching: { () throws(RuleCatalogError) in try RuleCatalog.load(directory: directory) }) {
                case .success(let catalog):
                    print("\(catalog.rules.count) rules valid in \(directory.path)\(catalog.overridesPath.map { " (overrides: \($0))" } ?? "")")
                case .failure(let error):
                    for e in error.errors { FileHandle.standardError.write(Data("error: \(e)\n".utf8)) }
                    throw ExitCode.failure
                }
            }
        }

        struct Docs: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Write Docs/Rules/<ID>.md for every rule from the rule files.")
            @OptionGroup var rules: RulesOptions
            @Option(name: .shortAndLong, help: "Output folder.") var output = "Docs/Rules"

            func run() throws {
                let catalog = try RuleCatalog.load(directory: rules.directory)
                let n = try RuleDocs.write(catalog, to: URL(fileURLWithPath: output))
                print("wrote \(n) pages to \(output)")
            }
        }

        struct Init: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write an overrides file with every rule's defaults commented out.")
            @OptionGroup var rules: RulesOptions
            @Option(name: .shortAndLong, help: "Output file (default: <rules>/overrides.yaml).") var output: String?
            @Flag(help: "Overwrite an existing file.") var force = false

            func run() throws {
                let catalog = try RuleCatalog.load(directory: rules.directory)
                let path = output ?? rules.directory.appendingPathComponent(RuleCatalog.overridesFileName).path
                if FileManager.default.fileExists(atPath: path) && !force {
                    throw ValidationError("\(path) exists; pass --force to overwrite it")
                }
                try Data(RuleOverrides.template(for: catalog.rules).utf8).write(to: URL(fileURLWithPath: path))
                print("wrote \(path)")
            }
        }
    }
}
