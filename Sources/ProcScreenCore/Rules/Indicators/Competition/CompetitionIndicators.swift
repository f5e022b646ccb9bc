import Foundation

/// Flags a procedure where at least three bidders are expected (selection invites three or more
/// firms) but exactly two bid. One bidder is BP-01's case.
///
/// Exclusions: methods outside `expect3_methods`; unknown bid count. Source: ACT Ai "มีผู้เสนอราคาน้อยกว่า 3 ราย";
/// Procurement Act 2560 s.56(1) [recall]. Rule file: `Rules/competition/BP-02-fewer-than-three-bidders.yaml`.
struct FewerThanThreeBiddersIndicator: RecordIndicator {
    static let id = "BP-02"
    static let fields: Set<String> = ["projects.method_raw", "projects.num_bids", "bids.bidder_id", "bids.status"]

    let methods: Set<ProcurementMethod>

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        methods = try rule.methodSet("expect3_methods")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard let method = record.method else { return .notComputable(.missingColumn, detail: "method is empty") }
        guard methods.contains(method) else { return .notApplicable }
        guard let received = record.receivedBidderCount() else {
            return .notComputable(.missingColumn, detail: "no bid rows and num_bids is empty")
        }
        guard received == 2 else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Two bidders where three are expected (\(method.rawValue))", th: "ผู้เสนอราคาน้อยกว่า ๓ ราย (๒ ราย)"),
            evidence: [Evidence(field: "bidder_count", observed: "2", threshold: "≥ 3", note: record.methodRaw)]))
    }
}

/// Flags a tender where the winner is the only bidder with a valid bid and at least `min_disq`
/// other bidders were disqualified.
///
/// Exclusions: no winner or no bids (not applicable). Source: Cardinal R035; Prozorro RISK2-13.
/// Rule file: `Rules/competition/BP-03-all-but-winner-disqualified.yaml`.
struct AllButWinnerDisqualifiedIndicator: RecordIndicator {
    static let id = "BP-03"
    static let fields: Set<String> = ["bids.bidder_id", "bids.status", "bids.is_winner", "bids.price", "contracts.winner_id",
                                      "bids.disqualification_reason", "bids.status_raw", "contracts.status", "contracts.n_suppliers"]

    let minDisqualified: Int
    let semantics: Semantics

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minDisqualified = max(1, Int(try rule.int("min_disq")))
        semantics = try Semantics.read(rule)
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        let winner: String
        let validBidders: Set<String>
        let disqualified: [ProcurementRecord.Bid]
        if semantics == .cardinal {
            // R035: awards final; the only valid tenderer is exactly the set of active suppliers.
            guard record.cardinalAwardsFinal else { return .notApplicable }
            validBidders = Set(record.bids.filter(ProcurementRecord.cardinalValid).compactMap(\.bidderKey))
            guard validBidders.count == 1, validBidders == record.cardinalActiveSuppliers else { return .computedNotRaised }
            winner = validBidders.first!
            disqualified = record.bids.filter { ProcurementRecord.cardinalDisqualified($0) && $0.bidderKey != winner }
        } else {
            guard !record.bids.isEmpty, let w = record.winnerID else { return .notApplicable }
            winner = w
            validBidders = Set(record.bids.filter { $0.status == .valid || $0.status == nil }.compactMap(\.bidderKey))
            guard validBidders == [winner] else { return .computedNotRaised }
            disqualified = record.bids.filter { $0.status == .disqualified && $0.bidderKey != winner }
        }
        let others = Set(disqualified.compactMap(\.bidderKey))
        guard others.count >= minDisqualified else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Every bidder but the winner was disqualified (\(others.count))",
                             th: "ตัดสิทธิ์ผู้เสนอราคาทุกราย (\(others.count) ราย) ยกเว้นผู้ชนะ"),
            evidence: [Evidence(field: "disqualified_bidders", observed: String(others.count), threshold: "≥ \(minDisqualified)")]
                + disqualified.map { Evidence(field: "disqualified", observed: $0.bidderKey ?? "—", note: $0.disqualificationReason) },
            involvedFirms: [winner] + others.sorted(), value: Double(others.count)))
    }
}

/// Flags a price-only tender where the lowest bid was disqualified (variant
/// `lowest_disqualified`, ties count) or the lowest valid bid did not win (variant
/// `lowest_valid_not_winner`). The evidence gives the disqualification reason.
///
/// Exclusions: methods outside PRICE_ONLY; no valid priced bid. Source: Cardinal R036; World Bank
/// INT flag 6; Prozorro RISK-2-9. Rule file: `Rules/competition/BP-04-lowest-bid-disqualified.yaml`.
struct LowestBidDisqualifiedIndicator: RecordIndicator {
    static let id = "BP-04"
    static let fields: Set<String> = ["bids.bidder_id", "bids.status", "bids.is_winner", "bids.price", "bids.disqualification_reason",
                                      "bids.status_raw", "bids.lot_id", "contracts.winner_id", "contracts.status", "projects.award_criteria"]

    let priceOnly: Set<ProcurementMethod>
    let variants: Set<String>
    let semantics: Semantics

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        semantics = try Semantics.read(rule)
        priceOnly = try rule.methodSet("price_only_methods")
        let list = try rule.strings("variants")
        for v in list where v != "lowest_disqualified" && v != "lowest_valid_not_winner" {
            throw RuleFileError(path: rule.path, keyPath: "parameters.variants.value",
                                reason: "unknown variant '\(v)' (known: lowest_disqualified, lowest_valid_not_winner)")
        }
        variants = Set(list)
    }

    /// Award criteria other than price: the lowest bid need not win (Cardinal assumes price only,
    /// issue #27; procscreen does not, INDICATORS.md §3.5).
    static func pricedOnly(_ r: ProcurementRecord) -> Bool {
        r.awardCriteria.map { ["priceOnly", "lowestCost"].contains($0) } ?? true
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard Self.pricedOnly(record) else { return .notApplicable }
        // An empty method list: no method gate (OCDS without Thai methods, Cardinal mode).
        if !priceOnly.isEmpty {
            guard let method = record.method else { return .notComputable(.missingColumn, detail: "method is empty") }
            guard priceOnly.contains(method) else { return .notApplicable }
        }
        if semantics == .cardinal { return cardinal(record) }
        // Lots compete separately: the lowest bid of each lot (OCDS relatedLot).
        if record.bids.contains(where: { $0.lotID != nil }) {
            let lots = Dictionary(grouping: record.bids, by: { $0.lotID ?? "" })
            var evidence: [Evidence] = []
            var computed = false
            for lot in lots.keys.sorted() {
                var part = record
                part.bids = lots[lot]!
                part.memo = nil
                let flagged = Set(part.bids.filter { $0.isWinner == true }.compactMap(\.bidderKey))
                switch check(part, winner: flagged.count == 1 ? flagged.first : nil) {
                case .raised(let draft):
                    computed = true
                    evidence += draft.evidence.map { e in var e = e; e.note = "lot \(lot): " + (e.note ?? ""); return e }
                case .computedNotRaised: computed = true
                default: break
                }
            }
            guard !evidence.isEmpty else { return computed ? .computedNotRaised : .notApplicable }
            return .raised(FindingDraft(
                summary: Message(en: "The lowest bid of a lot was disqualified or not selected", th: "ราคาต่ำสุดของรายการ (lot) ถูกตัดสิทธิ์หรือไม่ได้รับคัดเลือก"),
                evidence: evidence))
        }
        return check(record, winner: record.winnerID)
    }

    /// The Thai variants on one competition (a tender, or one lot of it).
    private func check(_ record: ProcurementRecord, winner: String?) -> Outcome {
        let valid = record.validBids()
        guard let lowestValid = valid.compactMap(\.price).min() else { return .notApplicable }
        var evidence: [Evidence] = []
        if variants.contains("lowest_disqualified"),
           let lowestDisqualified = record.bids.filter({ $0.status == .disqualified && ($0.price ?? 0) > 0 }).min(by: { $0.price! < $1.price! }),
           lowestDisqualified.price! <= lowestValid {
            evidence.append(Evidence(field: "lowest_bid_disqualified", observed: formatMoney(lowestDisqualified.price!, currency: record.currency),
                                     threshold: "≤ lowest valid \(formatMoney(lowestValid, currency: record.currency))",
                                     note: [lowestDisqualified.bidderKey, lowestDisqualified.disqualificationReason].compactMap { $0 }.joined(separator: ": ")))
        }
        if variants.contains("lowest_valid_not_winner"), let winner,
           let w = valid.filter({ $0.bidderKey == winner }).compactMap(\.price).min(), w > lowestValid,
           let lowest = valid.first(where: { $0.price == lowestValid }), lowest.bidderKey != winner {
            evidence.append(Evidence(field: "lowest_valid_not_winner", observed: formatMoney(lowestValid, currency: record.currency),
                                     threshold: "winner \(formatMoney(w, currency: record.currency))", note: lowest.bidderKey))
        }
        guard !evidence.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "The lowest bid was disqualified or not selected", th: "ราคาต่ำสุดถูกตัดสิทธิ์หรือไม่ได้รับคัดเลือก"),
            evidence: evidence))
    }

    /// Cardinal R036: an active award exists; over submitted bids with an amount, the lowest (the
    /// first in input order on a tie) is disqualified while a valid bid has an amount.
    private func cardinal(_ r: ProcurementRecord) -> Outcome {
        guard !r.cardinalActiveAwards.isEmpty else { return .notApplicable }
        let priced = r.bids.filter { ProcurementRecord.cardinalSubmitted($0) && $0.price != nil }
        guard let lowest = priced.min(by: { $0.price! < $1.price! }),
              r.bids.contains(where: { ProcurementRecord.cardinalValid($0) && $0.price != nil }) else { return .notApplicable }
        guard ProcurementRecord.cardinalDisqualified(lowest) else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "The lowest bid was disqualified", th: "ราคาต่ำสุดถูกตัดสิทธิ์"),
            evidence: [Evidence(field: "lowest_bid_disqualified", observed: formatBaht(lowest.price!), note: lowest.bidderKey)],
            involvedFirms: lowest.bidderKey.map { [$0] } ?? [], value: 1))
    }
}

/// Flags a competitive tender where many firms took the documents but few bid:
/// num_doc_buyers ≥ `min_buyers` and bidders / buyers ≤ `max_ratio`.
///
/// Exclusions: non-competitive methods; unknown document-buyer count. Source: ACT on e-GP (2024
/// press); OECD (bid suppression). Rule file: `Rules/competition/BP-19-many-buyers-few-bidders.yaml`.
struct ManyDocumentBuyersFewBiddersIndicator: RecordIndicator {
    static let id = "BP-19"
    static let fields: Set<String> = ["projects.num_doc_buyers", "projects.num_bids", "bids.bidder_id", "bids.status"]

    let minBuyers: Int
    let maxRatio: Double

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        minBuyers = Int(try rule.int("min_buyers"))
        maxRatio = try rule.double("max_ratio")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard let method = record.method else { return .notComputable(.missingColumn, detail: "method is empty") }
        guard method.isCompetitive else { return .notApplicable }
        guard let buyers = record.numDocBuyers else { return .notComputable(.missingColumn, detail: "num_doc_buyers is empty") }
        guard buyers >= minBuyers else { return .notApplicable }
        guard let received = record.receivedBidderCount() else {
            return .notComputable(.missingColumn, detail: "no bid rows and num_bids is empty")
        }
        let ratio = Double(received) / Double(buyers)
        guard ratio <= maxRatio else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "\(buyers) firms took the documents, \(received) bid", th: "ผู้รับเอกสาร \(buyers) ราย แต่ยื่นข้อเสนอ \(received) ราย"),
            evidence: [Evidence(field: "bidders_per_document_buyer", observed: String(format: "%.2f", ratio), threshold: "≤ \(maxRatio)",
                                note: "\(received) / \(buyers)")]))
    }
}

/// Flags a winner whose valid bid is dated after the bid deadline: instants compared with their
/// offsets (no offset: Asia/Bangkok); when either has no time of day, calendar days.
///
/// Exclusions: no winner bid date or no deadline (not computable). Source: Cardinal R030 (its raw
/// string comparison is not copied). Rule file: `Rules/competition/BP-23-late-bid-won.yaml`.
struct LateBidWonIndicator: RecordIndicator {
    static let id = "BP-23"
    static let fields: Set<String> = ["projects.bid_deadline", "bids.bidder_id", "bids.status", "bids.is_winner", "bids.bid_date",
                                      "bids.price", "bids.status_raw", "contracts.winner_id", "contracts.status"]

    let semantics: Semantics

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) { semantics = try Semantics.read(rule) }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        // A specific purchase has no submission deadline to be late for.
        guard record.method?.isCompetitive ?? true else { return .notApplicable }
        // Cardinal R030: the suppliers of active awards (awards need not be final), valid bids only.
        let winners: Set<String>
        if semantics == .cardinal { winners = record.cardinalActiveSuppliers } else { winners = record.winnerID.map { [$0] } ?? [] }
        guard !winners.isEmpty else { return .notApplicable }
        let bids = (semantics == .cardinal ? record.bids.filter(ProcurementRecord.cardinalValid) : record.validBids())
            .filter { $0.bidderKey.map(winners.contains) ?? false }
        guard !bids.isEmpty else { return .notApplicable }
        guard let deadlineText = record.bidDeadline, let deadline = DateMath.instant(fromISO: deadlineText) else {
            return .notComputable(.missingColumn, detail: "bid_deadline is empty or unreadable")
        }
        let dated = bids.compactMap { b in b.bidDate.flatMap { d in DateMath.instant(fromISO: d).map { (d, $0) } } }
        guard !dated.isEmpty else { return .notComputable(.missingColumn, detail: "the winner's bid has no date") }
        let late = dated.filter { text, instant in
            if instant.hasTime && deadline.hasTime { return instant.seconds > deadline.seconds }
            return DateMath.days(fromISO: text)! > DateMath.days(fromISO: deadlineText)!
        }
        guard let first = late.first else { return .computedNotRaised }
        let lateWinners = Array(Set(bids.filter { b in late.contains { $0.0 == b.bidDate } }.compactMap(\.bidderKey))).sorted()
        return .raised(FindingDraft(
            summary: Message(en: "The winner's bid was submitted after the deadline", th: "ผู้ชนะยื่นข้อเสนอหลังกำหนด"),
            evidence: [Evidence(field: "bid_date", observed: first.0, threshold: "≤ bid_deadline \(deadlineText)",
                                note: lateWinners.joined(separator: ", "))],
            involvedFirms: lateWinners, value: 1))
    }
}

/// Flags a project whose contract winner is not among the firms that bid (non-withdrawn bids).
///
/// Exclusions: projects without bid rows or without a contract winner. Source: ACT, reported by
/// Nation Thailand (2025). Rule file: `Rules/competition/TH-10-winner-not-among-bidders.yaml`.
struct WinnerNotAmongBiddersIndicator: RecordIndicator {
    static let id = "TH-10"
    static let fields: Set<String> = ["bids.bidder_id", "bids.status", "contracts.winner_id", "contracts.winner_name"]

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {}

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard !record.bids.isEmpty else { return .notApplicable }
        let winners = Set(record.contracts.compactMap(\.winnerID))
        guard !winners.isEmpty else { return .notApplicable }
        let bidders = Set(record.bids.filter { $0.status != .withdrawn }.compactMap(\.bidderID))
        let outsiders = winners.subtracting(bidders).sorted()
        guard !outsiders.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "The contract winner did not bid (\(outsiders.joined(separator: ", ")))",
                             th: "ผู้ชนะตามสัญญาไม่อยู่ในรายชื่อผู้ยื่นข้อเสนอ"),
            evidence: outsiders.map { Evidence(field: "contracts.winner_id", observed: $0, threshold: "one of the \(bidders.count) bidders") },
            involvedFirms: outsiders))
    }
}
