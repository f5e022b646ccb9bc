import Foundation

/// One project as the indicators see it: clean, typed, with its bids, contracts and register rows.
///
/// Money is integer satang; dates are ISO-8601 text. Normalisation happened at ingest.
public struct ProcurementRecord: Sendable, Equatable, Codable {
    public struct Bid: Sendable, Equatable, Codable {
        /// invited and pending are OCDS statuses: not submitted (invited) or not yet evaluated (pending).
        public enum Status: String, Sendable, Codable { case valid, disqualified, withdrawn, invited, pending }
        public var bidderID: String?
        public var bidderName: String?
        public var price: Int64?
        public var status: Status?
        public var isWinner: Bool?
        public var disqualificationReason: String?
        public var bidDate: String?
        /// The bidder's s.19 written anti-corruption policy (firms.anti_corruption_policy), when read.
        public var antiCorruptionPolicy: Bool?
        /// OCDS: the status as published (nil: none), the tenderers on the bid, its currency.
        public var statusRaw: String?
        public var tenderers: Int?
        public var currency: String?
        /// OCDS: the lot the bid is for (lots compete separately).
        public var lotID: String?

        public init(bidderID: String? = nil, bidderName: String? = nil, price: Int64? = nil, status: Status? = nil,
                    isWinner: Bool? = nil, disqualificationReason: String? = nil, bidDate: String? = nil,
                    antiCorruptionPolicy: Bool? = nil, statusRaw: String? = nil, tenderers: Int? = nil, currency: String? = nil,
                    lotID: String? = nil) {
            self.lotID = lotID
            self.statusRaw = statusRaw
            self.tenderers = tenderers
            self.currency = currency
            self.bidderID = bidderID
            self.bidderName = bidderName
            self.price = price
            self.status = status
            self.isWinner = isWinner
            self.disqualificationReason = disqualificationReason
            self.bidDate = bidDate
            self.antiCorruptionPolicy = antiCorruptionPolicy
        }

        /// The bidder's identity: its TIN, else its name (INDICATORS.md §1.1.1).
        public var bidderKey: String? { bidderID ?? bidderName.map { ThaiText.normalize($0) } }
    }

    public struct Contract: Sendable, Equatable, Codable {
        public var contractNo: String?
        public var winnerID: String?
        public var winnerName: String?
        public var contractDate: String?
        public var endDate: String?
        public var amount: Int64?
        public var status: String?
        public var amendments: Int?
        public var amendedAmount: Int64?
        /// The winner's s.19 anti-corruption policy, when read.
        public var winnerAntiCorruptionPolicy: Bool?
        /// OCDS: one row per award; `status` is the award's, with its id, supplier count and currency.
        public var awardID: String?
        public var suppliers: Int?
        public var currency: String?

        public init(contractNo: String? = nil, winnerID: String? = nil, winnerName: String? = nil, contractDate: String? = nil,
                    endDate: String? = nil, amount: Int64? = nil, status: String? = nil, amendments: Int? = nil,
                    amendedAmount: Int64? = nil, winnerAntiCorruptionPolicy: Bool? = nil, awardID: String? = nil,
                    suppliers: Int? = nil, currency: String? = nil) {
            self.awardID = awardID
            self.suppliers = suppliers
            self.currency = currency
            self.contractNo = contractNo
            self.winnerID = winnerID
            self.winnerName = winnerName
            self.contractDate = contractDate
            self.endDate = endDate
            self.amount = amount
            self.status = status
            self.amendments = amendments
            self.amendedAmount = amendedAmount
            self.winnerAntiCorruptionPolicy = winnerAntiCorruptionPolicy
        }
    }

    /// A row of the large-project register (`risk_assessments`).
    public struct RiskAssessment: Sendable, Equatable, Codable {
        public var fiscalYear: Int?
        public var assessmentDate: String?
        public var riskPlan: Bool?
        public var submittedTo: String?
        public var emenscrReported: Bool?
        public var inspectedDate: String?
        public var inspectionPhase: String?

        public init(fiscalYear: Int? = nil, assessmentDate: String? = nil, riskPlan: Bool? = nil, submittedTo: String? = nil,
                    emenscrReported: Bool? = nil, inspectedDate: String? = nil, inspectionPhase: String? = nil) {
            self.fiscalYear = fiscalYear
            self.assessmentDate = assessmentDate
            self.riskPlan = riskPlan
            self.submittedTo = submittedTo
            self.emenscrReported = emenscrReported
            self.inspectedDate = inspectedDate
            self.inspectionPhase = inspectionPhase
        }
    }

    public var projectID: String
    public var projectName: String?
    public var projectType: String?
    public var agencyID: String?
    public var agencyName: String?
    public var subAgencyName: String?
    public var ministry: String?
    public var province: String?
    public var method: ProcurementMethod?
    public var methodRaw: String?
    public var fiscalYear: Int?
    public var budget: Int64?
    public var referencePrice: Int64?
    public var agreedPrice: Int64?
    public var currency: String = "THB"
    public var announceDate: String?
    public var bidDeadline: String?
    public var awardDate: String?
    public var status: String?
    public var numBids: Int?
    public var numDocBuyers: Int?
    public var budgetType: String?
    public var multiYear: Bool?
    /// OCDS: tender/procurementMethod and procuringEntity/id as published, and awardCriteria.
    public var procurementMethod: String?
    public var procurementMethodDetails: String?
    /// Changes to the call for tenders (e-GP "D2 เปลี่ยนแปลงประกาศเชิญชวน", OCDS tender.amendments); nil unknown.
    public var tenderAmendments: Int?
    public var procuringEntityID: String?
    public var awardCriteria: String?
    /// OCDS item classification ids, of the tender's items and of each award's.
    public var items: [Item] = []
    /// OCDS parties as this process publishes them (Cardinal compares them within a process).
    public var parties: [Party] = []
    public struct Party: Sendable, Equatable, Codable {
        public var id: String
        public var roles: [String]
        /// streetAddress, locality, region, postalCode, countryName.
        public var address: [String?]
        /// name, email, telephone, faxNumber, url.
        public var contact: [String?]
    }
    public struct Item: Sendable, Equatable, Codable {
        /// nil: a tender item.
        public var awardID: String?
        public var classification: String
    }
    public var bids: [Bid] = []
    public var contracts: [Contract] = []
    public var assessments: [RiskAssessment] = []
    /// Per-record memo of derived views (winner, valid prices) that many rules read: computed
    /// once per project instead of once per rule. Set by the engine's reader; nil elsewhere.
    public var memo: Memo?

    /// What the store knows of the firms (identity keys, registration, debarment), shared by
    /// every record of a run; nil when no rule of the run asked for firm facts.
    public var firmDirectory: FirmDirectory?

    /// The facts of one firm on this project, if the store has them.
    public func firm(_ id: String) -> FirmInfo? { firmDirectory?.firms[id] }
    /// On the integrity-pact list (lists.list_name = integrity_pact), and since when.
    public var onIntegrityPact: Bool?
    public var integrityPactJoined: String?

    public init(projectID: String) { self.projectID = projectID }

    /// What a population keeps to name the project later: one reference (8 bytes) instead of
    /// three strings per rule and project; made once per record by the engine's reader.
    public var projectRef: ProjectRef { memo?.project ?? ProjectRef(self) }

    /// The firm facts of a run, loaded and normalised once and shared by reference (a copy per
    /// record cost more than the rules that read it). Immutable after creation.
    public final class FirmDirectory: @unchecked Sendable, Equatable, Codable {
        public let firms: [String: FirmInfo]
        /// The identity keys the firms' ids name ("address:…", "phone:…", "email:…", and the
        /// director keys "id:…" / "name:…"), each held once here rather than once per firm.
        public let keys: [String]

        public init(_ firms: [String: FirmInfo], keys: [String] = []) {
            self.firms = firms
            self.keys = keys
        }

        /// The key behind `id`, without its "kind:" prefix when it has that one.
        public func key(_ id: Int32, kind: String) -> String {
            let key = keys[Int(id)]
            return key.hasPrefix(kind + ":") ? String(key.dropFirst(kind.count + 1)) : key
        }

        public static func == (a: FirmDirectory, b: FirmDirectory) -> Bool { a === b }

        // A run-wide lookup, not part of a record's own data.
        public func encode(to encoder: Encoder) throws { _ = encoder.singleValueContainer() }
        public required init(from decoder: Decoder) throws {
            firms = [:]
            keys = []
        }
    }

    /// The memo box: filled lazily by the one thread evaluating the record.
    public final class Memo: @unchecked Sendable, Equatable, Codable {
        var winner: String??
        var validPrices: ValidPrices?
        /// Submitted bidders with their firm facts (null status counted as submitted).
        var submittedFirms: [(id: String, firm: FirmInfo?)]?
        /// The project's id and routing fields as one shared object.
        var project: ProjectRef?

        public init() {}

        /// A fresh memo for another thread, keeping what is immutable.
        func forAnotherThread() -> Memo {
            let fresh = Memo()
            fresh.project = project
            return fresh
        }
        public static func == (a: Memo, b: Memo) -> Bool { true }
        public func encode(to encoder: Encoder) throws { _ = encoder.singleValueContainer() }
        public required init(from decoder: Decoder) throws {}
    }

    /// A firm's identity keys and register facts, normalised once per run. A class: a lookup
    /// per bid is one reference, not a copy of its strings and arrays. Filled while the run's
    /// directory is built, read-only afterwards. The keys are ids into the directory's `keys`
    /// (a quarter of a million firms kept four copies of each key as strings: 200 MB).
    public final class FirmInfo: @unchecked Sendable {
        public var registeredDate: String?
        /// How many firms of the store share this address key (business centres are common).
        public var addressFirmCount: Int = 0
        /// Debarment periods (listed, delisted).
        public var debarments: [Debarment] = []
        /// The identity keys interned once per run, so rules compare integers, not strings;
        /// -1 when the firm has no such key. Directors: "id:" + the director id, else "name:" +
        /// the normalised name.
        public var directorIDs: [Int32] = []
        public var addressID: Int32 = -1
        public var phoneID: Int32 = -1
        public var emailID: Int32 = -1

        public struct Debarment: Sendable, Equatable {
            public var listed: String?
            public var delisted: String?
        }

        public init() {}
    }

    // MARK: - Shared definitions (INDICATORS.md §1.2)

    /// Bids for several lots (OCDS relatedLot): lots compete separately, so statistics over the
    /// whole tender's bids would mix them.
    public var spansLots: Bool {
        guard let first = bids.first(where: { $0.lotID != nil })?.lotID else { return false }
        return bids.contains { $0.lotID != nil && $0.lotID != first }
    }

    /// Not computable for rules with thresholds in baht when the amounts are in another currency
    /// and no conversion table was given (`Rules/mappings/fx.yaml`); nil for baht.
    public var bahtThresholdsUnknown: Outcome? {
        currency == "THB" ? nil
            : .notComputable(.missingTable, detail: "amounts in \(currency); baht thresholds need a rate in Rules/mappings/fx.yaml")
    }

    /// Bids that count as valid: status valid, or null when `nullStatusAsValid`; price > 0.
    public func validBids(nullStatusAsValid: Bool = true) -> [Bid] {
        bids.filter { bid in
            guard let price = bid.price, price > 0 else { return false }
            return bid.status == .valid || (bid.status == nil && nullStatusAsValid)
        }
    }

    /// The number of distinct bidders with a submitted (valid or disqualified) bid, or
    /// `num_bids` when the project has no bid rows; nil when neither is known.
    public func receivedBidderCount(nullStatusAsValid: Bool = true) -> Int? {
        if bids.isEmpty { return numBids }
        let submitted = bids.filter { $0.status == .valid || $0.status == .disqualified || ($0.status == nil && nullStatusAsValid) }
        return Set(submitted.compactMap(\.bidderKey)).count
    }

    /// The winner: the bidder flagged `is_winner`, else the contracts' winner. Nil when unknown
    /// or when there are several (lots).
    public var winnerID: String? {
        if let memo {
            if let known = memo.winner { return known }
            let w = computeWinnerID()
            memo.winner = .some(w)
            return w
        }
        return computeWinnerID()
    }

    private func computeWinnerID() -> String? {
        let flagged = Set(bids.filter { $0.isWinner == true }.compactMap(\.bidderKey))
        if flagged.count == 1 { return flagged.first }
        if flagged.count > 1 { return nil }
        let fromContracts = Set(contracts.compactMap(\.winnerID))
        return fromContracts.count == 1 ? fromContracts.first : nil
    }

    /// The submitted bidders (by TIN) with their firm facts; computed once per record and shared
    /// by the identity rules (BP-08, BP-09, BP-10) when a null status counts as submitted.
    public func submittedFirms(nullStatusAsValid: Bool = true) -> [(id: String, firm: FirmInfo?)] {
        if nullStatusAsValid, let known = memo?.submittedFirms { return known }
        var made: [(id: String, firm: FirmInfo?)] = []
        made.reserveCapacity(bids.count)
        for b in bids where b.status == .valid || b.status == .disqualified || (b.status == nil && nullStatusAsValid) {
            // A linear check: a tender has a handful of bidders, and a Set per record cost more.
            guard let id = b.bidderID, !made.contains(where: { $0.id == id }) else { continue }
            made.append((id, firm(id)))
        }
        if nullStatusAsValid { memo?.submittedFirms = made }
        return made
    }

    /// Distinct bidders with a submitted (valid or disqualified) bid, by TIN.
    public func submittedBidderIDs(nullStatusAsValid: Bool = true) -> [String] {
        var ids: [String] = []
        for b in bids where b.status == .valid || b.status == .disqualified || (b.status == nil && nullStatusAsValid) {
            if let id = b.bidderID, !ids.contains(id) { ids.append(id) }
        }
        return ids
    }

    /// P_win (INDICATORS.md §1.2): the winner's lowest valid bid, else the agreed price, with
    /// which of the two it is; nil when neither is known.
    public func winningPrice(nullStatusAsValid: Bool = true) -> (price: Int64, source: String)? {
        if let w = winningBid(nullStatusAsValid: nullStatusAsValid) { return (w, "winning bid") }
        return agreedPrice.map { ($0, "agreed price") }
    }

    /// W: the winner's lowest valid bid.
    public func winningBid(nullStatusAsValid: Bool = true) -> Int64? {
        guard let winner = winnerID else { return nil }
        return validBids(nullStatusAsValid: nullStatusAsValid).filter { $0.bidderKey == winner }.compactMap(\.price).min()
    }
}

/// A project's id with its routing fields (agency, ministry), made once per record: dataset
/// populations of a million tenders hold this reference rather than their own copies.
public final class ProjectRef: Sendable, Equatable {
    public let projectID: String
    public let agencyID: String?
    public let ministry: String?

    public init(projectID: String, agencyID: String?, ministry: String?) {
        self.projectID = projectID
        self.agencyID = agencyID
        self.ministry = ministry
    }

    convenience init(_ r: ProcurementRecord) { self.init(projectID: r.projectID, agencyID: r.agencyID, ministry: r.ministry) }

    public static func == (a: ProjectRef, b: ProjectRef) -> Bool {
        a === b || (a.projectID == b.projectID && a.agencyID == b.agencyID && a.ministry == b.ministry)
    }
}

/// Populations that keep a `project` reference read its fields by their usual names.
protocol ProjectReferencing {
    var project: ProjectRef { get }
}

extension ProjectReferencing {
    var projectID: String { project.projectID }
    var agencyID: String? { project.agencyID }
    var ministry: String? { project.ministry }
}
