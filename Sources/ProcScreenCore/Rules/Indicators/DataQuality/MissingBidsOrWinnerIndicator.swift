import Foundation

/// DQ-05: a competitive procedure that reached a contract but whose bid list or winner is not in
/// the data (e-GP bidder lists and winners are sometimes missing; the CGD file has no bids at
/// all). Every bid screen is blind on such a project, so it is reported for the publisher.
///
/// Rule file: `Rules/data_quality/DQ-05-bids-or-winner-missing.yaml`.
struct MissingBidsOrWinnerIndicator: RecordIndicator {
    static let id = "DQ-05"
    static let fields: Set<String> = ["projects.status", "bids.bidder_id", "bids.is_winner", "contracts.winner_id"]

    let signed: PCRERegex

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        let pattern = try rule.parameterValue("signed_status_pattern").description
        do { signed = try PCRERegex(pattern, caseless: true) } catch {
            throw RuleFileError(path: rule.path, keyPath: "parameters.signed_status_pattern.value", reason: "\(error)")
        }
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard record.method?.isCompetitive ?? false else { return .notApplicable }
        let contracted = !record.contracts.isEmpty || (record.status.map { (try? signed.matches($0)) ?? false } ?? false)
        guard contracted else { return .notApplicable }
        var missing: [String] = []
        if record.bids.isEmpty { missing.append("bids") }
        if record.winnerID == nil && !record.contracts.contains(where: { $0.winnerID != nil }) { missing.append("winner") }
        guard !missing.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Contracted competitive procedure without its \(missing.joined(separator: " and "))",
                             th: "มีสัญญาแล้วแต่ไม่มีข้อมูล" + missing.map { $0 == "bids" ? "ผู้เสนอราคา" : "ผู้ชนะ" }.joined(separator: "และ")),
            evidence: missing.map { Evidence(field: $0, observed: "missing", note: record.contracts.isEmpty ? "status: \(record.status ?? "—")" : "\(record.contracts.count) contract rows") }))
    }
}
