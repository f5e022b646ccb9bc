import Foundation

/// Flags a project whose bidders or winners carry an invalid 13-digit TIN (mod-11 check digit),
/// or a masked one. Identifiers of foreign schemes (with letters) are skipped.
///
/// A data-quality finding: severity info, weight 0, never scored as risk. Source: the Thai
/// TIN check digit. Rule file: `Rules/data_quality/DQ-06-invalid-tin.yaml`.
struct InvalidTaxIDIndicator: RecordIndicator {
    static let id = "DQ-06"
    static let fields: Set<String> = ["bids.bidder_id", "contracts.winner_id"]

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {}

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        var checked = 0
        var evidence: [Evidence] = []
        func check(_ field: String, _ id: String) {
            if evidence.contains(where: { $0.field == field && $0.observed == id }) { return }
            switch TaxID.check(id) {
            case .valid, .leadingZeroLost: checked += 1
            case .foreign: return
            case .masked:
                checked += 1
                evidence.append(Evidence(field: field, observed: id, threshold: "13 digits", note: "masked"))
            case .invalid(_, let reason):
                checked += 1
                evidence.append(Evidence(field: field, observed: id, threshold: "valid check digit", note: reason))
            }
        }
        for bid in record.bids { if let id = bid.bidderID { check("bids.bidder_id", id) } }
        for contract in record.contracts { if let id = contract.winnerID { check("contracts.winner_id", id) } }
        guard checked > 0 else { return .notApplicable }
        guard !evidence.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(summary: Self.message(count: evidence.count), evidence: evidence))
    }

    static func message(count: Int) -> Message {
        Message(en: "\(count) invalid or masked TIN(s) among bidders and winners",
                th: "เลขประจำตัวผู้เสียภาษีไม่ถูกต้องหรือถูกปิดบัง \(count) รายการ")
    }
}
