import Foundation

/// The store queries behind `procscreen report`: a run's findings with their projects, the
/// run's rule statistics and parameters, and what could not be computed.
extension ScreenStore {
    /// Filters on the projects a report covers (`nil`: no filter).
    public struct ProjectFilter: Sendable {
        public var ministry: String?
        public var agency: String?
        public var province: String?
        public var fiscalYear: Int?
        public var category: String?

        public init(ministry: String? = nil, agency: String? = nil, province: String? = nil, fiscalYear: Int? = nil, category: String? = nil) {
            self.ministry = ministry
            self.agency = agency
            self.province = province
            self.fiscalYear = fiscalYear
            self.category = category
        }
    }

    /// A project as a report lists it.
    public struct ReportProject: Sendable {
        public var projectID: String
        public var name: String?
        public var ministry: String?
        public var agencyID: String?
        public var agencyName: String?
        public var subAgency: String?
        public var province: String?
        public var method: String?
        public var methodRaw: String?
        public var fiscalYear: Int?
        public var budget: Int64?
        public var referencePrice: Int64?
        public var agreedPrice: Int64?
        public var currency: String
        public var score: Double
        public var priority: Int
        public var winnerID: String?
        public var winnerName: String?
    }

    /// The findings of run `runID` on projects that pass `filter`, each with its project, in
    /// priority order (then weight and rule).
    /// Streamed, not collected: at 1 M projects the run has half a million findings. The body
    /// gets each finding without its evidence, and a function that reads and decodes it: the sort
    /// by priority never carries the evidence (at 1 M projects the whole report's peak was that
    /// sort's), and only the findings a format prints with their evidence are looked up (decoding
    /// every finding was a quarter of the CSV report's time). It returns false to stop.
    public func forEachReportFinding(runID: Int64, filter: ProjectFilter,
                                     _ body: (Finding, ReportProject, _ evidence: () throws -> [Evidence]) throws -> Bool) throws {
        let decoder = JSONDecoder()
        let evidenceOf = try db.prepare(sql: "SELECT evidence FROM findings WHERE finding_id = ?")
        let fences = fenceLookup(runID: runID)
        var stopped = false
        // The run's priorities are ranked once, in a CTE (joined directly, the ranking view would
        // be computed for every run).
        try db.forEachRow(sql: """
            WITH s AS (SELECT project_id, score, priority FROM run_priorities WHERE run_id = ?1)
            SELECT f.run_id, f.rule_id, f.rule_version, f.category, f.severity, f.weight, f.subject_type, f.subject_id, f.project_id,
                   f.agency_id, f.ministry, f.route_to, f.finding_id, f.summary, f.summary_th, f.value, f.firms,
                   p.project_name, coalesce(p.ministry, a.ministry), p.agency_id, coalesce(p.agency_name, a.agency_name),
                   p.sub_agency_name, coalesce(p.province, a.province), p.method, p.method_raw, p.fiscal_year, p.budget,
                   p.reference_price, p.agreed_price, coalesce(p.currency, 'THB'), coalesce(s.score, 0), coalesce(s.priority, 0)
            FROM run_findings f JOIN projects p ON p.project_id = f.project_id
                 LEFT JOIN agencies a ON a.agency_id = p.agency_id
                 LEFT JOIN s ON s.project_id = f.project_id
            WHERE f.run_id = ?1
              AND (?2 IS NULL OR coalesce(p.ministry, a.ministry) = ?2)
              AND (?3 IS NULL OR p.agency_id = ?3 OR coalesce(p.agency_name, a.agency_name) = ?3)
              AND (?4 IS NULL OR coalesce(p.province, a.province) = ?4)
              AND (?5 IS NULL OR p.fiscal_year = ?5)
              AND (?6 IS NULL OR f.category = ?6)
            ORDER BY coalesce(s.priority, 1e18), f.project_id, f.weight DESC, f.rule_id, f.subject_id
            """, bindings: [runID, filter.ministry, filter.agency, filter.province, filter.fiscalYear, filter.category]) { row in
            guard !stopped else { return }
            let finding = Self.finding(row, decoder: nil)
            let project = ReportProject(
                projectID: finding.projectID ?? "", name: row[17].string, ministry: row[18].string, agencyID: row[19].string,
                agencyName: row[20].string, subAgency: row[21].string, province: row[22].string, method: row[23].string,
                methodRaw: row[24].string, fiscalYear: row[25].int64.map(Int.init), budget: row[26].int64, referencePrice: row[27].int64,
                agreedPrice: row[28].int64, currency: row[29].string ?? "THB", score: row[30].double ?? 0, priority: Int(row[31].int64 ?? 0),
                winnerID: nil, winnerName: nil)
            let findingID = row[12].int64 ?? 0
            stopped = try !body(finding, project) {
                evidenceOf.reset()
                evidenceOf.bind(int: findingID, at: 1)
                guard try evidenceOf.step(), let json = evidenceOf.string(0) else { return [] }
                return try fences.resolve((try? decoder.decode([Evidence].self, from: Data(json.utf8))) ?? [], ruleID: finding.ruleID)
            }
        }
    }

    /// Looks up one project's winner (a contract's, else the bid flagged as winning) with
    /// statements prepared once: a streamed report asks for each project as it passes.
    public func winnerLookup() throws -> (_ projectID: String) throws -> (id: String, name: String?)? {
        let contract = try db.prepare(sql: """
            SELECT winner_id, winner_name FROM contracts WHERE project_id = ? AND winner_id IS NOT NULL ORDER BY source_line LIMIT 1
            """)
        let bid = try db.prepare(sql: """
            SELECT bidder_id, bidder_name FROM bids WHERE project_id = ? AND is_winner = 1 AND bidder_id IS NOT NULL LIMIT 1
            """)
        return { id in
            for statement in [contract, bid] {
                statement.reset()
                statement.bind(text: id, at: 1)
                if try statement.step(), let winner = statement.string(0) { return (winner, statement.string(1)) }
            }
            return nil
        }
    }

    /// The run's start and end, rules directory, and kind.
    public func runInfo(_ runID: Int64) throws -> (kind: String, started: String, finished: String?, rulesDirectory: String?)? {
        try db.query(sql: "SELECT kind, started_at, finished_at, rules_dir FROM runs WHERE run_id = ?", bindings: [runID]).first.map {
            ($0[0].string ?? "", $0[1].string ?? "", $0[2].string, $0[3].string)
        }
    }

    public struct RuleRunStats: Sendable {
        public var ruleID: String
        public var version: Int
        public var raised: Int
        public var notRaised: Int
        public var notApplicable: Int
        public var notComputable: Int
        /// The effective parameters, as `name=value` pairs.
        public var parameters: [String: String]
    }

    /// Each rule of the run with its outcome counts and effective parameters.
    public func ruleStats(_ runID: Int64) throws -> [RuleRunStats] {
        try db.query(sql: """
            SELECT rule_id, rule_version, raised, not_raised, not_applicable, not_computable, parameters
            FROM run_rule_stats WHERE run_id = ? ORDER BY rule_id
            """, bindings: [runID]).map { row in
            let parameters = (try? JSONDecoder().decode([String: String].self, from: Data((row[6].string ?? "{}").utf8))) ?? [:]
            return RuleRunStats(ruleID: row[0].string ?? "", version: Int(row[1].int64 ?? 0), raised: Int(row[2].int64 ?? 0),
                                notRaised: Int(row[3].int64 ?? 0), notApplicable: Int(row[4].int64 ?? 0),
                                notComputable: Int(row[5].int64 ?? 0), parameters: parameters)
        }
    }

    /// Not-computable records of the run per rule and reason.
    public func notComputableCounts(_ runID: Int64) throws -> [(rule: String, reason: String, records: Int)] {
        try db.query(sql: """
            SELECT rule_id, reason, count(*) FROM run_not_computable WHERE run_id = ? GROUP BY rule_id, reason ORDER BY rule_id, reason
            """, bindings: [runID]).map { ($0[0].string ?? "", $0[1].string ?? "", Int($0[2].int64 ?? 0)) }
    }
}
