import Foundation

/// Generates `Docs/Rules/<ID>.md` (and an index) from the rule files, in Cardinal's doc sections.
/// A test regenerates them and fails when the committed pages are stale.
public enum RuleDocs {
    /// File name → Markdown text, for every rule plus `README.md`.
    public static func pages(for catalog: RuleCatalog) -> [String: String] {
        var pages: [String: String] = [:]
        for rule in catalog.rules { pages["\(rule.id).md"] = page(for: rule, catalog: catalog) }
        pages["README.md"] = index(for: catalog)
        return pages
    }

    /// The rule file's path relative to the folder that holds `Rules/` (stable across machines).
    static func relativePath(_ rule: RuleFile, catalog: RuleCatalog) -> String {
        let base = catalog.directory.standardizedFileURL.deletingLastPathComponent().path
        let path = URL(fileURLWithPath: rule.path).standardizedFileURL.path
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }

    public static func page(for rule: RuleFile, catalog: RuleCatalog) -> String {
        var md: [String] = []
        md.append("# \(rule.id) — \(rule.title.en)")
        md.append("")
        md.append("**\(rule.title.th)**")
        md.append("")
        md.append("| | |")
        md.append("|---|---|")
        let category = rule.category.title
        md.append("| Category | `\(rule.category.rawValue)` (\(category.en) / \(category.th)) |")
        md.append("| Severity | \(rule.severity.rawValue) (\(rule.severity.thai)) |")
        md.append("| Weight in the project score | \(rule.weight) |")
        md.append("| Version | \(rule.version) |")
        switch rule.kind {
        case .swift(let name): md.append("| Implementation | Swift indicator `\(name)` |")
        case .pattern: md.append("| Implementation | declarative pattern rule |")
        case .sql: md.append("| Implementation | SQL rule |")
        }
        if let methods = rule.methods {
            md.append("| Applies to methods | \(methods.map { "`\($0.rawValue)`" }.joined(separator: ", ")) |")
        }
        let routes = rule.routeTo.map { code -> String in
            guard let body = catalog.oversight[code] else { return code }
            return "\(code) (\(body.name.th) / \(body.name.en))"
        }
        md.append("| Routed to | \(routes.joined(separator: "; ")) |")
        md.append("")
        md.append("## Methodology and why it is a red flag")
        md.append("")
        md.append(rule.rationale.trimmingCharacters(in: .whitespacesAndNewlines))
        md.append("")
        switch rule.kind {
        case .pattern(let spec):
            md.append("## Definition")
            md.append("")
            if let pattern = spec.pattern {
                md.append("Raised when `\(spec.field)` matches the PCRE2 pattern `\(pattern)`\(spec.caseless ? " (caseless)" : "").")
            } else if let (op, threshold) = spec.comparison {
                let limit: String
                switch threshold {
                case .literal(let v): limit = String(v)
                case .parameter(let name): limit = "`\(name)`"
                }
                md.append("Raised when `\(spec.field)` \(op.rawValue) \(limit)\(PatternFields.money.contains(spec.field) ? " (baht)" : "").")
            }
            md.append("A missing `\(spec.field)` is not computable, never \"no risk\".")
            md.append("")
        case .sql(let sql):
            md.append("## Definition")
            md.append("")
            md.append("Each row the query returns raises a finding on its `project_id`; the other columns are the evidence.")
            md.append("Named parameters are bound from the rule's parameters. The query runs on a read-only connection.")
            md.append("")
            md.append("```sql")
            md.append(sql.trimmingCharacters(in: .whitespacesAndNewlines))
            md.append("```")
            md.append("")
        case .swift:
            break
        }
        if !rule.parameters.isEmpty {
            md.append("## Parameters")
            md.append("")
            md.append("| name | default | type | description |")
            md.append("|---|---|---|---|")
            for p in rule.parameters {
                let unit = p.unit.map { " \($0)" } ?? ""
                md.append("| `\(p.name)` | `\(p.value.yaml)`\(unit) | \(p.type.rawValue) | \(p.description.replacingOccurrences(of: "|", with: "\\|")) |")
            }
            md.append("")
            md.append("Change a default in `Rules/overrides.yaml` (`procscreen rules init` writes one with every default).")
            md.append("")
        }
        if !rule.exclusions.isEmpty {
            md.append("## Exclusions")
            md.append("")
            for (key, text) in rule.exclusions { md.append("- **\(key)**: \(text)") }
            md.append("")
        }
        md.append("## Outcomes")
        md.append("")
        md.append("Each project gets one of: raised, computed and not raised, not applicable, or not computable (with a reason).")
        md.append("Not computable is recorded in the `not_computable` table and shown apart from findings; it never means \"no risk\".")
        md.append("")
        if !rule.references.isEmpty {
            md.append("## References")
            md.append("")
            for r in rule.references {
                var line = "- \(r.source)"
                if let lines = r.lines { line += ", lines \(lines)" }
                if let section = r.section { line += ": \(section)" }
                if let url = r.url { line += " <\(url)>" }
                md.append(line)
            }
            md.append("")
        }
        md.append("---")
        md.append("Generated by `procscreen rules docs` from `\(relativePath(rule, catalog: catalog))`; edit the rule file, not this page.")
        md.append("")
        return md.joined(separator: "\n")
    }

    static func index(for catalog: RuleCatalog) -> String {
        var md = ["# procscreen rules", "", "Generated by `procscreen rules docs`; one page per rule file.", ""]
        for category in RuleCategory.allCases {
            let rules = catalog.rules.filter { $0.category == category }
            guard !rules.isEmpty else { continue }
            md.append("## \(category.title.en) / \(category.title.th)")
            md.append("")
            md.append("| id | rule | ชื่อ | severity | weight | routed to |")
            md.append("|---|---|---|---|---|---|")
            for r in rules {
                md.append("| [\(r.id)](\(r.id).md) | \(r.title.en) | \(r.title.th) | \(r.severity.rawValue) | \(r.weight) | \(r.routeTo.joined(separator: ", ")) |")
            }
            md.append("")
        }
        md.append("## Oversight bodies")
        md.append("")
        md.append("| code | name | ชื่อ | responsible for | seed lines |")
        md.append("|---|---|---|---|---|")
        for b in catalog.oversight.bodies {
            md.append("| \(b.code) | \(b.name.en) | \(b.name.th)\(b.shortName.map { " (\($0))" } ?? "") | \(b.responsibility) | \(b.seedLines ?? "") |")
        }
        md.append("")
        return md.joined(separator: "\n")
    }

    /// Writes every page into `directory`, removing pages of rules that no longer exist.
    public static func write(_ catalog: RuleCatalog, to directory: URL) throws -> Int {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let pages = pages(for: catalog)
        for name in (try? fm.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasSuffix(".md") && pages[name] == nil {
            try fm.removeItem(at: directory.appendingPathComponent(name))
        }
        for (name, text) in pages {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }
        return pages.count
    }
}
