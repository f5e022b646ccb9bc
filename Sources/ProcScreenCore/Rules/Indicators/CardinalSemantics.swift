import Foundation

/// Which definitions a rule follows: the Thai catalogue's (INDICATORS.md §2) or Cardinal's
/// (§3.3), the `semantics` parameter. Cardinal's differ in small, exact ways: a bid is valid
/// only with the status "valid", awards must be final, bids of consortia and awards of several
/// suppliers are left out of the price ratios, organisations are its raw reference ids.
enum Semantics: String {
    case thai, cardinal

    static func read(_ rule: RuleFile) throws(RuleFileError) -> Semantics {
        let text = try rule.parameterValue("semantics").description
        guard let s = Semantics(rawValue: text) else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.semantics.value", reason: "expected thai or cardinal, got '\(text)'")
        }
        return s
    }
}

/// Cardinal's shared definitions (INDICATORS.md §3.1), on a record.
extension ProcurementRecord {
    /// The status as published (OCDS), else the canonical one.
    static func rawStatus(_ b: Bid) -> String? { b.statusRaw ?? b.status?.rawValue }

    /// Submitted: a string status other than invited or withdrawn (no status: not submitted).
    static func cardinalSubmitted(_ b: Bid) -> Bool {
        guard let s = rawStatus(b) else { return false }
        return s != "invited" && s != "withdrawn"
    }

    static func cardinalValid(_ b: Bid) -> Bool { rawStatus(b) == "valid" }
    static func cardinalDisqualified(_ b: Bid) -> Bool { rawStatus(b) == "disqualified" }

    /// All awards final: awards and bids exist, and no award has a string status other than
    /// active, cancelled or unsuccessful.
    var cardinalAwardsFinal: Bool {
        guard !contracts.isEmpty, !bids.isEmpty else { return false }
        return contracts.allSatisfy { c in c.status.map { ["active", "cancelled", "unsuccessful"].contains($0) } ?? true }
    }

    var cardinalActiveAwards: [Contract] { contracts.filter { $0.status == "active" } }

    /// The suppliers of the active awards.
    var cardinalActiveSuppliers: Set<String> { Set(cardinalActiveAwards.compactMap(\.winnerID)) }

    /// The supplier when there is exactly one active award and it has exactly one supplier.
    var cardinalSingleSupplier: String? {
        let active = cardinalActiveAwards
        guard active.count == 1, (active[0].suppliers ?? 1) == 1 else { return nil }
        return active[0].winnerID
    }
}
