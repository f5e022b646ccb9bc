import Foundation

/// The SQL side of screening: streaming projects with their bids, contracts and register rows,
/// and writing runs, findings, not-computable outcomes and scores.
public final class ScreenStore {
    let db: Database

    public convenience init(store: Store) { self.init(db: store.db) }

    /// On any connection: the engine reads records on a second, read-only one.
    public init(db: Database) { self.db = db }

    /// Registers that have been loaded at least once (`risk_assessments`, `lists:debarred`, …).
    public func loadedRegisters() throws -> Set<String> {
        Set(try db.query(sql: "SELECT table_name FROM loaded_tables").compactMap { $0[0].string })
    }

    // MARK: - Scope

    /// Restricts the run to some projects (by id, or by fiscal year); nil scope = every project.
    /// Creates `temp.scope` on this connection.
    func prepareScope(projectIDs: [String]?, fiscalYear: Int?) throws -> Bool {
        try db.execute(sql: "DROP TABLE IF EXISTS temp.scope; CREATE TEMP TABLE scope (project_id TEXT PRIMARY KEY) WITHOUT ROWID")
        guard projectIDs != nil || fiscalYear != nil else { return false }
        if let projectIDs {
            let insert = try db.prepare(sql: "INSERT OR IGNORE INTO temp.scope VALUES (?)")
            for id in projectIDs {
                insert.bind(text: id, at: 1)
                try insert.run()
            }
            if let fiscalYear {
                try db.execute(sql: "DELETE FROM temp.scope WHERE project_id NOT IN (SELECT project_id FROM projects WHERE fiscal_year = ?)",
                               bindings: [fiscalYear])
            }
        } else if let fiscalYear {
            try db.execute(sql: "INSERT INTO temp.scope SELECT project_id FROM projects WHERE fiscal_year = ?", bindings: [fiscalYear])
        }
        return true
    }

    // MARK: - Streaming records

    /// The columns a record can carry, as `table.column`; rules declare the ones they read so a
    /// run fetches (and turns into Swift strings) only those.
    public static let projectColumns = [
        "project_id", "project_name", "project_type", "agency_id", "agency_name", "sub_agency_name", "ministry", "province",
        "method", "method_raw", "fiscal_year", "budget", "reference_price", "agreed_price", "currency", "announce_date",
        "bid_deadline", "award_date", "status", "num_bids", "num_doc_buyers", "budget_type", "multi_year",
        "on_integrity_pact", "integrity_pact_joined", "procurement_method", "procuring_entity_id", "award_criteria",
        "procurement_method_details", "tender_amendments",
    ]
    public static let bidColumns = [
        "bidder_id", "bidder_name", "price", "status", "is_winner", "disqualification_reason", "bid_date", "anti_corruption_policy",
        "status_raw", "n_tenderers", "currency", "lot_id",
    ]
    public static let contractColumns = [
        "contract_no", "winner_id", "winner_name", "contract_date", "end_date", "amount", "status", "n_amendments", "amended_amount",
        "winner_anti_corruption_policy", "award_id", "n_suppliers", "currency",
    ]
    /// Fields not stored on the table itself: looked up once per run from small tables
    /// (firm policies, the integrity-pact list) instead of a subquery per row (25 s per
    /// million projects as subqueries).
    static let lookupFields: Set<String> = [
        "bids.anti_corruption_policy", "contracts.winner_anti_corruption_policy",
        "projects.on_integrity_pact", "projects.integrity_pact_joined",
    ]
    /// Firm facts attached to records as `ProcurementRecord.firms` (identity keys, registration,
    /// debarment), loaded once per run when a rule asks for them.
    public static let firmFields: Set<String> = [
        "firms.address", "firms.phone", "firms.email", "firms.registered_date", "firm_directors.director", "lists.debarred",
    ]

    /// `transform` over `items` on two threads, each with its own normaliser; order kept.
    static func parallelMap<T: Sendable, R>(_ items: [T], _ transform: @escaping @Sendable (IdentityNormalizer, T) -> R) -> [R] {
        guard items.count > 10_000 else {
            let normalizer = IdentityNormalizer()
            return items.map { transform(normalizer, $0) }
        }
        let parts = 2
        var results = [[R]](repeating: [], count: parts)
        let chunk = (items.count + parts - 1) / parts
        results.withUnsafeMutableBufferPointer { out in
            let out = UncheckedSendable(out)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let normalizer = IdentityNormalizer()
                out.value[p] = items[min(items.count, p * chunk) ..< min(items.count, (p + 1) * chunk)].map { transform(normalizer, $0) }
            }
        }
        return results.flatMap { $0 }
    }

    /// Loads the requested firm facts for every firm of the store, normalising each once.
    func loadFirms(_ fields: Set<String>) throws -> ProcurementRecord.FirmDirectory {
        var firms: [String: ProcurementRecord.FirmInfo] = [:]
        func firm(_ id: String) -> ProcurementRecord.FirmInfo {
            if let known = firms[id] { return known }
            let info = ProcurementRecord.FirmInfo()
            firms[id] = info
            return info
        }
        var interned = Interner()
        let wantsIdentity = !fields.isDisjoint(with: ["firms.address", "firms.phone", "firms.email", "firms.registered_date"])
        if wantsIdentity {
            let q = try db.prepare(sql: "SELECT firm_id, registered_date, address, phone, email FROM firms")
            var addressed: [ProcurementRecord.FirmInfo] = []
            var addresses: [String] = []
            while try q.step() {
                guard let id = q.string(0) else { continue }
                let info = firm(id)
                if fields.contains("firms.registered_date") { info.registeredDate = q.string(1) }
                if fields.contains("firms.address"), let a = q.string(2) {
                    addressed.append(info)
                    addresses.append(a)
                }
                if fields.contains("firms.phone"), let key = q.string(3).flatMap(IdentityNormalizer.phoneKey) {
                    info.phoneID = interned.id("phone:" + key)
                }
                if fields.contains("firms.email"), let key = q.string(4).flatMap(IdentityNormalizer.emailKey) {
                    info.emailID = interned.id("email:" + key)
                }
            }
            // A dozen PCRE2 passes per address: both cores, one normaliser each (PCRE2 match data is per object).
            let keys = Self.parallelMap(addresses) { normalizer, address in normalizer.addressKey(address) }
            addresses = []
            var firmsAtAddress: [Int32: Int] = [:]
            for (info, key) in zip(addressed, keys) {
                guard let key else { continue }
                info.addressID = interned.id("address:" + key)
                firmsAtAddress[info.addressID, default: 0] += 1
            }
            for info in addressed where info.addressID >= 0 { info.addressFirmCount = firmsAtAddress[info.addressID] ?? 0 }
        }
        if fields.contains("firm_directors.director") {
            let q = try db.prepare(sql: "SELECT firm_id, director_name, director_id FROM firm_directors")
            var rows: [(firm: String, name: String?, id: String?)] = []
            while try q.step() {
                guard let id = q.string(0) else { continue }
                rows.append((id, q.string(1), q.string(2)))
            }
            let keys = Self.parallelMap(rows) { normalizer, row in
                row.id.map { "id:" + TaxID.normalize($0) } ?? row.name.flatMap(normalizer.personKey).map { "name:" + $0 }
            }
            for (row, key) in zip(rows, keys) {
                let id = row.firm
                if let key { firm(id).directorIDs.append(interned.id(key)) }
            }
        }
        if fields.contains("lists.debarred") {
            let q = try db.prepare(sql: "SELECT firm_id, listed_date, delisted_date FROM lists WHERE list_name = 'debarred' AND firm_id IS NOT NULL")
            while try q.step() {
                guard let id = q.string(0) else { continue }
                firm(id).debarments.append(.init(listed: q.string(1), delisted: q.string(2)))
            }
        }
        return ProcurementRecord.FirmDirectory(firms, keys: interned.names)
    }

    public static let assessmentColumns = [
        "fiscal_year", "assessment_date", "risk_plan", "submitted_to", "emenscr_reported", "inspected_date", "inspection_phase",
    ]
    /// Always read: routing, tiers and the method gate every rule uses.
    public static let coreFields: Set<String> = [
        "projects.project_id", "projects.agency_id", "projects.ministry", "projects.method", "projects.fiscal_year",
        "projects.budget", "projects.currency",
    ]
    public static var allFields: Set<String> {
        Set(projectColumns.map { "projects." + $0 } + bidColumns.map { "bids." + $0 }
            + contractColumns.map { "contracts." + $0 } + assessmentColumns.map { "risk_assessments." + $0 })
    }

    /// `SELECT` list for `table`: wanted columns by name, the others as NULL (indexes stay fixed).
    private static func selectList(_ table: String, _ columns: [String], _ fields: Set<String>) -> String {
        columns.map { column in
            let key = "\(table).\(column)"
            if fields.contains(key) && !lookupFields.contains(key) { return column }
            return unrequestedColumns[key] ?? "NULL"
        }.joined(separator: ", ")
    }

    /// What an unrequested column still carries: a bidder's name identifies a bidder without a
    /// TIN (INDICATORS.md §1.1.1), so it is read whenever the TIN is missing.
    private static let unrequestedColumns = ["bids.bidder_name": "CASE WHEN bidder_id IS NULL THEN bidder_name END"]

    /// Calls `body` for every project in scope, in project_id order, with its child rows,
    /// merging four ordered scans (bids and contracts are clustered by project: one pass).
    /// Only `fields` are fetched; a child table none of them names is not read at all.
    /// `skip` leaves out records no rule may see (a profile's process filter).
    func forEachRecord(scoped: Bool, fields: Set<String> = ScreenStore.allFields, skip: ((ProcurementRecord) -> Bool)? = nil,
                       rates: CurrencyRates = CurrencyRates(), _ body: (ProcurementRecord) throws -> Void) throws {
        let fields = fields.union(Self.coreFields)
        let filter = scoped ? "WHERE project_id IN (SELECT project_id FROM temp.scope)" : ""
        func childFilter(_ table: String) -> String {
            fields.contains(where: { $0.hasPrefix(table + ".") }) ? filter : "WHERE 0"
        }
        let projects = try db.prepare(sql: """
            SELECT \(Self.selectList("projects", Self.projectColumns, fields)) FROM projects \(filter) ORDER BY project_id
            """)
        let bids = try db.prepare(sql: """
            SELECT project_id, \(Self.selectList("bids", Self.bidColumns, fields)) FROM bids \(childFilter("bids")) ORDER BY project_id, source_id, source_line
            """)
        let contracts = try db.prepare(sql: """
            SELECT project_id, \(Self.selectList("contracts", Self.contractColumns, fields))
            FROM contracts \(childFilter("contracts")) ORDER BY project_id, source_id, source_line
            """)
        let items = try db.prepare(sql: fields.contains("project_items.classification") ? """
            SELECT project_id, award_id, classification FROM project_items \(filter) ORDER BY project_id
            """ : "SELECT NULL, NULL, NULL WHERE 0")
        let parties = try db.prepare(sql: fields.contains("project_parties.party") ? """
            SELECT project_id, party_id, roles, street, locality, region, postal_code, country, contact_name, email, telephone, fax, url
            FROM project_parties \(filter) ORDER BY project_id
            """ : "SELECT NULL WHERE 0")
        let assessments = try db.prepare(sql: """
            SELECT project_id, \(Self.selectList("risk_assessments", Self.assessmentColumns, fields))
            FROM risk_assessments \(childFilter("risk_assessments")) ORDER BY project_id
            """)
        // Lookups for the fields that live in other tables.
        var policies: [String: Bool] = [:]
        if fields.contains("bids.anti_corruption_policy") || fields.contains("contracts.winner_anti_corruption_policy") {
            let q = try db.prepare(sql: "SELECT firm_id, anti_corruption_policy FROM firms WHERE anti_corruption_policy IS NOT NULL")
            while try q.step() { if let id = q.string(0), let v = q.int64(1) { policies[id] = v != 0 } }
        }
        var pact: [String: String?] = [:]
        if fields.contains("projects.on_integrity_pact") || fields.contains("projects.integrity_pact_joined") {
            let q = try db.prepare(sql: "SELECT project_id, min(joined_date) FROM lists WHERE list_name = 'integrity_pact' AND project_id IS NOT NULL GROUP BY project_id")
            while try q.step() { if let id = q.string(0) { pact[id] = q.string(1) } }
        }
        let pactLoaded = fields.contains("projects.on_integrity_pact")
        let firmDirectory = fields.isDisjoint(with: Self.firmFields) ? nil : try loadFirms(fields)
        // Repetitive columns share one buffer per distinct value: populations that keep a
        // ministry or status per project hold references, not a million copies.
        let pool = StringPool()
        var bidCursor = try MergeCursor(bids)
        var contractCursor = try MergeCursor(contracts)
        var assessmentCursor = try MergeCursor(assessments)
        var itemCursor = try MergeCursor(items)
        var partyCursor = try MergeCursor(parties)
        while try projects.step() {
            let s = projects
            var r = ProcurementRecord(projectID: s.string(0) ?? "")
            r.projectName = s.string(1)
            r.projectType = s.string(2, pool: pool)
            r.agencyID = s.string(3, pool: pool)
            r.agencyName = s.string(4, pool: pool)
            r.subAgencyName = s.string(5, pool: pool)
            r.ministry = s.string(6, pool: pool)
            r.province = s.string(7, pool: pool)
            r.method = s.string(8).flatMap(ProcurementMethod.init(rawValue:))
            r.methodRaw = s.string(9, pool: pool)
            r.fiscalYear = s.int64(10).map(Int.init)
            r.budget = s.int64(11)
            r.referencePrice = s.int64(12)
            r.agreedPrice = s.int64(13)
            r.currency = s.string(14, pool: pool) ?? "THB"
            r.announceDate = s.string(15)
            r.bidDeadline = s.string(16)
            r.awardDate = s.string(17)
            r.status = s.string(18, pool: pool)
            r.numBids = s.int64(19).map(Int.init)
            r.numDocBuyers = s.int64(20).map(Int.init)
            r.budgetType = s.string(21, pool: pool)
            r.multiYear = s.int64(22).map { $0 != 0 }
            r.procurementMethod = s.string(25, pool: pool)
            r.procuringEntityID = s.string(26, pool: pool)
            r.awardCriteria = s.string(27, pool: pool)
            r.procurementMethodDetails = s.string(28, pool: pool)
            r.tenderAmendments = s.int64(29).map(Int.init)
            if pactLoaded {
                r.onIntegrityPact = pact[r.projectID] != nil
                r.integrityPactJoined = pact[r.projectID] ?? nil
            }
            try bidCursor.rows(for: r.projectID) { b in
                r.bids.append(ProcurementRecord.Bid(
                    bidderID: b.string(1), bidderName: b.string(2), price: b.int64(3),
                    status: b.string(4).flatMap(ProcurementRecord.Bid.Status.init(rawValue:)),
                    isWinner: b.int64(5).map { $0 != 0 }, disqualificationReason: b.string(6, pool: pool), bidDate: b.string(7),
                    antiCorruptionPolicy: b.string(1).flatMap { policies[$0] }, statusRaw: b.string(9, pool: pool),
                    tenderers: b.int64(10).map(Int.init), currency: b.string(11, pool: pool), lotID: b.string(12)))
            }
            try contractCursor.rows(for: r.projectID) { c in
                r.contracts.append(ProcurementRecord.Contract(
                    contractNo: c.string(1), winnerID: c.string(2), winnerName: c.string(3), contractDate: c.string(4),
                    endDate: c.string(5), amount: c.int64(6), status: c.string(7, pool: pool), amendments: c.int64(8).map(Int.init),
                    amendedAmount: c.int64(9), winnerAntiCorruptionPolicy: c.string(2).flatMap { policies[$0] },
                    awardID: c.string(11), suppliers: c.int64(12).map(Int.init), currency: c.string(13, pool: pool)))
            }
            try partyCursor.rows(for: r.projectID) { p in
                guard let id = p.string(1) else { return }
                r.parties.append(ProcurementRecord.Party(
                    id: id, roles: (p.string(2) ?? "").split(separator: ",").map(String.init),
                    address: (3...7).map { p.string(Int32($0)) }, contact: (8...12).map { p.string(Int32($0)) }))
            }
            try itemCursor.rows(for: r.projectID) { i in
                if let c = i.string(2) { r.items.append(ProcurementRecord.Item(awardID: i.string(1), classification: c)) }
            }
            try assessmentCursor.rows(for: r.projectID) { a in
                r.assessments.append(ProcurementRecord.RiskAssessment(
                    fiscalYear: a.int64(1).map(Int.init), assessmentDate: a.string(2), riskPlan: a.int64(3).map { $0 != 0 },
                    submittedTo: a.string(4), emenscrReported: a.int64(5).map { $0 != 0 }, inspectedDate: a.string(6),
                    inspectionPhase: a.string(7)))
            }
            r.firmDirectory = firmDirectory
            r.memo = ProcurementRecord.Memo()
            r.memo?.project = ProjectRef(r)
            if let skip, skip(r) { continue }
            if !rates.bahtPerUnit.isEmpty { rates.convert(&r) }
            try body(r)
        }
    }

    /// Walks a statement ordered by its first column (project_id) alongside the projects scan.
    struct MergeCursor {
        let statement: Statement
        var current: String?

        init(_ statement: Statement) throws {
            self.statement = statement
            current = try statement.step() ? statement.string(0) ?? "" : nil
        }

        /// Calls `body` for each row whose key equals `key`, skipping rows of keys before it
        /// (children without a project). Keys compare as bytes, as SQLite's BINARY collation does.
        mutating func rows(for key: String, _ body: (Statement) -> Void) throws {
            while let c = current, c.utf8.lexicographicallyPrecedes(key.utf8) {
                current = try statement.step() ? statement.string(0) ?? "" : nil
            }
            while let c = current, c == key {
                body(statement)
                current = try statement.step() ? statement.string(0) ?? "" : nil
            }
        }
    }

    /// The currency most bids are in (ties: alphabetical), for Cardinal's main currency; logged
    /// when several occur.
    func mostFrequentBidCurrency() throws -> String? {
        let rows = try db.query(sql: "SELECT currency, count(*) FROM bids WHERE currency IS NOT NULL GROUP BY currency ORDER BY 2 DESC, 1")
        if rows.count > 1 {
            FileHandle.standardError.write(Data("warning: bids in \(rows.count) currencies; amounts outside \(rows[0][0].string ?? "?") are skipped by the price rules\n".utf8))
        }
        return rows.first?[0].string
    }

    // MARK: - Runs

    /// Records a new run; one that continues `continuing` joins its chain, else it starts its own.
    public func beginRun(kind: String, rulesDirectory: String, parameters: String, continuing: Int64? = nil) throws -> Int64 {
        try db.execute(sql: "INSERT INTO runs (kind, started_at, rules_dir, parameters) VALUES (?, ?, ?, ?)",
                       bindings: [kind, Store.timestamp(), rulesDirectory, parameters])
        let runID = db.lastInsertRowID
        let start = try continuing.map { run in
            guard let start = try chainStart(of: run) else { throw StoreError(code: 0, message: "run \(run) to continue does not exist") }
            return start
        } ?? runID
        try db.execute(sql: "UPDATE runs SET chain_start = ?, continues = ? WHERE run_id = ?", bindings: [start, continuing, runID])
        return runID
    }

    public func finishRun(_ runID: Int64, summary: String) throws {
        try db.execute(sql: "UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?",
                       bindings: [Store.timestamp(), summary, runID])
    }

    /// The latest finished run of any kind, if any.
    public func latestRunID() throws -> Int64? {
        try db.scalar(sql: "SELECT max(run_id) FROM runs WHERE finished_at IS NOT NULL").int64
    }

    // MARK: - Writers

    /// Writes a run's outcomes. A run that continues another (`kept` set) writes only the rows
    /// that run did not have: an identical row of that run (by digest) stays current instead.
    final class FindingWriter {
        let insert: Statement
        let insertNotComputable: Statement
        let insertFence: Statement
        let insertStats: Statement
        /// Rows of the continued run the writes may keep, nil when the run continues none.
        let keptFindings: KeptRows?
        let keptNotComputable: KeptRows?
        /// Set for a run that no other run continues (a scoped run): its rows are current in it alone.
        let untilRun: Int64?
        private var digest = RowDigest()

        init(db: Database, keptFindings: KeptRows? = nil, keptNotComputable: KeptRows? = nil, untilRun: Int64? = nil) throws {
            self.keptFindings = keptFindings
            self.keptNotComputable = keptNotComputable
            self.untilRun = untilRun
            insert = try db.prepare(sql: """
                INSERT INTO findings (run_id, rule_id, rule_version, category, severity, weight, subject_type, subject_id,
                                      project_id, agency_id, ministry, route_to, evidence, summary, summary_th, value, firms,
                                      digest, until_run)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, persistent: true)
            insertFence = try db.prepare(sql: """
                INSERT OR REPLACE INTO run_fences (run_id, rule_id, statistic, stratum, n, q1, q3, k) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, persistent: true)
            insertNotComputable = try db.prepare(
                sql: "INSERT INTO not_computable (run_id, rule_id, project_id, reason, detail, digest, until_run) VALUES (?, ?, ?, ?, ?, ?, ?)",
                persistent: true)
            insertStats = try db.prepare(sql: """
                INSERT OR REPLACE INTO run_rule_stats (run_id, rule_id, rule_version, raised, not_raised, not_applicable,
                                                       not_computable, parameters)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        }

        func write(_ f: Finding, evidenceJSON: String) throws {
            digest.add(f.ruleID)
            digest.add(Int64(f.ruleVersion))
            digest.add(f.category)
            digest.add(f.severity.rawValue)
            digest.add(f.weight)
            digest.add(f.subjectType)
            digest.add(f.subjectID)
            digest.add(f.projectID)
            digest.add(f.agencyID)
            digest.add(f.ministry)
            digest.add(f.routeTo.joined(separator: ","))
            digest.add(evidenceJSON)
            digest.add(f.summary)
            digest.add(f.summaryTH)
            digest.add(f.value)
            digest.add(f.firms.joined(separator: ","))
            guard let hash = digestUnlessKept(keptFindings) else { return }
            insert.bind(int: hash, at: 18)
            insert.bind(int: untilRun, at: 19)
            insert.bind(int: f.runID, at: 1)
            insert.bind(text: f.ruleID, at: 2)
            insert.bind(int: Int64(f.ruleVersion), at: 3)
            insert.bind(text: f.category, at: 4)
            insert.bind(text: f.severity.rawValue, at: 5)
            insert.bind(double: f.weight, at: 6)
            insert.bind(text: f.subjectType, at: 7)
            insert.bind(text: f.subjectID, at: 8)
            insert.bind(text: f.projectID, at: 9)
            insert.bind(text: f.agencyID, at: 10)
            insert.bind(text: f.ministry, at: 11)
            insert.bind(text: f.routeTo.joined(separator: ","), at: 12)
            insert.bind(text: evidenceJSON, at: 13)
            insert.bind(text: f.summary, at: 14)
            insert.bind(text: f.summaryTH, at: 15)
            insert.bind(double: f.value, at: 16)
            insert.bind(text: f.firms.isEmpty ? nil : f.firms.joined(separator: ","), at: 17)
            try insert.run()
        }

        /// The digest of the row added to `digest`; nil when the continued run has an identical
        /// row left to match, which then stays current instead of being written.
        private func digestUnlessKept(_ kept: KeptRows?) -> Int64? {
            let hash = digest.finish()
            return kept?.match(hash) == true ? nil : hash
        }

        func writeFence(runID: Int64, ruleID: String, _ f: FenceRecord) throws {
            try insertFence.bind([runID, ruleID, f.statistic, f.stratum, f.fence.n, f.fence.q1, f.fence.q3, f.fence.k])
            try insertFence.run()
        }

        func writeNotComputable(runID: Int64, ruleID: String, projectID: String, reason: NotComputableReason, detail: String) throws {
            digest.add(ruleID)
            digest.add(projectID)
            digest.add(reason.rawValue)
            digest.add(detail)
            guard let hash = digestUnlessKept(keptNotComputable) else { return }
            insertNotComputable.bind(int: hash, at: 6)
            insertNotComputable.bind(int: untilRun, at: 7)
            insertNotComputable.bind(int: runID, at: 1)
            insertNotComputable.bind(text: ruleID, at: 2)
            insertNotComputable.bind(text: projectID, at: 3)
            insertNotComputable.bind(text: reason.rawValue, at: 4)
            insertNotComputable.bind(text: detail, at: 5)
            try insertNotComputable.run()
        }

        func writeStats(runID: Int64, rule: RuleFile, stats: RuleStats, parametersJSON: String) throws {
            try insertStats.bind([runID, rule.id, rule.version, stats.raised, stats.notRaised, stats.notApplicable,
                                  stats.notComputable, parametersJSON])
            try insertStats.run()
        }
    }

    /// The fence of the finest of `strata` (finest first) that rule `ruleID` computed in the run, as
    /// "stratum: n, Q1, Q3 → lower / upper"; nil when none was large enough.
    func fence(runID: Int64, ruleID: String, strata: [String]) throws -> String? {
        let rows = try db.query(sql: "SELECT stratum, n, q1, q3, k FROM run_fences WHERE run_id = ? AND rule_id = ?",
                                bindings: [runID, ruleID])
        for stratum in strata {
            guard let row = rows.first(where: { $0[0].string == stratum }), let n = row[1].int64,
                  let q1 = row[2].double, let q3 = row[3].double, let k = row[4].double else { continue }
            return "\(stratum): n=\(n), " + String(format: "Q1=%.4f, Q3=%.4f, lower %.4f, upper %.4f", q1, q3, q1 - k * (q3 - q1), q3 + k * (q3 - q1))
        }
        return nil
    }

    /// Writes each scored project's score (its priority is ranked when read, `run_priorities`).
    /// A run that continues `continued` writes only the scores that run did not have, and drops
    /// that run's scores that changed or vanished.
    func writeScores(runID: Int64, scores: [String: ProjectScore], continued: Int64?, untilRun: Int64?) throws {
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.new_scores;
            CREATE TEMP TABLE new_scores (project_id TEXT PRIMARY KEY, score REAL, findings INTEGER, max_severity TEXT) WITHOUT ROWID
            """)
        let insert = try db.prepare(sql: "INSERT INTO temp.new_scores VALUES (?, ?, ?, ?)")
        for (projectID, score) in scores {
            insert.bind(text: projectID, at: 1)
            insert.bind(double: score.score, at: 2)
            insert.bind(int: Int64(score.findings), at: 3)
            insert.bind(text: score.maxSeverity.rawValue, at: 4)
            try insert.run()
        }
        if let continued {
            // Until this run drops them, the continued run's scores are current in this one too.
            try db.execute(sql: """
                UPDATE project_scores SET until_run = ?1 WHERE rowid IN (
                    SELECT o.row_id FROM run_scores o LEFT JOIN temp.new_scores n USING (project_id) LEFT JOIN projects p USING (project_id)
                    WHERE o.run_id = ?2 AND (n.project_id IS NULL OR n.score IS NOT o.score OR n.findings IS NOT o.findings
                                             OR n.max_severity IS NOT o.max_severity OR p.budget IS NOT o.budget))
                """, bindings: [runID, continued])
        }
        try db.execute(sql: """
            INSERT INTO project_scores (run_id, project_id, score, findings, max_severity, budget, until_run)
            SELECT ?1, n.project_id, n.score, n.findings, n.max_severity, p.budget, ?2
            FROM temp.new_scores n LEFT JOIN projects p USING (project_id)
            WHERE n.project_id NOT IN (SELECT project_id FROM run_scores WHERE run_id = ?1)
            ORDER BY n.project_id
            """, bindings: [runID, untilRun])
        try db.execute(sql: "DROP TABLE temp.new_scores")
    }

    /// The projects a SQL rule returns, run on a separate read-only connection.
    func runSQLRule(_ sql: String, rule: RuleFile, scope: [String]?) throws -> [(projectID: String, evidence: [Evidence])] {
        let readOnly = try Database(path: db.path, readOnly: true)
        try readOnly.execute(sql: "PRAGMA query_only = 1")
        let statement = try readOnly.prepare(sql: sql)
        for (i, name) in statement.parameterNames.enumerated() {
            guard let name else { continue }
            try statement.bind(SQLRule.binding(try rule.parameterValue(String(name.dropFirst()))), at: Int32(i + 1))
        }
        let allowed = scope.map(Set.init)
        var results: [(String, [Evidence])] = []
        let n = statement.columnCount
        let names = (0..<n).map(statement.columnName)
        let keyIndex = Int32(names.firstIndex(of: "project_id")!)
        while try statement.step() {
            guard let projectID = statement.string(keyIndex) else { continue }
            if let allowed, !allowed.contains(projectID) { continue }
            var evidence: [Evidence] = []
            for i in 0..<n where i != keyIndex {
                evidence.append(Evidence(field: names[Int(i)], observed: statement.value(i).string ?? "NULL"))
            }
            results.append((projectID, evidence))
        }
        return results
    }

    /// Agency, ministry and budget of one project (for findings from SQL rules).
    func projectContext(_ projectID: String) throws -> (agencyID: String?, ministry: String?)? {
        let rows = try db.query(sql: "SELECT agency_id, ministry FROM projects WHERE project_id = ?", bindings: [projectID])
        return rows.first.map { ($0[0].string, $0[1].string) }
    }
}

/// Outcome counts of one rule in one run.
public struct RuleStats: Sendable, Codable, Equatable {
    public var raised = 0
    public var notRaised = 0
    public var notApplicable = 0
    public var notComputable = 0
    public var notComputableByReason: [String: Int] = [:]

    enum CodingKeys: String, CodingKey {
        case raised, notRaised = "not_raised", notApplicable = "not_applicable", notComputable = "not_computable"
        case notComputableByReason = "not_computable_by_reason"
    }
}

/// A project's score, 1 − Π(1 − wᵢ) over its raised findings, kept as a fixed-point sum of
/// ln(1 − wᵢ): an integer sum does not depend on the order the findings arrive in. A product of
/// Doubles did, in its last bits, and equal scores then ranked by the order rules finished in.
struct ProjectScore {
    /// 2⁻⁵⁰ per finding: a score is exact to about 1e-14.
    static let scale = 0x1p50
    private var logSum: Int64 = 0
    /// A finding of weight 1 or more makes the score 1.
    private var certain = false
    var findings = 0
    var maxSeverity = Severity.info

    mutating func add(weight: Double) {
        findings += 1
        guard weight < 1 else { certain = true; return }
        // Saturates where the score is 1 in every digit anyway (thousands of heavy findings).
        let (sum, overflow) = logSum.addingReportingOverflow(Int64((log1p(-weight) * Self.scale).rounded()))
        logSum = overflow ? Int64.min : sum
    }

    var score: Double { certain ? 1 : -expm1(Double(logSum) / Self.scale) }
}

// MARK: - Reading results

extension ScreenStore {
    /// One project with its child rows, or nil.
    public func record(_ projectID: String) throws -> ProcurementRecord? {
        _ = try prepareScope(projectIDs: [projectID], fiscalYear: nil)
        var found: ProcurementRecord?
        try forEachRecord(scoped: true) { found = $0 }
        return found
    }

    /// The findings of a run touching one project.
    public func findings(runID: Int64, projectID: String) throws -> [Finding] {
        try withFencesFilledIn(try db.query(sql: """
            SELECT run_id, rule_id, rule_version, category, severity, weight, subject_type, subject_id, project_id,
                   agency_id, ministry, route_to, evidence, summary, summary_th, value, firms
            FROM run_findings WHERE run_id = ? AND project_id = ? ORDER BY weight DESC, rule_id
            """, bindings: [runID, projectID]).map { [decoder = JSONDecoder()] in Self.finding($0, decoder: decoder) }, runID: runID)
    }

    /// `findings` of run `runID` with the fences their evidence quotes filled in (`FenceText`).
    func withFencesFilledIn(_ findings: [Finding], runID: Int64) throws -> [Finding] {
        let fences = fenceLookup(runID: runID)
        return try findings.map { f in
            var f = f
            f.evidence = try fences.resolve(f.evidence, ruleID: f.ruleID)
            return f
        }
    }

    /// A findings row as a Finding; the evidence is decoded with `decoder`, or left empty when
    /// nil (a carry-over copies the stored JSON text as it is).
    static func finding(_ row: Row, decoder: JSONDecoder?) -> Finding {
        let evidence = decoder.map { Self.evidence(row, decoder: $0) } ?? []
        return Finding(
            runID: row[0].int64 ?? 0, ruleID: row[1].string ?? "", ruleVersion: Int(row[2].int64 ?? 0),
            category: row[3].string ?? "", severity: Severity(rawValue: row[4].string ?? "") ?? .info,
            weight: row[5].double ?? 0, subjectType: row[6].string ?? "project", subjectID: row[7].string ?? "",
            projectID: row[8].string, agencyID: row[9].string, ministry: row[10].string,
            routeTo: (row[11].string ?? "").split(separator: ",").map(String.init), evidence: evidence,
            summary: row[13].string ?? "", summaryTH: row[14].string ?? "", value: row[15].double,
            firms: (row[16].string ?? "").split(separator: ",").map(String.init))
    }

    /// The evidence of a row read by `finding(_:decoder:)`.
    static func evidence(_ row: Row, decoder: JSONDecoder) -> [Evidence] {
        (try? decoder.decode([Evidence].self, from: Data((row[12].string ?? "[]").utf8))) ?? []
    }

    /// (rule, reason, detail) for each rule that could not be computed on the project in a run.
    public func notComputable(runID: Int64, projectID: String) throws -> [(rule: String, reason: String, detail: String)] {
        // project_id '*': the rule could not be computed on any project of the run (a table missing);
        // 'agency:<id>|<fy>': on none of that agency's projects of the year (a group too small).
        try db.query(sql: """
            SELECT rule_id, reason, detail FROM run_not_computable
            WHERE run_id = ?1 AND (project_id IN (?2, '*')
                  OR project_id = (SELECT 'agency:' || agency_id || '|' || fiscal_year FROM projects WHERE project_id = ?2))
            ORDER BY rule_id
            """, bindings: [runID, projectID]).map { ($0[0].string ?? "", $0[1].string ?? "", $0[2].string ?? "") }
    }

    /// (score, priority) of a project in a run; nil when nothing was raised on it.
    public func score(runID: Int64, projectID: String) throws -> (score: Double, priority: Int)? {
        try db.query(sql: "SELECT score, priority FROM run_priorities WHERE run_id = ? AND project_id = ?",
                     bindings: [runID, projectID]).first.map { ($0[0].double ?? 0, Int($0[1].int64 ?? 0)) }
    }
}
