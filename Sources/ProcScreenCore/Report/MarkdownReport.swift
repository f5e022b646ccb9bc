import Foundation

/// The Markdown report: readable in a terminal and rendered on a code host. Summaries first,
/// then ministry → agency sections with a table of projects, then the run's parameters. Every
/// value is escaped, so a project name can neither break a table nor inject HTML.
public enum MarkdownReport {
    public static func render(_ r: FlaggedReport, language l: Language) -> String {
        func t(_ label: ReportLabel) -> String { label.text(l) }
        var out: [String] = []
        out.append("# \(t(.title))")
        out.append("")
        out.append("- \(t(.generated)): \(escape(r.generatedAt))")
        out.append("- \(t(.run)): \(r.runID) (\(escape(r.runStarted)))")
        if let dir = r.rulesDirectory { out.append("- \(t(.rulesDirectory)): `\(dir.replacingOccurrences(of: "`", with: ""))`") }
        out.append("- \(t(.filters)): \(escape(r.filters.text(l) ?? t(.noFilter)))")
        out.append("- \(t(.projectsFlagged)): **\(r.projectCount)**, \(t(.findingsTotal).lowercased()): **\(r.findingCount)**")
        if let note = r.listingNote(l) { out.append("- **\(escape(note))**") }
        out.append("")
        out.append("## \(t(.summary))")
        out.append("")
        out.append(table([t(.perCategory), t(.projects), t(.findings)], r.categories.map { [r.categoryTitle($0.name, l), String($0.projects), String($0.findings)] },
                         numeric: [1, 2]))
        out.append("")
        out.append(table([t(.perMinistry), t(.projects), t(.findings)], r.perMinistry.map { [$0.name, String($0.projects), String($0.findings)] },
                         numeric: [1, 2]))
        out.append("")
        out.append(table([t(.ruleID), t(.ruleTitle), t(.severity), t(.findings), t(.projects), t(.notComputable)],
                         r.rules.filter { $0.findings > 0 || $0.notComputable > 0 }.map {
                             [$0.ruleID, $0.title.text(l), $0.severity.map { ReportText.severity($0, l) } ?? "", String($0.findings),
                              String($0.projects), String($0.notComputable)]
                         }, numeric: [3, 4, 5]))
        if let large = r.largeProjects, large.total > 0 {
            out.append("")
            out.append(table([t(.largeProjects), t(.projects)], [
                [t(.obligationsComplete), String(large.complete)], [t(.obligationsIncomplete), String(large.incomplete)],
                [t(.noAssessment), String(large.unassessed)],
            ], numeric: [1]))
        }
        out.append("")
        out.append("### \(t(.notComputable))")
        out.append("")
        out.append("_\(escape(t(.notComputableNote)))_")
        out.append("")
        out.append(table([t(.ruleID), t(.reason), t(.records)], r.notComputable.map { [$0.rule, $0.reason, String($0.records)] }, numeric: [2]))
        out.append("")
        out.append("## \(t(.byMinistryAgency))")
        if r.projects.isEmpty { out += ["", t(.noFindings)] }
        for m in r.ministries {
            out.append("")
            out.append("### \(escape(m.ministry)) — \(m.projects) \(t(.projects).lowercased()), \(m.findings) \(t(.findings).lowercased())")
            for a in m.agencies {
                out.append("")
                out.append("#### \(escape(a.agency)) — \(a.projects.count) \(t(.projects).lowercased()), \(a.findings) \(t(.findings).lowercased())")
                out.append("")
                out.append(table([t(.priority), t(.score), t(.projectID), t(.projectName), t(.budget), t(.winner), t(.findings), t(.oversight)],
                                 a.projects.map { i in
                                     let p = r.projects[i]
                                     return [String(p.info.priority), ReportText.score(p.info.score), p.info.projectID, p.info.name ?? "",
                                             ReportText.money(p.info.budget) + (p.info.currency == "THB" || p.info.budget == nil ? "" : " " + p.info.currency),
                                             p.info.winnerID ?? "",
                                             p.findings.map { "\($0.ruleID) (\(ReportText.severity($0.severity, l))): \(ReportText.summary($0, l))" }.joined(separator: " · "),
                                             p.routes.joined(separator: ", ")]
                                 }, numeric: [0, 1, 4]))
            }
        }
        out.append("")
        out.append("## \(t(.parametersUsed))")
        out.append("")
        out.append(table([t(.ruleID), t(.version), t(.parametersUsed)], r.rules.map {
            [$0.ruleID, String($0.version), ReportTables.parameterText($0.parameters)]
        }, numeric: [1]))
        return out.joined(separator: "\n") + "\n"
    }

    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        var lines = ["| " + header.map(escape).joined(separator: " | ") + " |",
                     "|" + header.indices.map { numeric.contains($0) ? " ---: " : " --- " }.joined(separator: "|") + "|"]
        lines += rows.map { "| " + $0.map(escape).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }

    /// Markdown-safe text: the characters that could break a table, make a link or raw HTML are
    /// escaped (emphasis marks are left alone: harmless, and escaping them clutters a terminal),
    /// and line breaks flattened.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\", "|", "<", ">", "`", "[", "]": out += "\\" + String(ch)
            case "\n", "\r", "\r\n": out += " "
            default: out.append(ch)
            }
        }
        return out
    }
}
