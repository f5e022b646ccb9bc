import Foundation

/// Flags projects that look like one large project sliced below the 500 MB threshold: projects
/// of one agency and project type, each not tier 1 but at least `floor`, with similar titles
/// (sim ≥ s) dated within `window_months` of each other, that together meet tier 1.
///
/// Groups are the connected components of the similarity graph; every member is raised and the
/// evidence lists the group. Exclusions: tier-1 projects; budgets below `floor`; groups whose
/// total stays below the threshold. Source: [engine] threshold analogue of splitting rules
/// (Prozorro sas24-3-14, OCP R011); seed L970, L974. Rule file:
/// `Rules/large_project/LP-13-slicing-below-threshold.yaml`.
struct SlicingBelowThresholdIndicator: DatasetIndicator {
    static let id = "LP-13"
    static let fields: Set<String> = [
        "projects.project_name", "projects.project_type", "projects.budget_type", "projects.announce_date", "projects.award_date",
        "risk_assessments.fiscal_year",
    ]

    let tier: LargeProjectTier
    let floor: Int64
    let similarity: Double
    let windowMonths: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        tier = try LargeProjectTier(from: rules, for: rule)
        floor = Int64((try rule.double("floor") * 100).rounded())
        similarity = try rule.double("s")
        windowMonths = Int(try rule.int("window_months"))
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self) }

    struct Candidate {
        var projectID: String
        var agencyID: String?
        var ministry: String?
        var title: TitleSimilarity.Trigrams
        var budget: Int64
        var day: Int
        var fiscalYear: Int?
        var inScope: Bool
    }

    final class Run: DatasetRun {
        let indicator: SlicingBelowThresholdIndicator
        let titles = TitleSimilarity()
        var blocks: [String: [Candidate]] = [:]

        init(_ indicator: SlicingBelowThresholdIndicator) { self.indicator = indicator }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            guard r.currency == "THB", let budget = r.budget, budget >= indicator.floor,
                  case .tiered(false, _, _, _) = indicator.tier.classify(r),
                  let date = r.announceDate ?? r.awardDate, let day = DateMath.days(fromISO: date),
                  let name = r.projectName else { return }
            let title = TitleSimilarity.Trigrams(titles.normalize(name))
            let key = (r.agencyID ?? "") + "\u{1}" + (r.projectType ?? "")
            blocks[key, default: []].append(Candidate(
                projectID: r.projectID, agencyID: r.agencyID, ministry: r.ministry, title: title,
                budget: budget, day: day, fiscalYear: r.fiscalYear, inScope: inScope))
        }

        func finish() -> DatasetResult { indicator.decide(blocks) }
    }

    /// Whole months between two days (calendar months, the later day-of-month counting).
    static func monthsApart(_ a: Int, _ b: Int) -> Int {
        let (ya, ma, da) = DateMath.civil(fromDays: min(a, b))
        let (yb, mb, db) = DateMath.civil(fromDays: max(a, b))
        return (yb - ya) * 12 + (mb - ma) - (db < da ? 1 : 0)
    }

    func decide(_ blocks: [String: [Candidate]]) -> DatasetResult {
        var result = DatasetResult()
        for (_, members) in blocks {
            // Union-find over the similarity edges of the block.
            var parent = Array(members.indices)
            func find(_ i: Int) -> Int {
                var i = i
                while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
                return i
            }
            var bestSimilarity = [Int: Double]()
            for i in members.indices {
                for j in members.indices where j > i {
                    guard Self.monthsApart(members[i].day, members[j].day) <= windowMonths else { continue }
                    let sim = members[i].title.similarity(to: members[j].title)
                    guard sim >= similarity else { continue }
                    parent[find(i)] = find(j)
                    bestSimilarity[i] = max(bestSimilarity[i] ?? 0, sim)
                    bestSimilarity[j] = max(bestSimilarity[j] ?? 0, sim)
                }
            }
            let groups = Dictionary(grouping: members.indices, by: find)
            for indices in groups.values {
                let group = indices.map { members[$0] }
                let inScope = group.filter(\.inScope)
                guard !inScope.isEmpty else { continue }
                guard group.count >= 2 else {
                    for m in inScope { result.add(.computedNotRaised, projectID: m.projectID, agencyID: m.agencyID, ministry: m.ministry) }
                    continue
                }
                let total = group.reduce(Int64(0)) { $0 + $1.budget }
                let latestFY = group.max { $0.day < $1.day }?.fiscalYear
                let meets = latestFY.map { tier.isInclusive(fiscalYear: $0) } ?? true ? total >= tier.t1 : total > tier.t1
                for m in inScope {
                    guard meets else {
                        result.add(.computedNotRaised, projectID: m.projectID, agencyID: m.agencyID, ministry: m.ministry)
                        continue
                    }
                    let others = group.filter { $0.projectID != m.projectID }.sorted { $0.day < $1.day }
                    let draft = FindingDraft(
                        summary: Message(
                            en: "\(group.count) similar projects of one agency, each under the threshold, total \(formatBaht(total)) baht",
                            th: "โครงการลักษณะเดียวกัน \(group.count) โครงการของหน่วยงานเดียว แต่ละโครงการต่ำกว่าเกณฑ์ รวม \(formatBaht(total)) บาท"),
                        evidence: [
                            Evidence(field: "group_budget", observed: formatBaht(total) + " baht",
                                     threshold: tier.thresholdText(fiscalYear: latestFY)),
                            Evidence(field: "budget", observed: formatBaht(m.budget) + " baht"),
                            Evidence(field: "title_similarity", observed: String(format: "%.2f", bestSimilarity[members.firstIndex { $0.projectID == m.projectID }!] ?? 0),
                                     threshold: "≥ \(similarity)"),
                        ] + others.map {
                            Evidence(field: "linked_project", observed: $0.projectID,
                                     note: "\(formatBaht($0.budget)) baht, \(DateMath.iso(fromDays: $0.day))")
                        })
                    result.add(.raised(draft), projectID: m.projectID, agencyID: m.agencyID, ministry: m.ministry)
                }
            }
        }
        return result
    }
}
