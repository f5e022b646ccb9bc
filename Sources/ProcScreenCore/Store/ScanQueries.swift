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
        let fresh = try findingKeys(in: run, notIn: previous)
        let resolved = try findingKeys(in: previous, notIn: run).count
        // A rule has one severity: a new finding's is its rule's.
        var severities: [Severity] = []
        for rule in Set(fresh.map(\.rule)) {
            let severity = try db.scalar(sql: "SELECT severity FROM run_findings WHERE run_id = ? AND rule_id = ? LIMIT 1", bindings: [run, rule])
            if let s = severity.string.flatMap(Severity.init(rawValue:)) { severities.append(s) }
        }
        return (fresh.count, resolved, severities.max())
    }

    /// The findings of run `a` that run `b` does not have, by rule, project and subject: each
    /// key ("rule|project|subject", with its rule) once.
    func findingKeys(in a: Int64, notIn b: Int64) throws -> [(rule: String, key: String)] {
        let key = "rule_id, project_id, subject_id"
        let sameKey = "o.rule_id = w.rule_id AND o.project_id IS w.project_id AND o.subject_id = w.subject_id"
        let continues = { (later: Int64, earlier: Int64) in
            try self.db.scalar(sql: "SELECT continues FROM runs WHERE run_id = ?", bindings: [later]).int64 == earlier
        }
        // A run that continues another differs from it only by the rows it wrote and dropped: the
        // keys in `a` not in `b` are among those the later run wrote (a later `a`) or dropped (a
        // later `b`). A key both written and dropped is a changed finding, in both runs; the rest
        // are looked up in `b` (a key may also have a kept row there). Else the two runs are
        // compared whole, as set differences (sorted once, not a lookup per finding).
        let keyText = "w.rule_id, w.rule_id || '|' || coalesce(w.project_id, '') || '|' || w.subject_id"
        let rows: [Row]
        if try continues(a, b) || continues(b, a) {
            let (later, from, minus) = a > b ? (a, "run_id", "until_run") : (b, "until_run", "run_id")
            rows = try db.query(sql: """
                SELECT \(keyText) FROM (SELECT \(key) FROM findings WHERE \(from) = ?1 EXCEPT SELECT \(key) FROM findings WHERE \(minus) = ?1) w
                WHERE NOT EXISTS (SELECT 1 FROM run_findings o WHERE o.run_id = ?2 AND \(sameKey))
                """, bindings: [later, b])
        } else {
            rows = try db.query(sql: """
                SELECT \(keyText) FROM (SELECT \(key) FROM run_findings WHERE run_id = ?1
                                        EXCEPT SELECT \(key) FROM run_findings WHERE run_id = ?2) w
                """, bindings: [a, b])
        }
        return rows.map { ($0[0].string ?? "", $0[1].string ?? "") }
    }

    /// The finding rows dropped by the runs of `run`'s chain up to it (rows of scoped runs in
    /// between count too: a read of the run walks them all), and the run's current findings.
    func chainRows(_ run: Int64) throws -> (dropped: Int, current: Int) {
        let row = try db.query(sql: """
            SELECT (SELECT count(*) FROM findings WHERE until_run BETWEEN r.chain_start AND r.run_id),
                   coalesce(json_extract(r.summary, '$.findings'), (SELECT count(*) FROM run_findings WHERE run_id = r.run_id))
            FROM runs r WHERE r.run_id = ?
            """, bindings: [run]).first
        return (Int(row?[0].int64 ?? 0), Int(row?[1].int64 ?? 0))
    }

    /// The finding rows run `run` wrote, and the earlier rows it dropped.
    func findingRows(run: Int64) throws -> (written: Int, dropped: Int) {
        (Int(try db.scalar(sql: "SELECT count(*) FROM findings WHERE run_id = ?", bindings: [run]).int64 ?? 0),
         Int(try db.scalar(sql: "SELECT count(*) FROM findings WHERE until_run = ?", bindings: [run]).int64 ?? 0))
    }

    /// Adds what a scan did (JSON) to its run's summary, under "scan".
    func recordScan(runID: Int64, json: String) throws {
        try db.execute(sql: "UPDATE runs SET summary = json_set(coalesce(summary, '{}'), '$.scan', json(?)) WHERE run_id = ?",
                       bindings: [json, runID])
    }
}
