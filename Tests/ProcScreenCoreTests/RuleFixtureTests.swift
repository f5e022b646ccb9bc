import Foundation
import Testing
@testable import ProcScreenCore

/// One annotated line of `Tests/Fixtures/Rules/<ID>.jsonl`.
struct FixtureCase: Sendable, CustomTestStringConvertible {
    enum Expect: String, Sendable { case flag, pass, notComputable = "not_computable" }

    let ruleID: String
    let file: String
    let line: Int
    let expect: Expect
    let why: String
    let exclusion: String?
    let outcome: String?
    let reason: String?
    let evidence: [String: String]
    let registers: [String]
    let parameters: [String: ParameterValue]
    /// Other rules run with it (findings rules read their findings), with their parameters.
    let alsoRun: [String]
    let otherParameters: [String: [String: ParameterValue]]
    /// The run date (ISO) for rules with grace periods; default 2026-11-27, so fixtures never age.
    let runDate: String
    /// The record and any context records, as JSON text (Sendable).
    let recordJSON: String
    let contextJSON: [String]

    var testDescription: String { "\(ruleID).jsonl:\(line) \(expect.rawValue): \(why)" }

    var location: SourceLocation {
        SourceLocation(fileID: "ProcScreenCoreTests/\(ruleID).jsonl", filePath: file, line: line, column: 1)
    }

    static let directory = Paths.fixtures.appendingPathComponent("Rules")

    static func all() throws -> [FixtureCase] {
        var cases: [FixtureCase] = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".jsonl") }.sorted()
        for name in names {
            let path = directory.appendingPathComponent(name).path
            let ruleID = String(name.dropLast(".jsonl".count))
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let expect = (object["expect"] as? String).flatMap(Expect.init(rawValue:)),
                      let record = object["record"]
                else {
                    throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: "\(path):\(i + 1)"])
                }
                func json(_ value: Any) throws -> String {
                    String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
                }
                var parameters: [String: ParameterValue] = [:]
                for (k, v) in (object["parameters"] as? [String: Any]) ?? [:] { parameters[k] = parameterValue(v) }
                cases.append(FixtureCase(
                    ruleID: ruleID, file: path, line: i + 1, expect: expect, why: object["why"] as? String ?? "",
                    exclusion: object["exclusion"] as? String, outcome: object["outcome"] as? String,
                    reason: object["reason"] as? String,
                    evidence: (object["evidence"] as? [String: Any] ?? [:]).mapValues { "\($0)" },
                    registers: object["registers"] as? [String] ?? [], parameters: parameters,
                    alsoRun: object["also_run"] as? [String] ?? [],
                    otherParameters: ((object["parameters_of"] as? [String: [String: Any]]) ?? [:]).mapValues { $0.mapValues(parameterValue) },
                    runDate: object["run_date"] as? String ?? "2026-11-27",
                    recordJSON: try json(record), contextJSON: try ((object["context"] as? [Any]) ?? []).map(json)))
            }
        }
        return cases
    }

    static func parameterValue(_ v: Any) -> ParameterValue {
        // JSONSerialization gives booleans as NSNumber of type "c" (char).
        if let n = v as? NSNumber, String(cString: n.objCType) == "c" { return .boolean(n.boolValue) }
        if let i = v as? Int, "\(v)" == String(i) { return .integer(Int64(i)) }
        if let d = v as? Double { return .number(d) }
        if let s = v as? String { return .string(s) }
        if let a = v as? [Any] { return .list(a.map(parameterValue)) }
        if let m = v as? [String: Any] { return .map(m.mapValues(parameterValue)) }
        return .null
    }
}

/// Loads fixture records into a scratch store, the way ingest would leave them.
enum FixtureLoader {
    static func satang(_ v: Any?) -> Int64? {
        switch v {
        case let n as NSNumber: return Int64((n.doubleValue * 100).rounded())
        case let s as String: return ValueParser.satang(s).value
        default: return nil
        }
    }

    static func insert(_ json: String, into db: Database) throws {
        let r = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let id = r["project_id"] as! String
        func text(_ k: String) -> String? {
            guard let v = r[k], !(v is NSNull) else { return nil }
            return "\(v)"
        }
        func int(_ k: String) -> Int? { (r[k] as? NSNumber)?.intValue }
        try db.execute(sql: """
            INSERT INTO projects (project_id, project_name, project_type, agency_id, agency_name, ministry, province, method,
                                  method_raw, fiscal_year, budget, reference_price, agreed_price, currency, announce_date,
                                  bid_deadline, award_date, num_bids, num_doc_buyers, budget_type)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, bindings: [
                id, text("project_name"), text("project_type"), (r.keys.contains("agency_id") ? text("agency_id") : "A0"), text("agency_name"), text("ministry"),
                text("province"), text("method"), text("method_raw") ?? text("method"), int("fiscal_year"),
                satang(r["budget"]), satang(r["reference_price"]), satang(r["agreed_price"]), text("currency") ?? "THB",
                text("announce_date"), text("bid_deadline"), text("award_date"), int("num_bids"), int("num_doc_buyers"),
                text("budget_type"),
            ])
        // OCDS fields (Cardinal semantics).
        try db.execute(sql: """
            UPDATE projects SET status = ?, procurement_method = ?, procurement_method_details = ?, award_criteria = ?,
                                tender_amendments = ?
            WHERE project_id = ?
            """, bindings: [text("status"), text("procurement_method"), text("procurement_method_details"), text("award_criteria"),
                             int("tender_amendments"), id])
        for (i, b) in ((r["bids"] as? [[String: Any]]) ?? []).enumerated() {
            try db.execute(sql: """
                INSERT INTO bids (project_id, bidder_id, bidder_name, price, status, is_winner, disqualification_reason, bid_date,
                                  status_raw, currency, n_tenderers, lot_id, source_id, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                """, bindings: [
                    id, b["bidder_id"] as? String, b["bidder_name"] as? String, satang(b["price"]), b["status"] as? String,
                    (b["is_winner"] as? Bool).map { $0 ? 1 : 0 }, b["disqualification_reason"] as? String,
                    b["bid_date"] as? String, b["status_raw"] as? String, b["currency"] as? String,
                    (b["n_tenderers"] as? NSNumber)?.intValue, b["lot_id"] as? String, i + 2,
                ])
        }
        for party in (r["parties"] as? [[String: Any]]) ?? [] {
            let address = (party["address"] as? [String]) ?? []
            let contact = (party["contact"] as? [String: String]) ?? [:]
            try db.execute(sql: """
                INSERT INTO project_parties (project_id, party_id, roles, street, locality, region, postal_code, country,
                                             contact_name, email, telephone, fax, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, bindings: [id, party["id"] as? String, ((party["roles"] as? [String]) ?? []).joined(separator: ",")]
                    + (0..<5).map { $0 < address.count ? address[$0] : nil }
                    + ["name", "email", "telephone", "faxNumber", "url"].map { contact[$0] })
        }
        for (i, c) in ((r["contracts"] as? [[String: Any]]) ?? []).enumerated() {
            try db.execute(sql: """
                INSERT INTO contracts (project_id, contract_no, winner_id, winner_name, contract_date, end_date, amount, status,
                                       n_amendments, amended_amount, award_id, n_suppliers, source_id, source_line)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)
                """, bindings: [
                    id, c["contract_no"] as? String, c["winner_id"] as? String, c["winner_name"] as? String,
                    c["contract_date"] as? String, c["end_date"] as? String, satang(c["amount"]), c["status"] as? String,
                    (c["n_amendments"] as? NSNumber)?.intValue, satang(c["amended_amount"]), c["award_id"] as? String,
                    (c["n_suppliers"] as? NSNumber)?.intValue, i + 2,
                ])
        }
        for issue in (r["ingest_issues"] as? [[String: Any]]) ?? [] {
            try db.execute(sql: """
                INSERT INTO ingest_issues (file, line, field, code, reason, action, subject_id) VALUES ('fixture.csv', ?, ?, ?, ?, 'kept', ?)
                """, bindings: [(issue["line"] as? NSNumber)?.intValue ?? 2, issue["field"] as? String, issue["code"] as? String,
                                issue["reason"] as? String ?? "", id])
        }
        for item in (r["items"] as? [[String: Any]]) ?? [] {
            try db.execute(sql: "INSERT INTO project_items (project_id, award_id, classification) VALUES (?, ?, ?)",
                           bindings: [id, item["award_id"] as? String, item["classification"] as? String])
        }
        for f in (r["firms"] as? [[String: Any]]) ?? [] {
            try db.execute(sql: """
                INSERT OR REPLACE INTO firms (firm_id, name, anti_corruption_policy, country, address, phone, email, registered_date)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, bindings: [f["firm_id"] as? String, f["name"] as? String,
                                 (f["anti_corruption_policy"] as? Bool).map { $0 ? 1 : 0 }, f["country"] as? String,
                                 f["address"] as? String, f["phone"] as? String, f["email"] as? String, f["registered_date"] as? String])
            for d in (f["directors"] as? [[String: Any]]) ?? [] {
                try db.execute(sql: "INSERT INTO firm_directors (firm_id, director_name, director_id) VALUES (?, ?, ?)",
                               bindings: [f["firm_id"] as? String, d["name"] as? String, d["id"] as? String])
            }
        }
        for l in (r["lists"] as? [[String: Any]]) ?? [] {
            try db.execute(sql: "INSERT INTO lists (list_name, firm_id, project_id, listed_date, delisted_date, joined_date) VALUES (?, ?, ?, ?, ?, ?)",
                           bindings: [l["list_name"] as? String, l["firm_id"] as? String, l["project_id"] as? String,
                                      l["listed_date"] as? String, l["delisted_date"] as? String, l["joined_date"] as? String])
        }
        for a in (r["risk_assessments"] as? [[String: Any]]) ?? [] {
            try db.execute(sql: """
                INSERT INTO risk_assessments (project_id, fiscal_year, assessment_date, risk_plan, submitted_to, emenscr_reported,
                                              inspected_date, inspection_phase) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, bindings: [
                    id, (a["fiscal_year"] as? NSNumber)?.intValue, a["assessment_date"] as? String,
                    (a["risk_plan"] as? Bool).map { $0 ? 1 : 0 }, a["submitted_to"] as? String,
                    (a["emenscr_reported"] as? Bool).map { $0 ? 1 : 0 }, a["inspected_date"] as? String,
                    a["inspection_phase"] as? String,
                ])
        }
    }
}

@Suite("Rule fixtures")
struct RuleFixtureTests {
    static let catalog = Result { try RuleCatalog.load(directory: Paths.rules) }

    @Test(arguments: try FixtureCase.all())
    func fixture(_ c: FixtureCase) throws {
        var catalog = try Self.catalog.get()
        if !c.parameters.isEmpty { catalog = try catalog.withParameters(c.ruleID, c.parameters) }
        for (id, values) in c.otherParameters { catalog = try catalog.withParameters(id, values) }
        let dir = try TemporaryDirectory()
        let store = try Store(path: dir.path("fixture.db"))
        try FixtureLoader.insert(c.recordJSON, into: store.db)
        for context in c.contextJSON { try FixtureLoader.insert(context, into: store.db) }
        for register in c.registers { try store.markLoaded(register, sourceID: 0) }
        let projectID = (try JSONSerialization.jsonObject(with: Data(c.recordJSON.utf8)) as! [String: Any])["project_id"] as! String
        var options = ScreenOptions(only: Set([c.ruleID] + c.alsoRun))
        options.runDate = c.runDate
        _ = try Engine(store: store, catalog: catalog).screen(options)

        let findings = try store.db.query(
            sql: "SELECT evidence FROM findings WHERE rule_id = ? AND project_id = ?", bindings: [c.ruleID, projectID])
        let notComputable = try store.db.query(
            sql: "SELECT reason FROM not_computable WHERE rule_id = ?1 AND (project_id IN (?2, '*') OR project_id = (SELECT 'agency:' || agency_id || '|' || fiscal_year FROM projects WHERE project_id = ?2))", bindings: [c.ruleID, projectID])
        switch c.expect {
        case .flag:
            #expect(findings.count == 1, "\(c.why): expected a finding", sourceLocation: c.location)
            if let json = findings.first?[0].string {
                let evidence = try JSONDecoder().decode([Evidence].self, from: Data(json.utf8))
                for (field, observed) in c.evidence {
                    #expect(evidence.contains { $0.field == field && $0.observed == observed },
                            "\(c.why): evidence \(field)=\(observed) not in \(evidence)", sourceLocation: c.location)
                }
            }
        case .pass:
            #expect(findings.isEmpty, "\(c.why): expected no finding", sourceLocation: c.location)
            #expect(notComputable.isEmpty, "\(c.why): a pass must be computed, got not computable", sourceLocation: c.location)
            if c.outcome == "not_applicable" {
                let stats = try store.db.query(sql: "SELECT not_applicable FROM run_rule_stats WHERE rule_id = ?", bindings: [c.ruleID])
                #expect(stats.first?[0].int64 ?? 0 >= 1, "\(c.why): expected not applicable", sourceLocation: c.location)
            }
        case .notComputable:
            #expect(findings.isEmpty, "\(c.why): not computable must not raise", sourceLocation: c.location)
            #expect(notComputable.first?[0].string == c.reason, "\(c.why): expected not computable (\(c.reason ?? "?"))",
                    sourceLocation: c.location)
        }
    }

    @Test func everyRuleHasFlagPassAndExclusionFixtures() throws {
        let catalog = try Self.catalog.get()
        let cases = try FixtureCase.all()
        for rule in catalog.rules {
            let mine = cases.filter { $0.ruleID == rule.id }
            #expect(mine.contains { $0.expect == .flag }, "\(rule.id) has no 'flag' fixture")
            #expect(mine.contains { $0.expect == .pass }, "\(rule.id) has no 'pass' fixture")
            for exclusion in rule.exclusions {
                #expect(mine.contains { $0.exclusion == exclusion.key && $0.expect != .flag },
                        "\(rule.id): no passing fixture for exclusion '\(exclusion.key)'")
            }
            for c in mine where c.exclusion != nil {
                #expect(rule.exclusions.contains { $0.key == c.exclusion }, "\(c.testDescription): unknown exclusion",
                        sourceLocation: c.location)
            }
        }
        for id in Set(cases.map(\.ruleID)) { #expect(catalog.rule(id) != nil, "fixtures for unknown rule \(id)") }
    }
}
