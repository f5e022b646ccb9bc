import Foundation

/// The store queries behind `procscreen show FIRM_ID`: one firm's register facts, bids, wins,
/// co-bidders and the findings of a run that name it.
extension ScreenStore {
    public struct FirmFacts: Sendable {
        public var name: String?
        public var registeredDate: String?
        public var address: String?
        public var phone: String?
        public var email: String?
        public var antiCorruptionPolicy: Bool?
        public var directors: [(name: String?, id: String?)] = []
        public var debarments: [(listed: String?, delisted: String?)] = []
    }

    public struct FirmBid: Sendable {
        public var projectID: String
        public var projectName: String?
        public var agency: String?
        public var fiscalYear: Int?
        public var price: Int64?
        public var currency: String
        public var status: String?
        public var won: Bool
    }

    public struct CoBidder: Sendable {
        public var firmID: String
        public var name: String?
        public var sharedTenders: Int
        /// Of the shared tenders: won by this firm, won by the co-bidder.
        public var wonByFirm: Int
        public var wonByOther: Int
    }

    /// The firm's register row (nil when it is only known from bids or contracts).
    public func firmFacts(_ firmID: String) throws -> FirmFacts? {
        guard let row = try db.query(sql: """
            SELECT name, registered_date, address, phone, email, anti_corruption_policy FROM firms WHERE firm_id = ?
            """, bindings: [firmID]).first else { return nil }
        var facts = FirmFacts(name: row[0].string, registeredDate: row[1].string, address: row[2].string, phone: row[3].string,
                              email: row[4].string, antiCorruptionPolicy: row[5].int64.map { $0 != 0 })
        facts.directors = try db.query(sql: "SELECT director_name, director_id FROM firm_directors WHERE firm_id = ? ORDER BY director_name",
                                       bindings: [firmID]).map { ($0[0].string, $0[1].string) }
        facts.debarments = try db.query(sql: """
            SELECT listed_date, delisted_date FROM lists WHERE list_name = 'debarred' AND firm_id = ? ORDER BY listed_date
            """, bindings: [firmID]).map { ($0[0].string, $0[1].string) }
        return facts
    }

    /// Whether the store knows the firm at all: a register row, a bid or a contract.
    public func knowsFirm(_ firmID: String) throws -> Bool {
        try db.scalar(sql: """
            SELECT EXISTS (SELECT 1 FROM firms WHERE firm_id = ?1) OR EXISTS (SELECT 1 FROM bids WHERE bidder_id = ?1)
                OR EXISTS (SELECT 1 FROM contracts WHERE winner_id = ?1)
            """, bindings: [firmID]).int64 == 1
    }

    /// The firm's bids, newest fiscal year first; `won` from the bid's flag or a contract.
    public func firmBids(_ firmID: String) throws -> [FirmBid] {
        try db.query(sql: """
            SELECT b.project_id, p.project_name, coalesce(p.agency_name, p.agency_id), p.fiscal_year, b.price,
                   coalesce(b.currency, p.currency, 'THB'), b.status,
                   coalesce(b.is_winner, 0) OR EXISTS (SELECT 1 FROM contracts c WHERE c.project_id = b.project_id AND c.winner_id = b.bidder_id)
            FROM bids b LEFT JOIN projects p USING (project_id)
            WHERE b.bidder_id = ?
            ORDER BY p.fiscal_year DESC, b.project_id DESC
            """, bindings: [firmID]).map {
            FirmBid(projectID: $0[0].string ?? "", projectName: $0[1].string, agency: $0[2].string, fiscalYear: $0[3].int64.map(Int.init),
                    price: $0[4].int64, currency: $0[5].string ?? "THB", status: $0[6].string, won: $0[7].int64 == 1)
        }
    }

    /// Contracts won (count and amount in satang, baht contracts only in the amount).
    public func firmContracts(_ firmID: String) throws -> (count: Int, amount: Int64) {
        let row = try db.query(sql: """
            SELECT count(*), coalesce(sum(CASE WHEN coalesce(c.currency, p.currency, 'THB') = 'THB' THEN c.amount END), 0)
            FROM contracts c LEFT JOIN projects p USING (project_id) WHERE c.winner_id = ?
            """, bindings: [firmID])[0]
        return (Int(row[0].int64 ?? 0), row[1].int64 ?? 0)
    }

    /// The firms it bid against most often, with who won their shared tenders.
    public func coBidders(_ firmID: String, limit: Int = 15) throws -> [CoBidder] {
        try db.query(sql: """
            WITH mine AS (SELECT DISTINCT project_id FROM bids WHERE bidder_id = ?1),
                 winners AS (SELECT project_id, max(CASE WHEN is_winner = 1 THEN bidder_id END) AS winner FROM bids
                             WHERE project_id IN (SELECT project_id FROM mine) GROUP BY project_id)
            SELECT o.bidder_id, max(o.bidder_name), count(DISTINCT o.project_id),
                   count(DISTINCT CASE WHEN w.winner = ?1 THEN o.project_id END),
                   count(DISTINCT CASE WHEN w.winner = o.bidder_id THEN o.project_id END)
            FROM bids o JOIN mine USING (project_id) LEFT JOIN winners w USING (project_id)
            WHERE o.bidder_id IS NOT NULL AND o.bidder_id <> ?1
            GROUP BY o.bidder_id ORDER BY 3 DESC, 1 LIMIT ?2
            """, bindings: [firmID, limit]).map {
            CoBidder(firmID: $0[0].string ?? "", name: $0[1].string, sharedTenders: Int($0[2].int64 ?? 0),
                     wonByFirm: Int($0[3].int64 ?? 0), wonByOther: Int($0[4].int64 ?? 0))
        }
    }

    /// The findings of run `runID` that name the firm, one per rule and subject (rings first, then
    /// pairs, the firm, agencies; a project-level rule once with all its projects), with the
    /// projects they are linked to.
    public func firmFindings(runID: Int64, firmID: String) throws -> [(finding: Finding, projects: [String])] {
        let rows = try withFencesFilledIn(try db.query(sql: """
            SELECT run_id, rule_id, rule_version, category, severity, weight, subject_type, subject_id, project_id,
                   agency_id, ministry, route_to, evidence, summary, summary_th, value, firms
            FROM run_findings WHERE run_id = ? AND instr(',' || firms || ',', ',' || ? || ',') > 0
            ORDER BY weight DESC, rule_id, subject_id, project_id
            """, bindings: [runID, firmID]).map { [decoder = JSONDecoder()] in Self.finding($0, decoder: decoder) }, runID: runID)
        var order: [String] = []
        var grouped: [String: (Finding, [String])] = [:]
        for f in rows {
            let key = f.ruleID + "\u{1}" + (f.subjectType == SubjectType.project.rawValue ? "" : f.subjectID)
            if grouped[key] == nil {
                order.append(key)
                grouped[key] = (f, [])
            }
            if let p = f.projectID { grouped[key]!.1.append(p) }
        }
        let rank = ["ring": 0, "pair": 1, "firm": 2, "agency": 3]
        return order.enumerated().sorted { a, b in
            let (x, y) = (grouped[a.element]!.0, grouped[b.element]!.0)
            return (rank[x.subjectType] ?? 4, a.offset) < (rank[y.subjectType] ?? 4, b.offset)
        }.map { (grouped[$0.element]!.0, grouped[$0.element]!.1) }
    }
}
