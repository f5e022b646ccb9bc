import Foundation

/// The short summary `procscreen screen` prints: findings per rule and per ministry, and the
/// projects to look at first.
public enum RunSummaryText {
    public static func render(_ s: RunSummary) -> String {
        var lines: [String] = []
        lines.append("run \(s.runID): \(s.projects) projects screened with \(s.rules.count) rules in \(String(format: "%.2f", s.seconds)) s; \(s.findings) findings on \(s.flaggedProjects) projects")
        lines.append("")
        lines.append("findings per rule (raised · not raised · not applicable · not computable):")
        for rule in s.rules {
            let st = rule.stats
            var line = "  \(rule.id.padding(toLength: 6, withPad: " ", startingAt: 0)) \(pad(rule.severity.rawValue, 8)) \(pad(String(st.raised), 7)) · \(pad(String(st.notRaised), 7)) · \(pad(String(st.notApplicable), 7)) · \(pad(String(st.notComputable), 6))  \(rule.title)"
            if !st.notComputableByReason.isEmpty {
                line += "  [not computable: " + st.notComputableByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "]"
            }
            lines.append(line)
        }
        if !s.findingsByMinistry.isEmpty {
            lines.append("")
            lines.append("findings per ministry:")
            for (ministry, n) in s.findingsByMinistry.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                lines.append("  \(pad(String(n), 7)) \(ministry)")
            }
        }
        if !s.topProjects.isEmpty {
            lines.append("")
            lines.append("top projects by priority (score, then budget):")
            for p in s.topProjects {
                let budget = p.budget.map { formatBaht($0) } ?? "—"
                lines.append("  #\(p.priority) \(p.projectID) score \(String(format: "%.2f", p.score)) budget \(budget) [\(p.rules.joined(separator: ","))] \(p.agency ?? "") — \(String((p.projectName ?? "").prefix(60)))")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
