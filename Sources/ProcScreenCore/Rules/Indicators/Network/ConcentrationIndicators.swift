import Foundation

/// Every award of the store (a contract's winner and amount, else the project's winner and
/// agreed price), with agencies and suppliers interned, shared by the concentration rules
/// (BP-14 … BP-17). Cancelled contracts do not count.
final class AwardsTable {
    struct Project: LinkableProject, ProjectReferencing {
        var project: ProjectRef
        var fiscalYear: Int?
        var inScope: Bool
    }

    struct Award {
        var project: Int32
        /// Interned agency; -1 when the project has none.
        var agency: Int32
        var supplier: Int32
        var fiscalYear: PackedOptional<Int32>
        /// Satang; nil when the contract carries no amount.
        var amount: Int64?
    }

    private var names = Interner()
    private(set) var projects: [Project] = []
    private(set) var awards: [Award] = []
    private var window = FiscalYearWindow(lookback: 0, screenedFiscalYear: nil)
    private let contractStatus = ContractStatus()

    static func shared(_ shared: RunSharedState) -> (table: AwardsTable, feeds: Bool) {
        var created = false
        let table = shared.value("awards") { () -> AwardsTable in
            created = true
            let table = AwardsTable()
            table.window = FiscalYearWindow(lookback: 0, screenedFiscalYear: shared.screenedFiscalYear)
            return table
        }
        return (table, created)
    }

    func name(_ i: Int32) -> String { names.name(i) }

    func observe(_ r: ProcurementRecord, inScope: Bool) {
        window.note(r, inScope: inScope)
        var found: [(String, Int64?)] = r.contracts.compactMap { c in
            guard let winner = c.winnerID, !contractStatus.isCancelled(c.status) else { return nil }
            return (winner, c.amount)
        }
        if found.isEmpty, !r.contracts.contains(where: { $0.winnerID != nil }), let winner = r.winnerID {
            found = [(winner, r.agreedPrice)]
        }
        guard !found.isEmpty else { return }
        let p = Int32(projects.count)
        projects.append(Project(project: r.projectRef, fiscalYear: r.fiscalYear, inScope: inScope))
        let agency = r.agencyID.map { names.id($0) } ?? -1
        let fy = PackedOptional<Int32>(r.fiscalYear)
        for (winner, amount) in found {
            awards.append(Award(project: p, agency: agency, supplier: names.id(winner), fiscalYear: fy, amount: amount))
        }
    }

    func window(lookback: Int) -> FiscalYearWindow { window.with(lookback: lookback) }

    func fiscalYear(_ a: Award) -> Int? { a.fiscalYear.int }

    /// The awards grouped by `key` (sorted), each group handed to `body` once, its awards in
    /// the order they were observed.
    func groups<K: Comparable>(_ include: (Award) -> Bool, by key: (Award) -> K, _ body: (K, ArraySlice<Award>) -> Void) {
        forEachRun(of: sortedIndices(include, by: key), sameGroup: { key($0) == key($1) }) { body(key($0[$0.startIndex]), $0) }
    }

    /// The awards grouped by (`owner`, fiscal year), each group sorted by `member` so that
    /// `amountsByMember` sums consecutive runs; awards without an owner or a year are left out.
    func yearGroups(owner: (Award) -> Int32, member: (Award) -> Int32,
                    _ body: (_ owner: Int32, _ fiscalYear: Int32, _ awards: ArraySlice<Award>) -> Void) {
        struct Key: Comparable {
            var owner: Int32, year: Int32, member: Int32
            static func < (a: Key, b: Key) -> Bool { (a.owner, a.year, a.member) < (b.owner, b.year, b.member) }
        }
        let order = sortedIndices({ owner($0) >= 0 && $0.fiscalYear.value != nil }) {
            Key(owner: owner($0), year: $0.fiscalYear.value ?? 0, member: member($0))
        }
        forEachRun(of: order, sameGroup: { owner($0) == owner($1) && $0.fiscalYear == $1.fiscalYear }) { group in
            body(owner(group[group.startIndex]), group[group.startIndex].fiscalYear.value ?? 0, group)
        }
    }

    /// The positions of the awards `include` accepts, sorted by `key`, ties in the order
    /// observed. Positions (4 bytes) rather than sorted copies of the awards (32 bytes): at
    /// 1 M projects the copy was the peak of the whole screen.
    private func sortedIndices<K: Comparable>(_ include: (Award) -> Bool, by key: (Award) -> K) -> [Int32] {
        var order: [Int32] = []
        order.reserveCapacity(awards.count)
        for (i, a) in awards.enumerated() where include(a) { order.append(Int32(i)) }
        order.sort { x, y in
            let (kx, ky) = (key(awards[Int(x)]), key(awards[Int(y)]))
            return kx < ky || (kx == ky && x < y)
        }
        return order
    }

    /// Hands each run of consecutive awards of `order` that `sameGroup` joins to `body`, as one
    /// reused buffer.
    private func forEachRun(of order: [Int32], sameGroup: (Award, Award) -> Bool, _ body: (ArraySlice<Award>) -> Void) {
        var group: [Award] = []
        var start = 0
        while start < order.count {
            let first = awards[Int(order[start])]
            group.removeAll(keepingCapacity: true)
            group.append(first)
            var end = start + 1
            while end < order.count, case let next = awards[Int(order[end])], sameGroup(first, next) {
                group.append(next)
                end += 1
            }
            body(group[...])
            start = end
        }
    }
}

/// A concentration rule's run over the shared awards table.
class AwardsRun<Rule>: DatasetRun {
    let rule: Rule
    let table: AwardsTable
    private let feeds: Bool

    init(_ rule: Rule, shared: RunSharedState) {
        self.rule = rule
        (table, feeds) = AwardsTable.shared(shared)
    }

    func observe(_ record: ProcurementRecord, inScope: Bool) { if feeds { table.observe(record, inScope: inScope) } }

    func finish() -> DatasetResult { fatalError("a concentration rule decides in its own finish()") }

    /// Each agency × FY whose contract count `enough` accepts, with its total amount and each
    /// supplier's; a group whose contracts carry no amounts is not computable (its projects in
    /// scope counted). Returns the projects of the computed groups and the not-computable ones.
    func agencyYears(enough: (Int) -> Bool,
                     _ body: (_ agency: String, _ fy: Int32, _ awards: ArraySlice<AwardsTable.Award>, _ total: Int64, _ bySupplier: [(Int32, Int64)]) -> Void)
        -> (computed: Set<Int32>, missing: [(subject: String, detail: String, projects: Int)]) {
        var computed = Set<Int32>()
        var missing: [(subject: String, detail: String, projects: Int)] = []
        table.yearGroups(owner: \.agency, member: \.supplier) { agency, fy, awards in
            guard enough(awards.count) else { return }
            let projects = Set(awards.map(\.project))
            let (total, bySupplier) = amountsByMember(awards, member: \.supplier)
            let buyer = table.name(agency)
            guard total > 0 else {
                missing.append(("agency:\(buyer)|\(fy)", "agency \(buyer) FY \(fy): no contract amounts",
                                projects.filter { table.projects[Int($0)].inScope }.count))
                return
            }
            computed.formUnion(projects)
            body(buyer, fy, awards, total, bySupplier)
        }
        return (computed, missing)
    }

    /// Outcomes for the projects in scope: linked ones raised, those with an award in a computed
    /// group not raised.
    func result(_ linked: LinkedFindings, computed: Set<Int32>, notComputable: [(subject: String, detail: String, projects: Int)] = []) -> DatasetResult {
        var result = DatasetResult()
        linked.write(into: &result, tenders: table.projects) { computed.contains(Int32($0)) }
        for entry in notComputable where entry.projects > 0 {
            result.subjectNotComputable.append((entry.subject, .missingColumn, entry.detail, entry.projects))
        }
        return result
    }
}

/// The share a group's largest member holds, from (member, amount) pairs sorted by member.
private func amountsByMember(_ awards: ArraySlice<AwardsTable.Award>, member: (AwardsTable.Award) -> Int32) -> (total: Int64, byMember: [(Int32, Int64)]) {
    var byMember: [(Int32, Int64)] = []
    var total: Int64 = 0
    for a in awards {
        guard let amount = a.amount, amount > 0 else { continue }
        total += amount
        let m = member(a)
        if let last = byMember.last, last.0 == m { byMember[byMember.count - 1].1 += amount } else { byMember.append((m, amount)) }
    }
    return (total, byMember)
}

private func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }

/// BP-14: a winner whose every contract in the window is with one agency (Prozorro RISK2-2,
/// "more than 3 contracts, one buyer only"). Raised with ≥ `min_contracts` contracts; linked to
/// its contracts' projects in scope.
///
/// Rule file: `Rules/network/BP-14-captive-supplier.yaml`.
struct CaptiveSupplierIndicator: DatasetIndicator {
    static let id = "BP-14"
    static let fields: Set<String> = ["projects.fiscal_year", "projects.agreed_price", "contracts.winner_id", "contracts.amount",
                                      "contracts.status", "bids.bidder_id", "bids.is_winner"]

    let minContracts: Int
    let lookback: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minContracts = Int(try rule.int("min_contracts"))
        lookback = Int(try rule.int("lookback_fy"))
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: AwardsRun<CaptiveSupplierIndicator> {
        override func finish() -> DatasetResult {
            let window = table.window(lookback: rule.lookback)
            var linked = LinkedFindings()
            var computed = Set<Int32>()
            table.groups({ window.contains(table.fiscalYear($0)) }, by: \.supplier) { supplier, awards in
                for a in awards { computed.insert(a.project) }
                let agencies = Set(awards.map(\.agency))
                guard awards.count >= rule.minContracts, agencies.count == 1, let agency = agencies.first, agency >= 0 else { return }
                let firm = table.name(supplier), buyer = table.name(agency)
                let hit = LinkedFindings.Hit(
                    subjectType: .firm, subjectID: firm, firms: [firm],
                    summary: Message(en: "Captive supplier: all \(awards.count) contracts of \(firm) are with agency \(buyer) (\(window.description))",
                                     th: "ผู้ขายผูกขาดกับหน่วยงานเดียว: สัญญาทั้ง \(awards.count) ฉบับของ \(firm) อยู่กับหน่วยงาน \(buyer)"),
                    evidence: [Evidence(field: "contracts_with_one_agency", observed: String(awards.count), threshold: "≥ \(rule.minContracts), one agency",
                                        note: "\(firm): agency \(buyer) only, \(window.description)")],
                    value: Double(awards.count), rank: awards.count)
                for p in Set(awards.map(\.project)) where table.projects[Int(p)].inScope { linked.add(tender: Int(p), hit) }
            }
            return result(linked, computed: computed)
        }
    }
}

/// BP-15: an agency whose spending in one fiscal year goes mostly to one supplier (ProACT buyer
/// dependence; OCP R040/R050). Agency × FY with more than `min_contracts` contracts: a supplier's
/// share of the agency's contract amounts ≥ `s_max` raises (agency, supplier); linked to that
/// supplier's projects with the agency that year.
///
/// Rule file: `Rules/network/BP-15-buyer-depends-on-supplier.yaml`.
struct BuyerDependenceIndicator: DatasetIndicator {
    static let id = "BP-15"
    static let fields = CaptiveSupplierIndicator.fields

    let minContracts: Int
    let sMax: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minContracts = Int(try rule.int("min_contracts"))
        sMax = try rule.double("s_max")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: AwardsRun<BuyerDependenceIndicator> {
        override func finish() -> DatasetResult {
            var linked = LinkedFindings()
            let (computed, missing) = agencyYears(enough: { $0 > rule.minContracts }) { buyer, fy, awards, total, bySupplier in
                for (supplier, amount) in bySupplier {
                    let share = Double(amount) / Double(total)
                    guard share >= rule.sMax else { continue }
                    let firm = table.name(supplier)
                    let hit = LinkedFindings.Hit(
                        subjectType: .agency, subjectID: "\(buyer)|\(fy)|\(firm)", firms: [firm],
                        summary: Message(en: "Buyer depends on one supplier: \(firm) holds \(percent(share)) of agency \(buyer)'s contract amounts in FY \(fy)",
                                         th: "หน่วยงานพึ่งพาผู้ขายรายเดียว: \(firm) ได้ \(percent(share)) ของมูลค่าสัญญาของหน่วยงาน \(buyer) ปีงบประมาณ \(fy)"),
                        evidence: [Evidence(field: "supplier_share", observed: String(format: "%.4f", share), threshold: "≥ \(rule.sMax)",
                                            note: "\(formatBaht(amount)) of \(formatBaht(total)); \(awards.count) contracts of agency \(buyer), FY \(fy)")],
                        value: share, rank: Int(share * 1000))
                    for a in awards where a.supplier == supplier && table.projects[Int(a.project)].inScope { linked.add(tender: Int(a.project), hit) }
                }
            }
            return result(linked, computed: computed, notComputable: missing)
        }
    }
}

/// BP-16: a supplier whose business in one fiscal year comes mostly from one agency (ProACT
/// supplier dependence). Supplier × FY with more than `min_contracts` contracts: the top agency's
/// share of its contract amounts ≥ `s_max` raises; linked to its projects with that agency.
///
/// Rule file: `Rules/network/BP-16-supplier-depends-on-buyer.yaml`.
struct SupplierDependenceIndicator: DatasetIndicator {
    static let id = "BP-16"
    static let fields = CaptiveSupplierIndicator.fields

    let minContracts: Int
    let sMax: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minContracts = Int(try rule.int("min_contracts"))
        sMax = try rule.double("s_max")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: AwardsRun<SupplierDependenceIndicator> {
        override func finish() -> DatasetResult {
            var linked = LinkedFindings()
            var computed = Set<Int32>()
            table.yearGroups(owner: \.supplier, member: \.agency) { supplier, fy, awards in
                guard awards.count > rule.minContracts else { return }
                let (total, byAgency) = amountsByMember(awards, member: \.agency)
                guard total > 0, let top = byAgency.max(by: { $0.1 < $1.1 }) else { return }
                computed.formUnion(awards.map(\.project))
                let share = Double(top.1) / Double(total)
                guard share >= rule.sMax else { return }
                let firm = table.name(supplier), buyer = table.name(top.0)
                let hit = LinkedFindings.Hit(
                    subjectType: .firm, subjectID: firm, firms: [firm],
                    summary: Message(en: "Supplier depends on one buyer: \(percent(share)) of \(firm)'s contract amounts in FY \(fy) come from agency \(buyer)",
                                     th: "ผู้ขายพึ่งพาหน่วยงานเดียว: \(percent(share)) ของมูลค่าสัญญาของ \(firm) ปีงบประมาณ \(fy) มาจากหน่วยงาน \(buyer)"),
                    evidence: [Evidence(field: "top_agency_share", observed: String(format: "%.4f", share), threshold: "≥ \(rule.sMax)",
                                        note: "\(formatBaht(top.1)) of \(formatBaht(total)) from agency \(buyer); \(awards.count) contracts, FY \(fy)")],
                    value: share, rank: Int(share * 1000))
                for a in awards where a.agency == top.0 && table.projects[Int(a.project)].inScope { linked.add(tender: Int(a.project), hit) }
            }
            return result(linked, computed: computed)
        }
    }
}

/// BP-17: an agency's purchases concentrated on few suppliers (OCP R051). Agency × FY with ≥
/// `min_contracts` contracts: HHI = Σ s_f² over the suppliers' shares of the amounts; raised if
/// HHI ≥ `hhi_max`. The subject is the agency × FY, linked to the projects in scope of its
/// largest supplier, which drives the concentration (weight 0 by default: context for the
/// agency's other findings, not a risk of every project it bought).
///
/// Rule file: `Rules/network/BP-17-agency-concentration.yaml`.
struct AgencyConcentrationIndicator: DatasetIndicator {
    static let id = "BP-17"
    static let fields = CaptiveSupplierIndicator.fields

    let minContracts: Int
    let hhiMax: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minContracts = Int(try rule.int("min_contracts"))
        hhiMax = try rule.double("hhi_max")
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: AwardsRun<AgencyConcentrationIndicator> {
        override func finish() -> DatasetResult {
            var linked = LinkedFindings()
            let (computed, missing) = agencyYears(enough: { $0 >= rule.minContracts }) { buyer, fy, awards, total, bySupplier in
                let shares = bySupplier.map { Double($0.1) / Double(total) }
                let hhi = shares.reduce(0) { $0 + $1 * $1 }
                guard hhi >= rule.hhiMax else { return }
                let top = bySupplier.sorted { $0.1 > $1.1 }.prefix(3).map { "\(table.name($0.0)) \(percent(Double($0.1) / Double(total)))" }
                let hit = LinkedFindings.Hit(
                    subjectType: .agency, subjectID: "agency:\(buyer)|\(fy)", firms: [],
                    summary: Message(en: "Concentrated purchasing: agency \(buyer) FY \(fy) HHI " + String(format: "%.3f", hhi) + " over \(bySupplier.count) suppliers",
                                     th: "การกระจุกตัวของผู้ขาย: หน่วยงาน \(buyer) ปีงบประมาณ \(fy) HHI " + String(format: "%.3f", hhi) + " จากผู้ขาย \(bySupplier.count) ราย"),
                    evidence: [Evidence(field: "hhi", observed: String(format: "%.4f", hhi), threshold: "≥ \(rule.hhiMax)",
                                        note: "\(awards.count) contracts, \(formatBaht(total)) baht; largest: " + top.joined(separator: ", "))],
                    value: hhi, rank: 0)
                let largest = bySupplier.max { ($0.1, $1.0) < ($1.1, $0.0) }!.0
                for a in awards where a.supplier == largest && table.projects[Int(a.project)].inScope { linked.add(tender: Int(a.project), hit) }
            }
            return result(linked, computed: computed, notComputable: missing)
        }
    }
}

/// BP-20: a supplier winning across unrelated kinds of work at one agency (Prozorro sas-3-3).
/// category(p) = the first entry of `categories` whose PCRE2 pattern matches norm_title(project
/// name), else project_type. Raised for (supplier, agency) with ≥ `min_wins` wins and ≥
/// `min_categories` distinct categories in the window; linked to those wins in scope.
///
/// Rule file: `Rules/network/BP-20-supplier-across-categories.yaml`.
struct SupplierAcrossCategoriesIndicator: DatasetIndicator {
    static let id = "BP-20"
    static let fields: Set<String> = CaptiveSupplierIndicator.fields.union(["projects.project_name", "projects.project_type"])

    let categories: [(name: String, pattern: String)]
    let minWins: Int
    let minCategories: Int
    let lookback: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minWins = Int(try rule.int("min_wins"))
        minCategories = Int(try rule.int("min_categories"))
        lookback = Int(try rule.int("lookback_fy"))
        guard case .list(let items) = try rule.parameterValue("categories") else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.categories.value", reason: "expected a list of {name, pattern}")
        }
        var parsed: [(String, String)] = []
        for (i, item) in items.enumerated() {
            guard case .map(let m) = item, case .string(let name)? = m["name"], case .string(let pattern)? = m["pattern"], m.count == 2 else {
                throw RuleFileError(path: rule.path, keyPath: "parameters.categories.value[\(i)]", reason: "expected {name: …, pattern: …}")
            }
            do { _ = try PCRERegex(pattern, caseless: true) } catch {
                throw RuleFileError(path: rule.path, keyPath: "parameters.categories.value[\(i)].pattern", reason: "invalid pattern: \(error)")
            }
            parsed.append((name, pattern))
        }
        categories = parsed
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self, shared: shared) }

    final class Run: DatasetRun {
        struct Win { var key: Int64; var category: Int32; var project: Int32 }

        let rule: SupplierAcrossCategoriesIndicator
        let patterns: [PCRERegex]
        let titles = TitleSimilarity()
        var window: FiscalYearWindow
        var names = Interner()
        var categoryNames: [String] = []
        var categoryIndex: [String: Int32] = [:]
        var byTitle: [UTF8Key: Int32] = [:]
        var projects: [AwardsTable.Project] = []
        var wins: [Win] = []

        init(_ rule: SupplierAcrossCategoriesIndicator, shared: RunSharedState) {
            self.rule = rule
            patterns = rule.categories.map { try! PCRERegex($0.pattern, caseless: true) }   // checked when the rule loaded
            window = FiscalYearWindow(lookback: rule.lookback, screenedFiscalYear: shared.screenedFiscalYear)
        }

        /// The category's index: the first matching pattern, else the project type. The pattern
        /// outcome is cached per title (titles repeat; normalising one costs three PCRE2 passes).
        private func category(_ r: ProcurementRecord) -> Int32? {
            var matched: Int = -1
            if let title = r.projectName {
                if let known = byTitle[UTF8Key(title)] { matched = Int(known) } else {
                    let normalized = titles.normalize(title)
                    matched = patterns.firstIndex { (try? $0.matches(normalized)) == true } ?? -1
                    if byTitle.count < 200_000 { byTitle[UTF8Key(title)] = Int32(matched) }
                }
            }
            guard let label = matched >= 0 ? rule.categories[matched].name : r.projectType.map(ThaiText.normalize), !label.isEmpty else { return nil }
            if let known = categoryIndex[label] { return known }
            let id = Int32(categoryNames.count)
            categoryIndex[label] = id
            categoryNames.append(label)
            return id
        }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            window.note(r, inScope: inScope)
            // Wins outside the window are never counted: not kept, and dropped once the window
            // has moved past them.
            if window.startMoved() {
                wins.removeAll { window.excludesForGood(projects[Int($0.project)].fiscalYear) }
            }
            guard let agency = r.agencyID, !window.excludesForGood(r.fiscalYear) else { return }
            let fromContracts = Set(r.contracts.compactMap(\.winnerID))
            let winners = fromContracts.isEmpty ? Set([r.winnerID].compactMap { $0 }) : fromContracts
            guard !winners.isEmpty, window.lookback == 0 || r.fiscalYear != nil, let category = category(r) else { return }
            let p = Int32(projects.count)
            projects.append(.init(project: r.projectRef, fiscalYear: r.fiscalYear, inScope: inScope))
            let a = Int64(names.id(agency))
            for w in winners { wins.append(Win(key: Int64(names.id(w)) << 32 | a, category: category, project: p)) }
        }

        func finish() -> DatasetResult {
            var linked = LinkedFindings()
            var computed = Set<Int32>()
            let inWindow = wins.filter { window.contains(projects[Int($0.project)].fiscalYear) }.sorted { $0.key < $1.key }
            var start = 0
            while start < inWindow.count {
                var end = start + 1
                while end < inWindow.count && inWindow[end].key == inWindow[start].key { end += 1 }
                let group = inWindow[start ..< end]
                start = end
                for w in group { computed.insert(w.project) }
                let kinds = Set(group.map(\.category))
                guard group.count >= rule.minWins, kinds.count >= rule.minCategories else { continue }
                let firm = names.name(Int32(group.first!.key >> 32)), buyer = names.name(Int32(truncatingIfNeeded: group.first!.key))
                let labels = kinds.map { categoryNames[Int($0)] }.sorted()
                let hit = LinkedFindings.Hit(
                    subjectType: .firm, subjectID: firm, firms: [firm],
                    summary: Message(en: "Supplier across unrelated categories: \(firm) won \(group.count) contracts of \(kinds.count) kinds at agency \(buyer)",
                                     th: "ผู้ชนะหลายประเภทงานที่ไม่เกี่ยวข้องกัน: \(firm) ชนะ \(group.count) โครงการใน \(kinds.count) ประเภทที่หน่วยงาน \(buyer)"),
                    evidence: [Evidence(field: "categories", observed: String(kinds.count), threshold: "≥ \(rule.minCategories) with ≥ \(rule.minWins) wins",
                                        note: labels.joined(separator: ", ") + "; \(window.description)")],
                    value: Double(kinds.count), rank: kinds.count)
                for w in group where projects[Int(w.project)].inScope { linked.add(tender: Int(w.project), hit) }
            }
            var result = DatasetResult()
            linked.write(into: &result, tenders: projects) { computed.contains(Int32($0)) }
            return result
        }
    }
}
