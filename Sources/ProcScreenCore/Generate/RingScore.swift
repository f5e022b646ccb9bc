import Foundation

/// How well a run's findings separate the planted ring tenders of a generated market from the
/// honest ones: per rule and per category, the projects raised, the ring tenders among them,
/// precision and recall. Only tenders with at least two bidders count as the honest population a
/// collusion screen could confuse with a ring (a specific purchase is never a ring tender).
public struct RingScore: Sendable {
    public struct Line: Sendable {
        public var name: String
        public var raised: Int
        public var ringRaised: Int
        public var rings: Int
        public var precision: Double { raised == 0 ? .nan : Double(ringRaised) / Double(raised) }
        public var recall: Double { rings == 0 ? .nan : Double(ringRaised) / Double(rings) }
    }

    public var ringTenders: Int
    public var competitiveTenders: Int
    public var lines: [Line]

    /// Scores run `runID` of `store` against `truth`, for the rules of `categories`.
    public init(store: Store, runID: Int64, truth: MarketGenerator.Truth, categories: [RuleCategory]) throws {
        let ring = Set(truth.rings.flatMap(\.projects))
        ringTenders = ring.count
        competitiveTenders = Int(try store.db.scalar(sql: """
            SELECT count(*) FROM (SELECT project_id FROM bids GROUP BY project_id HAVING count(DISTINCT bidder_id) >= 2)
            """).int64 ?? 0)
        var byRule: [String: Set<String>] = [:]
        var byCategory: [String: Set<String>] = [:]
        var ruleCategory: [String: String] = [:]
        let names = categories.map(\.rawValue)
        for row in try store.db.query(sql: "SELECT rule_id, category, project_id FROM run_findings WHERE run_id = ? AND project_id IS NOT NULL",
                                      bindings: [runID]) {
            guard let rule = row[0].string, let category = row[1].string, names.contains(category), let project = row[2].string else { continue }
            byRule[rule, default: []].insert(project)
            ruleCategory[rule] = category
            byCategory[category, default: []].insert(project)
        }
        func line(_ name: String, _ projects: Set<String>) -> Line {
            Line(name: name, raised: projects.count, ringRaised: projects.intersection(ring).count, rings: ring.count)
        }
        let all = byCategory.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        // Screens that agree: a project raised by two or more rules of a category.
        var agreeing: [String: Set<String>] = [:]
        for name in names {
            var count: [String: Int] = [:]
            for (rule, projects) in byRule {
                guard ruleCategory[rule] == name else { continue }
                for p in projects { count[p, default: 0] += 1 }
            }
            agreeing[name] = Set(count.filter { $0.value >= 2 }.keys)
        }
        lines = byRule.keys.sorted().map { line($0, byRule[$0]!) }
            + names.map { line("category " + $0, byCategory[$0] ?? []) }
            + names.map { line("two or more " + $0 + " rules", agreeing[$0] ?? []) }
            + [line("any of " + names.joined(separator: ", "), all)]
    }

    /// A plain table for the terminal.
    public var text: String {
        var out = "ring tenders: \(ringTenders) of \(competitiveTenders) tenders with two or more bidders\n"
        out += "  rule / group                          raised   ring  precision  recall\n"
        for l in lines {
            let precision = l.precision.isNaN ? "     —" : String(format: "%6.3f", l.precision)
            out += "  " + l.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(format: " %7d %6d", l.raised, l.ringRaised) + "     " + precision + String(format: "   %5.3f", l.recall) + "\n"
        }
        return out
    }
}

/// How the cross-tender rules of a run recover the planted structures: rings found whole by
/// BP-06 (the flagged member set equals a planted ring), found in part, and flagged rings with no
/// planted member (spurious); split purchases found by TH-03 (recall per project and per group).
public struct NetworkScore: Sendable {
    public var plantedRings: Int
    public var ringsWhole: Int
    public var ringsPartial: Int
    public var ringsFlagged: Int
    public var ringsSpurious: Int
    public var splitProjects: Int
    public var splitProjectsFound: Int
    public var splitGroups: Int
    public var splitGroupsWhole: Int
    public var splittingFlagged: Int

    public init(store: Store, runID: Int64, truth: MarketGenerator.Truth) throws {
        let flagged = Set(try store.db.query(sql: "SELECT DISTINCT firms FROM run_findings WHERE run_id = ? AND rule_id = 'BP-06'", bindings: [runID])
            .compactMap { $0[0].string.map { Set($0.split(separator: ",").map(String.init)) } })
        let planted = truth.rings.map { Set($0.members) }
        let plantedMembers = planted.reduce(into: Set<String>()) { $0.formUnion($1) }
        plantedRings = planted.count
        ringsWhole = planted.filter(flagged.contains).count
        ringsPartial = planted.filter { p in !flagged.contains(p) && flagged.contains { !$0.isDisjoint(with: p) } }.count
        ringsFlagged = flagged.count
        ringsSpurious = flagged.filter { $0.isDisjoint(with: plantedMembers) }.count
        let split = Set(try store.db.query(sql: "SELECT DISTINCT project_id FROM run_findings WHERE run_id = ? AND rule_id = 'TH-03'", bindings: [runID])
            .compactMap { $0[0].string })
        let plantedSplit = truth.splits.flatMap(\.projects)
        splitProjects = plantedSplit.count
        splitProjectsFound = plantedSplit.filter(split.contains).count
        splitGroups = truth.splits.count
        splitGroupsWhole = truth.splits.filter { Set($0.projects).isSubset(of: split) }.count
        splittingFlagged = split.count
    }

    public var text: String {
        func ratio(_ a: Int, _ b: Int) -> String { b == 0 ? "—" : String(format: "%.3f", Double(a) / Double(b)) }
        return """
            rings (BP-06): \(plantedRings) planted; found whole \(ringsWhole), in part \(ringsPartial); \(ringsFlagged) flagged, \(ringsSpurious) with no planted member (spurious)
            splitting (TH-03): \(splitProjectsFound) of \(splitProjects) planted split projects flagged (recall \(ratio(splitProjectsFound, splitProjects))), \(splitGroupsWhole) of \(splitGroups) groups whole; \(splittingFlagged) projects flagged in all (precision \(ratio(splitProjectsFound, splittingFlagged)) against the planted groups)

            """
    }
}
