import Foundation

/// A run's findings rendered as Cardinal's JSON (INDICATORS.md §3.1 "Output"): the groups
/// `OCID`, `Buyer`, `ProcuringEntity` and `Tenderer`, each mapping an id to `{code: value}`.
/// A code is absent when the rule did not raise (Cardinal has no "computed, not raised").
///
/// Values: the finding's value for OCID (a ratio for R024/R058, d for R035, else 1.0); the
/// organisation's number for organisation subjects (R025, R038, R048); for the firms a raised
/// process names, 0.0 where Cardinal marks involvement (R024, R035, R058) and 1.0 where it flags
/// them (R028, R030, R044).
public enum CardinalReport {
    public typealias Groups = [String: [String: [String: Double]]]

    static let codeByRule: [String: String] = Dictionary(uniqueKeysWithValues: CardinalSettings.rulesByCode.flatMap { code, rules in
        rules.map { ($0, code) }
    })

    public static func render(store: Store, runID: Int64) throws -> Groups {
        var groups: Groups = [:]
        func set(_ group: String, _ id: String, _ code: String, _ value: Double) { groups[group, default: [:]][id, default: [:]][code] = value }
        // In an order of their content, not of their storage: a scan keeps earlier rows and adds
        // new ones after them.
        let rows = try store.db.query(sql: """
            SELECT rule_id, subject_type, subject_id, project_id, value, firms, evidence FROM run_findings WHERE run_id = ?
            ORDER BY rule_id, subject_type, subject_id, project_id, value
            """, bindings: [runID])
        for row in rows {
            guard let rule = row[0].string, let code = codeByRule[rule] else { continue }
            let subject = row[1].string ?? "project"
            let subjectID = row[2].string ?? ""
            let value = row[4].double ?? 1
            let firms = (row[5].string ?? "").split(separator: ",").map(String.init)
            switch subject {
            case "project":
                guard let project = row[3].string else { continue }
                set("OCID", project, code, value)
                switch code {
                case "R024": for f in firms { set("Tenderer", f, code, 0) }
                case "R035", "R058": if let winner = firms.first { set("Tenderer", winner, code, 0) }
                case "R028", "R030", "R044": for f in firms { set("Tenderer", f, code, 1) }
                default: break
                }
            case "firm":
                set("Tenderer", subjectID, code, value)
            case "agency":
                // R038's two agency groups: the buyer, and the procuring entity (its evidence says which).
                let entity = (row[6].string ?? "").contains("disqualified_share_procuring_entity")
                set(entity ? "ProcuringEntity" : "Buyer", subjectID, code, value)
            default:
                break
            }
        }
        return groups
    }

    /// Cardinal's JSON text (keys sorted).
    public static func json(_ groups: Groups) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(groups), as: UTF8.self)
    }
}
