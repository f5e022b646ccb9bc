import Foundation

/// The tier-1 projects a findings rule observed in the run, with their routing fields.
final class TierOneProjects {
    struct Project: ProjectReferencing {
        var project: ProjectRef
        var fiscalYear: Int?
        var winner: String?
    }

    let tier: LargeProjectTier
    private(set) var projects: [Project] = []
    private(set) var notComputable: [(Project, NotComputableReason, String)] = []

    init(tier: LargeProjectTier) { self.tier = tier }

    /// A findings rule's result, started with the projects whose tier could not be told.
    func startResult() -> DatasetResult {
        var result = DatasetResult()
        for (p, reason, detail) in notComputable {
            result.add(.notComputable(reason, detail: detail), projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
        }
        return result
    }

    func observe(_ r: ProcurementRecord) {
        let p = Project(project: r.projectRef, fiscalYear: r.fiscalYear,
                        winner: r.winnerID)
        switch tier.classify(r) {
        case .tiered(true, _, _, _): projects.append(p)
        case .unknown(let reason, let detail): notComputable.append((p, reason, detail))
        default: break
        }
    }
}

/// The run of a findings rule on large projects: it keeps the tier-1 projects in scope during the
/// pass, then decides them against the run's findings (LP-10, LP-11, LP-15).
final class TierOneFindingsRun: FindingsRun {
    let large: TierOneProjects
    let decide: (TierOneProjects, [RunFinding], [String: RuleCategory]) -> DatasetResult

    init(tier: LargeProjectTier, decide: @escaping (TierOneProjects, [RunFinding], [String: RuleCategory]) -> DatasetResult) {
        large = TierOneProjects(tier: tier)
        self.decide = decide
    }

    func observe(_ record: ProcurementRecord, inScope: Bool) { if inScope { large.observe(record) } }

    func finish(findings: [RunFinding], ranRules: [String: RuleCategory]) -> DatasetResult { decide(large, findings, ranRules) }
}

/// Flags a tier-1 project with at least one raised collusion-category finding in the run, or
/// linked to a raised ring or frequent co-bidding finding (`linked_rules`).
///
/// Not computable when no collusion rule ran. Exclusions: not tier 1. Source: seed L675 (ACT AI
/// flagged 725 PEA projects for possible bid rigging), L689; OECD 2009. Rule file:
/// `Rules/large_project/LP-11-collusion-signal.yaml`.
struct LargeProjectCollusionSignalIndicator: FindingsIndicator {
    static let id = "LP-11"
    static let fields: Set<String> = ["projects.budget_type", "risk_assessments.fiscal_year"]

    let tier: LargeProjectTier
    let linkedRules: Set<String>

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        linkedRules = Set(try rule.strings("linked_rules"))
    }

    func makeRun() -> any FindingsRun { TierOneFindingsRun(tier: tier) { large, findings, ranRules in self.decide(large, findings, ranRules) } }

    func decide(_ large: TierOneProjects, _ findings: [RunFinding], _ ranRules: [String: RuleCategory]) -> DatasetResult {
        var result = large.startResult()
        let signals = findings.filter { $0.category == .collusion || linkedRules.contains($0.ruleID) }
        let signalRulesRan = ranRules.contains { $0.value == .collusion || linkedRules.contains($0.key) }
        let byProject = Dictionary(grouping: signals, by: \.projectID)
        for p in large.projects {
            guard let hits = byProject[p.projectID], !hits.isEmpty else {
                result.add(signalRulesRan ? .computedNotRaised : .notComputable(.missingTable, detail: "no collusion rule ran in this run"),
                           projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
                continue
            }
            let ids = Array(Set(hits.map(\.ruleID))).sorted()
            result.add(.raised(FindingDraft(
                summary: Message(en: "Collusion signal on a large project: \(ids.joined(separator: ", "))",
                                 th: "โครงการขนาดใหญ่ส่อฮั้วประมูล: \(ids.joined(separator: ", "))"),
                evidence: ids.map { Evidence(field: "finding", observed: $0) })),
                projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
        }
        return result
    }
}

/// Flags an agency's tier-1 projects in a fiscal year when, over the `lookback_fy` years before
/// it, at least `min_count` of the agency's tier-1 projects (and `min_share` of them) had a
/// raised LP-02…LP-14 finding of severity high or above.
///
/// Counts the projects screened in the same run: screen all fiscal years to see the whole
/// history. Not computable when no LP-02…LP-14 rule ran. Source: DataPath/Prozorro buyer risk
/// queue; ACT agency ranking; seed L970. Rule file: `Rules/large_project/LP-15-agency-history.yaml`.
struct AgencyLargeProjectHistoryIndicator: FindingsIndicator {
    static let id = "LP-15"
    static let fields: Set<String> = ["projects.budget_type", "risk_assessments.fiscal_year"]
    static let obligationRules: Set<String> = Set((2...14).map { String(format: "LP-%02d", $0) })

    let tier: LargeProjectTier
    let lookback: Int
    let minCount: Int
    let minShare: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        lookback = Int(try rule.int("lookback_fy"))
        minCount = Int(try rule.int("min_count"))
        minShare = try rule.double("min_share")
    }

    func makeRun() -> any FindingsRun { TierOneFindingsRun(tier: tier) { large, findings, ranRules in self.decide(large, findings, ranRules) } }

    func decide(_ large: TierOneProjects, _ findings: [RunFinding], _ ranRules: [String: RuleCategory]) -> DatasetResult {
        var result = large.startResult()
        let ran = Set(ranRules.keys).intersection(AgencyLargeProjectHistoryIndicator.obligationRules)
        let serious = Set(findings.filter { ran.contains($0.ruleID) && $0.severity >= .high }.map(\.projectID))
        let byAgency = Dictionary(grouping: large.projects, by: { $0.agencyID ?? "" })
        for p in large.projects {
            guard !ran.isEmpty else {
                result.add(.notComputable(.missingTable, detail: "no LP-02…LP-14 rule ran in this run"),
                           projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
                continue
            }
            guard let fy = p.fiscalYear else {
                result.add(.notComputable(.missingColumn, detail: "fiscal_year is empty"), projectID: p.projectID,
                           agencyID: p.agencyID, ministry: p.ministry)
                continue
            }
            let history = (byAgency[p.agencyID ?? ""] ?? []).filter { q in
                guard let qfy = q.fiscalYear else { return false }
                return qfy >= fy - lookback && qfy < fy
            }
            let k = history.filter { serious.contains($0.projectID) }.count
            guard !history.isEmpty, k >= minCount, Double(k) / Double(history.count) >= minShare else {
                result.add(.computedNotRaised, projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
                continue
            }
            result.add(.raised(FindingDraft(
                summary: Message(en: "\(k) of the agency's \(history.count) large projects in FY\(fy - lookback)–\(fy - 1) had serious findings",
                                 th: "หน่วยงานนี้มีโครงการขนาดใหญ่ \(k) จาก \(history.count) โครงการในปีงบประมาณ \(fy - lookback)–\(fy - 1) ที่พบความเสี่ยงระดับสูง"),
                evidence: [
                    Evidence(field: "projects_with_serious_findings", observed: String(k), threshold: "≥ \(minCount)"),
                    Evidence(field: "share", observed: String(format: "%.2f", Double(k) / Double(history.count)), threshold: "≥ \(minShare)"),
                ] + history.filter { serious.contains($0.projectID) }.map { Evidence(field: "linked_project", observed: $0.projectID) })),
                projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
        }
        return result
    }
}

/// Flags a tier-1 project whose winner is named by a connection finding in the same tender:
/// a director, address or phone shared with a competitor (BP-08…BP-10), debarment (BP-11) or a
/// newly registered company (BP-13).
///
/// Not computable when none of those rules ran. Source: ACT Ai contractor checks; DIGIWHIST;
/// seed L1391 (e-GP linked to DBD company data). Rule file: `Rules/large_project/LP-10-connected-winner.yaml`.
struct LargeProjectConnectedWinnerIndicator: FindingsIndicator {
    static let id = "LP-10"
    static let fields: Set<String> = ["projects.budget_type", "risk_assessments.fiscal_year", "bids.bidder_id", "bids.is_winner",
                                      "contracts.winner_id"]

    let tier: LargeProjectTier
    let linkedRules: Set<String>

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        linkedRules = Set(try rule.strings("linked_rules"))
    }

    func makeRun() -> any FindingsRun { TierOneFindingsRun(tier: tier) { large, findings, ranRules in self.decide(large, findings, ranRules) } }

    func decide(_ large: TierOneProjects, _ findings: [RunFinding], _ ranRules: [String: RuleCategory]) -> DatasetResult {
        var result = large.startResult()
        let ran = !Set(ranRules.keys).isDisjoint(with: linkedRules)
        let byProject = Dictionary(grouping: findings.filter { linkedRules.contains($0.ruleID) }, by: \.projectID)
        for p in large.projects {
            guard ran else {
                result.add(.notComputable(.missingTable, detail: "none of \(linkedRules.sorted().joined(separator: ", ")) ran"),
                           projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
                continue
            }
            guard let winner = p.winner else {
                result.add(.notApplicable, projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
                continue
            }
            let hits = (byProject[p.projectID] ?? []).filter { $0.firms.contains(winner) }
            guard !hits.isEmpty else {
                result.add(.computedNotRaised, projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
                continue
            }
            let ids = Array(Set(hits.map(\.ruleID))).sorted()
            result.add(.raised(FindingDraft(
                summary: Message(en: "The winner of a large project is connected, new or debarred: \(ids.joined(separator: ", "))",
                                 th: "ผู้ชนะโครงการขนาดใหญ่มีความเชื่อมโยง/ตั้งใหม่/ทิ้งงาน: \(ids.joined(separator: ", "))"),
                evidence: ids.map { Evidence(field: "finding", observed: $0, note: "winner \(winner)") },
                involvedFirms: [winner])),
                projectID: p.projectID, agencyID: p.agencyID, ministry: p.ministry)
        }
        return result
    }
}
