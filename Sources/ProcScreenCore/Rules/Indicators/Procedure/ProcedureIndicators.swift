import Foundation

/// Baht (a rule parameter) as satang.
private func satang(_ rule: RuleFile, _ name: String) throws(RuleFileError) -> Int64 {
    Int64((try rule.double(name) * 100).rounded())
}

/// TH-04: a specific-method purchase in the last months of the fiscal year (ACT Ai
/// "โครงการเฉพาะเจาะจงที่จัดซื้อจัดจ้างท้ายปีงบประมาณ"): budgets spent in a hurry before they lapse.
/// method = specific, month(announce_date, else contract_date) ∈ `months`, budget ≥ `min_budget`.
///
/// Rule file: `Rules/procedure/TH-04-year-end-specific-purchase.yaml`.
struct YearEndSpecificPurchaseIndicator: RecordIndicator {
    static let id = "TH-04"
    static let fields: Set<String> = ["projects.method", "projects.announce_date", "projects.budget", "contracts.contract_date"]

    let months: Set<Int>
    let minBudget: Int64

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        guard case .list(let items) = try rule.parameterValue("months") else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.months.value", reason: "expected a list of months (1–12)")
        }
        var months = Set<Int>()
        for item in items {
            guard case .integer(let m) = item, (1...12).contains(m) else {
                throw RuleFileError(path: rule.path, keyPath: "parameters.months.value", reason: "expected a list of months (1–12)")
            }
            months.insert(Int(m))
        }
        self.months = months
        minBudget = try satang(rule, "min_budget")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard record.method == .specific else { return .notApplicable }
        if let stop = record.bahtThresholdsUnknown { return stop }
        guard let budget = record.budget else { return .notComputable(.missingColumn, detail: "budget is empty") }
        guard budget >= minBudget else { return .notApplicable }
        let (date, source) = record.announceDate.map { ($0, "announce_date") }
            ?? (record.contracts.compactMap(\.contractDate).min().map { ($0, "contract_date") } ?? ("", ""))
        guard let day = DateMath.days(fromISO: date) else {
            return .notComputable(.missingColumn, detail: "no announce_date or contract_date")
        }
        let month = DateMath.civil(fromDays: day).1
        guard months.contains(month) else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Specific-method purchase of \(formatBaht(budget)) baht at the fiscal year's end (\(date))",
                             th: "จัดซื้อวิธีเฉพาะเจาะจง \(formatBaht(budget)) บาท ช่วงท้ายปีงบประมาณ (\(date))"),
            evidence: [Evidence(field: source, observed: date, threshold: "month in " + months.sorted().map(String.init).joined(separator: ", ")),
                       Evidence(field: "budget", observed: formatBaht(budget) + " baht", threshold: "≥ \(formatBaht(minBudget))")],
            value: Double(budget) / 100))
    }
}

/// CR-05: the call for tenders was changed after it was published (Fazekas CRI "call for tenders
/// modified"): tender_amendments ≥ `min_amendments`. Unknown (no e-GP D2 count, no OCDS
/// tender.amendments array) is not computable.
///
/// Rule file: `Rules/procedure/CR-05-call-for-tenders-modified.yaml`.
struct CallForTendersModifiedIndicator: RecordIndicator {
    static let id = "CR-05"
    static let fields: Set<String> = ["projects.tender_amendments"]

    let minAmendments: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) { minAmendments = Int(try rule.int("min_amendments")) }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard let n = record.tenderAmendments else {
            return .notComputable(.missingColumn, detail: "tender_amendments is not recorded")
        }
        guard n >= minAmendments else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "The call for tenders was changed \(n) time\(n == 1 ? "" : "s")",
                             th: "มีการเปลี่ยนแปลงประกาศเชิญชวน \(n) ครั้ง"),
            evidence: [Evidence(field: "tender_amendments", observed: String(n), threshold: "≥ \(minAmendments)")],
            value: Double(n)))
    }
}

/// CR-08: a works contract with an implausibly short execution period (Prozorro sas-3-7):
/// project_type matches `construction_pattern`, end_date − contract_date < `min_days` and the
/// amount ≥ `min_amount`. The planned end date stands in for completion.
///
/// Rule file: `Rules/procedure/CR-08-short-works-execution.yaml`.
struct ShortWorksExecutionIndicator: RecordIndicator {
    static let id = "CR-08"
    static let fields: Set<String> = ["projects.project_type", "contracts.contract_date", "contracts.end_date", "contracts.amount",
                                      "contracts.contract_no"]

    let construction: PCRERegex
    let minDays: Int
    let minAmount: Int64

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        let pattern = try rule.parameterValue("construction_pattern").description
        do { construction = try PCRERegex(pattern, caseless: true) } catch {
            throw RuleFileError(path: rule.path, keyPath: "parameters.construction_pattern.value", reason: "invalid pattern: \(error)")
        }
        minDays = Int(try rule.int("min_days"))
        minAmount = try satang(rule, "min_amount")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard let type = record.projectType else { return .notComputable(.missingColumn, detail: "project_type is empty") }
        guard (try? construction.matches(type)) == true else { return .notApplicable }
        if let stop = record.bahtThresholdsUnknown { return stop }
        let large = record.contracts.filter { ($0.amount ?? 0) >= minAmount }
        guard !large.isEmpty else {
            return record.contracts.contains { $0.amount == nil } ? .notComputable(.missingColumn, detail: "contract amount is empty") : .notApplicable
        }
        var evidence: [Evidence] = []
        var shortest: Int?
        var dated = false
        for c in large {
            guard let start = c.contractDate.flatMap(DateMath.days(fromISO:)), let end = c.endDate.flatMap(DateMath.days(fromISO:)) else { continue }
            dated = true
            let days = end - start
            guard days < minDays else { continue }
            shortest = min(shortest ?? days, days)
            evidence.append(Evidence(field: "execution_days", observed: String(days), threshold: "< \(minDays)",
                                     note: "contract \(c.contractNo ?? "—"): \(c.contractDate!) → \(c.endDate!), \(formatBaht(c.amount!)) baht"))
        }
        guard dated else { return .notComputable(.missingColumn, detail: "contract_date or end_date is empty") }
        guard let shortest else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Works contract of \(shortest) days (under \(minDays))",
                             th: "งานก่อสร้างระยะสัญญาเพียง \(shortest) วัน (น้อยกว่า \(minDays) วัน)"),
            evidence: evidence, value: Double(shortest)))
    }
}

/// TH-02: budgets bunched just below a legal threshold (World Bank INT flag 2; Prozorro
/// RISK2-5_1): for each t of `thresholds` and w = band·t, per agency × FY, N_near = the budgets in
/// [t − w, t] and N_below = those in [t − 2w, t − w). A project in the near band is raised when
/// N_near + N_below ≥ `min_n` and N_near ≥ `ratio`·N_below; a smaller group is not computable.
///
/// Rule file: `Rules/procedure/TH-02-bunching-below-threshold.yaml`.
struct BunchingBelowThresholdIndicator: DatasetIndicator {
    static let id = "TH-02"
    static let fields: Set<String> = ["projects.budget", "projects.fiscal_year"]

    let thresholds: [Int64]
    let band: Double
    let ratio: Double
    let minN: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        guard case .list(let items) = try rule.parameterValue("thresholds") else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.thresholds.value", reason: "expected a list of amounts in baht")
        }
        var values: [Int64] = []
        for item in items {
            guard let v = item.doubleValue, v > 0 else {
                throw RuleFileError(path: rule.path, keyPath: "parameters.thresholds.value", reason: "expected a list of amounts in baht")
            }
            values.append(Int64((v * 100).rounded()))
        }
        thresholds = values
        band = try rule.double("band")
        guard band > 0, band < 0.5 else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.band.value", reason: "expected a fraction in (0, 0.5)")
        }
        ratio = try rule.double("ratio")
        minN = Int(try rule.int("min_n"))
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self) }

    final class Run: DatasetRun {
        struct Candidate { var projectID: String, agencyID: String, ministry: String?, fiscalYear: Int, threshold: Int, budget: Int64 }
        struct Key: Hashable { var agency: String, fiscalYear: Int, threshold: Int }

        let rule: BunchingBelowThresholdIndicator
        var counts: [Key: (near: Int, below: Int)] = [:]
        var candidates: [Candidate] = []
        var computedElsewhere = 0

        init(_ rule: BunchingBelowThresholdIndicator) { self.rule = rule }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            guard let budget = r.budget, let agency = r.agencyID, let fy = r.fiscalYear, r.currency == "THB" else { return }
            var near: Int?
            for (i, t) in rule.thresholds.enumerated() {
                let w = Int64((Double(t) * rule.band).rounded())
                if budget >= t - w && budget <= t {
                    counts[Key(agency: agency, fiscalYear: fy, threshold: i), default: (0, 0)].near += 1
                    near = near ?? i
                } else if budget >= t - 2 * w && budget < t - w {
                    counts[Key(agency: agency, fiscalYear: fy, threshold: i), default: (0, 0)].below += 1
                }
            }
            guard inScope else { return }
            if let near {
                candidates.append(Candidate(projectID: r.projectID, agencyID: agency, ministry: r.ministry, fiscalYear: fy, threshold: near, budget: budget))
            } else {
                computedElsewhere += 1
            }
        }

        func finish() -> DatasetResult {
            var result = DatasetResult()
            result.notRaised = computedElsewhere
            var small: [Key: Int] = [:]
            for c in candidates {
                let key = Key(agency: c.agencyID, fiscalYear: c.fiscalYear, threshold: c.threshold)
                let n = counts[key]!
                guard n.near + n.below >= rule.minN else {
                    small[key, default: 0] += 1
                    continue
                }
                guard Double(n.near) >= rule.ratio * Double(n.below) else { result.notRaised += 1; continue }
                let t = rule.thresholds[c.threshold]
                result.add(.raised(FindingDraft(
                    summary: Message(en: "Budget \(formatBaht(c.budget)) just below \(formatBaht(t)) baht, where agency \(c.agencyID) bunched \(n.near) budgets in FY \(c.fiscalYear) (\(n.below) in the band below)",
                                     th: "วงเงิน \(formatBaht(c.budget)) บาท ต่ำกว่าเกณฑ์ \(formatBaht(t)) บาทเล็กน้อย หน่วยงานมีวงเงินกระจุกใต้เกณฑ์ \(n.near) โครงการ (ช่วงถัดลงไป \(n.below))"),
                    evidence: [Evidence(field: "near_threshold", observed: String(n.near), threshold: "≥ \(rule.ratio) × \(n.below)",
                                        note: "budgets in [\(formatBaht(t - Int64(Double(t) * rule.band))), \(formatBaht(t))], agency \(c.agencyID), FY \(c.fiscalYear)"),
                               Evidence(field: "budget", observed: formatBaht(c.budget) + " baht", threshold: "≤ \(formatBaht(t))")],
                    value: Double(n.near) / Double(max(n.below, 1)))),
                    projectID: c.projectID, agencyID: c.agencyID, ministry: c.ministry)
            }
            for (key, projects) in small.sorted(by: { ($0.key.agency, $0.key.fiscalYear) < ($1.key.agency, $1.key.fiscalYear) }) {
                let n = counts[key]!
                result.subjectNotComputable.append(("agency:\(key.agency)|\(key.fiscalYear)", .stratumTooSmall,
                                                    "agency \(key.agency) FY \(key.fiscalYear): \(n.near + n.below) budgets near \(formatBaht(rule.thresholds[key.threshold])) (\(rule.minN) needed)",
                                                    projects))
            }
            return result
        }
    }
}

/// TH-03: contract splitting (ACT Ai "ส่อหั่นสัญญาแบ่งช่วง"; OCP R011/R049): per (agency, winner),
/// contracts of `methods` each ≤ `limit` (the contract amount, else the agreed price), dated by
/// contract_date, else announce_date. For each contract i, G_i = the contracts dated from its
/// date to date + `window_days`; raised when |G_i| ≥ 2 and Σ amount > limit. Only maximal groups
/// count; each project of a group is linked, with the group as evidence.
///
/// Rule file: `Rules/procedure/TH-03-contract-splitting.yaml`.
struct ContractSplittingIndicator: DatasetIndicator {
    static let id = "TH-03"
    static let fields: Set<String> = ["projects.method", "projects.agreed_price", "projects.announce_date", "contracts.winner_id",
                                      "contracts.amount", "contracts.contract_date", "contracts.status", "bids.bidder_id", "bids.is_winner"]

    let limit: Int64
    let windowDays: Int
    let methods: Set<ProcurementMethod>

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        limit = try satang(rule, "limit")
        windowDays = Int(try rule.int("window_days"))
        methods = try rule.methodSet("methods")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self) }

    final class Run: DatasetRun {
        struct Entry { var key: Int64, day: Int32, amount: Int64, project: Int32 }

        let rule: ContractSplittingIndicator
        let contractStatus = ContractStatus()
        var names = Interner()
        var projects: [AwardsTable.Project] = []
        var entries: [Entry] = []

        init(_ rule: ContractSplittingIndicator) { self.rule = rule }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            guard let method = r.method, rule.methods.contains(method), let agency = r.agencyID, r.currency == "THB" else { return }
            var found: [(winner: String, amount: Int64?, date: String?)] = r.contracts.compactMap { c in
                guard let w = c.winnerID, !contractStatus.isCancelled(c.status) else { return nil }
                return (w, c.amount ?? r.agreedPrice, c.contractDate ?? r.announceDate)
            }
            if found.isEmpty, !r.contracts.contains(where: { $0.winnerID != nil }), let w = r.winnerID { found = [(w, r.agreedPrice, r.announceDate)] }
            let usable = found.compactMap { f -> (String, Int64, Int)? in
                guard let amount = f.amount, amount > 0, amount <= rule.limit, let day = f.date.flatMap(DateMath.days(fromISO:)) else { return nil }
                return (f.winner, amount, day)
            }
            guard !usable.isEmpty else { return }
            let p = Int32(projects.count)
            projects.append(.init(project: r.projectRef, fiscalYear: r.fiscalYear, inScope: inScope))
            let a = Int64(names.id(agency))
            for (winner, amount, day) in usable {
                entries.append(Entry(key: Int64(names.id(winner)) << 32 | a, day: Int32(day), amount: amount, project: p))
            }
        }

        func finish() -> DatasetResult {
            entries.sort { ($0.key, $0.day, $0.project) < ($1.key, $1.day, $1.project) }
            var linked = LinkedFindings()
            var start = 0
            while start < entries.count {
                var end = start + 1
                while end < entries.count && entries[end].key == entries[start].key { end += 1 }
                var previousEnd = -1
                var j = start
                var total: Int64 = 0
                for i in start ..< end {
                    // G_i = [i, j): the window is monotone in i, so j only moves forward.
                    if j < i { j = i; total = 0 }
                    while j < end && Int(entries[j].day) <= Int(entries[i].day) + rule.windowDays { total += entries[j].amount; j += 1 }
                    defer { total -= entries[i].amount }
                    let count = j - i
                    guard j > previousEnd else { continue }   // G_i ⊂ G_(i-1): not maximal
                    previousEnd = j
                    guard count >= 2, total > rule.limit else { continue }
                    let group = entries[i ..< j]
                    let firm = names.name(Int32(entries[i].key >> 32)), agency = names.name(Int32(truncatingIfNeeded: entries[i].key))
                    let first = DateMath.iso(fromDays: Int(group.first!.day)), last = DateMath.iso(fromDays: Int(group.last!.day))
                    let members = group.map { "\(projects[Int($0.project)].projectID) \(DateMath.iso(fromDays: Int($0.day))) \(formatBaht($0.amount))" }
                    let hit = LinkedFindings.Hit(
                        subjectType: .project, subjectID: projects[Int(group.first!.project)].projectID, firms: [firm],
                        summary: Message(en: "Possible contract splitting: \(count) contracts of \(firm) with agency \(agency) from \(first) to \(last), together \(formatBaht(total)) baht",
                                         th: "ส่อแบ่งซื้อแบ่งจ้าง: \(count) สัญญาของ \(firm) กับหน่วยงาน \(agency) ระหว่าง \(first) ถึง \(last) รวม \(formatBaht(total)) บาท"),
                        evidence: [Evidence(field: "group_total", observed: formatBaht(total) + " baht", threshold: "> \(formatBaht(rule.limit)), each ≤ \(formatBaht(rule.limit))",
                                            note: "\(count) contracts within \(rule.windowDays) days: " + members.joined(separator: "; "))],
                        value: Double(total) / 100, rank: count)
                    for e in group where projects[Int(e.project)].inScope { linked.add(tender: Int(e.project), hit) }
                }
                start = end
            }
            var result = DatasetResult()
            linked.write(into: &result, tenders: projects) { _ in true }
            return result
        }
    }
}

/// CR-06: a tender cancelled and soon relaunched (Fazekas CRI "annulled and relaunched"; Prozorro
/// RISK-2-11): p's status matches `cancelled_pattern`; a later project q of the same agency with
/// announce_date(q) − announce_date(p) ∈ [0, `window_days`] and sim(name_p, name_q) ≥ `s` is
/// raised. The evidence gives p and budget(q)/budget(p) (≥ 1.3 noted as "value raised").
///
/// Rule file: `Rules/procedure/CR-06-cancelled-and-relaunched.yaml`.
struct CancelledAndRelaunchedIndicator: DatasetIndicator {
    static let id = "CR-06"
    static let fields: Set<String> = ["projects.status", "projects.project_name", "projects.announce_date", "projects.budget"]

    let cancelledPattern: String
    let windowDays: Int
    let s: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        cancelledPattern = try rule.parameterValue("cancelled_pattern").description
        do { _ = try PCRERegex(cancelledPattern, caseless: true) } catch {
            throw RuleFileError(path: rule.path, keyPath: "parameters.cancelled_pattern.value", reason: "invalid pattern: \(error)")
        }
        windowDays = Int(try rule.int("window_days"))
        s = try rule.double("s")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, titles: shared.projectText) }

    final class Run: DatasetRun {
        /// A project with an announce date and a title, in 32 bytes. The title itself is read
        /// from the store only for the candidates found after the pass (a million titles held
        /// 290 MB).
        struct Announcement: LinkableProject, ProjectReferencing {
            var project: ProjectRef
            /// Satang.
            var budget: PackedOptional<Int64>
            var agency: Int32, day: Int32
            var cancelled: Bool, inScope: Bool
        }

        let rule: CancelledAndRelaunchedIndicator
        let cancelled: RepeatedValueMatcher
        let titleSource: ProjectTextLookup?
        let titles = TitleSimilarity()
        var names = Interner()
        var announcements: [Announcement] = []

        init(_ rule: CancelledAndRelaunchedIndicator, titles: ProjectTextLookup?) {
            self.rule = rule
            cancelled = RepeatedValueMatcher(try! PCRERegex(rule.cancelledPattern, caseless: true))   // checked when the rule loaded
            titleSource = titles
        }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            guard let agency = r.agencyID, r.projectName != nil, let day = r.announceDate.flatMap(DateMath.days(fromISO:)) else { return }
            let isCancelled = cancelled.matches(r.status)
            guard inScope || isCancelled else { return }
            announcements.append(Announcement(project: r.projectRef, budget: PackedOptional(r.budget), agency: names.id(agency),
                                              day: Int32(day), cancelled: isCancelled, inScope: inScope))
        }

        func finish() -> DatasetResult {
            announcements.sort { ($0.agency, $0.day) < ($1.agency, $1.day) }
            // 1. The candidate pairs (cancelled p, later q of the same agency), without titles.
            var pairs: [(p: Int, q: Int)] = []
            for (i, p) in announcements.enumerated() where p.cancelled {
                var j = i + 1
                // Same agency, announced 0…window days later (equal days sort in either order: look back too).
                var k = i - 1
                while k >= 0 && announcements[k].agency == p.agency && announcements[k].day == p.day { k -= 1 }
                let candidates = Array((k + 1) ..< i) + { var c: [Int] = []
                    while j < announcements.count && announcements[j].agency == p.agency && Int(announcements[j].day) <= Int(p.day) + rule.windowDays { c.append(j); j += 1 }
                    return c }()
                for c in candidates {
                    let q = announcements[c]
                    guard !q.cancelled || q.day > p.day, q.inScope, c != i else { continue }
                    pairs.append((i, c))
                }
            }
            // 2. Their titles, from the store (none to read when no pair was found).
            var result = DatasetResult()
            let wanted = pairs.flatMap { [announcements[$0.p].projectID, announcements[$0.q].projectID] }
            var stored: [String: String] = [:]
            do {
                if !wanted.isEmpty {
                    guard let titleSource else { throw StoreError(code: 0, message: "no store to read the titles from") }
                    stored = try titleSource.values(.projectName, of: wanted)
                }
            } catch {
                result.everywhereNotComputable = (.missingColumn, "the titles of the candidate projects could not be read: \(error)")
                return result
            }
            var normalized: [Int: TitleSimilarity.Trigrams] = [:]
            func title(_ index: Int) -> TitleSimilarity.Trigrams {
                if let known = normalized[index] { return known }
                let made = TitleSimilarity.Trigrams(titles.normalize(stored[announcements[index].projectID] ?? ""))
                normalized[index] = made
                return made
            }
            // 3. The pairs whose titles are alike enough.
            var linked = LinkedFindings()
            for (pi, qi) in pairs {
                let p = announcements[pi], q = announcements[qi]
                let sim = title(pi).similarity(to: title(qi))
                guard sim >= rule.s else { continue }
                let pid = p.projectID
                let growth = zip([q.budget.value], [p.budget.value]).compactMap { qb, pb -> Double? in
                    guard let qb, let pb, pb > 0 else { return nil }
                    return Double(qb) / Double(pb)
                }.first
                var evidence = [Evidence(field: "cancelled_project", observed: pid, threshold: "announced ≤ \(rule.windowDays) days before",
                                         note: "\(DateMath.iso(fromDays: Int(p.day))) → \(DateMath.iso(fromDays: Int(q.day)))"),
                                Evidence(field: "title_similarity", observed: String(format: "%.3f", sim), threshold: "≥ \(rule.s)")]
                if let growth {
                    evidence.append(Evidence(field: "budget_ratio", observed: String(format: "%.3f", growth), note: growth >= 1.3 ? "value raised" : nil))
                }
                linked.add(tender: qi, .init(
                    subjectType: .project, subjectID: q.projectID, firms: [],
                    summary: Message(en: "Relaunched \(Int(q.day) - Int(p.day)) days after cancelled project \(pid)" + (growth.map { String(format: " (budget × %.2f)", $0) } ?? ""),
                                     th: "ประกาศใหม่หลังยกเลิกโครงการ \(pid) \(Int(q.day) - Int(p.day)) วัน"),
                    evidence: evidence, value: sim, rank: Int(sim * 1000)))
            }
            linked.write(into: &result, tenders: announcements) { _ in true }
            return result
        }
    }
}
