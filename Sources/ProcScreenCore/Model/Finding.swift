import Foundation

/// One fact behind a finding: the field, the value observed, and the threshold it was held to.
public struct Evidence: Sendable, Equatable, Codable {
    public var field: String
    public var observed: String
    public var threshold: String?
    public var note: String?

    public init(field: String, observed: String, threshold: String? = nil, note: String? = nil) {
        self.field = field
        self.observed = observed
        self.threshold = threshold
        self.note = note
    }
}

/// A one-line message in Thai and English.
public struct Message: Sendable, Equatable, Codable {
    public var en: String
    public var th: String

    public init(en: String, th: String) {
        self.en = en
        self.th = th
    }

    public func text(_ language: Language) -> String { language == .th ? th : en }
}

public enum Language: String, Sendable, Codable, CaseIterable { case th, en }

/// Why a rule could not be evaluated on a subject (INDICATORS.md §1.1.7). Never "no risk".
public enum NotComputableReason: String, Sendable, Codable, CaseIterable {
    case missingTable = "missing_table"
    case missingColumn = "missing_column"
    case tooFewBids = "too_few_bids"
    case stratumTooSmall = "stratum_too_small"
    case registerNotLoaded = "register_not_loaded"
    case unparseableValue = "unparseable_value"
    case pending
    /// [engine] A co-bidding component too dense to split into candidate rings (BP-06).
    case graphTooDense = "graph_too_dense"
}

/// What a finding is about.
public enum SubjectType: String, Sendable, Codable { case project, firm, pair, ring, agency }

/// The result of one rule on one subject.
public enum Outcome: Sendable, Equatable {
    case raised(FindingDraft)
    case computedNotRaised
    case notApplicable
    case notComputable(NotComputableReason, detail: String)

    public var isRaised: Bool { if case .raised = self { return true } else { return false } }
}

/// A raised finding before the engine stamps it with the rule, run and routing.
public struct FindingDraft: Sendable, Equatable {
    public var summary: Message
    public var evidence: [Evidence]
    public var subjectType: SubjectType
    /// For non-project subjects: the firm, pair or ring id.
    public var subjectID: String?
    /// The firms the finding is about (rules that build on it, like LP-10, read them).
    public var involvedFirms: [String]
    /// The indicator's number for this subject (a ratio, a count, a share), when it has one.
    public var value: Double?

    public init(summary: Message, evidence: [Evidence], subjectType: SubjectType = .project, subjectID: String? = nil,
                involvedFirms: [String] = [], value: Double? = nil) {
        self.value = value
        self.summary = summary
        self.evidence = evidence
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.involvedFirms = involvedFirms
    }
}

/// A stored finding, as the `findings` table and the JSON report carry it.
public struct Finding: Sendable, Equatable, Codable {
    public var runID: Int64
    public var ruleID: String
    public var ruleVersion: Int
    public var category: String
    public var severity: Severity
    public var weight: Double
    public var subjectType: String
    public var subjectID: String
    public var projectID: String?
    public var agencyID: String?
    public var ministry: String?
    public var routeTo: [String]
    public var evidence: [Evidence]
    public var summary: String
    public var summaryTH: String
    public var value: Double? = nil
    public var firms: [String] = []

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", ruleID = "rule_id", ruleVersion = "rule_version", category, severity, weight
        case subjectType = "subject_type", subjectID = "subject_id", projectID = "project_id", agencyID = "agency_id"
        case ministry, routeTo = "route_to", evidence, summary, summaryTH = "summary_th", value, firms
    }
}

/// An amount with its unit: "1,234,567.50 baht", or "770,000 AMD" for other currencies.
public func formatMoney(_ minor: Int64, currency: String) -> String {
    formatBaht(minor) + " " + (currency == "THB" ? "baht" : currency)
}

/// Money for people: satang → "1,234,567.50" baht.
public func formatBaht(_ satang: Int64) -> String {
    let negative = satang < 0
    let value = abs(satang)
    var whole = String(value / 100)
    var grouped = ""
    while whole.count > 3 {
        grouped = "," + whole.suffix(3) + grouped
        whole = String(whole.dropLast(3))
    }
    let cents = value % 100
    return (negative ? "-" : "") + whole + grouped + (cents == 0 ? "" : "." + (cents < 10 ? "0" : "") + String(cents))
}

/// A count with thousands separators ("537,629").
public func formatCount(_ n: Int) -> String { formatBaht(Int64(n) * 100) }
