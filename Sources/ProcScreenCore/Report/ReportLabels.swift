/// The one message catalogue of the reports: every label in English and Thai, by key.
public enum ReportLabel: String, CaseIterable, Sendable {
    case title, generated, run, rulesDirectory, filters, noFilter
    case priority, score, projectID, projectName, ministry, agency, subAgency, province, method, fiscalYear
    case budget, referencePrice, agreedPrice, currency, winner
    case ruleID, ruleTitle, category, severity, evidence, oversight, subject, findings, projects, rules
    case summary, perRule, perCategory, perMinistry, notComputable, notComputableNote, reason, records
    case byMinistryAgency, parametersUsed, version, raised, notRaised, notApplicable
    case largeProjects, obligationsComplete, obligationsIncomplete, noAssessment, filterPlaceholder
    case projectsFlagged, findingsTotal, noFindings, chartMinistry, chartRule, chartLarge, allProjects, topN

    public func text(_ language: Language) -> String {
        let (en, th) = Self.catalogue[self]!
        return language == .th ? th : en
    }

    private static let catalogue: [ReportLabel: (String, String)] = [
        .title: ("Flagged procurement projects", "รายงานโครงการจัดซื้อจัดจ้างที่มีข้อสังเกต"),
        .generated: ("Generated", "จัดทำเมื่อ"),
        .run: ("Screening run", "การคัดกรองครั้งที่"),
        .rulesDirectory: ("Rules", "ชุดเกณฑ์"),
        .filters: ("Filters", "เงื่อนไขการคัดเลือก"),
        .noFilter: ("none (every flagged project)", "ไม่มี (ทุกโครงการที่มีข้อสังเกต)"),
        .priority: ("Priority", "ลำดับความสำคัญ"),
        .score: ("Score", "คะแนนความเสี่ยง"),
        .projectID: ("Project ID", "เลขที่โครงการ"),
        .projectName: ("Project", "ชื่อโครงการ"),
        .ministry: ("Ministry", "กระทรวง"),
        .agency: ("Agency", "หน่วยงาน"),
        .subAgency: ("Sub-agency", "หน่วยงานย่อย"),
        .province: ("Province", "จังหวัด"),
        .method: ("Method", "วิธีการจัดหา"),
        .fiscalYear: ("Fiscal year", "ปีงบประมาณ"),
        .budget: ("Budget", "งบประมาณ"),
        .referencePrice: ("Reference price", "ราคากลาง"),
        .agreedPrice: ("Agreed price", "ราคาที่ตกลงซื้อ/จ้าง"),
        .currency: ("Currency", "สกุลเงิน"),
        .winner: ("Winner", "ผู้ชนะ"),
        .ruleID: ("Rule", "รหัสเกณฑ์"),
        .ruleTitle: ("Rule title", "ชื่อเกณฑ์"),
        .category: ("Category", "หมวด"),
        .severity: ("Severity", "ระดับความรุนแรง"),
        .evidence: ("Evidence", "หลักฐาน"),
        .oversight: ("Route to", "หน่วยงานที่ควรดำเนินการ"),
        .subject: ("Subject", "สิ่งที่ถูกตรวจพบ"),
        .findings: ("Findings", "ข้อสังเกต"),
        .projects: ("Projects", "โครงการ"),
        .rules: ("Rules", "เกณฑ์"),
        .summary: ("Summary", "สรุป"),
        .perRule: ("Findings per rule", "ข้อสังเกตตามเกณฑ์"),
        .perCategory: ("Findings per category", "ข้อสังเกตตามหมวด"),
        .perMinistry: ("Findings per ministry", "ข้อสังเกตตามกระทรวง"),
        .notComputable: ("Not computable", "ประเมินไม่ได้"),
        .notComputableNote: ("Data missing: these are not \"no risk\" and are counted apart from findings.",
                             "ข้อมูลไม่ครบ: ไม่ได้หมายความว่าไม่มีความเสี่ยง และนับแยกจากข้อสังเกต"),
        .reason: ("Reason", "เหตุผล"),
        .records: ("Records", "จำนวน"),
        .byMinistryAgency: ("By ministry and agency", "แยกตามกระทรวงและหน่วยงาน"),
        .parametersUsed: ("Rule versions and parameters of the run", "รุ่นของเกณฑ์และค่าพารามิเตอร์ที่ใช้"),
        .version: ("Version", "รุ่น"),
        .raised: ("Raised", "พบ"),
        .notRaised: ("Not raised", "ไม่พบ"),
        .notApplicable: ("Not applicable", "ไม่เข้าเงื่อนไข"),
        .largeProjects: ("Large projects (≥ 500 MB) by obligation status", "โครงการวงเงินตั้งแต่ ๕๐๐ ล้านบาท ตามสถานะการปฏิบัติตามมาตรการ"),
        .obligationsComplete: ("Assessment and obligations on record", "มีการประเมินและปฏิบัติครบ"),
        .obligationsIncomplete: ("Assessment, obligations incomplete", "มีการประเมินแต่ปฏิบัติไม่ครบ"),
        .noAssessment: ("No risk assessment", "ไม่มีการประเมินความเสี่ยง"),
        .filterPlaceholder: ("Filter the table…", "ค้นหาในตาราง…"),
        .projectsFlagged: ("Projects flagged", "โครงการที่มีข้อสังเกต"),
        .findingsTotal: ("Findings", "ข้อสังเกตทั้งหมด"),
        .noFindings: ("No findings match these filters.", "ไม่มีข้อสังเกตตามเงื่อนไขนี้"),
        .chartMinistry: ("Findings per ministry", "ข้อสังเกตแยกตามกระทรวง"),
        .chartRule: ("Findings per rule", "ข้อสังเกตแยกตามเกณฑ์"),
        .chartLarge: ("Large projects by obligation status", "โครงการขนาดใหญ่ตามสถานะ"),
        .allProjects: ("Flagged projects", "โครงการที่มีข้อสังเกต"),
        .topN: ("top", "อันดับแรก"),
    ]
}
