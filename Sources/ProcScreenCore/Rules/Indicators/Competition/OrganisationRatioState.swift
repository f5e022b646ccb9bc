import Foundation

/// What an organisation-ratio rule (BP-21, BP-22) observed, kept in the store: two counts per
/// group × organisation × fiscal year (`organisation_counts_state`), the projects a raised
/// organisation links to (`linked_projects_state`), and its projects per fiscal year and latest
/// fiscal year (`dataset_state.detail`). A scan continuing the run that kept it reads it back and observes only
/// the new projects; the rule then decides every organisation and linked project as in a full run
/// (deciding is cheap; observing every bid was not).
enum OrganisationRatioState {
    struct CountKey: Hashable {
        var group: Int
        var organisation: String
        var fiscalYear: Int?
    }

    struct CountRow {
        var group: Int
        var organisation: String
        var fiscalYear: Int?
        var first: Int
        var second: Int
    }

    struct LinkedRow {
        var project: ProjectRef
        var fiscalYear: Int?
        /// (group, organisation) of each organisation the project links to.
        var keys: [(Int, String)]
    }

    struct Loaded {
        var counts: [CountRow] = []
        var linked: [LinkedRow] = []
        var projectsByFiscalYear: [Int?: Int] = [:]
        var latestFiscalYear: Int?
    }

    /// Small values kept with the tag, as JSON.
    private struct Detail: Codable {
        /// (fiscal year or nil, projects).
        var projectsByFiscalYear: [[Int?]]
        var latestFiscalYear: Int?
    }

    /// Fiscal year 0 stands for none in the counts' key (a key column cannot be NULL).
    private static func column(_ fy: Int?) -> Int64 { Int64(fy ?? 0) }
    private static func fiscalYear(_ column: Int64?) -> Int? { column.flatMap { $0 == 0 ? nil : Int($0) } }

    /// Group and key of each linked organisation, one text: "group␟key␞group␟key".
    private static func encode(_ keys: [(Int, String)]) -> String { keys.map { "\($0.0)\u{1F}\($0.1)" }.joined(separator: "\u{1E}") }
    private static func decode(_ text: String) -> [(Int, String)] {
        text.split(separator: "\u{1E}").compactMap { item in
            let parts = item.split(separator: "\u{1F}", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let group = Int(parts[0]) else { return nil }
            return (group, String(parts[1]))
        }
    }

    /// The state kept by `continuing.previousRun` under `key`; nil when that run kept none.
    static func load(_ key: String, continuing: DatasetContinuation) throws -> Loaded? {
        guard let (db, text) = try KeptState.open(key, table: "organisation_counts_state", continuing: continuing), let text else { return nil }
        let detail = try JSONDecoder().decode(Detail.self, from: Data(text.utf8))
        var loaded = Loaded()
        loaded.latestFiscalYear = detail.latestFiscalYear
        for pair in detail.projectsByFiscalYear where pair.count == 2 { loaded.projectsByFiscalYear[pair[0]] = pair[1] ?? 0 }
        let counts = try db.prepare(sql: """
            SELECT grp, organisation, fiscal_year, first, second FROM organisation_counts_state WHERE population = ?
            """)
        try counts.bind([key])
        while try counts.step() {
            loaded.counts.append(CountRow(group: Int(counts.int64(0) ?? 0), organisation: counts.string(1) ?? "", fiscalYear: fiscalYear(counts.int64(2)),
                                          first: Int(counts.int64(3) ?? 0), second: Int(counts.int64(4) ?? 0)))
        }
        let linked = try db.prepare(sql: "SELECT project_id, agency_id, ministry, fiscal_year, keys FROM linked_projects_state WHERE population = ?")
        try linked.bind([key])
        let pool = StringPool()
        while try linked.step() {
            loaded.linked.append(LinkedRow(
                project: ProjectRef(projectID: linked.string(0) ?? "", agencyID: linked.string(1, pool: pool), ministry: linked.string(2, pool: pool)),
                fiscalYear: fiscalYear(linked.int64(3)), keys: decode(linked.string(4) ?? "")))
        }
        return loaded
    }

    /// Keeps the state as run `runID`'s: `replacing` drops what was kept under `key` first (a
    /// pass over every project); else `counts` are the changed ones and `linked` the new ones.
    /// Rows of fiscal years before `firstFiscalYear` (a window that moved on) are dropped.
    static func keep(_ key: String, replacing: Bool, counts: [CountRow], linked: [LinkedRow], projectsByFiscalYear: [Int?: Int] = [:],
                     latestFiscalYear: Int?, firstFiscalYear: Int? = nil, db: Database, runID: Int64) throws {
        if replacing {
            try db.execute(sql: "DELETE FROM organisation_counts_state WHERE population = ?", bindings: [key])
            try db.execute(sql: "DELETE FROM linked_projects_state WHERE population = ?", bindings: [key])
        } else if let first = firstFiscalYear {
            try db.execute(sql: "DELETE FROM organisation_counts_state WHERE population = ? AND fiscal_year < ?", bindings: [key, first])
            try db.execute(sql: "DELETE FROM linked_projects_state WHERE population = ? AND fiscal_year < ?", bindings: [key, first])
        }
        let count = try db.prepare(sql: """
            INSERT OR REPLACE INTO organisation_counts_state (population, grp, organisation, fiscal_year, first, second) VALUES (?, ?, ?, ?, ?, ?)
            """)
        // In key order: inserted at random, a million rows took 10 s at 1 M projects.
        let sorted = counts.sorted { a, b in
            a.group != b.group ? a.group < b.group
                : a.organisation != b.organisation ? a.organisation.utf8.lexicographicallyPrecedes(b.organisation.utf8)
                : column(a.fiscalYear) < column(b.fiscalYear)
        }
        for row in sorted {
            count.bind(text: key, at: 1)
            count.bind(int: Int64(row.group), at: 2)
            count.bind(text: row.organisation, at: 3)
            count.bind(int: column(row.fiscalYear), at: 4)
            count.bind(int: Int64(row.first), at: 5)
            count.bind(int: Int64(row.second), at: 6)
            try count.run()
        }
        let link = try db.prepare(sql: """
            INSERT OR REPLACE INTO linked_projects_state (population, project_id, agency_id, ministry, fiscal_year, keys) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for row in linked {
            link.bind(text: key, at: 1)
            link.bind(text: row.project.projectID, at: 2)
            link.bind(text: row.project.agencyID, at: 3)
            link.bind(text: row.project.ministry, at: 4)
            link.bind(int: column(row.fiscalYear), at: 5)
            link.bind(text: encode(row.keys), at: 6)
            try link.run()
        }
        let detail = Detail(projectsByFiscalYear: projectsByFiscalYear.sorted { ($0.key ?? 0) < ($1.key ?? 0) }.map { [$0.key, $0.value] },
                            latestFiscalYear: latestFiscalYear)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try KeptState.tag(key, runID: runID, detail: String(decoding: try encoder.encode(detail), as: UTF8.self), db: db)
    }
}
