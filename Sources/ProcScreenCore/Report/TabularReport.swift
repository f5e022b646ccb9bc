import Foundation

/// One spreadsheet cell: text, or a number (kept as the decimal text it prints as, so money in
/// baht stays exact).
public enum ReportCell: Sendable, Equatable {
    case text(String)
    case number(String)
    case empty

    static func money(_ satang: Int64?) -> ReportCell { satang.map { .number(ReportText.number($0)) } ?? .empty }
    static func int(_ v: Int?) -> ReportCell { v.map { .number(String($0)) } ?? .empty }
    static func string(_ s: String?) -> ReportCell { s.map { $0.isEmpty ? .empty : .text($0) } ?? .empty }
}

/// How many rows a project gets in the tabular formats: one per finding, or one per project.
public enum ReportRows: String, Sendable, CaseIterable {
    case finding, project
}

/// The report as tables (header + rows), shared by CSV and XLSX.
enum ReportTables {
    static func projectColumns(_ l: Language) -> [String] {
        [ReportLabel.priority, .score, .projectID, .projectName, .ministry, .agency, .subAgency, .province, .method, .fiscalYear,
         .budget, .referencePrice, .agreedPrice, .currency, .winner].map { $0.text(l) }
    }

    static func projectCells(_ p: FlaggedReport.Project) -> [ReportCell] {
        let i = p.info
        return [.int(i.priority), .number(ReportText.score(i.score)), .text(i.projectID), .string(i.name), .string(i.ministry),
                .string(i.agencyName ?? i.agencyID), .string(i.subAgency), .string(i.province), .string(i.methodRaw ?? i.method),
                .int(i.fiscalYear), .money(i.budget), .money(i.referencePrice), .money(i.agreedPrice), .text(i.currency),
                .string(i.winnerID.map { id in i.winnerName.map { "\(id) \($0)" } ?? id })]
    }

    static func routes(_ codes: [String], _ r: FlaggedReport, _ l: Language) -> String {
        codes.map { r.oversightName($0, l) }.joined(separator: "; ")
    }

    static func findingHeader(_ l: Language) -> [String] {
        projectColumns(l) + [ReportLabel.ruleID, .ruleTitle, .category, .severity, .evidence, .oversight, .subject].map { $0.text(l) }
    }

    /// A project's rows in the findings table: one per finding.
    static func findingRows(of p: FlaggedReport.Project, in r: FlaggedReport, _ l: Language, _ emit: ([ReportCell]) -> Void) {
        let base = projectCells(p)
        for f in p.findings {
            emit(base + [.text(f.ruleID), .text(r.ruleTitle(f.ruleID, l)), .text(r.categoryTitle(f.category, l)),
                         .text(ReportText.severity(f.severity, l)), .text(ReportText.summary(f, l)),
                         .text(routes(f.routeTo, r, l)), .text(f.subjectType == "project" ? "project" : "\(f.subjectType) \(f.subjectID)")])
        }
    }

    static func projectHeader(_ l: Language) -> [String] {
        projectColumns(l) + [ReportLabel.findings, .ruleID, .ruleTitle, .severity, .evidence, .oversight].map { $0.text(l) }
    }

    /// A project's row in the projects table, its findings joined.
    static func projectRow(of p: FlaggedReport.Project, in r: FlaggedReport, _ l: Language) -> [ReportCell] {
        projectCells(p) + [.int(p.findings.count), .text(p.findings.map(\.ruleID).joined(separator: "; ")),
                           .text(p.findings.map { r.ruleTitle($0.ruleID, l) }.joined(separator: " | ")),
                           .text(ReportText.severity(p.maxSeverity, l)),
                           .text(p.findings.map { "\($0.ruleID): \(ReportText.summary($0, l))" }.joined(separator: " | ")),
                           .text(routes(p.routes, r, l))]
    }

    /// The summary sheet: run, filters, counts per category, ministry and rule, not computable.
    static func summaryRows(_ r: FlaggedReport, _ l: Language) -> [[ReportCell]] {
        var rows: [[ReportCell]] = [
            [.text(ReportLabel.title.text(l))],
            [.text(ReportLabel.generated.text(l)), .text(r.generatedAt)],
            [.text(ReportLabel.run.text(l)), .number(String(r.runID)), .text(r.runStarted)],
            [.text(ReportLabel.rulesDirectory.text(l)), .string(r.rulesDirectory)],
            [.text(ReportLabel.filters.text(l)), .text(r.filters.text(l) ?? ReportLabel.noFilter.text(l))],
            [.text(ReportLabel.projectsFlagged.text(l)), .int(r.projectCount)],
            [.text(ReportLabel.findingsTotal.text(l)), .int(r.findingCount)],
            [],
            [.text(ReportLabel.perCategory.text(l)), .text(ReportLabel.projects.text(l)), .text(ReportLabel.findings.text(l))],
        ]
        rows += r.categories.map { [.text(r.categoryTitle($0.name, l)), .int($0.projects), .int($0.findings)] }
        rows += [[], [.text(ReportLabel.perMinistry.text(l)), .text(ReportLabel.projects.text(l)), .text(ReportLabel.findings.text(l))]]
        rows += r.perMinistry.map { [.text($0.name), .int($0.projects), .int($0.findings)] }
        rows += [[], [ReportLabel.perRule, .ruleTitle, .severity, .findings, .projects, .notComputable, .version].map { .text($0.text(l)) }]
        rows += r.rules.map { [.text($0.ruleID), .text($0.title.text(l)), .string($0.severity.map { ReportText.severity($0, l) }),
                               .int($0.findings), .int($0.projects), .int($0.notComputable), .int($0.version)] }
        rows += [[], [.text(ReportLabel.notComputable.text(l)), .text(ReportLabel.notComputableNote.text(l))],
                 [ReportLabel.ruleID, .reason, .records].map { .text($0.text(l)) }]
        rows += r.notComputable.map { [.text($0.rule), .text($0.reason), .int($0.records)] }
        return rows
    }

    /// Rule versions and parameters of the run.
    static func parameterRows(_ r: FlaggedReport, _ l: Language) -> [[ReportCell]] {
        [[ReportLabel.ruleID, .version, .parametersUsed].map { .text($0.text(l)) }]
            + r.rules.map { [.text($0.ruleID), .int($0.version), .text(parameterText($0.parameters))] }
    }

    /// "k=1; mode=fence" in name order, without the version (it has its own column).
    static func parameterText(_ parameters: [String: String]) -> String {
        parameters.keys.sorted().filter { $0 != "version" }.map { "\($0)=\(parameters[$0]!)" }.joined(separator: "; ")
    }
}

/// CSV for Excel: UTF-8 with a byte-order mark (Excel then reads Thai), RFC 4180 quoting, and
/// text cells beginning with = + - @ (or a tab or carriage return) prefixed with an apostrophe,
/// so a cell can never run as a formula (OWASP "CSV injection"): the cell rule of the
/// large-project register's CSV (`LargeProjectRegisterText.csvCell`), one rule for both.
public enum CSVReport {
    public static func render(_ r: FlaggedReport, language: Language, rows: ReportRows = .finding) -> String {
        var out = ""
        let writer = Writer(text: { out += $0 }, language: language, rows: rows)
        for p in r.projects { writer.append(p, of: r) }
        return out
    }

    /// Writes the CSV to `handle` a megabyte at a time: the report's rows are never all in memory
    /// as text (at 1 M projects the CSV is 470 MB).
    public static func write(_ r: FlaggedReport, language: Language, rows: ReportRows = .finding, to handle: FileHandle) throws {
        let writer = Writer(to: handle, language: language, rows: rows)
        for p in r.projects { writer.append(p, of: r) }
        try writer.finish()
    }

    /// Writes the CSV to a new file at `path` (replacing one there).
    public static func write(_ r: FlaggedReport, language: Language, rows: ReportRows = .finding, toFile path: String) throws {
        let writer = try Writer(toFile: path, language: language, rows: rows)
        for p in r.projects { writer.append(p, of: r) }
        try writer.finish()
    }

    /// A CSV written a project at a time, as a streamed report (`FlaggedReport.stream`) hands
    /// them out: the byte-order mark and header first, then each project's rows.
    public final class Writer {
        private let emit: (String) -> Void
        private let sink: StreamedText?
        private let language: Language
        private let rows: ReportRows

        /// Writes to a new file at `path` (replacing one there), a megabyte at a time.
        public convenience init(toFile path: String, language: Language, rows: ReportRows = .finding) throws {
            let sink = try StreamedText(toFile: path)
            self.init(text: sink.append, sink: sink, language: language, rows: rows)
        }

        /// Writes to `handle` (stdout), a megabyte at a time.
        public convenience init(to handle: FileHandle, language: Language, rows: ReportRows = .finding) {
            let sink = StreamedText(handle: handle)
            self.init(text: sink.append, sink: sink, language: language, rows: rows)
        }

        convenience init(text: @escaping (String) -> Void, language: Language, rows: ReportRows) {
            self.init(text: text, sink: nil, language: language, rows: rows)
        }

        private init(text: @escaping (String) -> Void, sink: StreamedText?, language: Language, rows: ReportRows) {
            (emit, self.sink, self.language, self.rows) = (text, sink, language, rows)
            let header = rows == .finding ? ReportTables.findingHeader(language) : ReportTables.projectHeader(language)
            emit("\u{FEFF}" + header.map(LargeProjectRegisterText.csvCell).joined(separator: ",") + "\r\n")
        }

        public func append(_ p: FlaggedReport.Project, of r: FlaggedReport) {
            switch rows {
            case .finding: ReportTables.findingRows(of: p, in: r, language) { line($0) }
            case .project: line(ReportTables.projectRow(of: p, in: r, language))
            }
        }

        /// Writes what is buffered and closes a file it opened; the first write error is thrown here.
        public func finish() throws { try sink?.finish() }

        private func line(_ row: [ReportCell]) {
            emit(row.map { cell in
                switch cell {
                case .text(let s): return LargeProjectRegisterText.csvCell(s)
                case .number(let n): return n
                case .empty: return ""
                }
            }.joined(separator: ",") + "\r\n")
        }
    }
}
