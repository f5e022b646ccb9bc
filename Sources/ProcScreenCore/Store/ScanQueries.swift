import Foundation

/// The store queries behind `procscreen scan`: where the last snapshot run stopped, what came
/// after it, and how a run's findings differ from an earlier one's.
extension ScreenStore {
    /// The newest ingested source (0 for an empty store).
    func newestSourceID() throws -> Int64 {
        try db.scalar(sql: "SELECT coalesce(max(source_id), 0) FROM sources").int64 ?? 0
    }

    /// The latest finished run that saw the whole store: its id, the newest source it saw, and its
    /// rules and parameters.
    func latestSnapshot() throws -> (run: Int64, through: Int64, parameters: String)? {
        try db.query(sql: """
            SELECT run_id, sources_through, parameters FROM runs
            WHERE finished_at IS NOT NULL AND sources_through IS NOT NULL ORDER BY run_id DESC LIMIT 1
            """).first.map { ($0[0].int64 ?? 0, $0[1].int64 ?? 0, $0[2].string ?? "") }
    }

    /// The register tables (or formats that carry registers: OCDS parties, CGD firms) fed by
    /// sources after `sourceID`.
    func registerSources(after sourceID: Int64) throws -> [String] {
        try db.query(sql: """
            SELECT DISTINCT coalesce(table_name, format) FROM sources WHERE source_id > ?
              AND (table_name IN ('firms', 'firm_directors', 'lists', 'agencies') OR format IN ('ocds', 'cgd'))
            """, bindings: [sourceID]).compactMap { $0[0].string }
    }

    /// Projects with rows from sources after `sourceID`: their own row, bids, contracts, register
    /// entries, items or parties.
    func touchedProjects(after sourceID: Int64) throws -> Set<String> {
        Set(try db.query(sql: Self.touchedSQL, bindings: [sourceID]).compactMap { $0[0].string })
    }

    private static let touchedSQL = """
        SELECT project_id FROM projects WHERE source_id > ?1
        UNION SELECT project_id FROM bids WHERE source_id > ?1
        UNION SELECT project_id FROM contracts WHERE source_id > ?1
        UNION SELECT project_id FROM risk_assessments WHERE source_id > ?1
        UNION SELECT project_id FROM project_items WHERE source_id > ?1
        UNION SELECT project_id FROM project_parties WHERE source_id > ?1
        """

    /// How many projects `previousRun` screened that rows after `sourceID` touched. Projects are
    /// never deleted, so those the run saw are the store now less the projects new since:
    /// changed = (projects then) − (projects now − touched projects now in the store). Nil when
    /// the run did not record the store's size.
    func changedProjects(after sourceID: Int64, previousRun: Int64) throws -> Int? {
        guard let then = try db.scalar(sql: "SELECT json_extract(summary, '$.store_projects') FROM runs WHERE run_id = ?",
                                       bindings: [previousRun]).int64 else { return nil }
        let now = try db.scalar(sql: "SELECT count(*) FROM projects").int64 ?? 0
        let touched = try db.scalar(sql: "SELECT count(*) FROM projects WHERE project_id IN (\(Self.touchedSQL))",
                                    bindings: [sourceID]).int64 ?? 0
        return Int(then - (now - touched))
    }

    /// Findings of `run` that `previous` did not have (same rule, project and subject), those of
    /// `previous` that `run` no longer has, and the highest severity among the new ones.
    func findingChanges(run: Int64, previous: Int64) throws -> (new: Int, resolved: Int, maxNewSeverity: Severity?) {
        // Set differences (sorted once), not a correlated lookup per finding: the planner picks the
        // (run_id, rule_id) index for that lookup and scans a rule's findings for every row.
        let fresh = try db.query(sql: """
            SELECT rule_id, count(*) FROM (SELECT rule_id, project_id, subject_id FROM findings WHERE run_id = ?1
                                           EXCEPT SELECT rule_id, project_id, subject_id FROM findings WHERE run_id = ?2)
            GROUP BY rule_id
            """, bindings: [run, previous])
        let resolved = try db.scalar(sql: """
            SELECT count(*) FROM (SELECT rule_id, project_id, subject_id FROM findings WHERE run_id = ?2
                                  EXCEPT SELECT rule_id, project_id, subject_id FROM findings WHERE run_id = ?1)
            """, bindings: [run, previous]).int64 ?? 0
        let severities = Dictionary(try db.query(sql: "SELECT DISTINCT rule_id, severity FROM findings WHERE run_id = ?", bindings: [run])
            .compactMap { row in row[0].string.flatMap { id in row[1].string.flatMap(Severity.init(rawValue:)).map { (id, $0) } } },
            uniquingKeysWith: max)
        let newRules = fresh.compactMap { $0[0].string }
        return (fresh.reduce(0) { $0 + Int($1[1].int64 ?? 0) }, Int(resolved), newRules.compactMap { severities[$0] }.max())
    }

    /// "rule|project|subject" of every finding of a run.
    func findingKeys(runID: Int64) throws -> Set<String> {
        Set(try db.query(sql: "SELECT rule_id || '|' || project_id || '|' || subject_id FROM findings WHERE run_id = ?",
                         bindings: [runID]).compactMap { $0[0].string })
    }

    /// Adds what a scan did (JSON) to its run's summary, under "scan".
    func recordScan(runID: Int64, json: String) throws {
        try db.execute(sql: "UPDATE runs SET summary = json_set(coalesce(summary, '{}'), '$.scan', json(?)) WHERE run_id = ?",
                       bindings: [json, runID])
    }
}
