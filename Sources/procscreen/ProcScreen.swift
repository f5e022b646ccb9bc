import ArgumentParser
import Foundation
import ProcScreenCore

@main
struct ProcScreen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procscreen",
        abstract: "Screen Thai public procurement for bid-rigging and large-project corruption risks.",
        discussion: """
            Ingest e-GP procurement records into a SQLite store, screen them with the rules in Rules/,
            and report flagged projects with their evidence and the oversight bodies to act.
            Exit codes: 0 ok, 1 error, 2 usage, 3 findings at or above --fail-on.
            """,
        subcommands: [Ingest.self, Screen.self, Show.self, Report.self, Scan.self, LargeProjects.self, Rules.self, Generate.self, Cardinal.self])

    /// As ArgumentParser's, except that usage errors exit with 2 (DESIGN.md), not EX_USAGE (64).
    static func main() {
        Allocator.returnLargeBlocksWhenFreed()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error).rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Options every store-reading command shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite store (created when missing).")
    var db: String = "procscreen.db"
}

/// `--fiscal-year` takes a Buddhist-era year: a Gregorian one (2024) would select nothing, silently.
func validateFiscalYear(_ fiscalYear: Int?) throws {
    if let fiscalYear, !(2400...2800).contains(fiscalYear) {
        throw ValidationError("--fiscal-year is a Buddhist-era year such as 2567")
    }
}

/// Where the rule files and mappings live.
struct RulesOptions: ParsableArguments {
    @Option(name: .long, help: "The rules folder (rule files and mappings/).")
    var rules: String?

    /// `--rules`, else $PROCSCREEN_RULES, else ./Rules.
    var directory: URL {
        if let rules { return URL(fileURLWithPath: rules) }
        if let env = ProcessInfo.processInfo.environment["PROCSCREEN_RULES"] { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: "Rules")
    }
}
