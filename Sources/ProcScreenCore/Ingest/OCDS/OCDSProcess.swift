import Foundation

/// The parts of one OCDS compiled release (a contracting process) the store keeps, read with
/// `JSONScanner` (everything else is skipped). Field names follow OCDS 1.1; DESIGN.md "Input
/// formats" and INDICATORS.md §3.2 list what must survive: raw statuses, both method fields,
/// buyer and procuring entity, RFC 3339 date text, numberOfTenderers as given, tenderers per
/// bid, suppliers per award, currencies, bid input order and item classifications.
struct OCDSProcess: Sendable {
    struct Amount { var minor: Int64?; var currency: String? }
    /// An organisation reference (id, name) or, as some publishers write it, a full
    /// organisation (identifier, address, contact point) without a party id.
    typealias Organisation = Party
    struct Bid {
        var id: String?
        var date: String?
        /// The status as published; nil when absent or not a string (Cardinal: not submitted).
        var status: String?
        var value = Amount()
        var tenderers: [Organisation] = []
        var relatedLot: String?
    }
    struct Award {
        var id: String?
        var status: String?
        var date: String?
        var value = Amount()
        var suppliers: [Organisation] = []
        var classifications: [String] = []
        /// Lot ids: OCDS strings, or `{lotId}` objects as some publishers write them.
        var relatedLots: [String] = []
    }
    struct Contract {
        var id: String?
        var awardID: String?
        var status: String?
        var value = Amount()
        var dateSigned: String?
        var endDate: String?
    }
    struct Party {
        /// The reference id, else the org-id `scheme-id` built from the identifier.
        var id: String?
        var name: String?
        var identifierScheme: String?
        var identifierID: String?
        var address: [String?] = []      // streetAddress, locality, region, postalCode, countryName
        var countryName: String?
        var contactName: String?
        var email: String?
        var telephone: String?
        var fax: String?
        var url: String?
        var roles: [String] = []
    }

    /// nil when the release's `ocid` is missing or not a string (the process is quarantined).
    var ocid: String?
    var ocidWasString = true
    var date: String?
    var title: String?
    var tenderStatus: String?
    var procurementMethod: String?
    var procurementMethodDetails: String?
    var awardCriteria: String?
    var buyer = Organisation()
    var procuringEntity = Organisation()
    var tenderValue = Amount()
    var budget = Amount()
    var startDate: String?
    var endDate: String?
    /// numberOfTenderers when it is a JSON number with a whole value.
    var numberOfTenderers: Int?
    /// The number of tender.amendments entries; nil when the release has no such array.
    var tenderAmendments: Int?
    /// numberOfTenderers given as something else (a numeric string): kept as an ingest issue.
    var numberOfTenderersText: String?
    var tenderTenderers: [Organisation] = []
    /// procscreen's OCDS extension (`tender.procscreen`): the Thai fields OCDS has no place for.
    struct ThaiFields {
        var projectType: String?, province: String?, ministry: String?, budgetType: String?, awardDate: String?
        var fiscalYear: Int?, numDocBuyers: Int?, multiYear: Bool?
        var agreedPrice = Amount()
    }
    var thai: ThaiFields?
    var tenderClassifications: [String] = []
    var bids: [Bid] = []
    var awards: [Award] = []
    var contracts: [Contract] = []
    var parties: [Party] = []

    /// Reads one release object at the scanner's position.
    static func read(_ s: inout JSONScanner) throws -> OCDSProcess {
        var p = OCDSProcess()
        try s.object { s, key in
            if key == "ocid" {
                if case .string(let v) = try s.scalar() { p.ocid = v } else { p.ocidWasString = false }
            } else if key == "date" {
                p.date = try s.optionalString()
            } else if key == "buyer" {
                p.buyer = try organisation(&s)
            } else if key == "tender" {
                try p.readTender(&s)
            } else if key == "planning" {
                try s.object { s, key in
                    guard key == "budget" else { return false }
                    try s.object { s, key in
                        guard key == "amount" else { return false }
                        p.budget = try amount(&s)
                        return true
                    }
                    return true
                }
            } else if key == "bids" {
                try s.object { s, key in
                    guard key == "details", try s.kind() == .array else { return false }
                    try s.array { s in
                        guard try s.kind() == .object else { return try s.skipValue() }
                        var bid = Bid()
                        try s.object { s, key in
                            if key == "id" { bid.id = try idText(&s) }
                            else if key == "date" { bid.date = try s.optionalString() }
                            else if key == "status" { bid.status = try s.optionalString() }
                            else if key == "value" { bid.value = try amount(&s) }
                            else if key == "tenderers" { bid.tenderers = try organisations(&s) }
                            else if key == "relatedLot" { bid.relatedLot = try idText(&s) }
                            else { return false }
                            return true
                        }
                        p.bids.append(bid)
                    }
                    return true
                }
            } else if key == "awards" {
                try s.array { s in
                    var award = Award()
                    if try s.kind() == .object {
                        try s.object { s, key in
                            if key == "id" { award.id = try idText(&s) }
                            else if key == "status" { award.status = try s.optionalString() }
                            else if key == "date" { award.date = try s.optionalString() }
                            else if key == "value" { award.value = try amount(&s) }
                            else if key == "suppliers" { award.suppliers = try organisations(&s) }
                            else if key == "items" { award.classifications = try classifications(&s) }
                            else if key == "relatedLots" { award.relatedLots = try lotIDs(&s) }
                            else { return false }
                            return true
                        }
                        p.awards.append(award)
                    } else { try s.skipValue() }
                }
            } else if key == "contracts" {
                try s.array { s in
                    var contract = Contract()
                    if try s.kind() == .object {
                        try s.object { s, key in
                            if key == "id" { contract.id = try idText(&s) }
                            else if key == "awardID" { contract.awardID = try idText(&s) }
                            else if key == "status" { contract.status = try s.optionalString() }
                            else if key == "value" { contract.value = try amount(&s) }
                            else if key == "dateSigned" { contract.dateSigned = try s.optionalString() }
                            else if key == "period" {
                                try s.object { s, key in
                                    guard key == "endDate" else { return false }
                                    contract.endDate = try s.optionalString()
                                    return true
                                }
                            } else { return false }
                            return true
                        }
                        p.contracts.append(contract)
                    } else { try s.skipValue() }
                }
            } else if key == "parties" {
                try s.array { s in
                    if try s.kind() == .object { p.parties.append(try party(&s)) } else { try s.skipValue() }
                }
            } else {
                return false
            }
            return true
        }
        return p
    }

    private mutating func readTender(_ s: inout JSONScanner) throws {
        try s.object { s, key in
            if key == "title" { title = try s.optionalString() }
            else if key == "status" { tenderStatus = try s.optionalString() }
            else if key == "procurementMethod" { procurementMethod = try s.optionalString() }
            else if key == "procurementMethodDetails" { procurementMethodDetails = try s.optionalString() }
            else if key == "awardCriteria" { awardCriteria = try s.optionalString() }
            else if key == "amendments", try s.kind() == .array {
                var n = 0
                try s.array { s in
                    try s.skipValue()
                    n += 1
                }
                tenderAmendments = n
            }
            else if key == "procuringEntity" { procuringEntity = try Self.organisation(&s) }
            else if key == "value" { tenderValue = try Self.amount(&s) }
            else if key == "tenderPeriod" {
                try s.object { s, key in
                    if key == "startDate" { startDate = try s.optionalString() }
                    else if key == "endDate" { endDate = try s.optionalString() }
                    else { return false }
                    return true
                }
            } else if key == "numberOfTenderers" {
                switch try s.scalar() {
                case .number(let text): numberOfTenderers = JSONNumber.integer(text)
                    if numberOfTenderers == nil { numberOfTenderersText = String(decoding: text, as: UTF8.self) }
                case .string(let text): numberOfTenderersText = text
                default: break
                }
            } else if key == "tenderers" { tenderTenderers = try Self.organisations(&s) }
            else if key == "procscreen" { thai = try Self.thaiFields(&s) }
            else if key == "items" { tenderClassifications = try Self.classifications(&s) }
            else { return false }
            return true
        }
    }

    // MARK: - Pieces

    static func thaiFields(_ s: inout JSONScanner) throws -> ThaiFields {
        var t = ThaiFields()
        func integer(_ s: inout JSONScanner) throws -> Int? {
            if case .number(let text) = try s.scalar() { return JSONNumber.integer(text) }
            return nil
        }
        try s.object { s, key in
            if key == "projectType" { t.projectType = try s.optionalString() }
            else if key == "province" { t.province = try s.optionalString() }
            else if key == "ministry" { t.ministry = try s.optionalString() }
            else if key == "budgetType" { t.budgetType = try s.optionalString() }
            else if key == "awardDate" { t.awardDate = try s.optionalString() }
            else if key == "fiscalYear" { t.fiscalYear = try integer(&s) }
            else if key == "numDocBuyers" { t.numDocBuyers = try integer(&s) }
            else if key == "multiYear" { if case .bool(let b) = try s.scalar() { t.multiYear = b } }
            else if key == "agreedPrice" { t.agreedPrice = try amount(&s) }
            else { return false }
            return true
        }
        return t
    }

    /// An identifier: OCDS ids are strings, but integers are common; both become text.
    static func idText(_ s: inout JSONScanner) throws -> String? {
        switch try s.scalar() {
        case .string(let v): return v
        case .number(let text): return String(decoding: text, as: UTF8.self)
        default: return nil
        }
    }

    static func lotIDs(_ s: inout JSONScanner) throws -> [String] {
        var ids: [String] = []
        guard try s.kind() == .array else { try s.skipValue(); return ids }
        try s.array { s in
            if try s.kind() == .object {
                try s.object { s, key in
                    guard key == "lotId" || key == "id" else { return false }
                    if let id = try idText(&s) { ids.append(id) }
                    return true
                }
            } else if let id = try idText(&s) {
                ids.append(id)
            }
        }
        return ids
    }

    static func organisation(_ s: inout JSONScanner) throws -> Organisation {
        guard try s.kind() == .object else { try s.skipValue(); return Party() }
        return try party(&s)
    }

    static func organisations(_ s: inout JSONScanner) throws -> [Organisation] {
        var result: [Organisation] = []
        guard try s.kind() == .array else { try s.skipValue(); return result }
        try s.array { s in result.append(try organisation(&s)) }
        return result
    }

    /// `{amount, currency}`: the amount in minor units when it is a JSON number.
    static func amount(_ s: inout JSONScanner) throws -> Amount {
        var a = Amount()
        guard try s.kind() == .object else { try s.skipValue(); return a }
        try s.object { s, key in
            if key == "amount" {
                if case .number(let text) = try s.scalar() { a.minor = JSONNumber.minorUnits(text) }
            } else if key == "currency" {
                a.currency = try s.optionalString()
            } else { return false }
            return true
        }
        return a
    }

    static func classifications(_ s: inout JSONScanner) throws -> [String] {
        var ids: [String] = []
        try s.objects { s, key in
            guard key == "classification" else { return false }
            guard try s.kind() == .object else { return false }
            try s.object { s, key in
                guard key == "id" else { return false }
                if let id = try idText(&s) { ids.append(id) }
                return true
            }
            return true
        }
        return ids
    }

    static func party(_ s: inout JSONScanner) throws -> Party {
        var p = Party()
        var address = [String?](repeating: nil, count: 5)
        try s.object { s, key in
            if key == "id" { p.id = try idText(&s) }
            else if key == "name" { p.name = try s.optionalString() }
            else if key == "roles" {
                guard try s.kind() == .array else { return false }
                try s.array { s in if let r = try s.optionalString() { p.roles.append(r) } }
            } else if key == "identifier" {
                guard try s.kind() == .object else { return false }
                try s.object { s, key in
                    if key == "scheme" { p.identifierScheme = try s.optionalString() }
                    else if key == "id" { p.identifierID = try idText(&s) }
                    else { return false }
                    return true
                }
            } else if key == "address" {
                guard try s.kind() == .object else { return false }
                try s.object { s, key in
                    let names: [StaticString] = ["streetAddress", "locality", "region", "postalCode", "countryName"]
                    guard let i = names.firstIndex(where: { key == $0 }) else { return false }
                    address[i] = try s.optionalString()
                    return true
                }
            } else if key == "contactPoint" {
                guard try s.kind() == .object else { return false }
                try s.object { s, key in
                    if key == "name" { p.contactName = try s.optionalString() }
                    else if key == "email" { p.email = try s.optionalString() }
                    else if key == "telephone" { p.telephone = try s.optionalString() }
                    else if key == "faxNumber" { p.fax = try s.optionalString() }
                    else if key == "url" { p.url = try s.optionalString() }
                    else { return false }
                    return true
                }
            } else { return false }
            return true
        }
        p.address = address
        p.countryName = address[4]
        if p.id == nil, let scheme = p.identifierScheme, let id = p.identifierID { p.id = scheme + "-" + id }
        return p
    }
}
