import Foundation

/// The large-project register: every tier-1 project with its obligations under the PACC measure
/// (assessment on record, risk plan, submitted to the Budget Bureau, reported in eMENSCR,
/// inspection phase) and its findings from the latest run, with counts per ministry and agency.
public struct LargeProjectRegister: Sendable, Encodable {
    public struct Entry: Sendable, Encodable {
        public var projectID: String
        public var projectName: String?
        public var ministry: String?
        public var agency: String?
        public var fiscalYear: Int?
        public var budget: Int64?
        public var tier: Int
        public var method: String?
        public var assessed: Bool
        public var assessmentDate: String?
        public var riskPlan: Bool?
        public var submittedTo: String?
        public var submittedToBudgetBureau: Bool?
        public var emenscrReported: Bool?
        public var inspectedDate: String?
        public var inspectionPhase: String?
        public var findings: [String]

        enum CodingKeys: String, CodingKey {
            case projectID = "project_id", projectName = "project_name", ministry, agency, fiscalYear = "fiscal_year", budget
            case tier, method, assessed, assessmentDate = "assessment_date", riskPlan = "risk_plan", submittedTo = "submitted_to"
            case submittedToBudgetBureau = "submitted_to_budget_bureau", emenscrReported = "emenscr_reported"
            case inspectedDate = "inspected_date", inspectionPhase = "inspection_phase", findings
        }
    }

    public struct Count: Sendable, Encodable {
        public var name: String
        public var projects = 0
        public var withoutAssessment = 0
        public var withFindings = 0

        enum CodingKeys: String, CodingKey {
            case name, projects, withoutAssessment = "without_assessment", withFindings = "with_findings"
        }
    }

    public var runID: Int64?
    public var registerLoaded: Bool
    public var entries: [Entry]
    public var byMinistry: [Count]
    public var byAgency: [Count]

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", registerLoaded = "register_loaded", entries = "projects", byMinistry = "by_ministry"
        case byAgency = "by_agency"
    }

    /// Builds the register from the store, with LP-01's tier definition (overrides included).
    ///
    /// - Throws: `StoreError`; `RuleFileError` when LP-01 is missing from the catalog.
    public static func build(store: Store, catalog: RuleCatalog, fiscalYear: Int? = nil, ministry: String? = nil) throws -> LargeProjectRegister {
        guard let lp01 = catalog.rule("LP-01") else {
            throw RuleFileError(path: catalog.directory.path, keyPath: "", reason: "LP-01 (the tier definition) is missing")
        }
        let tier = try LargeProjectTier(lp01: lp01)
        let screens = ScreenStore(store: store)
        let candidates = try store.db.query(sql: """
            SELECT project_id FROM projects WHERE budget >= ?1 AND (?2 IS NULL OR fiscal_year = ?2)
            UNION SELECT project_id FROM risk_assessments
            """, bindings: [tier.t1, fiscalYear]).compactMap { $0[0].string }
        let runID = try screens.latestRunID()
        let bureau = try PCRERegex(#"สำนัก(?:งาน)?งบประมาณ|สำนักงานประมาณ|Budget\s+Bureau|Bureau\s+of\s+the\s+Budget|^BB$"#, caseless: true)
        var entries: [Entry] = []
        _ = try screens.prepareScope(projectIDs: candidates, fiscalYear: fiscalYear)
        var records: [ProcurementRecord] = []
        try screens.forEachRecord(scoped: true) { records.append($0) }
        for r in records {
            if let ministry, r.ministry != ministry { continue }
            guard case .tiered(true, let tier2, _, _) = tier.classify(r) else { continue }
            let row = LargeProjectTier.assessment(of: r)
            let findings = try runID.map { run in
                try screens.findings(runID: run, projectID: r.projectID).map(\.ruleID).filter { $0 != "LP-01" }
            } ?? []
            entries.append(Entry(
                projectID: r.projectID, projectName: r.projectName, ministry: r.ministry, agency: r.agencyName ?? r.agencyID,
                fiscalYear: r.fiscalYear, budget: r.budget, tier: tier2 ? 2 : 1, method: r.method?.rawValue,
                assessed: row?.assessmentDate != nil, assessmentDate: row?.assessmentDate, riskPlan: row?.riskPlan,
                submittedTo: row?.submittedTo,
                submittedToBudgetBureau: row?.submittedTo.map { (try? bureau.matches($0)) ?? false },
                emenscrReported: row?.emenscrReported, inspectedDate: row?.inspectedDate, inspectionPhase: row?.inspectionPhase,
                findings: findings))
        }
        entries.sort { ($0.ministry ?? "", $0.agency ?? "", -($0.budget ?? 0)) < ($1.ministry ?? "", $1.agency ?? "", -($1.budget ?? 0)) }
        func counts(_ key: (Entry) -> String) -> [Count] {
            var table: [String: Count] = [:]
            for e in entries {
                let k = key(e)
                var c = table[k, default: Count(name: k)]
                c.projects += 1
                if !e.assessed { c.withoutAssessment += 1 }
                if !e.findings.isEmpty { c.withFindings += 1 }
                table[k] = c
            }
            return table.values.sorted { $0.projects != $1.projects ? $0.projects > $1.projects : $0.name < $1.name }
        }
        return LargeProjectRegister(
            runID: runID, registerLoaded: try store.isLoaded("risk_assessments"), entries: entries,
            byMinistry: counts { $0.ministry ?? "—" }, byAgency: counts { $0.agency ?? "—" })
    }
}

/// Renders the register as a terminal table, Excel-safe CSV, or JSON, in Thai or English.
public enum LargeProjectRegisterText {
    static func mark(_ v: Bool?, _ th: Bool) -> String {
        switch v {
        case true?: return "✓"
        case false?: return "✗"
        case nil: return th ? "ไม่ระบุ" : "?"
        }
    }

    public static func table(_ r: LargeProjectRegister, language: Language) -> String {
        let th = language == .th
        var out: [String] = []
        out.append(th ? "ทะเบียนโครงการขนาดใหญ่ (วงเงินตั้งแต่ ๕๐๐ ล้านบาท): \(r.entries.count) โครงการ"
                      : "Large-project register (500 million baht or more): \(r.entries.count) projects")
        if !r.registerLoaded {
            out.append(th ? "หมายเหตุ: ยังไม่ได้นำเข้าทะเบียนการประเมินความเสี่ยง (risk_assessments.csv) จึงประเมิน LP-02 ไม่ได้"
                          : "note: no risk_assessments file has been ingested, so missing assessments cannot be told (LP-02 is not computable)")
        }
        let header = th
            ? ["รหัสโครงการ", "ปีงบ", "ระดับ", "วงเงิน (บาท)", "ประเมินแล้ว", "แผนความเสี่ยง", "ยื่น สงป.", "eMENSCR", "ตรวจติดตาม", "ข้อสังเกต", "หน่วยงาน"]
            : ["project", "FY", "tier", "budget (baht)", "assessed", "risk plan", "to BB", "eMENSCR", "follow-up", "findings", "agency"]
        var rows: [[String]] = []
        var currentMinistry: String?
        for e in r.entries {
            if e.ministry != currentMinistry {
                currentMinistry = e.ministry
                rows.append(["## " + (e.ministry ?? "—")])
            }
            rows.append([
                e.projectID, e.fiscalYear.map(String.init) ?? "—", String(e.tier), e.budget.map(formatBaht) ?? "—",
                e.assessed ? (e.assessmentDate ?? "✓") : "✗ " + (th ? "ไม่มี" : "missing"),
                e.assessed ? mark(e.riskPlan, th) : "—", e.assessed ? mark(e.submittedToBudgetBureau, th) : "—",
                e.assessed ? mark(e.emenscrReported, th) : "—",
                e.assessed ? (e.inspectedDate.map { "\($0) \(e.inspectionPhase ?? "")" } ?? "✗") : "—",
                e.findings.isEmpty ? "—" : e.findings.joined(separator: ","), e.agency ?? "—",
            ])
        }
        out.append(renderColumns([header] + rows))
        out.append("")
        out.append(th ? "จำแนกตามกระทรวง (โครงการ · ไม่มีการประเมิน · มีข้อสังเกต):" : "per ministry (projects · without assessment · with findings):")
        for c in r.byMinistry { out.append("  \(c.projects) · \(c.withoutAssessment) · \(c.withFindings)  \(c.name)") }
        out.append(th ? "จำแนกตามหน่วยงาน:" : "per agency:")
        for c in r.byAgency { out.append("  \(c.projects) · \(c.withoutAssessment) · \(c.withFindings)  \(c.name)") }
        return out.joined(separator: "\n")
    }

    /// Columns padded by display width (Thai combining marks take no column).
    static func renderColumns(_ rows: [[String]]) -> String {
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { i in rows.filter { $0.count > 1 }.map { i < $0.count ? displayWidth($0[i]) : 0 }.max() ?? 0 }
        return rows.map { row in
            guard row.count > 1 else { return row[0] }
            return row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[i] - displayWidth(cell)))
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.filter { scalar in
            let v = scalar.value
            // Thai above/below vowels and tone marks combine with the previous character.
            return !(v == 0x0E31 || (0x0E34...0x0E3A).contains(v) || (0x0E47...0x0E4E).contains(v))
        }.count
    }

    /// UTF-8 with BOM (Excel shows Thai), one row per project; cells starting with = + - @ are
    /// neutralised with a leading apostrophe.
    public static func csv(_ r: LargeProjectRegister, language: Language) -> String {
        let th = language == .th
        let header = th
            ? ["รหัสโครงการ", "ชื่อโครงการ", "กระทรวง", "หน่วยงาน", "ปีงบประมาณ", "ระดับ", "วงเงิน", "วิธีการจัดหา", "ประเมินความเสี่ยงแล้ว",
               "วันที่ประเมิน", "แผนบริหารความเสี่ยง", "ยื่นต่อ", "ยื่นสำนักงบประมาณ", "รายงาน eMENSCR", "วันที่ตรวจติดตาม", "ระยะการตรวจติดตาม", "ข้อสังเกต"]
            : ["project_id", "project_name", "ministry", "agency", "fiscal_year", "tier", "budget", "method", "assessed",
               "assessment_date", "risk_plan", "submitted_to", "submitted_to_budget_bureau", "emenscr_reported", "inspected_date",
               "inspection_phase", "findings"]
        func flag(_ v: Bool?) -> String { v.map { $0 ? "yes" : "no" } ?? "" }
        var lines = [header.map(csvCell).joined(separator: ",")]
        for e in r.entries {
            let cells: [String] = [
                e.projectID, e.projectName ?? "", e.ministry ?? "", e.agency ?? "", e.fiscalYear.map(String.init) ?? "",
                String(e.tier), e.budget.map { String(format: "%.2f", Double($0) / 100) } ?? "", e.method ?? "", flag(e.assessed),
                e.assessmentDate ?? "", flag(e.riskPlan), e.submittedTo ?? "", flag(e.submittedToBudgetBureau), flag(e.emenscrReported),
                e.inspectedDate ?? "", e.inspectionPhase ?? "", e.findings.joined(separator: " "),
            ]
            lines.append(cells.map(csvCell).joined(separator: ","))
        }
        return "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV cell: formula-like text neutralised, quoted when needed.
    public static func csvCell(_ raw: String) -> String {
        // Bytes, not Characters: this runs for every cell of a report (Character iteration over
        // Thai text was a third of a CSV report's time).
        var s = raw
        if let first = raw.utf8.first, [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first),
           Double(raw) == nil {
            s = "'" + raw
        }
        var needsQuotes = false, hasQuote = false
        for b in raw.utf8 {
            if b == UInt8(ascii: "\"") { hasQuote = true; needsQuotes = true; break }
            if b == UInt8(ascii: ",") || b == 0x0A || b == 0x0D { needsQuotes = true }
        }
        guard needsQuotes else { return s }
        return "\"" + (hasQuote ? s.replacingOccurrences(of: "\"", with: "\"\"") : s) + "\""
    }
}
