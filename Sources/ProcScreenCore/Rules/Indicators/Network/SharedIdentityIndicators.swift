import Foundation

/// Pairs of competitors in one tender that share something a firm does not share with a rival:
/// the shared part of BP-08 (director), BP-09 (address) and BP-10 (phone or e-mail).
enum CompetitorPairs {
    /// Each pair of distinct submitted bidders (valid or disqualified; a deliberately disqualified
    /// cover bid counts) whose firms share keys: `shared` compares two firms on their interned
    /// key ids and names the shared (kind, key) pairs, so strings are built only for a hit.
    static func matches(_ r: ProcurementRecord, nullStatusAsValid: Bool,
                        shared: (ProcurementRecord.FirmInfo, ProcurementRecord.FirmInfo) -> [(kind: String, key: String)]) -> [(a: String, b: String, kind: String, key: String)] {
        let bidders = r.submittedFirms(nullStatusAsValid: nullStatusAsValid)
        var result: [(String, String, String, String)] = []
        for i in bidders.indices {
            guard let a = bidders[i].firm else { continue }
            for j in bidders.indices where j > i {
                guard let b = bidders[j].firm else { continue }
                for x in shared(a, b) { result.append((bidders[i].id, bidders[j].id, x.kind, x.key)) }
            }
        }
        return result
    }

    /// Not computable when no bidder has a firm record; not applicable with fewer than two bidders.
    static func precondition(_ r: ProcurementRecord, nullStatusAsValid: Bool) -> Outcome? {
        let bidders = r.submittedFirms(nullStatusAsValid: nullStatusAsValid)
        guard bidders.count >= 2 else { return .notApplicable }
        guard bidders.contains(where: { $0.firm != nil }) else {
            return .notComputable(.missingTable, detail: "no firm records for the bidders")
        }
        return nil
    }

    /// Cardinal R044: pairs of the process's tenderer parties with a key in common.
    static func cardinalParties(_ r: ProcurementRecord, field: String, keys: (ProcurementRecord.Party) -> [String]) -> Outcome {
        let tenderers = r.parties.filter { $0.roles.contains("tenderer") }
        guard tenderers.count >= 2 else { return .notApplicable }
        // Compared as bytes, as Cardinal does (and without hashing Thai strings).
        let keyed = tenderers.map { ($0.id, keys($0)) }
        var evidence: [Evidence] = []
        var firms = Set<String>()
        for i in keyed.indices where !keyed[i].1.isEmpty {
            for j in keyed.indices where j > i && !keyed[j].1.isEmpty && keyed[i].0 != keyed[j].0 {
                let shared = keyed[i].1.filter { a in keyed[j].1.contains { b in a.utf8.elementsEqual(b.utf8) } }
                for key in Array(Set(shared)).sorted() {
                    evidence.append(Evidence(field: field, observed: key, note: "\(keyed[i].0) & \(keyed[j].0)"))
                    firms.formUnion([keyed[i].0, keyed[j].0])
                }
            }
        }
        guard !evidence.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(summary: Message(en: "Tenderers share an \(field == "address" ? "address" : "contact point")",
                                                     th: "ผู้ยื่นข้อเสนอมีที่อยู่หรือผู้ติดต่อเดียวกัน"),
                                    evidence: evidence, involvedFirms: firms.sorted(), value: 1))
    }

    static func role(_ id: String, in r: ProcurementRecord) -> String {
        r.winnerID == id ? "\(id) (winner)" : id
    }
}

/// Flags two bidders in one tender that share a director (same director id, or, when an id is
/// missing, the same normalised name: evidence "name match").
///
/// Exclusions: fewer than two bidders; no firm records. Source: ACT Ai "คู่เทียบมีกรรมการหรือที่อยู่เดียวกัน";
/// OCP R032/R033. Rule file: `Rules/network/BP-08-shared-director.yaml`.
struct SharedDirectorIndicator: RecordIndicator {
    static let id = "BP-08"
    static let fields: Set<String> = ["bids.bidder_id", "bids.status", "bids.is_winner", "contracts.winner_id", "firm_directors.director"]

    let nullStatusAsValid: Bool

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        nullStatusAsValid = try rule.bool("null_status_as_valid")
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if let stop = CompetitorPairs.precondition(record, nullStatusAsValid: nullStatusAsValid) { return stop }
        let directory = record.firmDirectory
        let pairs = CompetitorPairs.matches(record, nullStatusAsValid: nullStatusAsValid) { a, b in
            var shared: [(kind: String, key: String)] = []
            for id in a.directorIDs where b.directorIDs.contains(id) { shared.append(("director", directory?.keys[Int(id)] ?? "")) }
            return shared
        }
        guard !pairs.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Competing bidders share a director", th: "คู่เทียบมีกรรมการร่วมกัน"),
            evidence: pairs.map { p in
                Evidence(field: "director", observed: p.key.hasPrefix("name:") ? String(p.key.dropFirst(5)) : String(p.key.dropFirst(3)),
                         note: "\(CompetitorPairs.role(p.a, in: record)) & \(CompetitorPairs.role(p.b, in: record))\(p.key.hasPrefix("name:") ? "; name match" : "")")
            },
            involvedFirms: Array(Set(pairs.flatMap { [$0.a, $0.b] })).sorted()))
    }
}

/// Flags two bidders in one tender registered at the same normalised address; addresses shared
/// by more than `max_firms_per_address` firms (business centres) are ignored.
///
/// Source: ACT Ai; OCP R044; World Bank INT. Rule file: `Rules/network/BP-09-shared-address.yaml`.
struct SharedAddressIndicator: RecordIndicator {
    static let id = "BP-09"
    static let fields: Set<String> = ["bids.bidder_id", "bids.status", "bids.is_winner", "contracts.winner_id", "firms.address",
                                      "project_parties.party"]

    let nullStatusAsValid: Bool
    let maxFirmsPerAddress: Int

    let semantics: Semantics
    /// Cardinal's address keys, computed once per distinct address (a firm's parties repeat).
    let addressKeys = TrimmedLowercaseKeys()

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        nullStatusAsValid = try rule.bool("null_status_as_valid")
        maxFirmsPerAddress = Int(try rule.int("max_firms_per_address"))
        semantics = try Semantics.read(rule)
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if semantics == .cardinal {
            // Cardinal R044: the trimmed, lower-cased "street locality region postal country" of
            // the process's tenderer parties, when a street is given.
            return CompetitorPairs.cardinalParties(record, field: "address") { party in
                guard let street = party.address[0], !street.isEmpty else { return [] }
                return [addressKeys.key(party.address.map { $0 ?? "" }.joined(separator: " "))]
            }
        }
        if let stop = CompetitorPairs.precondition(record, nullStatusAsValid: nullStatusAsValid) { return stop }
        let directory = record.firmDirectory
        let pairs = CompetitorPairs.matches(record, nullStatusAsValid: nullStatusAsValid) { a, b in
            guard a.addressID >= 0, a.addressID == b.addressID, a.addressFirmCount <= maxFirmsPerAddress,
                  let key = directory?.key(a.addressID, kind: "address") else { return [] }
            return [(kind: "address", key: key)]
        }
        guard !pairs.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Competing bidders share an address", th: "คู่เทียบมีที่อยู่เดียวกัน"),
            evidence: pairs.map { Evidence(field: "address", observed: $0.key, note: "\(CompetitorPairs.role($0.a, in: record)) & \(CompetitorPairs.role($0.b, in: record))") },
            involvedFirms: Array(Set(pairs.flatMap { [$0.a, $0.b] })).sorted()))
    }
}

/// Flags two bidders in one tender with the same phone number (last nine digits) or e-mail.
///
/// Source: Prozorro RISK2-8 and RISK2-8_1; OCP R044. Rule file: `Rules/network/BP-10-shared-contact.yaml`.
struct SharedContactIndicator: RecordIndicator {
    static let id = "BP-10"
    static let fields: Set<String> = ["bids.bidder_id", "bids.status", "bids.is_winner", "contracts.winner_id", "firms.phone", "firms.email",
                                      "project_parties.party"]

    let nullStatusAsValid: Bool
    let semantics: Semantics

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        nullStatusAsValid = try rule.bool("null_status_as_valid")
        semantics = try Semantics.read(rule)
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        if semantics == .cardinal {
            // Cardinal R044's contact points, each field compared on its own (INDICATORS.md §3.5).
            let names = ["name", "email", "telephone", "faxNumber", "url"]
            return CompetitorPairs.cardinalParties(record, field: "contact_point") { party in
                zip(names, party.contact).compactMap { name, value in value.flatMap { $0.isEmpty ? nil : name + ": " + $0 } }
            }
        }
        if let stop = CompetitorPairs.precondition(record, nullStatusAsValid: nullStatusAsValid) { return stop }
        let directory = record.firmDirectory
        let pairs = CompetitorPairs.matches(record, nullStatusAsValid: nullStatusAsValid) { a, b in
            var shared: [(kind: String, key: String)] = []
            if a.phoneID >= 0, a.phoneID == b.phoneID, let key = directory?.key(a.phoneID, kind: "phone") { shared.append(("phone", key)) }
            if a.emailID >= 0, a.emailID == b.emailID, let key = directory?.key(a.emailID, kind: "email") { shared.append(("email", key)) }
            return shared
        }
        guard !pairs.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Competing bidders share a \(Set(pairs.map(\.kind)).sorted().joined(separator: " and "))",
                             th: "คู่เทียบใช้โทรศัพท์/อีเมลเดียวกัน"),
            evidence: pairs.map { Evidence(field: $0.kind, observed: $0.key, note: "\(CompetitorPairs.role($0.a, in: record)) & \(CompetitorPairs.role($0.b, in: record))") },
            involvedFirms: Array(Set(pairs.flatMap { [$0.a, $0.b] })).sorted()))
    }
}

/// Flags a bidder that was on the debarment list (ผู้ทิ้งงาน) at its bid date (else the
/// announcement date): listed ≤ d and (not delisted, or d < delisted). Not computable until the
/// list has been loaded.
///
/// Source: ACT Ai "ผู้เข้าเสนอราคามีประวัติทิ้งงาน"; OCP R046. Rule file: `Rules/network/BP-11-debarred-bidder.yaml`.
struct DebarredBidderIndicator: RecordIndicator {
    static let id = "BP-11"
    static let fields: Set<String> = ["bids.bidder_id", "bids.status", "bids.bid_date", "bids.is_winner", "contracts.winner_id",
                                      "projects.announce_date", "lists.debarred"]

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {}

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard context.loadedRegisters.contains("lists:debarred") else {
            return .notComputable(.registerNotLoaded, detail: "no lists/debarred.csv has been ingested")
        }
        let submitted = record.bids.filter { $0.status != .withdrawn && $0.bidderID != nil }
        guard !submitted.isEmpty else { return .notApplicable }
        var evidence: [Evidence] = []
        var firms: [String] = []
        for bid in submitted {
            let id = bid.bidderID!
            guard let periods = record.firm(id)?.debarments, !periods.isEmpty, !firms.contains(id) else { continue }
            guard let date = bid.bidDate ?? record.announceDate, let d = DateMath.days(fromISO: date) else {
                return .notComputable(.missingColumn, detail: "no bid_date or announce_date for debarred firm \(id)")
            }
            for p in periods {
                let listed = p.listed.flatMap(DateMath.days(fromISO:)) ?? Int.min
                let delisted = p.delisted.flatMap(DateMath.days(fromISO:)) ?? Int.max
                if listed <= d && d < delisted {
                    firms.append(id)
                    evidence.append(Evidence(field: "debarred", observed: CompetitorPairs.role(id, in: record),
                                             note: "listed \(p.listed ?? "?")\(p.delisted.map { ", delisted \($0)" } ?? ""); bid on \(date)"))
                    break
                }
            }
        }
        guard !evidence.isEmpty else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "A debarred firm bid (\(firms.joined(separator: ", ")))", th: "ผู้เสนอราคาเป็นผู้ทิ้งงาน"),
            evidence: evidence, involvedFirms: firms))
    }
}

/// Flags a winner registered less than `max_age_days` before the award (else the contract date).
///
/// Exclusions: no single winner; no registration date. Source: DIGIWHIST INTEGRITY_NEW_COMPANY.
/// Rule file: `Rules/network/BP-13-new-company-wins.yaml`.
struct NewCompanyWinnerIndicator: RecordIndicator {
    static let id = "BP-13"
    static let fields: Set<String> = ["bids.bidder_id", "bids.is_winner", "contracts.winner_id", "contracts.contract_date",
                                      "projects.award_date", "firms.registered_date"]

    let maxAgeDays: Int

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        maxAgeDays = Int(try rule.int("max_age_days"))
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        guard let winner = record.winnerID else { return .notApplicable }
        guard let registered = record.firm(winner)?.registeredDate, let reg = DateMath.days(fromISO: registered) else {
            return .notComputable(.missingColumn, detail: "no registration date for the winner \(winner)")
        }
        guard let awarded = record.awardDate ?? record.contracts.compactMap(\.contractDate).min(),
              let award = DateMath.days(fromISO: awarded) else {
            return .notComputable(.missingColumn, detail: "no award or contract date")
        }
        let age = award - reg
        guard age < maxAgeDays else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "The winner was registered \(age) days before the award", th: "ผู้ชนะจดทะเบียนก่อนได้รับงานเพียง \(age) วัน"),
            evidence: [Evidence(field: "company_age_days", observed: String(age), threshold: "< \(maxAgeDays)",
                                note: "\(winner) registered \(registered), awarded \(awarded)")],
            involvedFirms: [winner]))
    }
}

/// Trimmed, lower-cased text (Cardinal's address key). Bytes first: ASCII and Thai (which has no
/// case) are folded without Foundation; anything else takes the Unicode path.
final class TrimmedLowercaseKeys: @unchecked Sendable {
    func key(_ raw: String) -> String {
        var utf8 = Array(raw.utf8)
        while let b = utf8.last, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { utf8.removeLast() }
        var start = 0
        while start < utf8.count, [0x20, 0x09, 0x0A, 0x0D].contains(utf8[start]) { start += 1 }
        var i = start
        while i < utf8.count {
            let b = utf8[i]
            if b < 0x80 {
                if b >= 0x41 && b <= 0x5A { utf8[i] = b + 32 }
                i += 1
            } else if b == 0xE0, i + 2 < utf8.count, utf8[i + 1] == 0xB8 || utf8[i + 1] == 0xB9 {
                i += 3   // Thai: no case
            } else {
                return String(decoding: utf8[start...], as: UTF8.self).lowercased()
            }
        }
        return String(decoding: utf8[start...], as: UTF8.self)
    }
}
