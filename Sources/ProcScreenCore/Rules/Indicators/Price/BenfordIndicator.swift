import Foundation

/// BR-20: the first significant digits of an agency's amounts in one fiscal year, against
/// Benford's law. Amounts x = each contract's amount (else the project's agreed price), x ≥
/// `min_amount_baht`; MAD = (1/9)·Σ |p̂(d) − log10(1 + 1/d)|; raised if n ≥ `min_n` and MAD ≥
/// `mad_max` (Nigrini's "nonconformity" band starts at 0.015). Subject: agency × FY; the finding is
/// linked to every project in scope that contributed an amount. Context, weight 0: many honest
/// reasons bend an agency's digits (fixed price lists, standard purchases).
///
/// Rule file: `Rules/price/BR-20-benford-per-agency.yaml`.
struct BenfordPerAgencyIndicator: DatasetIndicator {
    static let id = "BR-20"
    static let fields: Set<String> = ["projects.fiscal_year", "projects.agreed_price", "contracts.amount", "contracts.status"]
    /// log10(1 + 1/d), d = 1…9.
    static let expected = (1...9).map { log10(1 + 1 / Double($0)) }

    let minN: Int
    let madMax: Double
    let minAmount: Int64

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minN = Int(try rule.int("min_n"))
        madMax = try rule.double("mad_max")
        minAmount = Int64((try rule.double("min_amount_baht") * 100).rounded())
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self) }

    /// The first significant digit (1…9) of a positive integer.
    static func firstDigit(_ x: Int64) -> Int {
        var v = x
        while v >= 10 { v /= 10 }
        return Int(v)
    }

    final class Run: DatasetRun {
        struct GroupKey: Hashable { var agency: String, fiscalYear: Int }
        struct Member: ProjectReferencing { var project: ProjectRef, group: Int32 }

        let rule: BenfordPerAgencyIndicator
        let cancelled = ContractStatus()
        var groups: [GroupKey: Int32] = [:]
        var keys: [GroupKey] = []
        var digitCounts: [[Int]] = []
        var members: [Member] = []
        var notComputable: [(projectID: String, agencyID: String?, ministry: String?, detail: String)] = []

        init(_ rule: BenfordPerAgencyIndicator) { self.rule = rule }

        /// The not-computable subject of an agency × FY (see `ScreenStore.notComputable`).
        static func subject(_ key: GroupKey) -> String { "agency:\(key.agency)|\(key.fiscalYear)" }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            let contractAmounts = r.contracts.filter { !cancelled.isCancelled($0.status) }.compactMap(\.amount)
            let amounts = (contractAmounts.isEmpty ? r.agreedPrice.map { [$0] } ?? [] : contractAmounts).filter { $0 >= rule.minAmount }
            guard let agency = r.agencyID, let fy = r.fiscalYear else {
                if inScope && !amounts.isEmpty {
                    notComputable.append((r.projectID, r.agencyID, r.ministry, "agency_id or fiscal_year is empty"))
                }
                return
            }
            guard !amounts.isEmpty else { return }
            let key = GroupKey(agency: agency, fiscalYear: fy)
            let index: Int32
            if let known = groups[key] { index = known } else {
                index = Int32(keys.count)
                groups[key] = index
                keys.append(key)
                digitCounts.append([Int](repeating: 0, count: 10))
            }
            for x in amounts { digitCounts[Int(index)][BenfordPerAgencyIndicator.firstDigit(x)] += 1 }
            if inScope { members.append(Member(project: r.projectRef, group: index)) }
        }

        func finish() -> DatasetResult {
            var result = DatasetResult()
            for nc in notComputable {
                result.add(.notComputable(.missingColumn, detail: nc.detail), projectID: nc.projectID, agencyID: nc.agencyID, ministry: nc.ministry)
            }
            // One decision per group, shared by its projects; a group too small is recorded once.
            var inScopeByGroup = [Int](repeating: 0, count: keys.count)
            for m in members { inScopeByGroup[Int(m.group)] += 1 }
            let decisions: [Outcome?] = keys.indices.map { i in
                let counts = digitCounts[i]
                let n = counts.reduce(0, +)
                let key = keys[i]
                guard n >= rule.minN else {
                    if inScopeByGroup[i] > 0 {
                        result.subjectNotComputable.append((Self.subject(key), .stratumTooSmall,
                                                            "agency \(key.agency) FY \(key.fiscalYear): \(n) amounts (\(rule.minN) needed)",
                                                            inScopeByGroup[i]))
                    }
                    return nil
                }
                let shares = (1...9).map { Double(counts[$0]) / Double(n) }
                let mad = zip(shares, BenfordPerAgencyIndicator.expected).map { abs($0 - $1) }.reduce(0, +) / 9
                guard mad >= rule.madMax else { return .computedNotRaised }
                let mad4 = String(format: "%.4f", mad)
                return .raised(FindingDraft(
                    summary: Message(en: "Amounts of agency \(key.agency) in FY \(key.fiscalYear) depart from Benford's law (MAD \(mad4), n = \(n))",
                                     th: "ตัวเลขหลักแรกของมูลค่าสัญญาของหน่วยงาน \(key.agency) ปีงบประมาณ \(key.fiscalYear) ไม่เป็นไปตามกฎเบนฟอร์ด (MAD \(mad4), n = \(n))"),
                    evidence: [Evidence(field: "benford_mad", observed: mad4, threshold: "≥ \(rule.madMax)", note: "\(n) amounts")]
                        + (1...9).map { d in
                            Evidence(field: "first_digit_\(d)", observed: String(format: "%.3f", shares[d - 1]),
                                     note: String(format: "Benford %.3f", BenfordPerAgencyIndicator.expected[d - 1]))
                        },
                    subjectType: .agency, subjectID: "\(key.agency)|\(key.fiscalYear)", value: mad))
            }
            for m in members {
                if let decision = decisions[Int(m.group)] { result.add(decision, projectID: m.projectID, agencyID: m.agencyID, ministry: m.ministry) }
            }
            return result
        }
    }
}
