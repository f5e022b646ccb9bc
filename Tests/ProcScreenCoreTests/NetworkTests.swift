import Foundation
import Testing
@testable import ProcScreenCore

/// The cross-tender rules on the planted market of SampleData, and the firm view.
@Suite("Rings, pairs and splitting")
struct NetworkTests {
    func screened(_ rules: Set<String>) throws -> (StoreFixture, Int64, MarketGenerator.Truth) {
        let fixture = try StoreFixture()
        _ = try fixture.ingest([Paths.sampleData.path])
        let catalog = try RuleCatalog.load(directory: Paths.rules)
        let summary = try Engine(store: fixture.store, catalog: catalog).screen(ScreenOptions(only: rules))
        let truth = try JSONDecoder().decode(MarketGenerator.Truth.self,
                                             from: Data(contentsOf: Paths.sampleData.appendingPathComponent("truth.json")))
        return (fixture, summary.runID, truth)
    }

    @Test func everyPlantedRingIsFoundWholeAndSplitsAreFound() throws {
        let (fixture, run, truth) = try screened(["BP-06", "TH-03"])
        let rings = try fixture.store.db.query(sql: "SELECT DISTINCT firms FROM findings WHERE run_id = ? AND rule_id = 'BP-06'", bindings: [run])
            .compactMap { $0[0].string.map { Set($0.split(separator: ",").map(String.init)) } }
        for planted in truth.rings {
            #expect(rings.contains(Set(planted.members)), "ring \(planted.members) not found whole")
        }
        // Every ring tender of the window is linked to its ring's finding, with the winner listed.
        let linked = Set(try fixture.store.db.query(sql: "SELECT project_id FROM findings WHERE run_id = ? AND rule_id = 'BP-06'", bindings: [run])
            .compactMap { $0[0].string })
        let window = try fixture.store.db.query(sql: "SELECT max(fiscal_year) FROM projects")[0][0].int64.map(Int.init)!
        for planted in truth.rings {
            let inWindow = try planted.projects.filter { id in
                let fy = try fixture.store.db.query(sql: "SELECT fiscal_year FROM projects WHERE project_id = ?", bindings: [id])[0][0].int64
                return Int(fy ?? 0) > window - 3
            }
            #expect(Set(inWindow).isSubset(of: linked))
        }
        let split = Set(try fixture.store.db.query(sql: "SELECT project_id FROM findings WHERE run_id = ? AND rule_id = 'TH-03'", bindings: [run])
            .compactMap { $0[0].string })
        #expect(Set(truth.splits.flatMap(\.projects)).isSubset(of: split))
    }

    @Test func theFirmViewShowsBidsCoBiddersAndTheRing() throws {
        let (fixture, _, truth) = try screened(["BP-06", "BP-07"])
        let member = truth.rings[0].members[0]
        let view = try #require(try FirmView.load(store: fixture.store, firmID: member))
        #expect(view.bids.count == truth.rings[0].projects.count)
        #expect(view.bids.filter(\.won).count == truth.rings[0].winners.filter { $0 == member }.count)
        #expect(Set(view.coBidders.prefix(truth.rings[0].members.count - 1).map(\.firmID)) == Set(truth.rings[0].members.dropFirst()))
        let ring = try #require(view.findings.first { $0.finding.ruleID == "BP-06" })
        #expect(ring.finding.subjectType == "ring")
        #expect(Set(ring.finding.firms) == Set(truth.rings[0].members))
        let text = FirmViewText.render(view, catalog: nil, language: .en)
        #expect(text.contains("Winner rotation") || text.contains("took turns"))
        #expect(try FirmView.load(store: fixture.store, firmID: "0000000000000") == nil)
    }
}
