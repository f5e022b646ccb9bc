import Foundation

/// Flags a competitive procedure that received a single bid.
///
/// n_received = distinct bidders with a submitted (valid or disqualified) bid, or `num_bids`
/// when the project has no bid rows. Exclusions: methods outside `methods` (specific purchases);
/// projects whose bid count is unknown (not computable). Source: Cardinal R018; Fazekas &
/// Kocsis 2020. Rule file: `Rules/competition/BP-01-single-bid.yaml`.
struct SingleBidIndicator: RecordIndicator {
    static let id = "BP-01"
    static let fields: Set<String> = ["projects.method_raw", "projects.num_bids", "projects.procurement_method", "bids.bidder_id",
                                      "bids.status", "bids.lot_id"]

    let methods: Set<ProcurementMethod>
    let nullStatusAsValid: Bool
    let semantics: Semantics
    let cardinalMethods: Set<String>

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        methods = try rule.methodSet("methods")
        nullStatusAsValid = try rule.bool("null_status_as_valid")
        semantics = try Semantics.read(rule)
        cardinalMethods = Set(try rule.strings("cardinal_methods"))
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if semantics == .cardinal { return cardinal(record) }
        guard let method = record.method else { return .notComputable(.missingColumn, detail: "method is empty") }
        guard methods.contains(method) else { return .notApplicable }
        // Lots compete separately: a lot with a single bidder is a single-bid competition.
        if record.spansLots {
            let lots = Dictionary(grouping: record.bids, by: { $0.lotID ?? "" })
            let single = lots.keys.sorted().filter { lot in
                var part = record
                part.bids = lots[lot]!
                return part.receivedBidderCount(nullStatusAsValid: nullStatusAsValid) == 1
            }
            guard !single.isEmpty else { return .computedNotRaised }
            return .raised(FindingDraft(
                summary: Self.message(method: record.methodRaw ?? method.rawValue),
                evidence: single.map { Evidence(field: "bidder_count", observed: "1", threshold: "< 2", note: "lot \($0) of \(lots.count)") }))
        }
        guard let received = record.receivedBidderCount(nullStatusAsValid: nullStatusAsValid) else {
            return .notComputable(.missingColumn, detail: "no bid rows and num_bids is empty")
        }
        guard received == 1 else { return .computedNotRaised }
        let source = record.bids.isEmpty ? "projects.num_bids" : "bids"
        return .raised(FindingDraft(
            summary: Self.message(method: record.methodRaw ?? method.rawValue),
            evidence: [
                Evidence(field: "bidder_count", observed: "1", threshold: "< 2", note: "from \(source)"),
                Evidence(field: "method", observed: method.rawValue, note: record.methodRaw),
            ]))
    }

    /// Cardinal R018: numberOfTenderers, as published, is 1 and procurementMethod (as published;
    /// a missing one does not match) is in `cardinal_methods`.
    private func cardinal(_ r: ProcurementRecord) -> Outcome {
        guard let method = r.procurementMethod, cardinalMethods.contains(method) else { return .notApplicable }
        guard let n = r.numBids else { return .notComputable(.missingColumn, detail: "numberOfTenderers is missing") }
        guard n == 1 else { return .computedNotRaised }
        return .raised(FindingDraft(summary: Self.message(method: method),
                                    evidence: [Evidence(field: "number_of_tenderers", observed: "1", threshold: "< 2")], value: 1))
    }

    static func message(method: String) -> Message {
        Message(en: "Only one bid received on a competitive procedure (\(method))",
                th: "มีผู้ยื่นข้อเสนอเพียงรายเดียวในวิธีที่มีการแข่งขัน (\(method))")
    }
}
