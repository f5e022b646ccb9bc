import Foundation
import Testing
@testable import ProcScreenCore

@Suite("Large-project register")
struct LargeProjectRegisterTests {
    @Test func registerAgreesWithThePlantedTruthExactly() throws {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([Paths.sampleData.path])
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        _ = try Engine(store: fixture.store, catalog: catalog).screen()
        let register = try LargeProjectRegister.build(store: fixture.store, catalog: catalog)
        let truth = try JSONDecoder().decode(
            MarketGenerator.Truth.self, from: Data(contentsOf: Paths.sampleData.appendingPathComponent("truth.json")))
        #expect(Set(register.entries.map(\.projectID)) == Set(truth.largeProjects))
        #expect(Set(register.entries.filter { !$0.assessed }.map(\.projectID)) == Set(truth.missingAssessments))
        #expect(Set(register.entries.filter { $0.tier == 2 }.map(\.projectID)) == Set(truth.tier2Projects).intersection(truth.largeProjects))
        for e in register.entries where !e.assessed { #expect(e.findings.contains("LP-02")) }
        #expect(register.byMinistry.reduce(0) { $0 + $1.projects } == register.entries.count)
        #expect(register.byAgency.reduce(0) { $0 + $1.withoutAssessment } == truth.missingAssessments.count)
    }

    @Test func fiscalYearAndMinistryFilters() throws {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([Paths.sampleData.path])
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let all = try LargeProjectRegister.build(store: fixture.store, catalog: catalog)
        let fy = try #require(all.entries.first?.fiscalYear)
        let ministry = try #require(all.entries.first?.ministry)
        #expect(try LargeProjectRegister.build(store: fixture.store, catalog: catalog, fiscalYear: fy).entries.allSatisfy { $0.fiscalYear == fy })
        #expect(try LargeProjectRegister.build(store: fixture.store, catalog: catalog, ministry: ministry).entries.allSatisfy { $0.ministry == ministry })
    }

    @Test func csvIsExcelSafeWithABOM() {
        #expect(LargeProjectRegisterText.csvCell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(LargeProjectRegisterText.csvCell("+66 2 123") == "'+66 2 123")
        #expect(LargeProjectRegisterText.csvCell("-1500.50") == "-1500.50")
        #expect(LargeProjectRegisterText.csvCell("ก, ข") == "\"ก, ข\"")
        let register = LargeProjectRegister(runID: nil, registerLoaded: true, entries: [], byMinistry: [], byAgency: [])
        #expect(LargeProjectRegisterText.csv(register, language: .th).hasPrefix("\u{FEFF}รหัสโครงการ,"))
    }
}
