import Foundation

/// The store's schema as ordered, named migrations; `PRAGMA user_version` counts those applied.
///
/// Append new migrations at the end, never edit an applied one: a store created by an older
/// procscreen is brought up to date on open. Money columns are integer satang; dates are
/// ISO-8601 text (`2024-11-29`, or a full timestamp where the source has one).
public enum Schema {
    public struct Migration: Sendable {
        public let name: String
        public let sql: String
    }

    public static let migrations: [Migration] = [
        Migration(name: "001_core_tables", sql: """
            CREATE TABLE sources (
                source_id   INTEGER PRIMARY KEY,
                path        TEXT NOT NULL,
                sha256      TEXT NOT NULL UNIQUE,
                format      TEXT NOT NULL,            -- bundle | cgd | ocds
                table_name  TEXT,                     -- for bundle files: projects, bids, …
                encoding    TEXT,                     -- utf-8 | tis-620
                rows        INTEGER NOT NULL DEFAULT 0,
                rows_quarantined INTEGER NOT NULL DEFAULT 0,
                issues      INTEGER NOT NULL DEFAULT 0,
                ingested_at TEXT NOT NULL
            );
            CREATE TABLE agencies (
                agency_id     TEXT PRIMARY KEY,
                agency_name   TEXT,
                ministry      TEXT,
                ministry_code TEXT,
                province      TEXT,
                source_id     INTEGER
            );
            CREATE TABLE projects (
                project_id      TEXT PRIMARY KEY,
                project_name    TEXT,
                project_type    TEXT,
                agency_id       TEXT,
                agency_name     TEXT,
                sub_agency_name TEXT,
                ministry        TEXT,
                province        TEXT,
                method          TEXT,                 -- canonical: e_bidding, e_market, price_inquiry, selection, specific, other
                method_raw      TEXT,                 -- the text as published
                fiscal_year     INTEGER,              -- Buddhist era
                budget          INTEGER,              -- satang
                reference_price INTEGER,              -- satang (ราคากลาง)
                agreed_price    INTEGER,              -- satang
                currency        TEXT NOT NULL DEFAULT 'THB',
                announce_date   TEXT,
                bid_deadline    TEXT,
                award_date      TEXT,
                status          TEXT,
                num_bids        INTEGER,
                num_doc_buyers  INTEGER,
                budget_type     TEXT,                 -- investment | operating
                multi_year      INTEGER,              -- 0/1/NULL
                source_id       INTEGER,
                source_line     INTEGER
            ) WITHOUT ROWID;
            CREATE TABLE bids (
                project_id   TEXT NOT NULL,
                bidder_id    TEXT,
                bidder_name  TEXT,
                price        INTEGER,                 -- satang
                status       TEXT,                    -- valid | disqualified | withdrawn | NULL
                is_winner    INTEGER,
                disqualification_reason TEXT,
                bid_date     TEXT,
                source_id    INTEGER,
                source_line  INTEGER,              -- input order within the source (also Cardinal's tie-break)
                -- Clustered by project: a tender's bids sit together for the screens, and no
                -- separate project index has to be built after a bulk load.
                PRIMARY KEY (project_id, source_id, source_line)
            ) WITHOUT ROWID;
            CREATE TABLE contracts (
                project_id     TEXT NOT NULL,
                contract_no    TEXT,
                winner_id      TEXT,
                winner_name    TEXT,
                contract_date  TEXT,
                end_date       TEXT,
                amount         INTEGER,               -- satang
                status         TEXT,
                n_amendments   INTEGER,
                amended_amount INTEGER,               -- satang, value after all amendments
                source_id      INTEGER,
                source_line    INTEGER,
                PRIMARY KEY (project_id, source_id, source_line)   -- clustered by project, as bids
            ) WITHOUT ROWID;
            CREATE TABLE firms (
                firm_id         TEXT PRIMARY KEY,
                name            TEXT,
                registered_date TEXT,
                address         TEXT,
                phone           TEXT,
                email           TEXT,
                country         TEXT,
                anti_corruption_policy INTEGER,       -- s.19 written policy: 0/1/NULL
                source_id       INTEGER
            );
            CREATE TABLE firm_directors (
                firm_id       TEXT NOT NULL,
                director_name TEXT,
                director_id   TEXT,
                source_id     INTEGER
            );
            CREATE TABLE risk_assessments (
                project_id       TEXT NOT NULL,
                fiscal_year      INTEGER,
                assessment_date  TEXT,
                risk_plan        INTEGER,
                submitted_to     TEXT,
                emenscr_reported INTEGER,
                inspected_date   TEXT,
                inspection_phase TEXT,                -- pre_contract | contract_management
                source_id        INTEGER,
                PRIMARY KEY (project_id, fiscal_year)
            );
            CREATE TABLE lists (
                list_name     TEXT NOT NULL,          -- debarred | integrity_pact | …
                firm_id       TEXT,
                project_id    TEXT,
                listed_date   TEXT,
                delisted_date TEXT,
                joined_date   TEXT,
                source_id     INTEGER
            );
            CREATE TABLE ingest_issues (
                issue_id  INTEGER PRIMARY KEY,
                source_id INTEGER,
                file      TEXT NOT NULL,
                line      INTEGER NOT NULL,           -- 1-based physical line where the row starts
                column_number INTEGER,                -- 1-based field position, when one field is at fault
                field     TEXT,                       -- the column name
                code      TEXT NOT NULL,              -- machine-readable reason, e.g. bad_number, invalid_tin
                reason    TEXT NOT NULL,
                action    TEXT NOT NULL,              -- quarantined (row not stored) | kept (row stored, value dropped or flagged)
                raw       TEXT,
                subject_id TEXT                       -- the project or firm the row was about, when known
            );
            CREATE TABLE loaded_tables (
                table_name TEXT PRIMARY KEY,          -- a register counts as loaded once any file fed it
                first_source_id INTEGER
            );
            CREATE TABLE runs (
                run_id      INTEGER PRIMARY KEY,
                kind        TEXT NOT NULL,            -- screen | scan
                started_at  TEXT NOT NULL,
                finished_at TEXT,
                rules_dir   TEXT,
                parameters  TEXT,                     -- JSON: rule versions and effective parameters
                summary     TEXT                      -- JSON
            );
            CREATE TABLE findings (
                finding_id   INTEGER PRIMARY KEY,
                run_id       INTEGER NOT NULL,
                rule_id      TEXT NOT NULL,
                rule_version INTEGER NOT NULL,
                category     TEXT NOT NULL,
                severity     TEXT NOT NULL,
                weight       REAL NOT NULL,
                subject_type TEXT NOT NULL,           -- project | firm | pair | ring | agency
                subject_id   TEXT NOT NULL,
                project_id   TEXT,
                agency_id    TEXT,
                ministry     TEXT,
                route_to     TEXT,                    -- comma-separated oversight codes
                evidence     TEXT                     -- JSON
            );
            """),
        Migration(name: "002_indexes", sql: """
            CREATE INDEX IF NOT EXISTS bids_bidder ON bids(bidder_id);
            CREATE INDEX IF NOT EXISTS contracts_winner ON contracts(winner_id);
            CREATE INDEX IF NOT EXISTS directors_firm ON firm_directors(firm_id);
            CREATE INDEX IF NOT EXISTS lists_name ON lists(list_name, firm_id);
            CREATE INDEX IF NOT EXISTS projects_agency ON projects(agency_id, fiscal_year);
            CREATE INDEX IF NOT EXISTS issues_source ON ingest_issues(source_id);
            CREATE INDEX IF NOT EXISTS findings_run_project ON findings(run_id, project_id);
            CREATE INDEX IF NOT EXISTS findings_rule ON findings(run_id, rule_id);
            """),
        Migration(name: "003_screening_outcomes", sql: """
            ALTER TABLE findings ADD COLUMN summary TEXT;      -- one line, English
            ALTER TABLE findings ADD COLUMN summary_th TEXT;   -- one line, Thai
            CREATE TABLE not_computable (                      -- never shown as "no risk"
                run_id     INTEGER NOT NULL,
                rule_id    TEXT NOT NULL,
                project_id TEXT NOT NULL,
                reason     TEXT NOT NULL,                      -- missing_column, register_not_loaded, …
                detail     TEXT
            );
            CREATE INDEX not_computable_run ON not_computable(run_id, project_id);
            CREATE TABLE run_rule_stats (                      -- outcome counts per rule and run
                run_id           INTEGER NOT NULL,
                rule_id          TEXT NOT NULL,
                rule_version     INTEGER NOT NULL,
                raised           INTEGER NOT NULL,
                not_raised       INTEGER NOT NULL,
                not_applicable   INTEGER NOT NULL,
                not_computable   INTEGER NOT NULL,
                parameters       TEXT,                         -- JSON: the effective parameters
                PRIMARY KEY (run_id, rule_id)
            );
            CREATE TABLE project_scores (
                run_id       INTEGER NOT NULL,
                project_id   TEXT NOT NULL,
                score        REAL NOT NULL,                    -- 1 − Π(1 − weight) over raised findings
                priority     INTEGER,                          -- 1 = look first (score, then budget)
                findings     INTEGER NOT NULL,
                max_severity TEXT NOT NULL,
                PRIMARY KEY (run_id, project_id)
            );
            """),
        // No query reads bids or contracts by firm yet; the cross-tender screens scan and
        // aggregate, and add the indexes their lookups need.
        Migration(name: "004_drop_unused_indexes", sql: "DROP INDEX IF EXISTS bids_bidder; DROP INDEX IF EXISTS contracts_winner;"),
        Migration(name: "005_run_fences", sql: """
            CREATE TABLE run_fences (                          -- the stratum fences each dataset rule computed
                run_id    INTEGER NOT NULL,
                rule_id   TEXT NOT NULL,
                statistic TEXT NOT NULL,
                stratum   TEXT NOT NULL,                       -- method × type × band × FY, '*' where coarsened
                n         INTEGER NOT NULL,
                q1        REAL NOT NULL,
                q3        REAL NOT NULL,
                k         REAL NOT NULL,
                PRIMARY KEY (run_id, rule_id, stratum)
            ) WITHOUT ROWID;
            """),
        // OCDS keeps what exact Cardinal compatibility needs (INDICATORS.md §3.2).
        Migration(name: "006_ocds_fields", sql: """
            ALTER TABLE projects ADD COLUMN procurement_method TEXT;      -- OCDS tender/procurementMethod as published
            ALTER TABLE projects ADD COLUMN procuring_entity_id TEXT;     -- OCDS tender/procuringEntity/id (agency_id is buyer/id)
            ALTER TABLE projects ADD COLUMN award_criteria TEXT;
            ALTER TABLE projects ADD COLUMN release_date TEXT;            -- the version's date: an older version never replaces a newer one
            ALTER TABLE bids ADD COLUMN status_raw TEXT;                  -- as published (invited, pending, qualified, …); NULL: none
            ALTER TABLE bids ADD COLUMN n_tenderers INTEGER;              -- consortia: tenderers on the bid
            ALTER TABLE bids ADD COLUMN currency TEXT;
            ALTER TABLE contracts ADD COLUMN award_id TEXT;
            ALTER TABLE contracts ADD COLUMN n_suppliers INTEGER;
            ALTER TABLE contracts ADD COLUMN currency TEXT;
            ALTER TABLE contracts ADD COLUMN contract_status TEXT;        -- OCDS contracts[]/status (status holds the award's)
            CREATE TABLE project_items (
                project_id     TEXT NOT NULL,
                award_id       TEXT,                                      -- NULL: a tender item
                classification TEXT NOT NULL,
                source_id      INTEGER
            );
            CREATE INDEX project_items_project ON project_items(project_id);
            """),
        Migration(name: "007_findings_values_and_parties", sql: """
            ALTER TABLE findings ADD COLUMN value REAL;        -- the indicator's number (ratio, count, share), when it has one
            ALTER TABLE findings ADD COLUMN firms TEXT;        -- the firms the finding names, comma-separated
            ALTER TABLE projects ADD COLUMN procurement_method_details TEXT;   -- OCDS, as published
            CREATE TABLE project_parties (                     -- OCDS parties as each process publishes them
                project_id  TEXT NOT NULL,
                party_id    TEXT NOT NULL,
                roles       TEXT,                              -- comma-separated
                street      TEXT, locality TEXT, region TEXT, postal_code TEXT, country TEXT,
                contact_name TEXT, email TEXT, telephone TEXT, fax TEXT, url TEXT,
                source_id   INTEGER
            );
            CREATE INDEX project_parties_project ON project_parties(project_id);
            """),
        Migration(name: "008_lots", sql: """
            ALTER TABLE bids ADD COLUMN lot_id TEXT;           -- OCDS bids.details[].relatedLot
            ALTER TABLE contracts ADD COLUMN lot_id TEXT;      -- the award's first related lot
            """),
        Migration(name: "009_tender_amendments", sql: """
            ALTER TABLE projects ADD COLUMN tender_amendments INTEGER;   -- changes to the call for tenders (e-GP D2; OCDS tender.amendments); NULL unknown
            """),
        Migration(name: "010_scan_resume_point", sql: """
            ALTER TABLE runs ADD COLUMN sources_through INTEGER;   -- the highest source id whose rows the run saw (scans resume after it)
            """),
        Migration(name: "011_source_sizes", sql: """
            ALTER TABLE sources ADD COLUMN size_bytes INTEGER;   -- the file's size: content of a size no source has is new without hashing first
            """),
        // A run's outcomes are kept as changes to the run it continues (a scan to the last
        // snapshot): an unchanged finding is not written again, it stays until a run drops it.
        // Copying every finding per nightly scan grew the store by the whole findings table a night.
        // Readers use the run_* views: the rows of a run R are those written in R's chain up to R
        // and not dropped by R or before.
        Migration(name: "012_outcomes_by_run_interval", sql: """
            ALTER TABLE runs ADD COLUMN chain_start INTEGER;         -- the first run of the chain this run continues (itself: a full run)
            ALTER TABLE runs ADD COLUMN continues INTEGER;           -- the run it continues (stores its outcomes as changes to)
            UPDATE runs SET chain_start = run_id;
            ALTER TABLE findings ADD COLUMN until_run INTEGER;       -- the run of its chain that dropped it; NULL: still current
            ALTER TABLE findings ADD COLUMN digest INTEGER;          -- a hash of its content: an unchanged finding is kept, not rewritten
            ALTER TABLE not_computable ADD COLUMN until_run INTEGER;
            ALTER TABLE not_computable ADD COLUMN digest INTEGER;
            ALTER TABLE project_scores ADD COLUMN until_run INTEGER;
            ALTER TABLE project_scores ADD COLUMN budget INTEGER;    -- ranks equal scores (priority is ranked when read)
            UPDATE project_scores SET budget = (SELECT budget FROM projects p WHERE p.project_id = project_scores.project_id);
            ALTER TABLE project_scores DROP COLUMN priority;
            DROP INDEX IF EXISTS findings_run_project;
            CREATE INDEX IF NOT EXISTS findings_project ON findings(project_id, run_id);
            CREATE INDEX findings_dropped ON findings(until_run) WHERE until_run IS NOT NULL;
            CREATE INDEX not_computable_dropped ON not_computable(until_run) WHERE until_run IS NOT NULL;
            CREATE VIEW run_findings AS
                SELECT r.run_id AS run_id, f.finding_id, f.rule_id, f.rule_version, f.category, f.severity, f.weight,
                       f.subject_type, f.subject_id, f.project_id, f.agency_id, f.ministry, f.route_to, f.evidence,
                       f.summary, f.summary_th, f.value, f.firms, f.run_id AS written_run
                FROM runs r JOIN findings f ON f.run_id BETWEEN r.chain_start AND r.run_id
                                           AND (f.until_run IS NULL OR f.until_run > r.run_id);
            CREATE VIEW run_not_computable AS
                SELECT r.run_id AS run_id, n.rowid AS row_id, n.rule_id, n.project_id, n.reason, n.detail, n.run_id AS written_run
                FROM runs r JOIN not_computable n ON n.run_id BETWEEN r.chain_start AND r.run_id
                                                 AND (n.until_run IS NULL OR n.until_run > r.run_id);
            CREATE VIEW run_scores AS
                SELECT r.run_id AS run_id, s.rowid AS row_id, s.project_id, s.score, s.findings, s.max_severity, s.budget,
                       s.run_id AS written_run
                FROM runs r JOIN project_scores s ON s.run_id BETWEEN r.chain_start AND r.run_id
                                                 AND (s.until_run IS NULL OR s.until_run > r.run_id);
            -- Priority 1 = look first: score, then budget (materiality), then project id. Filter on
            -- run_id directly (the filter then reaches inside the ranking); in a join, rank in a CTE.
            CREATE VIEW run_priorities AS
                SELECT run_id, project_id, score, findings, max_severity, budget,
                       row_number() OVER (PARTITION BY run_id ORDER BY score DESC, budget DESC NULLS LAST, project_id) AS priority
                FROM run_scores;
            """),
        // The views carry each row's digest, so that a continuing run finds the rows to keep
        // through them: which rows belong to a run is said in one place.
        Migration(name: "013_run_views_with_digests", sql: """
            DROP VIEW run_findings;
            DROP VIEW run_not_computable;
            CREATE VIEW run_findings AS
                SELECT r.run_id AS run_id, f.finding_id, f.rule_id, f.rule_version, f.category, f.severity, f.weight,
                       f.subject_type, f.subject_id, f.project_id, f.agency_id, f.ministry, f.route_to, f.evidence,
                       f.summary, f.summary_th, f.value, f.firms, f.run_id AS written_run, f.digest
                FROM runs r JOIN findings f ON f.run_id BETWEEN r.chain_start AND r.run_id
                                           AND (f.until_run IS NULL OR f.until_run > r.run_id);
            CREATE VIEW run_not_computable AS
                SELECT r.run_id AS run_id, n.rowid AS row_id, n.rule_id, n.project_id, n.reason, n.detail, n.run_id AS written_run,
                       n.digest
                FROM runs r JOIN not_computable n ON n.run_id BETWEEN r.chain_start AND r.run_id
                                                 AND (n.until_run IS NULL OR n.until_run > r.run_id);
            """),
        // What a cross-project rule observed, kept so that a scan continuing the run adds its
        // batch to it instead of observing every project again (Docs/INCREMENTAL.md).
        Migration(name: "014_dataset_state", sql: """
            CREATE TABLE dataset_state (                       -- whose observations each kept population holds
                population TEXT PRIMARY KEY,                   -- the population's key (its rules' shared parameters)
                run_id     INTEGER NOT NULL                    -- the run that observed it: only a scan continuing that run reads it
            ) WITHOUT ROWID;
            CREATE TABLE bid_distribution_state (              -- BR-01…BR-09: the tenders whose statistics enter a fence
                population  TEXT NOT NULL,
                project_id  TEXT NOT NULL,
                agency_id   TEXT,
                ministry    TEXT,
                bids        INTEGER NOT NULL,                  -- valid bids
                method      TEXT NOT NULL,                     -- the stratum: method × type × value band × FY
                project_type TEXT,
                value_band  TEXT,
                fiscal_year INTEGER NOT NULL,
                cv REAL, spd REAL, diffp REAL, rd REAL, rdnor REAL, rdalt REAL, skew REAL, kurt REAL, ks REAL,
                PRIMARY KEY (population, project_id)
            ) WITHOUT ROWID;
            """),
        Migration(name: "015_runner_up_state", sql: """
            CREATE TABLE runner_up_state (                     -- BR-21/BR-22: the projects whose runner-up gap enters a fence
                population    TEXT NOT NULL,
                project_id    TEXT NOT NULL,
                agency_id     TEXT,
                ministry      TEXT,
                method        TEXT,
                project_type  TEXT,
                band_value    INTEGER,                         -- budget, else reference price (satang): the value band
                fiscal_year   INTEGER,
                winners       INTEGER NOT NULL,
                winning_bid   INTEGER,
                winner        TEXT,
                runner_up_bid INTEGER,
                runner_up     TEXT,
                awards_qualify INTEGER NOT NULL,
                PRIMARY KEY (population, project_id)
            ) WITHOUT ROWID;
            """),
        Migration(name: "016_organisation_ratio_state", sql: """
            ALTER TABLE dataset_state ADD COLUMN detail TEXT;  -- small values of the population (JSON)
            CREATE TABLE organisation_counts_state (           -- BP-21, BP-22: two counts per group × organisation × fiscal year
                population   TEXT NOT NULL,
                grp          INTEGER NOT NULL,                 -- the rule's group (agency, sub-agency, bidder, …)
                organisation TEXT NOT NULL,
                fiscal_year  INTEGER NOT NULL,                 -- 0: none
                first        INTEGER NOT NULL,                 -- BP-21: disqualified bids; BP-22: valid bids
                second       INTEGER NOT NULL,                 -- BP-21: submitted bids; BP-22: won
                PRIMARY KEY (population, grp, organisation, fiscal_year)
            ) WITHOUT ROWID;
            CREATE TABLE linked_projects_state (               -- the projects a raised organisation links to
                population TEXT NOT NULL,
                project_id TEXT NOT NULL,
                agency_id  TEXT,
                ministry   TEXT,
                fiscal_year INTEGER NOT NULL,                  -- 0: none
                keys       TEXT NOT NULL,                      -- "group␟organisation", separated by ␞
                PRIMARY KEY (population, project_id)
            ) WITHOUT ROWID;
            """),
    ]

    /// Applies every migration the store has not seen yet, each in its own transaction.
    ///
    /// - Throws: `StoreError`; a failed migration leaves the store at the previous version.
    public static func migrate(_ db: Database) throws {
        let applied = Int(try db.scalar(sql: "PRAGMA user_version").int64 ?? 0)
        guard applied < migrations.count else { return }
        for (index, migration) in migrations.enumerated().dropFirst(applied) {
            try db.transaction {
                try db.execute(sql: migration.sql)
                try db.execute(sql: "PRAGMA user_version = \(index + 1)")
            }
        }
    }

    public static var currentVersion: Int { migrations.count }
}

/// Secondary indexes, kept apart so bulk loads can drop and rebuild them
/// (SQLite inserts 3-5x faster without them; SWIFT-NOTES.md).
public enum Indexes {
    public struct Index: Sendable {
        public let name: String
        public let table: String
        public let columns: String
        public var createSQL: String { "CREATE INDEX IF NOT EXISTS \(name) ON \(table)(\(columns));" }
        public var dropSQL: String { "DROP INDEX IF EXISTS \(name);" }
    }

    /// Only indexes a query uses: each one costs a sort of its table after every bulk load
    /// (the bidder index alone took 40 % of a bids.csv load). Bids and contracts need none for
    /// project lookups: they are clustered by project.
    public static let all: [Index] = [
        Index(name: "directors_firm", table: "firm_directors", columns: "firm_id"),
        Index(name: "lists_name", table: "lists", columns: "list_name, firm_id"),
        Index(name: "projects_agency", table: "projects", columns: "agency_id, fiscal_year"),
        Index(name: "issues_source", table: "ingest_issues", columns: "source_id"),
        Index(name: "findings_project", table: "findings", columns: "project_id, run_id"),
        Index(name: "findings_rule", table: "findings", columns: "run_id, rule_id"),
    ]

    public static func on(_ table: String) -> [Index] { all.filter { $0.table == table } }
}
