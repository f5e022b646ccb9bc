import Foundation

/// What a flagged-project report selects (DESIGN.md "Reports"); every field optional.
public struct ReportFilters: Sendable, Encodable {
    public var ministry: String?
    public var agency: String?
    public var province: String?
    public var fiscalYear: Int?
    public var minSeverity: Severity?
    public var category: String?
    public var rules: [String]?
    public var top: Int?
    /// Only findings that run `newSinceRun` did not have (rule, project and subject): a scan's new findings.
    public var newSinceRun: Int64?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case ministry, agency, province, fiscalYear = "fiscal_year", minSeverity = "min_severity", category, rules, top
        case newSinceRun = "new_since_run"
    }

    /// "Ministry = …; top 25 projects" in the report's language, or nil when nothing is filtered.
    public func text(_ l: Language) -> String? {
        var parts: [String] = []
        if let ministry { parts.append("\(ReportLabel.ministry.text(l)) = \(ministry)") }
        if let agency { parts.append("\(ReportLabel.agency.text(l)) = \(agency)") }
        if let province { parts.append("\(ReportLabel.province.text(l)) = \(province)") }
        if let fiscalYear { parts.append("\(ReportLabel.fiscalYear.text(l)) = \(fiscalYear)") }
        if let minSeverity { parts.append("\(ReportLabel.severity.text(l)) ≥ \(ReportText.severity(minSeverity, l))") }
        if let category { parts.append("\(ReportLabel.category.text(l)) = \(RuleCategory(rawValue: category).map { l == .th ? $0.title.th : $0.title.en } ?? category)") }
        if let rules { parts.append("\(ReportLabel.rules.text(l)) = \(rules.joined(separator: ","))") }
        if let top { parts.append(l == .th ? "\(top) โครงการแรกตามลำดับความสำคัญ" : "top \(top) projects") }
        if let newSinceRun { parts.append(l == .th ? "ข้อสังเกตใหม่นับจากการคัดกรองครั้งที่ \(newSinceRun)" : "new since run \(newSinceRun)") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

/// A flagged-project report: the projects of one run that carry findings passing the filters,
/// ranked by priority, with their findings, grouped by ministry → agency, and the run's
/// summaries. Every format (CSV, XLSX, JSON, Markdown, HTML) renders this one value.
public struct FlaggedReport: Sendable {
    public struct Project: Sendable {
        public var info: ScreenStore.ReportProject
        public var findings: [Finding]

        /// The highest severity among its findings.
        public var maxSeverity: Severity { findings.map(\.severity).max() ?? .info }
        /// The oversight bodies its findings route to, in first-seen order.
        public var routes: [String] {
            var seen: [String] = []
            for code in findings.flatMap(\.routeTo) where !seen.contains(code) { seen.append(code) }
            return seen
        }
    }

    public struct Group: Sendable {
        public var name: String
        public var projects: Int
        public var findings: Int
    }

    public struct AgencyGroup: Sendable {
        public var agency: String
        /// Indexes into `projects`.
        public var projects: [Int]
        public var findings: Int
    }

    public struct MinistryGroup: Sendable {
        public var ministry: String
        public var agencies: [AgencyGroup]
        public var projects: Int { agencies.reduce(0) { $0 + $1.projects.count } }
        public var findings: Int { agencies.reduce(0) { $0 + $1.findings } }
    }

    public struct RuleLine: Sendable {
        public var ruleID: String
        public var title: Message
        public var category: String
        public var severity: Severity?
        public var version: Int
        public var findings: Int
        public var projects: Int
        public var notComputable: Int
        public var parameters: [String: String]
    }

    public struct LargeProjectStatus: Sendable {
        public var complete = 0
        public var incomplete = 0
        public var unassessed = 0
        public var total: Int { complete + incomplete + unassessed }
    }

    public var generatedAt: String
    public var runID: Int64
    public var runStarted: String
    public var rulesDirectory: String?
    public var filters: ReportFilters
    public var projects: [Project]
    public var ministries: [MinistryGroup]
    public var rules: [RuleLine]
    public var categories: [Group]
    public var notComputable: [(rule: String, reason: String, records: Int)]
    public var largeProjects: LargeProjectStatus?
    /// The catalog's oversight bodies, for names next to codes.
    public var oversight: OversightBodies
    /// Rule titles by id, looked up for every finding a writer prints.
    private var titles: [String: Message] = [:]

    public var findings: [Finding] { projects.flatMap(\.findings) }
    /// How many findings the report holds, without copying them (`findings` copies every one:
    /// half a million at 1 M projects, only to be counted).
    public var findingCount: Int { projects.reduce(0) { $0 + $1.findings.count } }

    /// Builds the report of run `runID` (default: the latest) from the store.
    ///
    /// - Parameter evidence: read each finding's evidence; CSV and XLSX print the summary line
    ///   only, and skip it.
    /// - Throws: `StoreError`; `ReportError.noRun` when the store was never screened.
    public static func build(store: Store, catalog: RuleCatalog, filters: ReportFilters, runID: Int64? = nil, evidence: Bool = true,
                             generatedAt: String = ISO8601DateFormatter().string(from: Date())) throws -> FlaggedReport {
        let screens = ScreenStore(store: store)
        guard let run = try runID ?? screens.latestRunID() else { throw ReportError.noRun }
        guard let info = try screens.runInfo(run), info.finished != nil else { throw ReportError.unknownRun(run) }
        let wantedRules = filters.rules.map(Set.init)
        // The run's findings that the earlier run did not have, by key ("rule|project|subject").
        let fresh = try filters.newSinceRun.map { Set(try screens.findingKeys(in: run, notIn: $0).map(\.key)) }
        var projects: [Project] = []
        var index: [String: Int] = [:]
        // Findings arrive by priority: with --top, reading stops at the first project past it.
        try screens.forEachReportFinding(runID: run, filter: ScreenStore.ProjectFilter(
            ministry: filters.ministry, agency: filters.agency, province: filters.province, fiscalYear: filters.fiscalYear,
            category: filters.category)) { finding, project, decodeEvidence in
            if let minimum = filters.minSeverity, finding.severity < minimum { return true }
            if let wantedRules, !wantedRules.contains(finding.ruleID) { return true }
            if let fresh, !fresh.contains(finding.ruleID + "|" + (finding.projectID ?? "") + "|" + finding.subjectID) { return true }
            var finding = finding
            if evidence { finding.evidence = decodeEvidence() }
            if let i = index[project.projectID] {
                projects[i].findings.append(finding)
            } else {
                if let top = filters.top, projects.count == top { return false }
                index[project.projectID] = projects.count
                projects.append(Project(info: project, findings: [finding]))
            }
            return true
        }
        let winners = try screens.winners(of: projects.map(\.info.projectID))
        for i in projects.indices {
            if let w = winners[projects[i].info.projectID] { (projects[i].info.winnerID, projects[i].info.winnerName) = (w.id, w.name) }
        }

        // Ministry → agency, largest first.
        var byMinistry: [String: [String: AgencyGroup]] = [:]
        for (i, p) in projects.enumerated() {
            let ministry = p.info.ministry ?? "—"
            let agency = p.info.agencyName ?? p.info.agencyID ?? "—"
            byMinistry[ministry, default: [:]][agency, default: AgencyGroup(agency: agency, projects: [], findings: 0)].projects.append(i)
            byMinistry[ministry]![agency]!.findings += p.findings.count
        }
        let ministries = byMinistry.map { name, agencies in
            MinistryGroup(ministry: name, agencies: agencies.values.sorted { ($0.findings, $1.agency) > ($1.findings, $0.agency) })
        }.sorted { ($0.findings, $1.ministry) > ($1.findings, $0.ministry) }

        // Per rule: findings and projects in the report, the run's not-computable count and parameters.
        let stats = try screens.ruleStats(run)
        var perRule: [String: (findings: Int, projects: Set<String>)] = [:]
        for p in projects { for f in p.findings { perRule[f.ruleID, default: (0, [])].findings += 1; perRule[f.ruleID]!.projects.insert(p.info.projectID) } }
        let rules = stats.map { s in
            let rule = catalog.rule(s.ruleID)
            return RuleLine(ruleID: s.ruleID, title: rule?.title ?? Message(en: s.ruleID, th: s.ruleID),
                            category: rule?.category.rawValue ?? "", severity: rule?.severity, version: s.version,
                            findings: perRule[s.ruleID]?.findings ?? 0, projects: perRule[s.ruleID]?.projects.count ?? 0,
                            notComputable: s.notComputable, parameters: s.parameters)
        }
        var perCategory: [String: Group] = [:]
        for p in projects {
            for category in Set(p.findings.map(\.category)) { perCategory[category, default: Group(name: category, projects: 0, findings: 0)].projects += 1 }
            for f in p.findings { perCategory[f.category, default: Group(name: f.category, projects: 0, findings: 0)].findings += 1 }
        }

        var large: LargeProjectStatus?
        if catalog.rule("LP-01") != nil, let register = try? LargeProjectRegister.build(store: store, catalog: catalog, fiscalYear: filters.fiscalYear,
                                                                                        ministry: filters.ministry) {
            var status = LargeProjectStatus()
            for e in register.entries {
                if !e.assessed { status.unassessed += 1 } else if e.riskPlan == true && e.submittedToBudgetBureau == true && e.emenscrReported == true {
                    status.complete += 1
                } else {
                    status.incomplete += 1
                }
            }
            large = status
        }

        return FlaggedReport(
            generatedAt: generatedAt, runID: run, runStarted: info.started, rulesDirectory: info.rulesDirectory, filters: filters,
            projects: projects, ministries: ministries, rules: rules,
            categories: perCategory.values.sorted { ($0.findings, $1.name) > ($1.findings, $0.name) },
            notComputable: try screens.notComputableCounts(run), largeProjects: large, oversight: catalog.oversight,
            titles: Dictionary(rules.map { ($0.ruleID, $0.title) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Findings per ministry, largest first.
    public var perMinistry: [Group] {
        ministries.map { Group(name: $0.ministry, projects: $0.projects, findings: $0.findings) }
    }

    /// "PACC ป.ป.ท." or "PACC (Office of the Public Sector Anti-Corruption Commission)".
    public func oversightName(_ code: String, _ language: Language) -> String {
        guard let body = oversight[code] else { return code }
        return language == .th ? "\(code) \(body.shortName ?? body.name.th)" : "\(code) \(body.name.en)"
    }

    public func categoryTitle(_ category: String, _ language: Language) -> String {
        guard let c = RuleCategory(rawValue: category) else { return category }
        return language == .th ? c.title.th : c.title.en
    }

    public func ruleTitle(_ id: String, _ language: Language) -> String {
        titles[id]?.text(language) ?? id
    }
}

public enum ReportError: Error, CustomStringConvertible {
    case noRun
    case unknownRun(Int64)
    case unknownFormat(String)

    public var description: String {
        switch self {
        case .noRun: return "the store has no finished screening run: run `procscreen screen` first"
        case .unknownRun(let run): return "run \(run) is not a finished run of this store (see `sqlite3 STORE 'SELECT run_id, kind, finished_at FROM runs'`)"
        case .unknownFormat(let f): return "unknown report format '\(f)' (csv, xlsx, json, markdown, html)"
        }
    }
}

/// Values as the reports print them.
enum ReportText {
    /// Satang → baht with thousands separators ("1,234,567.50").
    static func money(_ satang: Int64?) -> String { satang.map(formatBaht) ?? "" }

    /// Satang → a plain decimal number of baht for spreadsheets and JSON ("1234567.5").
    static func number(_ satang: Int64?) -> String {
        guard let satang else { return "" }
        let whole = satang / 100, cents = abs(satang % 100)
        return (satang < 0 && whole == 0 ? "-" : "") + String(whole) + (cents == 0 ? "" : "." + (cents < 10 ? "0" : "") + String(cents))
    }

    static func score(_ s: Double) -> String { String(format: "%.4f", s) }

    static func severity(_ s: Severity, _ language: Language) -> String { language == .th ? s.thai : s.rawValue }

    /// The finding's one-line evidence summary in the report's language.
    static func summary(_ f: Finding, _ language: Language) -> String { language == .th ? f.summaryTH : f.summary }
}
