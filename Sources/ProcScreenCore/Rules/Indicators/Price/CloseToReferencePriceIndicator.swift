import Foundation

/// Flags a winning price just under the reference price (ราคากลาง) on a competitive method.
///
/// r = P_win / reference_price, P_win = the winner's lowest valid bid, else the agreed price.
/// Raised when lo ≤ r < 1 (r = 1 is TH-06's case, r > 1 BR-16's). Exclusions: non-competitive
/// methods; reference prices below `min_ref` (small purchases where budget = reference = price
/// is the norm). Source: ACT Ai "เสนอราคาใกล้ราคากลาง"; IACRC; OCP R031. Rule file:
/// `Rules/price/BR-15-close-to-reference-price.yaml`.
struct CloseToReferencePriceIndicator: RecordIndicator {
    static let id = "BR-15"
    static let fields: Set<String> = ["projects.reference_price", "projects.agreed_price", "bids.bidder_id", "bids.price", "bids.status", "bids.is_winner", "contracts.winner_id"]

    let minReference: Int64   // satang
    let lo: Double
    let nullStatusAsValid: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minReference = Int64((try rule.double("min_ref") * 100).rounded())
        lo = try rule.double("lo")
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = record.bahtThresholdsUnknown { return stop }
        guard let method = record.method else { return .notComputable(.missingColumn, detail: "method is empty") }
        guard method.isCompetitive else { return .notApplicable }
        guard let reference = record.referencePrice, reference > 0 else {
            return .notComputable(.missingColumn, detail: "reference_price is empty")
        }
        guard record.currency == "THB" else {
            return .notComputable(.missingColumn, detail: "amounts in \(record.currency); min_ref is in baht")
        }
        guard reference >= minReference else { return .notApplicable }
        guard let (winning, source) = record.winningPrice(nullStatusAsValid: nullStatusAsValid) else {
            return .notComputable(.missingColumn, detail: "no winning bid and agreed_price is empty")
        }
        let ratio = Double(winning) / Double(reference)
        guard ratio >= lo && ratio < 1 else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Self.message(ratio: ratio, winning: winning, reference: reference),
            evidence: [
                Evidence(field: "price_to_reference", observed: String(format: "%.4f", ratio),
                         threshold: "[\(lo), 1)", note: "\(source) / reference_price"),
                Evidence(field: source == "winning bid" ? "winning_bid" : "agreed_price", observed: formatBaht(winning) + " baht"),
                Evidence(field: "reference_price", observed: formatBaht(reference) + " baht"),
            ]))
    }

    static func message(ratio: Double, winning: Int64, reference: Int64) -> Message {
        let percent = String(format: "%.2f", (1 - ratio) * 100)
        return Message(
            en: "Winning price \(formatBaht(winning)) baht is only \(percent)% below the reference price \(formatBaht(reference)) baht",
            th: "ราคาที่ชนะ \(formatBaht(winning)) บาท ต่ำกว่าราคากลาง \(formatBaht(reference)) บาท เพียง \(percent)%")
    }
}
