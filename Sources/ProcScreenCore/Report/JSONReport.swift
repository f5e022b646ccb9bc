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
            projects: r.projects.map(project), findings: r.findings)
        return String(decoding: try encoder().encode(document), as: UTF8.self) + "\n"
    }

    static func project(_ p: FlaggedReport.Project) -> Project {
        let i = p.info
        return Project(priority: i.priority, score: (i.score * 10_000).rounded() / 10_000, project_id: i.projectID, project_name: i.name,
                       ministry: i.ministry, agency_id: i.agencyID, agency_name: i.agencyName, sub_agency_name: i.subAgency,
                       province: i.province, method: i.method, method_raw: i.methodRaw, fiscal_year: i.fiscalYear,
                       budget: baht(i.budget), reference_price: baht(i.referencePrice), agreed_price: baht(i.agreedPrice),
                       currency: i.currency, winner_id: i.winnerID, winner_name: i.winnerName,
                       rule_ids: p.findings.map(\.ruleID), max_severity: p.maxSeverity, route_to: p.routes)
    }

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Writes the report a project at a time, byte for byte what `render` gives: the scan's new
    /// findings are every finding of the store on a first scan, never held whole. The findings
    /// and projects arrays go to scratch files as they come; `finish` writes the document around
    /// them once the summary is known (keys are sorted: filters, findings, generated_at,
    /// projects, run, summary).
    public final class Writer {
        private let path: String
        private let scratch: URL
        private let findings: StreamedText
        private let projects: StreamedText
        private var findingCount = 0
        private var projectCount = 0
        private let encoder = JSONReport.encoder()

        /// Creates the file at `path` at once, so that an unwritable path fails before any reading.
        public init(toFile path: String) throws {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ReportError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
            }
            self.path = path
            scratch = FileManager.default.temporaryDirectory.appendingPathComponent("procscreen-json-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            findings = try StreamedText(toFile: scratch.appendingPathComponent("findings").path)
            projects = try StreamedText(toFile: scratch.appendingPathComponent("projects").path)
        }

        private var finished = false

        /// An unfinished report (a failed read) is removed with its scratch files: no half document is left.
        deinit {
            try? FileManager.default.removeItem(at: scratch)
            if !finished { try? FileManager.default.removeItem(atPath: path) }
        }

        public func append(_ p: FlaggedReport.Project, of r: FlaggedReport) throws {
            for f in p.findings { try element(f, to: findings, count: &findingCount) }
            try element(JSONReport.project(p), to: projects, count: &projectCount)
        }

        /// One array element as the pretty-printer writes it at the document's second level:
        /// each line indented by four spaces, on the encoded bytes (one per finding: no string
        /// copies). JSON strings hold no raw newline, so every one is the pretty-printer's; its
        /// blank lines (inside an empty array) stay blank.
        private func element(_ value: some Encodable, to text: StreamedText, count: inout Int) throws {
            let json = try encoder.encode(value)
            var out = Data()
            out.reserveCapacity(json.count + json.count / 8 + 8)
            if count > 0 { out.append(contentsOf: [0x2C, 0x0A]) }          // ",\n"
            json.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                // A line at a time: each non-blank line gets its indent, then is copied whole.
                var start = 0
                while start < bytes.count {
                    let end = bytes[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
                    if bytes[start] != 0x0A { out.append(contentsOf: [0x20, 0x20, 0x20, 0x20]) }
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    start = end
                }
            }
            text.append(bytes: out)
            count += 1
        }

        public func finish(_ r: FlaggedReport) throws {
            try findings.finish()
            try projects.finish()
            var skeleton = r
            skeleton.list([])
            let document = try JSONReport.render(skeleton)
            let out = try StreamedText(toFile: path)
            var rest = Substring(document)
            for (key, count, file) in [("findings", findingCount, "findings"), ("projects", projectCount, "projects")] {
                let empty = "  \"\(key)\" : [\n\n  ]"
                guard let range = rest.range(of: empty) else { throw ReportError.cannotWrite(path: path, reason: "no \(key) array") }
                out.append(String(rest[..<range.lowerBound]))
                if count == 0 {
                    out.append(empty)
                } else {
                    out.append("  \"\(key)\" : [\n")
                    let handle = try FileHandle(forReadingFrom: scratch.appendingPathComponent(file))
                    defer { try? handle.close() }
                    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { out.append(bytes: chunk) }
                    out.append("\n  ]")
                }
                rest = rest[range.upperBound...]
            }
            out.append(String(rest))
            try out.finish()
            finished = true
            try? FileManager.default.removeItem(at: scratch)
        }
    }
}
