import Foundation

/// Everything `procscreen show FIRM_ID` presents: the firm's register facts, its bids and wins,
/// the firms it bids against most, and the rings, pairs and firm findings of a run that name it.
public struct FirmView: Sendable {
    public var firmID: String
    public var facts: ScreenStore.FirmFacts?
    public var bids: [ScreenStore.FirmBid]
    public var contracts: (count: Int, amount: Int64)
    public var coBidders: [ScreenStore.CoBidder]
    public var runID: Int64?
    public var findings: [(finding: Finding, projects: [String])]

    /// - Throws: `StoreError`; returns nil when the store does not know the firm.
    public static func load(store: Store, firmID: String, runID: Int64? = nil) throws -> FirmView? {
        let screens = ScreenStore(store: store)
        guard try screens.knowsFirm(firmID) else { return nil }
        let run = try runID ?? screens.latestRunID()
        return FirmView(firmID: firmID, facts: try screens.firmFacts(firmID), bids: try screens.firmBids(firmID),
                        contracts: try screens.firmContracts(firmID), coBidders: try screens.coBidders(firmID), runID: run,
                        findings: try run.map { try screens.firmFindings(runID: $0, firmID: firmID) } ?? [])
    }
}

/// Renders a `FirmView` for a terminal, in Thai or English.
public enum FirmViewText {
    public static func render(_ v: FirmView, catalog: RuleCatalog?, language: Language, recentBids: Int = 20) -> String {
        let th = language == .th
        func label(_ en: String, _ thai: String) -> String { th ? thai : en }
        func flag(_ b: Bool?) -> String { b.map { $0 ? "✓" : "✗" } ?? "?" }
        var out: [String] = []
        let name = v.facts?.name ?? ""
        out.append("\(label("Firm", "ผู้ประกอบการ")) \(v.firmID)\(name.isEmpty ? "" : ": " + name)")
        if let f = v.facts {
            out.append("  \(label("Registered", "จดทะเบียน")): \(f.registeredDate ?? "—")   \(label("s.19 anti-corruption policy", "นโยบายต่อต้านการทุจริต (ม.19)")): \(flag(f.antiCorruptionPolicy))")
            out.append("  \(label("Address", "ที่อยู่")): \(f.address ?? "—")")
            out.append("  \(label("Phone", "โทรศัพท์")): \(f.phone ?? "—")   \(label("E-mail", "อีเมล")): \(f.email ?? "—")")
            if !f.directors.isEmpty {
                out.append("  \(label("Directors", "กรรมการ")): " + f.directors.map { "\($0.name ?? "—")\($0.id.map { " (\($0))" } ?? "")" }.joined(separator: "; "))
            }
            for d in f.debarments {
                out.append("  \(label("Debarred", "ผู้ทิ้งงาน")): \(d.listed ?? "?") → \(d.delisted ?? label("still listed", "ยังอยู่ในบัญชี"))")
            }
        } else {
            out.append("  " + label("No register row in firms.csv: known from bids or contracts only.", "ไม่มีข้อมูลในทะเบียนผู้ประกอบการ: ทราบจากการเสนอราคาหรือสัญญาเท่านั้น"))
        }
        let won = v.bids.filter(\.won).count
        out.append("")
        out.append("\(label("Bids", "การเสนอราคา")): \(v.bids.count), \(label("won", "ชนะ")) \(won)   \(label("Contracts", "สัญญา")): \(v.contracts.count), \(formatBaht(v.contracts.amount)) \(label("baht", "บาท"))")
        if !v.coBidders.isEmpty {
            out.append("")
            out.append(label("Most frequent co-bidders (shared tenders; won by this firm / by the co-bidder):",
                             "คู่เทียบที่เสนอราคาร่วมกันบ่อยที่สุด (จำนวนโครงการร่วม; ชนะโดยรายนี้ / โดยคู่เทียบ):"))
            for c in v.coBidders {
                out.append("  \(c.firmID)  \(c.name ?? "")  \(c.sharedTenders)  (\(c.wonByFirm) / \(c.wonByOther))")
            }
        }
        out.append("")
        if let run = v.runID {
            out.append(v.findings.isEmpty ? label("No finding of run \(run) names this firm.", "ไม่มีข้อสังเกตในการคัดกรองครั้งที่ \(run) ที่ระบุผู้ประกอบการรายนี้")
                                          : "\(label("Findings naming this firm", "ข้อสังเกตที่ระบุผู้ประกอบการรายนี้")) (run \(run)):")
            for (f, projects) in v.findings {
                let title = catalog?.rule(f.ruleID).map { th ? $0.title.th : $0.title.en } ?? ""
                let subject = f.subjectType == SubjectType.project.rawValue ? "" : " — \(f.subjectType) \(f.subjectID)"
                out.append("  \(f.ruleID) [\(th ? f.severity.thai : f.severity.rawValue)] \(title)\(subject)")
                out.append("    \(th ? f.summaryTH : f.summary)")
                if f.subjectType == "ring", let members = f.evidence.first(where: { $0.field == "tender_winners" }) {
                    out.append("    · \(label("tenders and winners", "โครงการและผู้ชนะ")): \(members.observed)")
                }
                let shown = projects.prefix(12).joined(separator: ", ") + (projects.count > 12 ? ", …" : "")
                out.append("    \(label("projects", "โครงการ")) (\(projects.count)): \(shown)")
            }
        } else {
            out.append(label("Not screened yet: run `procscreen screen`.", "ยังไม่ได้คัดกรอง: ใช้คำสั่ง `procscreen screen`"))
        }
        if !v.bids.isEmpty {
            out.append("")
            out.append("\(label("Recent bids", "การเสนอราคาล่าสุด")) (\(min(recentBids, v.bids.count)) \(label("of", "จาก")) \(v.bids.count)):")
            for b in v.bids.prefix(recentBids) {
                let price = b.price.map { formatMoney($0, currency: b.currency) } ?? "—"
                out.append("  FY\(b.fiscalYear.map(String.init) ?? "?") \(b.projectID)  \(price)  \(b.status ?? "—")\(b.won ? label("  ← won", "  ← ชนะ") : "")  \(b.agency ?? "")")
            }
        }
        return out.joined(separator: "\n")
    }
}
