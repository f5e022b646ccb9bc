import Foundation

/// The JSON report (DESIGN.md): `{"generated_at", "filters", "projects": [...], "findings": [...]}`,
/// findings with the keys of the `findings` table, plus the run and its summaries. Money is in
/// baht as exact decimal numbers.
public enum JSONReport {
    struct Document: Encodable {
        var generated_at: String
        var filters: ReportFilters
        var run: Run
        var summary: Summary
        var projects: [Project]
        var findings: [Finding]
    }

    struct Run: Encodable {
        var run_id: Int64
        var started_at: String
        var rules_dir: String?
        var rules: [Rule]
    }

    struct Rule: Encodable {
        var rule_id: String
        var version: Int
        var title: Message
        var category: String
        var findings: Int
        var projects: Int
        var not_computable: Int
        var parameters: [String: String]
    }

    struct Count: Encodable { var name: String; var projects: Int; var findings: Int }
    struct NotComputable: Encodable { var rule_id: String; var reason: String; var records: Int }

    struct Summary: Encodable {
        var projects: Int
        var findings: Int
        var per_category: [Count]
        var per_ministry: [Count]
        var not_computable: [NotComputable]
    }

    struct Project: Encodable {
        var priority: Int
        var score: Double
        var project_id: String
        var project_name: String?
        var ministry: String?
        var agency_id: String?
        var agency_name: String?
        var sub_agency_name: String?
        var province: String?
        var method: String?
        var method_raw: String?
        var fiscal_year: Int?
        var budget: Decimal?
        var reference_price: Decimal?
        var agreed_price: Decimal?
        var currency: String
        var winner_id: String?
        var winner_name: String?
        var rule_ids: [String]
        var max_severity: Severity
        var route_to: [String]
    }

    static func baht(_ satang: Int64?) -> Decimal? { satang.map { Decimal($0) / 100 } }

    public static func render(_ r: FlaggedReport) throws -> String {
        let document = Document(
            generated_at: r.generatedAt, filters: r.filters,
            run: Run(run_id: r.runID, started_at: r.runStarted, rules_dir: r.rulesDirectory, rules: r.rules.map {
                Rule(rule_id: $0.ruleID, version: $0.version, title: $0.title, category: $0.category, findings: $0.findings,
                     projects: $0.projects, not_computable: $0.notComputable, parameters: $0.parameters)
            }),
            summary: Summary(projects: r.projectCount, findings: r.findingCount,
                             per_category: r.categories.map { Count(name: $0.name, projects: $0.projects, findings: $0.findings) },
                             per_ministry: r.perMinistry.map { Count(name: $0.name, projects: $0.projects, findings: $0.findings) },
                             not_computable: r.notComputable.map { NotComputable(rule_id: $0.rule, reason: $0.reason, records: $0.records) }),
            projects: r.projects.map { p in
                let i = p.info
                return Project(priority: i.priority, score: (i.score * 10_000).rounded() / 10_000, project_id: i.projectID, project_name: i.name,
                               ministry: i.ministry, agency_id: i.agencyID, agency_name: i.agencyName, sub_agency_name: i.subAgency,
                               province: i.province, method: i.method, method_raw: i.methodRaw, fiscal_year: i.fiscalYear,
                               budget: baht(i.budget), reference_price: baht(i.referencePrice), agreed_price: baht(i.agreedPrice),
                               currency: i.currency, winner_id: i.winnerID, winner_name: i.winnerName,
                               rule_ids: p.findings.map(\.ruleID), max_severity: p.maxSeverity, route_to: p.routes)
            },
            findings: r.findings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
