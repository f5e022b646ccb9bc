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
        }
        return view
    }
}

/// Renders a `ProjectView` for a terminal, in Thai or English.
public enum ProjectViewText {
    public static func render(_ v: ProjectView, catalog: RuleCatalog?, language: Language) -> String {
        let th = language == .th
        let r = v.record
        func money(_ x: Int64?) -> String { x.map { formatBaht($0) + (th ? " บาท" : " baht") } ?? "—" }
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
        if !v.notComputable.isEmpty {
            out.append("")
            out.append(label("Not computable (data missing; this is not \"no risk\"):", "ประเมินไม่ได้ (ข้อมูลไม่ครบ ไม่ได้หมายความว่าไม่มีความเสี่ยง):"))
            for n in v.notComputable { out.append("  \(n.rule): \(n.reason) — \(n.detail)") }
        }
        return out.joined(separator: "\n")
    }
}
