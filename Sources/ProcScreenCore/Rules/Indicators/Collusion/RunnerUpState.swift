import Foundation

/// The winner/runner-up population of BR-21 and BR-22 kept in the store (`runner_up_state`), so
/// that a scan continuing the run that kept it reads the earlier projects back instead of
/// observing every project again. Only the projects whose ratio enters a fence are kept: every
/// other project is decided by its own record alone.
enum RunnerUpState {
    /// The rows kept by `continuing.previousRun` under `key`; nil when that run kept none.
    static func load(_ key: String, continuing: DatasetContinuation) throws -> [WinnerRunnerUp]? {
        guard let (db, _) = try KeptState.open(key, table: "runner_up_state", continuing: continuing) else { return nil }
        let select = try db.prepare(sql: """
            SELECT project_id, agency_id, ministry, method, project_type, band_value, fiscal_year, winners,
                   winning_bid, winner, runner_up_bid, runner_up, awards_qualify
            FROM runner_up_state WHERE population = ?
            """)
        try select.bind([key])
        let pool = StringPool()
        var rows: [WinnerRunnerUp] = []
        while try select.step() {
            rows.append(WinnerRunnerUp(
                project: ProjectRef(projectID: select.string(0) ?? "", agencyID: select.string(1, pool: pool), ministry: select.string(2, pool: pool)),
                method: select.string(3).flatMap(ProcurementMethod.init(rawValue:)), projectType: select.string(4, pool: pool),
                bandValue: select.int64(5), fiscalYear: select.int64(6).map(Int.init), winners: Int(select.int64(7) ?? 0),
                winningBid: select.int64(8), winner: select.string(9), runnerUpBid: select.int64(10), runnerUp: select.string(11),
                awardsQualify: select.int64(12) != 0))
        }
        return rows
    }

    /// Keeps `rows` under `key` as run `runID`'s; `replacing` drops what was kept before (a
    /// population observed whole), else the rows are added (the new projects of a continuing one).
    static func keep(_ rows: [WinnerRunnerUp], key: String, replacing: Bool, db: Database, runID: Int64) throws {
        if replacing { try db.execute(sql: "DELETE FROM runner_up_state WHERE population = ?", bindings: [key]) }
        let insert = try db.prepare(sql: """
            INSERT INTO runner_up_state (population, project_id, agency_id, ministry, method, project_type, band_value, fiscal_year,
                                         winners, winning_bid, winner, runner_up_bid, runner_up, awards_qualify)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for row in rows {
            insert.bind(text: key, at: 1)
            insert.bind(text: row.projectID, at: 2)
            insert.bind(text: row.agencyID, at: 3)
            insert.bind(text: row.ministry, at: 4)
            insert.bind(text: row.method?.rawValue, at: 5)
            insert.bind(text: row.projectType, at: 6)
            insert.bind(int: row.bandValue, at: 7)
            insert.bind(int: row.fiscalYear.map(Int64.init), at: 8)
            insert.bind(int: Int64(row.winners), at: 9)
            insert.bind(int: row.winningBid, at: 10)
            insert.bind(text: row.winner, at: 11)
            insert.bind(int: row.runnerUpBid, at: 12)
            insert.bind(text: row.runnerUp, at: 13)
            insert.bind(int: row.awardsQualify ? 1 : 0, at: 14)
            try insert.run()
        }
        try KeptState.tag(key, runID: runID, db: db)
    }
}
