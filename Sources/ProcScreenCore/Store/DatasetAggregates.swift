import Foundation

/// Aggregates computed in SQL for dataset indicators (fences over a whole population).
///
/// Read on a read-only connection; every query covers the whole store, because a stratum's
/// fence depends on the population, not on the projects being screened.
public final class DatasetAggregates {
    let db: Database

    public init(db: Database) { self.db = db }

    /// One project's winner and best other bid (INDICATORS.md §1.2: W and L).
    public struct WinnerRunnerUp: Sendable, Equatable {
        public var projectID: String
        public var agencyID: String?
        public var ministry: String?
        public var method: ProcurementMethod?
        public var projectType: String?
        /// budget, else reference price (the value band).
        public var bandValue: Int64?
        public var fiscalYear: Int?
        public var currency: String
        /// Distinct winners among the valid bidders.
        public var winners: Int
        /// W: the winner's lowest valid bid.
        public var winningBid: Int64?
        public var winner: String?
        /// L: the lowest valid bid of any other bidder.
        public var runnerUpBid: Int64?
        public var runnerUp: String?
    }

    /// W and L for every project (projects without valid bids have nil prices and 0 winners).
    /// The winner is the bidder flagged `is_winner`, else the project's single contract winner.
    public func winnerRunnerUp(nullStatusAsValid: Bool) throws -> [WinnerRunnerUp] {
        let statement = try db.prepare(sql: """
            WITH flagged AS (
                SELECT project_id, max(coalesce(is_winner, 0)) AS any_flag FROM bids GROUP BY project_id
            ),
            contract_winner AS (
                SELECT project_id, min(winner_id) AS winner_id FROM contracts
                WHERE winner_id IS NOT NULL GROUP BY project_id HAVING count(DISTINCT winner_id) = 1
            ),
            valid AS (
                SELECT b.project_id, coalesce(b.bidder_id, b.bidder_name) AS bidder, min(b.price) AS price,
                       max(CASE WHEN f.any_flag = 1 THEN coalesce(b.is_winner, 0)
                                ELSE (b.bidder_id IS NOT NULL AND b.bidder_id = cw.winner_id) END) AS won
                FROM bids b JOIN flagged f USING (project_id) LEFT JOIN contract_winner cw USING (project_id)
                WHERE b.price > 0 AND (b.status = 'valid' OR (b.status IS NULL AND ?1))
                GROUP BY b.project_id, bidder
            ),
            ranked AS (
                SELECT project_id, sum(won) AS winners,
                       min(CASE WHEN won = 1 THEN price END) AS w, min(CASE WHEN won = 0 THEN price END) AS l
                FROM valid GROUP BY project_id
            )
            SELECT p.project_id, p.agency_id, p.ministry, p.method, p.project_type, coalesce(p.budget, p.reference_price),
                   p.fiscal_year, p.currency, coalesce(r.winners, 0), r.w,
                   (SELECT bidder FROM valid v WHERE v.project_id = r.project_id AND v.won = 1 ORDER BY price LIMIT 1),
                   r.l,
                   (SELECT bidder FROM valid v WHERE v.project_id = r.project_id AND v.won = 0 ORDER BY price LIMIT 1)
            FROM projects p LEFT JOIN ranked r USING (project_id)
            """)
        try statement.bind(.integer(nullStatusAsValid ? 1 : 0), at: 1)
        var rows: [WinnerRunnerUp] = []
        while try statement.step() {
            rows.append(WinnerRunnerUp(
                projectID: statement.string(0) ?? "", agencyID: statement.string(1), ministry: statement.string(2),
                method: statement.string(3).flatMap(ProcurementMethod.init(rawValue:)), projectType: statement.string(4),
                bandValue: statement.int64(5), fiscalYear: statement.int64(6).map(Int.init),
                currency: statement.string(7) ?? "THB", winners: Int(statement.int64(8) ?? 0),
                winningBid: statement.int64(9), winner: statement.string(10), runnerUpBid: statement.int64(11),
                runnerUp: statement.string(12)))
        }
        return rows
    }
}
