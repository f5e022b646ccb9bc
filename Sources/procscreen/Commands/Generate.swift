import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a deterministic synthetic Thai procurement market as a CSV bundle or as OCDS.",
            discussion: """
                The bundle has agencies, firms, directors, projects, bids, contracts, risk_assessments and
                lists/, plus truth.json listing the planted misconduct (bidder rings, split purchases, large
                projects without a risk assessment, …) so that screens can be scored against it.
                With --format ocds the projects, bids and contracts are written as OCDS compiled releases
                (releases.jsonl) instead; the registers OCDS does not carry stay CSV. The same seed gives the
                same market in both formats.
                """)

        @Option(help: "Number of projects.")
        var projects: Int

        @Option(help: "Random seed; the same seed gives the same market.")
        var seed: UInt64 = 2568

        @Option(help: "Share of honest projects using a competitive method (0-1).")
        var competitiveShare: Double = 0.2

        @Option(help: "Mean number of bidders on a competitive tender.")
        var meanBidders: Double = 3.0

        @Option(name: .shortAndLong, help: "Output folder.")
        var output: String

        @Option(help: "bundle (CSV) or ocds (compiled releases as JSON lines, registers as CSV).")
        var format: MarketFormat = .bundle

        @OptionGroup var rules: RulesOptions

        enum MarketFormat: String, ExpressibleByArgument { case bundle, ocds }

        func validate() throws {
            guard projects > 0 else { throw ValidationError("--projects must be positive") }
            guard (0...1).contains(competitiveShare) else { throw ValidationError("--competitive-share must be between 0 and 1") }
            guard meanBidders >= 1 else { throw ValidationError("--mean-bidders must be at least 1") }
        }

        func run() throws {
            var configuration = MarketGenerator.Configuration(projects: projects, seed: seed)
            configuration.competitiveShare = competitiveShare
            configuration.meanBidders = meanBidders
            let started = Date()
            let generator = MarketGenerator(configuration: configuration)
            let summary = format == .ocds
                ? try generator.writeOCDS(to: output, mapping: try FieldMapping(rulesDirectory: rules.directory))
                : try generator.write(to: output)
            let truth = summary.truth
            print("""
                wrote \(output): \(summary.projects) projects, \(summary.bids) bids, \(summary.contracts) contracts, \
                \(summary.firms) firms, \(summary.agencies) agencies, \(summary.assessments) risk assessments \
                in \(String(format: "%.1f", Date().timeIntervalSince(started))) s
                planted: \(truth.rings.count) rings, \(truth.splits.count) split purchases, \(truth.largeProjects.count) large projects \
                (\(truth.missingAssessments.count) without assessment), \(truth.specificAboveLimit.count) specific above 500,000 baht
                """)
        }
    }
}
