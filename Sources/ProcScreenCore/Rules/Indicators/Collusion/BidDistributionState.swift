import Foundation

/// The bid-distribution population kept in the store (`bid_distribution_state`), so that a scan
/// continuing the run that kept it reads the earlier tenders back instead of observing every
/// project again. Only the tenders whose decision can depend on a fence are kept: those with a
/// stratum and at least two valid bids (the others are decided by their own record alone, and a
/// scan never decides an earlier project again unless its fence moved).
enum BidDistributionState {
    private static let statistics = BidDistribution.Statistic.allCases

    /// The tenders kept by `continuing.previousRun` under `key`, out of scope, their strata
    /// numbered in `strata`; nil when that run kept none (another run kept the population since,
    /// or none did).
    static func load(_ key: String, continuing: DatasetContinuation, strata: StrataIndex) throws -> [BidDistributionPopulation.Tender]? {
        guard let (db, _) = try KeptState.open(key, table: "bid_distribution_state", continuing: continuing) else { return nil }
        let select = try db.prepare(sql: """
            SELECT project_id, agency_id, ministry, bids, method, project_type, value_band, fiscal_year,
                   \(statistics.map(\.rawValue).joined(separator: ", "))
            FROM bid_distribution_state WHERE population = ?
            """)
        try select.bind([key])
        let pool = StringPool()
        var tenders: [BidDistributionPopulation.Tender] = []
        while try select.step() {
            let stratum = Stratum(method: select.string(4, pool: pool) ?? "", projectType: select.string(5, pool: pool),
                                  valueBand: select.string(6, pool: pool), fiscalYear: Int(select.int64(7) ?? 0))
            var distribution = BidDistribution(prices: [])
            for (i, statistic) in statistics.enumerated() { distribution.values[statistic] = select.double(Int32(8 + i)) }
            tenders.append(BidDistributionPopulation.Tender(
                project: ProjectRef(projectID: select.string(0) ?? "", agencyID: select.string(1, pool: pool), ministry: select.string(2, pool: pool)),
                stratumKeys: strata.keys(for: stratum), bids: Int(select.int64(3) ?? 0), distribution: distribution, inScope: false))
        }
        return tenders
    }

    /// Keeps `population` as run `runID` saw it: a population read back gains its new tenders;
    /// one observed whole replaces what was kept.
    static func keep(_ population: BidDistributionPopulation, db: Database, runID: Int64) throws {
        let continued = population.continuation != nil
        if !continued { try db.execute(sql: "DELETE FROM bid_distribution_state WHERE population = ?", bindings: [population.stateKey]) }
        let insert = try db.prepare(sql: """
            INSERT INTO bid_distribution_state (population, project_id, agency_id, ministry, bids, method, project_type, value_band,
                                                fiscal_year, \(statistics.map(\.rawValue).joined(separator: ", ")))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?\(String(repeating: ", ?", count: statistics.count)))
            """)
        for t in population.tenders where (t.inScope || !continued) && t.bids >= 2 {
            guard let keys = t.stratumKeys else { continue }
            let stratum = population.strata.strata[keys[0]]
            insert.bind(text: population.stateKey, at: 1)
            insert.bind(text: t.projectID, at: 2)
            insert.bind(text: t.agencyID, at: 3)
            insert.bind(text: t.ministry, at: 4)
            insert.bind(int: Int64(t.bids), at: 5)
            insert.bind(text: stratum.method, at: 6)
            insert.bind(text: stratum.projectType, at: 7)
            insert.bind(text: stratum.valueBand, at: 8)
            insert.bind(int: Int64(stratum.fiscalYear), at: 9)
            for (i, statistic) in statistics.enumerated() { insert.bind(double: t.distribution.values[statistic], at: Int32(10 + i)) }
            try insert.run()
        }
        try KeptState.tag(population.stateKey, runID: runID, db: db)
    }
}
