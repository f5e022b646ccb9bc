import Foundation

/// Everything `procscreen show PROJECT_ID` presents: the project, its bids and contracts, the
/// findings of the latest run with evidence and routing, and what could not be computed.
public struct ProjectView: Sendable {
    public var record: ProcurementRecord
    public var runID: Int64?
    public var findings: [Finding]
    public var notComputable: [(rule: String, reason: String, detail: String)]
    public var score: Double?
    public var priority: Int?
    /// The collusion screens of the run on this tender, fired or not (the combined view).
    public var collusionScreens: [CollusionScreenLine] = []

    /// - Throws: `StoreError`; returns nil when the project is not in the store.
    public static func load(store: Store, projectID: String, runID: Int64? = nil) throws -> ProjectView? {
        let screens = ScreenStore(store: store)
        guard let record = try screens.record(projectID) else { return nil }
        let run = try runID ?? screens.latestRunID()
        var view = ProjectView(record: record, runID: run, findings: [], notComputable: [], score: nil, priority: nil)
        if let run {
            view.findings = try screens.findings(runID: run, projectID: projectID)
            view.notComputable = try screens.notComputable(runID: run, projectID: projectID)
            if let s = try screens.score(runID: run, projectID: projectID) { (view.score, view.priority) = (s.score, s.priority) }
            view.collusionScreens = try CollusionScreenLine.lines(for: view, runID: run, store: screens)
        }
        return view
    }
}

/// One collusion screen on one tender: the statistic's value, the fence of the tender's stratum
/// in that run, and the outcome, whether or not it fired.
public struct CollusionScreenLine: Sendable {
    public enum State: String, Sendable { case raised, notRaised = "not raised", notComputable = "not computable", notApplicable = "not applicable" }

    public var ruleID: String
    public var statistic: String
    public var value: Double?
    public var state: State
    public var detail: String?
    /// The stratum fence: "stratum (n, Q1, Q3, lower, upper)".
    public var fence: String?

    /// The statistic each distribution screen reads; pattern screens carry no single value.
    static let statistics: [(rule: String, statistic: String)] = [
        ("BR-01", "cv"), ("BR-02", "spd"), ("BR-03", "diffp"), ("BR-04", "rd"), ("BR-05", "rdnor"), ("BR-06", "rdalt"),
        ("BR-07", "skew"), ("BR-08", "kurt"), ("BR-09", "ks"), ("BR-10", ""), ("BR-11", ""), ("BR-12", ""), ("BR-13", ""),
        ("BR-14", ""), ("BR-21", "runner_up_gap"), ("BR-22", "runner_up_gap"), ("BR-23", ""),
    ]

    /// The valid bidders a pattern screen needs before "not raised" means anything.
    static let minimumBidders = ["BR-10": 5, "BR-12": 3, "BR-13": 3, "BR-14": 3]

    static func lines(for view: ProjectView, runID: Int64, store: ScreenStore) throws -> [CollusionScreenLine] {
        let ran = Set(try store.db.query(sql: "SELECT rule_id FROM run_rule_stats WHERE run_id = ?", bindings: [runID]).compactMap { $0[0].string })
        let r = view.record
        let valid = r.validPrices()
        let bidders = valid.count
        let distribution = BidDistribution(prices: valid.prices.map(Double.init))
        let pair = WinnerRunnerUp(r, nullStatusAsValid: true)
        let gap = pair.winningBid.flatMap { w in pair.runnerUpBid.map { Double($0 - w) / Double(w) } }
        let strata = r.method.flatMap { m in
            r.fiscalYear.map { Stratum(method: m.rawValue, projectType: r.projectType,
                                       valueBand: Stratum.valueBand(satang: r.budget ?? r.referencePrice), fiscalYear: $0).coarsenings }
        } ?? []
        // BR-10 (info, off by default) is listed only when it raised.
        let listed = statistics.filter { ran.contains($0.rule) && ($0.rule != "BR-10" || view.findings.contains { $0.ruleID == "BR-10" }) }
        return try listed.map { rule, statistic in
            let value: Double? = statistic == "runner_up_gap" ? gap
                : BidDistribution.Statistic(rawValue: statistic).flatMap { distribution.values[$0] }
            var line = CollusionScreenLine(ruleID: rule, statistic: statistic, value: value, state: .notRaised)
            if let finding = view.findings.first(where: { $0.ruleID == rule }) {
                line.state = .raised
                line.detail = finding.summary
            } else if let nc = view.notComputable.first(where: { $0.rule == rule }) {
                line.state = .notComputable
                line.detail = "\(nc.reason): \(nc.detail)"
            } else if !(r.method?.isCompetitive ?? true) || (!statistic.isEmpty && r.spansLots)
                        || (statistic.isEmpty ? bidders < minimumBidders[rule, default: 2] : value == nil) {
                line.state = .notApplicable
            }
            if !statistic.isEmpty, !strata.isEmpty {
                line.fence = try store.fence(runID: runID, ruleID: rule, strata: strata.map(\.description))
            }
            return line
        }
    }
}

/// Renders a `ProjectView` for a terminal, in Thai or English.
public enum ProjectViewText {
    public static func render(_ v: ProjectView, catalog: RuleCatalog?, language: Language) -> String {
        let th = language == .th
        let r = v.record
        let unit = r.currency == "THB" ? (th ? " บาท" : " baht") : " " + r.currency
        func money(_ x: Int64?) -> String { x.map { formatBaht($0) + unit } ?? "—" }
        func label(_ en: String, _ thai: String) -> String { th ? thai : en }
        var out: [String] = []
        out.append("\(label("Project", "โครงการ")) \(r.projectID): \(r.projectName ?? "—")")
        out.append("  \(label("Agency", "หน่วยงาน")): \(r.agencyName ?? r.agencyID ?? "—")\(r.subAgencyName.map { $0 != r.agencyName ? " / \($0)" : "" } ?? "")")
        out.append("  \(label("Ministry", "กระทรวง")): \(r.ministry ?? "—")   \(label("Province", "จังหวัด")): \(r.province ?? "—")")
        out.append("  \(label("Method", "วิธีการจัดหา")): \(r.method?.rawValue ?? "—")\(r.methodRaw.map { " (\($0))" } ?? "")   \(label("Type", "ประเภท")): \(r.projectType ?? "—")   \(label("Fiscal year", "ปีงบประมาณ")): \(r.fiscalYear.map(String.init) ?? "—")")
        out.append("  \(label("Budget", "งบประมาณ")): \(money(r.budget))   \(label("Reference price", "ราคากลาง")): \(money(r.referencePrice))   \(label("Agreed price", "ราคาที่ตกลง")): \(money(r.agreedPrice))")
        out.append("  \(label("Announced", "วันที่ประกาศ")): \(r.announceDate ?? "—")   \(label("Bid deadline", "วันยื่นข้อเสนอ")): \(r.bidDeadline ?? "—")   \(label("Awarded", "วันที่ประกาศผู้ชนะ")): \(r.awardDate ?? "—")")
        if !r.bids.isEmpty {
            out.append("")
            out.append("\(label("Bids", "การเสนอราคา")) (\(r.bids.count)):")
            for b in r.bids.sorted(by: { ($0.price ?? .max) < ($1.price ?? .max) }) {
                let winner = b.isWinner == true ? (th ? "  ← ผู้ชนะ" : "  ← winner") : ""
                out.append("  \(b.bidderID ?? "—")  \(b.bidderName ?? "")  \(money(b.price))  \(b.status?.rawValue ?? "—")\(b.disqualificationReason.map { " (\($0))" } ?? "")\(winner)")
            }
        }
        if !r.contracts.isEmpty {
            out.append("")
            out.append("\(label("Contracts", "สัญญา")) (\(r.contracts.count)):")
            for c in r.contracts {
                out.append("  \(c.contractNo ?? "—")  \(c.winnerID ?? "—") \(c.winnerName ?? "")  \(money(c.amount))  \(c.contractDate ?? "—")")
            }
        }
        if !r.assessments.isEmpty {
            out.append("")
            out.append(label("Risk-assessment register:", "ทะเบียนการประเมินความเสี่ยง:"))
            for a in r.assessments {
                out.append("  FY\(a.fiscalYear.map(String.init) ?? "?") \(label("assessed", "ประเมินเมื่อ")) \(a.assessmentDate ?? "—"), \(label("risk plan", "แผนบริหารความเสี่ยง")) \(a.riskPlan.map { $0 ? "✓" : "✗" } ?? "?"), \(label("submitted to", "ยื่นต่อ")) \(a.submittedTo ?? "—"), eMENSCR \(a.emenscrReported.map { $0 ? "✓" : "✗" } ?? "?"), \(label("inspected", "ตรวจติดตาม")) \(a.inspectedDate ?? "—") \(a.inspectionPhase ?? "")")
            }
        }
        out.append("")
        guard let run = v.runID else {
            out.append(label("Not screened yet: run `procscreen screen`.", "ยังไม่ได้คัดกรอง: ใช้คำสั่ง `procscreen screen`"))
            return out.joined(separator: "\n")
        }
        if let score = v.score, let priority = v.priority {
            out.append("\(label("Risk score", "คะแนนความเสี่ยง")) \(String(format: "%.2f", score)), \(label("priority", "ลำดับความสำคัญ")) #\(priority) (run \(run))")
        }
        out.append(v.findings.isEmpty ? label("No findings in run \(run).", "ไม่พบข้อสังเกตในการคัดกรองครั้งที่ \(run)")
                                      : "\(label("Findings", "ข้อสังเกต")) (run \(run)):")
        for f in v.findings {
            let rule = catalog?.rule(f.ruleID)
            let title = rule.map { th ? $0.title.th : $0.title.en } ?? ""
            out.append("  \(f.ruleID) [\(th ? f.severity.thai : f.severity.rawValue), \(label("weight", "น้ำหนัก")) \(f.weight)] \(title)")
            out.append("    \(th ? f.summaryTH : f.summary)")
            for e in f.evidence {
                out.append("    · \(e.field) = \(e.observed)\(e.threshold.map { " (\(label("threshold", "เกณฑ์")) \($0))" } ?? "")\(e.note.map { " — \($0)" } ?? "")")
            }
            let routes = f.routeTo.map { code in
                catalog?.oversight[code].map { "\(code) \(th ? ($0.shortName ?? $0.name.th) : $0.name.en)" } ?? code
            }
            out.append("    → \(label("route to", "ส่งต่อ")): \(routes.joined(separator: "; "))")
        }
        if !v.collusionScreens.isEmpty {
            out.append("")
            out.append(label("Collusion screens on this tender (value, stratum fence of the run, outcome):",
                             "การคัดกรองการสมยอมราคาของโครงการนี้ (ค่าที่คำนวณได้ เกณฑ์ของกลุ่มเปรียบเทียบ ผล):"))
            for l in v.collusionScreens {
                let title = catalog?.rule(l.ruleID).map { th ? $0.title.th : $0.title.en } ?? ""
                let value = l.value.map { "\(l.statistic.uppercased()) = " + String(format: "%.4f", $0) } ?? (l.statistic.isEmpty ? "" : "\(l.statistic.uppercased()) —")
                let state: String
                switch l.state {
                case .raised: state = label("RAISED", "พบ")
                case .notRaised: state = label("not raised", "ไม่พบ")
                case .notComputable: state = label("not computable", "ประเมินไม่ได้")
                case .notApplicable: state = label("not applicable", "ไม่เข้าเงื่อนไข")
                }
                out.append("  \(l.ruleID) \(title.padding(toLength: max(title.count, 38), withPad: " ", startingAt: 0)) \(value.padding(toLength: 24, withPad: " ", startingAt: 0)) \(state)")
                if let fence = l.fence { out.append("      \(label("fence", "เกณฑ์")): \(fence)") }
            }
        }
        if !v.notComputable.isEmpty {
            out.append("")
            out.append(label("Not computable (data missing; this is not \"no risk\"):", "ประเมินไม่ได้ (ข้อมูลไม่ครบ ไม่ได้หมายความว่าไม่มีความเสี่ยง):"))
            for n in v.notComputable { out.append("  \(n.rule): \(n.reason) — \(n.detail)") }
        }
        return out.joined(separator: "\n")
    }
}
