import Foundation
import Testing
@testable import ProcScreenCore

/// Cardinal's own labelled cases (`../shared/data/real/oracle_synthetic/cardinal_rs_indicators/`):
/// each `.jsonl` is ingested as OCDS, screened with `Rules-cardinal` and the case's settings, and
/// the findings rendered as Cardinal's JSON must equal the `.expected` file.
@Suite("Cardinal oracle")
struct CardinalOracleTests {
    static let directory = Paths.realData.appendingPathComponent("oracle_synthetic/cardinal_rs_indicators")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(6)) }.sorted()
    }

    /// The settings upstream's test harness (build.rs) gives a case: NPC and EXC, the case's
    /// section, and the settings its file name carries (`-threshold-10`, `+` for `|`,
    /// `R003-procurement_method_details-x-5-y-10`, `-minimum_contracting_processes-1`).
    static func settings(forCase name: String) -> String {
        var parts = name.split(separator: "-").map(String.init)
        let code = parts.removeFirst()
        var ini = "no_price_comparison_procurement_methods = NPC\n[exclusions]\nprocurement_method_details = EXC\n[\(code)]\n"
        let keys = ["threshold", "procurement_methods", "minimum_contracting_processes", "minimum_submitted_bids", "percentile", "digits"]
        var details: [(String, String)] = []
        var i = 0
        while i < parts.count {
            if parts[i] == "procurement_method_details" {
                var j = i + 1
                while j + 1 < parts.count { details.append((parts[j], parts[j + 1])); j += 2 }
                i = j
            } else if keys.contains(parts[i]), i + 1 < parts.count {
                ini += "\(parts[i]) = \(parts[i + 1].replacingOccurrences(of: "+", with: "|"))\n"
                i += 2
            } else {
                i += 1   // a label, such as R038-tenderer
            }
        }
        if !details.isEmpty {
            ini += "[\(code).procurement_method_details]\n" + details.map { "\($0.0) = \($0.1)\n" }.joined()
        }
        return ini
    }

    @Test func everyUpstreamCaseIsPresent() {
        #expect(Self.cases.count == 16, "\(Self.cases)")
    }

    @Test(arguments: cases)
    func caseMatchesCardinal(_ name: String) throws {
        let fixture = try StoreFixture()
        let summary = try fixture.ingest([Self.directory.appendingPathComponent(name + ".jsonl").path])
        #expect(summary.failedFiles.isEmpty)
        let base = try RuleCatalog.load(directory: Paths.repository.appendingPathComponent("Rules-cardinal"))
        let catalog = try CardinalSettings(ini: Self.settings(forCase: name)).apply(to: base)
        let run = try Engine(store: fixture.store, catalog: catalog).screen()
        let got = try CardinalReport.render(store: fixture.store, runID: run.runID)
        let expectedData = try Data(contentsOf: Self.directory.appendingPathComponent(name + ".expected"))
        let expected = try JSONDecoder().decode(CardinalReport.Groups.self, from: expectedData)
        let text = try CardinalReport.json(got)
        #expect(got == expected, "\(name): got \(text)")
    }
}
