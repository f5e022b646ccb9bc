import Foundation

/// BP-24: a supplier whose awards span far more product groups than its peers' (Cardinal R048).
/// Over active awards with exactly one supplier: variety = the distinct `digits`-character
/// prefixes of the awards' item classification ids; count = the processes with such an item.
/// Suppliers with count ≥ `min_processes` form the population; raised if variety ≥ Q3 + k·IQR,
/// strictly above Q3 when IQR = 0 (Cardinal has no guard and would raise the bulk, §3.5);
/// `threshold` replaces the fence. Each raised supplier's finding is linked to its processes in
/// scope. Needs item classifications (OCDS): without any, not computable.
///
/// Rule file: `Rules/network/BP-24-heterogeneous-supplier.yaml`.
struct HeterogeneousSupplierIndicator: DatasetIndicator {
    static let id = "BP-24"
    static let fields: Set<String> = ["contracts.winner_id", "contracts.status", "contracts.n_suppliers", "contracts.award_id",
                                      "project_items.classification"]

    let digits: Int
    let minProcesses: Int
    let k: Double
    let threshold: Double?

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        digits = Int(try rule.int("digits"))
        guard digits >= 1 else { throw RuleFileError(path: rule.path, keyPath: "parameters.digits.value", reason: "must be at least 1") }
        minProcesses = Int(try rule.int("min_processes"))
        k = try rule.double("k")
        threshold = try rule.parameterValue("threshold").doubleValue
    }

    func makeRun(shared: RunSharedState) -> any DatasetRun { Run(self) }

    final class Run: DatasetRun {
        struct Linked: ProjectReferencing { var project: ProjectRef, suppliers: [String] }

        let rule: HeterogeneousSupplierIndicator
        var prefixes: [String: Set<Substring>] = [:]
        var processes: [String: Int] = [:]
        var linked: [Linked] = []
        var sawItems = false

        init(_ rule: HeterogeneousSupplierIndicator) { self.rule = rule }

        func observe(_ r: ProcurementRecord, inScope: Bool) {
            if !r.items.isEmpty { sawItems = true }
            var suppliers: [String] = []
            for award in r.contracts where award.status == "active" && (award.suppliers ?? 1) == 1 {
                guard let supplier = award.winnerID else { continue }
                let codes = r.items.filter { $0.awardID != nil && $0.awardID == award.awardID }.map { $0.classification.prefix(rule.digits) }
                guard !codes.isEmpty else { continue }
                prefixes[supplier, default: []].formUnion(codes)
                if !suppliers.contains(supplier) { suppliers.append(supplier) }
            }
            for supplier in suppliers { processes[supplier, default: 0] += 1 }
            guard inScope else { return }
            if !suppliers.isEmpty { linked.append(Linked(project: r.projectRef, suppliers: suppliers)) }
        }

        func finish() -> DatasetResult {
            var result = DatasetResult()
            guard sawItems else {
                result.everywhereNotComputable = (.missingTable, "no item classifications in the store (OCDS awards[].items)")
                return result
            }
            var varieties: [String: Double] = [:]
            for (supplier, count) in processes where count >= rule.minProcesses {
                varieties[supplier] = Double(prefixes[supplier]?.count ?? 0)
            }
            guard !varieties.isEmpty else { result.notRaised = linked.count; return result }
            let fence = TukeyFence(values: Array(varieties.values), k: rule.k)
            let isRaised: (Double) -> Bool = rule.threshold.map { t in { $0 >= t } } ?? fence.isHighOutlier
            // The fence by reference (`FenceText`): the numbers are filled in when a finding is read.
            let cut = rule.threshold.map { "≥ \($0) (fixed threshold)" } ?? "{high_cmp} {upper.2} (Q3 + {k}·IQR; Q1 {q1.2}, Q3 {q3.2}, {n} suppliers)"
            if rule.threshold == nil { result.fences.append(FenceRecord(statistic: "product_groups", stratum: "supplier", fence: fence)) }
            let raised = Set(varieties.filter { isRaised($0.value) }.keys)
            for project in linked {
                let hits = project.suppliers.filter(raised.contains)
                guard !hits.isEmpty else { result.notRaised += 1; continue }
                for supplier in hits {
                    let variety = varieties[supplier]!
                    let groups = (prefixes[supplier] ?? []).sorted().prefix(12).joined(separator: ", ")
                    result.add(.raised(FindingDraft(
                        summary: Message(en: "Supplier \(supplier) won awards in \(Int(variety)) product groups (unusually many)",
                                         th: "ผู้ขาย \(supplier) ได้รับสัญญาใน \(Int(variety)) หมวดสินค้า มากผิดปกติ"),
                        evidence: [Evidence(field: "product_groups", observed: String(Int(variety)), threshold: cut,
                                            note: "\(supplier): \(processes[supplier]!) processes; groups \(groups)")]
                            + (rule.threshold == nil ? [Evidence(field: FenceText.keyField, observed: "supplier")] : []),
                        subjectType: .firm, subjectID: supplier, involvedFirms: [supplier], value: variety)),
                        projectID: project.projectID, agencyID: project.agencyID, ministry: project.ministry)
                }
            }
            return result
        }
    }
}
