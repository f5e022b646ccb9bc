import Foundation

/// The human-readable ingest summary printed by `procscreen ingest`.
public enum IngestSummaryText {
    public static func render(_ summary: IngestSummary, db: String) -> String {
        var lines: [String] = []
        let ingested = summary.files.filter { $0.status == .ingested }.count
        let skipped = summary.files.filter { $0.status == .skipped }.count
        lines.append("ingested \(ingested) file(s), skipped \(skipped) already-seen, \(summary.failedFiles.count) failed, in \(String(format: "%.2f", summary.seconds)) s")
        for file in summary.files {
            let name = file.path
            switch file.status {
            case .ingested:
                let rate = file.seconds > 0 ? String(format: ", %.0f rows/s", Double(file.rows) / file.seconds) : ""
                lines.append("  \(name) → \(file.table ?? "?"): \(file.rows) rows, \(file.quarantined) quarantined, \(file.issues) issues (\(file.encoding ?? "?")\(rate))")
            case .skipped:
                lines.append("  \(name): skipped (\(file.sameAs.map { "same content as \($0)" } ?? file.error ?? "already ingested"))")
            case .failed:
                lines.append("  \(name): FAILED: \(file.error ?? "unknown error")")
            }
        }
        lines.append("store \(db):")
        for table in Store.countedTables {
            let n = summary.storeCounts[table] ?? 0
            let added = summary.rowsByTable[table == "firm_directors" ? "directors" : table].map { " (+\($0))" } ?? ""
            lines.append("  \(table.padding(toLength: 17, withPad: " ", startingAt: 0)) \(n)\(added)")
        }
        if summary.issues > 0 {
            lines.append("see issues: sqlite3 \(db) \"SELECT file, line, column_number, field, reason, action FROM ingest_issues\"")
        }
        return lines.joined(separator: "\n")
    }
}
