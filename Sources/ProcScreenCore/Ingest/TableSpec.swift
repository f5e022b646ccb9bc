import Foundation

/// How one bundle column is parsed and stored.
public enum ColumnKind: Sendable, Equatable {
    case text
    /// A 13-digit Thai TIN (or a foreign identifier): normalised, checksum-checked, kept.
    case taxID
    case money
    case integer
    case fiscalYear
    case date
    case bool
    /// Raw text mapped to a canonical code by a `values.yaml` table (e.g. "methods").
    case code(String)
}

/// One column of a bundle table.
public struct ColumnSpec: Sendable {
    public let name: String
    public let kind: ColumnKind
    public let required: Bool

    init(_ name: String, _ kind: ColumnKind = .text, required: Bool = false) {
        self.name = name
        self.kind = kind
        self.required = required
    }

    /// Whether a value that cannot be read sends the whole row to quarantine (keys, money,
    /// counts), rather than being stored as missing with an issue (dates, flags, codes).
    var quarantinesOnInvalid: Bool {
        if required { return true }
        switch kind {
        case .money, .integer, .fiscalYear: return true
        default: return false
        }
    }
}

/// What a newer row does to what the store already holds.
public enum ReplacePolicy: Sendable, Equatable {
    /// One row per primary key: the newer row replaces the older one.
    case upsert
    /// Rows belong to a parent key (bids to a project): the file's rows for that key replace
    /// every older row for it.
    case replaceGroup(key: [String])
}

/// A table of the canonical CSV bundle: its file name, columns and replacement policy.
public struct TableSpec: Sendable {
    /// The bundle file stem (`projects` for projects.csv) and the key in headers.yaml.
    public let name: String
    /// The SQL table it loads.
    public let sqlTable: String
    public let columns: [ColumnSpec]
    public let replace: ReplacePolicy

    /// The bundle's tables, in load order (parents before children).
    public static let all: [TableSpec] = [agencies, firms, directors, projects, bids, contracts, riskAssessments, lists]

    public static func named(_ name: String) -> TableSpec? { all.first { $0.name == name } }

    public static let agencies = TableSpec(
        name: "agencies", sqlTable: "agencies",
        columns: [ColumnSpec("agency_id", required: true), ColumnSpec("agency_name"), ColumnSpec("ministry"),
                  ColumnSpec("ministry_code"), ColumnSpec("province")],
        replace: .upsert)

    public static let firms = TableSpec(
        name: "firms", sqlTable: "firms",
        columns: [ColumnSpec("firm_id", .taxID, required: true), ColumnSpec("name"),
                  ColumnSpec("registered_date", .date), ColumnSpec("address"), ColumnSpec("phone"),
                  ColumnSpec("email"), ColumnSpec("country"), ColumnSpec("anti_corruption_policy", .bool)],
        replace: .upsert)

    public static let directors = TableSpec(
        name: "directors", sqlTable: "firm_directors",
        columns: [ColumnSpec("firm_id", .taxID, required: true), ColumnSpec("director_name"), ColumnSpec("director_id")],
        replace: .replaceGroup(key: ["firm_id"]))

    public static let projects = TableSpec(
        name: "projects", sqlTable: "projects",
        columns: [
            ColumnSpec("project_id", required: true), ColumnSpec("project_name"), ColumnSpec("project_type"),
            ColumnSpec("agency_id"), ColumnSpec("agency_name"), ColumnSpec("sub_agency_name"),
            ColumnSpec("ministry"), ColumnSpec("province"), ColumnSpec("method", .code("methods")),
            ColumnSpec("fiscal_year", .fiscalYear), ColumnSpec("budget", .money),
            ColumnSpec("reference_price", .money), ColumnSpec("agreed_price", .money),
            ColumnSpec("announce_date", .date), ColumnSpec("bid_deadline", .date), ColumnSpec("award_date", .date),
            ColumnSpec("status"), ColumnSpec("num_bids", .integer), ColumnSpec("num_doc_buyers", .integer),
            ColumnSpec("budget_type", .code("budget_types")), ColumnSpec("multi_year", .bool),
            ColumnSpec("tender_amendments", .integer),
        ],
        replace: .upsert)

    public static let bids = TableSpec(
        name: "bids", sqlTable: "bids",
        columns: [
            ColumnSpec("project_id", required: true), ColumnSpec("bidder_id", .taxID), ColumnSpec("bidder_name"),
            ColumnSpec("price", .money), ColumnSpec("status", .code("bid_statuses")), ColumnSpec("is_winner", .bool),
            ColumnSpec("disqualification_reason"), ColumnSpec("bid_date", .date),
        ],
        replace: .replaceGroup(key: ["project_id"]))

    public static let contracts = TableSpec(
        name: "contracts", sqlTable: "contracts",
        columns: [
            ColumnSpec("project_id", required: true), ColumnSpec("contract_no"), ColumnSpec("winner_id", .taxID),
            ColumnSpec("winner_name"), ColumnSpec("contract_date", .date), ColumnSpec("end_date", .date),
            ColumnSpec("amount", .money), ColumnSpec("status"), ColumnSpec("n_amendments", .integer),
            ColumnSpec("amended_amount", .money),
        ],
        replace: .replaceGroup(key: ["project_id"]))

    public static let riskAssessments = TableSpec(
        name: "risk_assessments", sqlTable: "risk_assessments",
        columns: [
            ColumnSpec("project_id", required: true), ColumnSpec("fiscal_year", .fiscalYear),
            ColumnSpec("assessment_date", .date), ColumnSpec("risk_plan", .bool), ColumnSpec("submitted_to"),
            ColumnSpec("emenscr_reported", .bool), ColumnSpec("inspected_date", .date),
            ColumnSpec("inspection_phase", .code("inspection_phases")),
        ],
        replace: .upsert)

    /// `lists/<name>.csv`: the list name comes from the file name (debarred, integrity_pact, …).
    public static let lists = TableSpec(
        name: "lists", sqlTable: "lists",
        columns: [
            ColumnSpec("firm_id", .taxID), ColumnSpec("project_id"), ColumnSpec("listed_date", .date),
            ColumnSpec("delisted_date", .date), ColumnSpec("joined_date", .date),
        ],
        replace: .replaceGroup(key: ["list_name", "firm_id", "project_id"]))
}
