import Foundation

/// Flags a project whose bidders or winners carry an invalid 13-digit TIN (mod-11 check digit),
/// or a masked one. Identifiers of foreign schemes (with letters) are skipped.
///
/// A data-quality finding: severity info, weight 0, never scored as risk. Source: the Thai
/// TIN check digit. Rule file: `Rules/data_quality/DQ-06-invalid-tin.yaml`.
struct InvalidTaxIDIndicator: RecordIndicator {
    static let id = "DQ-06"

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {}

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        var checked = 0
        var evidence: [Evidence] = []
        var seen = Set<String>()
        let ids = record.bids.compactMap { $0.bidderID.map { ("bids.bidder_id", $0) } }
            + record.contracts.compactMap { $0.winnerID.map { ("contracts.winner_id", $0) } }
        for (field, id) in ids where seen.insert(field + id).inserted {
            switch TaxID.check(id) {
            case .valid, .leadingZeroLost: checked += 1
            case .foreign: continue
            case .masked:
                checked += 1
                evidence.append(Evidence(field: field, observed: id, threshold: "13 digits", note: "masked"))
            case .invalid(_, let reason):
                checked += 1
                evidence.append(Evidence(field: field, observed: id, threshold: "valid check digit", note: reason))
            }
        }
        guard checked > 0 else { return .notApplicable }
        guard !evidence.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(summary: Self.message(count: evidence.count), evidence: evidence))
    }

    static func message(count: Int) -> Message {
        Message(en: "\(count) invalid or masked TIN(s) among bidders and winners",
                th: "เลขประจำตัวผู้เสียภาษีไม่ถูกต้องหรือถูกปิดบัง \(count) รายการ")
    }
}
