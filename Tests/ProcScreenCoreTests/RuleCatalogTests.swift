import Foundation
import Testing
@testable import ProcScreenCore

@Suite("Rule catalog")
struct RuleCatalogTests {
    /// A copy of Rules/ in a scratch folder, to break on purpose.
    func scratchRules() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try FileManager.default.removeItem(at: dir.url)
        try FileManager.default.copyItem(at: Paths.rules, to: dir.url)
        try? FileManager.default.removeItem(at: dir.url.appendingPathComponent(RuleCatalog.overridesFileName))
        return dir
    }

    func errors(_ dir: TemporaryDirectory) -> [RuleFileError] {
        switch Result(catching: { () throws(RuleCatalogError) in try RuleCatalog.load(directory: dir.url) }) {
        case .success: return []
        case .failure(let e): return e.errors
        }
    }

    func edit(_ dir: TemporaryDirectory, _ file: String, _ transform: (String) -> String) throws {
        let url = dir.url.appendingPathComponent(file)
        try Data(transform(try String(contentsOf: url, encoding: .utf8)).utf8).write(to: url)
    }

    @Test func shippedRulesAreValid() throws {
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        #expect(catalog.rules.map(\.id) == catalog.rules.map(\.id).sorted())
        #expect(Set(catalog.oversight.codes) == ["PACC", "NACC", "OAG", "BB", "CGD", "OPDC_KTP", "OTCC"])
        for body in catalog.oversight.bodies { #expect(!body.name.th.isEmpty && !body.name.en.isEmpty) }
    }

    @Test func registryMatchesRuleFilesBothWays() throws {
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let swiftRules = catalog.rules.compactMap { rule -> String? in
            if case .swift(let name) = rule.kind { return name } else { return nil }
        }
        #expect(Set(swiftRules) == Set(allIndicators.map { implementationName($0) }))
        let ids = allIndicators.map { $0.id }
        #expect(ids == ids.sorted(), "keep the registry sorted by id")
        for type in allIndicators { #expect(catalog.rule(type.id) != nil, "\(type.id) has no rule file") }
    }

    @Test func unknownKeyIsAnErrorWithFileAndKeyPath() throws {
        let dir = try scratchRules()
        try edit(dir, "competition/BP-01-single-bid.yaml") { $0 + "colour: red\n" }
        let e = errors(dir)
        #expect(e.count == 1)
        #expect(e.first?.path.hasSuffix("competition/BP-01-single-bid.yaml") == true)
        #expect(e.first?.reason.contains("unknown key 'colour'") == true)
        #expect(e.first?.line != nil)
    }

    @Test func unknownParameterKeyNamesTheKeyPath() throws {
        let dir = try scratchRules()
        try edit(dir, "competition/BP-01-single-bid.yaml") {
            $0.replacingOccurrences(of: "type: boolean, description", with: "type: boolean, dflt: 1, description")
        }
        #expect(errors(dir).first?.keyPath == "parameters.null_status_as_valid")
    }

    @Test func badPatternIsAnError() throws {
        let dir = try scratchRules()
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("procedure"), withIntermediateDirectories: true)
        try Data("""
            id: TH-90
            version: 1
            title: {th: "ทดสอบ", en: "Test"}
            category: procedure
            severity: low
            weight: 0.1
            kind: pattern
            field: project_name
            pattern: "ก่อสร้าง("
            route_to: [CGD]
            rationale: "test"

            """.utf8).write(to: dir.url.appendingPathComponent("procedure/TH-90-test.yaml"))
        let e = errors(dir)
        #expect(e.count == 1)
        #expect(e.first?.keyPath == "pattern")
        #expect(e.first?.reason.contains("missing closing parenthesis") == true)
    }

    @Test func sqlThatDoesNotPrepareIsAnError() throws {
        let dir = try scratchRules()
        try edit(dir, "data_quality/DQ-07-duplicate-contract-number.yaml") {
            $0.replacingOccurrences(of: "FROM contracts c JOIN", with: "FROM contrcts c JOIN")
        }
        let e = errors(dir)
        #expect(e.first?.keyPath == "sql")
        #expect(e.first?.reason.contains("no such table: contrcts") == true)
    }

    @Test func sqlWithUnknownParameterOrWriteIsAnError() throws {
        let dir = try scratchRules()
        try edit(dir, "data_quality/DQ-07-duplicate-contract-number.yaml") {
            $0.replacingOccurrences(of: ":min_winners", with: ":max_winners")
        }
        #expect(errors(dir).first?.reason.contains(":max_winners is not a parameter") == true)
    }

    @Test(arguments: [
        ("category: competition", "category: competitions", "category"),
        ("severity: high", "severity: severe", "severity"),
        ("route_to: [CGD, OAG]", "route_to: [CGD, FBI]", "route_to[1]"),
        ("  th: \"มีผู้ยื่นข้อเสนอเพียงรายเดียว\"\n", "", "title.th"),
        ("{value: true, type: boolean", "{value: 3, type: boolean", "parameters.null_status_as_valid.value"),
        ("implementation: SingleBidIndicator", "implementation: NoSuchIndicator", "implementation"),
    ])
    func invalidValuesNameTheKey(_ find: String, _ replace: String, _ keyPath: String) throws {
        let dir = try scratchRules()
        try edit(dir, "competition/BP-01-single-bid.yaml") { $0.replacingOccurrences(of: find, with: replace) }
        let e = errors(dir)
        #expect(e.contains { $0.keyPath == keyPath }, "\(e)")
    }

    @Test func duplicateIDsAreRejected() throws {
        let dir = try scratchRules()
        try FileManager.default.copyItem(at: dir.url.appendingPathComponent("competition/BP-01-single-bid.yaml"),
                                         to: dir.url.appendingPathComponent("competition/BP-01-copy.yaml"))
        #expect(errors(dir).contains { $0.reason.contains("duplicate id BP-01") })
    }

    @Test func overridesChangeDefaultsAndAreChecked() throws {
        let dir = try scratchRules()
        try Data("""
            BP-01:
              severity: medium
              parameters:
                methods: [e_bidding]
            TH-01:
              enabled: false

            """.utf8).write(to: dir.url.appendingPathComponent("overrides.yaml"))
        let catalog = try RuleCatalog.load(directory: dir.url)
        #expect(catalog.rule("BP-01")?.severity == .medium)
        #expect(try catalog.rule("BP-01")?.strings("methods") == ["e_bidding"])
        #expect(catalog.rule("TH-01") == nil)

        try Data("BP-01:\n  parameters:\n    methods: 3\n".utf8).write(to: dir.url.appendingPathComponent("overrides.yaml"))
        #expect(errors(dir).first?.keyPath == "BP-01.parameters.methods")
        try Data("XX-99:\n  weight: 0.1\n".utf8).write(to: dir.url.appendingPathComponent("overrides.yaml"))
        #expect(errors(dir).first?.reason.contains("no rule with this id") == true)
    }

    @Test func initTemplateIsAllCommentedAndLoads() throws {
        let dir = try scratchRules()
        let catalog = try RuleCatalog.load(directory: dir.url)
        let template = RuleOverrides.template(for: catalog.rules)
        #expect(template.split(separator: "\n").allSatisfy { $0.hasPrefix("#") })
        for rule in catalog.rules { #expect(template.contains("#\(rule.id):")) }
        try Data(template.utf8).write(to: dir.url.appendingPathComponent("overrides.yaml"))
        #expect(try RuleCatalog.load(directory: dir.url).rules.count == catalog.rules.count)
        // Uncommenting a rule's block gives valid YAML with the defaults.
        let lines = template.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "#BP-01:"))
        let block = lines[start...].prefix { !$0.isEmpty }.map { String($0.dropFirst()) }
        try Data((block.joined(separator: "\n") + "\n").utf8).write(to: dir.url.appendingPathComponent("overrides.yaml"))
        #expect(try RuleCatalog.load(directory: dir.url).rule("BP-01")?.weight == 0.25)
    }

    @Test func generatedDocsAreUpToDate() throws {
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let docs = Paths.repository.appendingPathComponent("Docs/Rules")
        for (name, text) in RuleDocs.pages(for: catalog) {
            let committed = try? String(contentsOf: docs.appendingPathComponent(name), encoding: .utf8)
            #expect(committed == text, "Docs/Rules/\(name) is stale: run `procscreen rules docs`")
        }
        let committedPages = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasSuffix(".md") }
        #expect(Set(committedPages) == Set(RuleDocs.pages(for: catalog).keys), "pages without a rule")
    }
}

@Suite("Fences")
struct QuantileTests {
    @Test func hyndmanFanType8() {
        let x = (1...10).map(Double.init)
        #expect(abs(Quantiles.type8(x, 0.25) - 2.91667) < 1e-4)
        #expect(abs(Quantiles.type8(x, 0.75) - 8.08333) < 1e-4)
        #expect(Quantiles.type8([5], 0.25) == 5)
        #expect(Quantiles.type8([1, 2], 0.0) == 1)
    }

    @Test func tukeyFencesAndDegenerateStrata() {
        let f = TukeyFence(values: (1...10).map(Double.init), k: 1.5)
        #expect(abs(f.lower - (2.91667 - 1.5 * 5.16667)) < 1e-3)
        #expect(f.isLowOutlier(-5) && !f.isLowOutlier(3))
        #expect(f.isHighOutlier(20) && !f.isHighOutlier(8))
        // IQR = 0: comparisons become strict so the bulk never raises itself.
        let flat = TukeyFence(values: [4, 4, 4, 4, 9], k: 1.5)
        #expect(!flat.isHighOutlier(4) && flat.isHighOutlier(9))
    }
}
