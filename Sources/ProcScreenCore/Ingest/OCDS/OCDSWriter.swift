import Foundation

/// Writes the store's projects as OCDS compiled releases, one JSON object per line: the mapping
/// of `OCDSLoader` read backwards, so that a market ingested from CSV and from OCDS gives the
/// same store. Thai fields OCDS has no place for (project type, province, fiscal year, budget
/// type, multi-year, document buyers) travel in a `procscreen` extension object on the tender;
/// the registers (risk assessments, directors, lists) are not OCDS and stay CSV.
public enum OCDSWriter {
    /// Writes `path`; returns the number of releases.
    @discardableResult
    public static func write(store: Store, to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw IngestError.unreadableFile(path: path, reason: "cannot create")
        }
        defer { try? handle.close() }
        var buffer = ""
        buffer.reserveCapacity(1 << 20)
        var count = 0
        let screens = ScreenStore(store: store)
        let firms = try firmDetails(store)
        try screens.forEachRecord(scoped: false, fields: ScreenStore.allFields.union(["projects.procurement_method"])) { r in
            release(r, firms: firms, into: &buffer)
            buffer += "\n"
            count += 1
            if buffer.utf8.count > 1 << 20 {
                handle.write(Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(Data(buffer.utf8))
        return count
    }

    struct Firm { var name: String?, address: String?, phone: String?, email: String? }

    static func firmDetails(_ store: Store) throws -> [String: Firm] {
        var firms: [String: Firm] = [:]
        for row in try store.db.query(sql: "SELECT firm_id, name, address, phone, email FROM firms") {
            if let id = row[0].string { firms[id] = Firm(name: row[1].string, address: row[2].string, phone: row[3].string, email: row[4].string) }
        }
        return firms
    }

    /// OCDS's method codes for the canonical methods.
    static func ocdsMethod(_ m: ProcurementMethod?) -> String? {
        switch m {
        case .eBidding?, .eMarket?, .priceInquiry?: return "open"
        case .selection?: return "selective"
        case .specific?: return "direct"
        case nil: return nil
        }
    }

    static func release(_ r: ProcurementRecord, firms: [String: Firm], into out: inout String) {
        var o = JSONObjectWriter()
        o.string("ocid", r.projectID)
        o.string("id", r.projectID + "-compiled")
        if let date = r.awardDate ?? r.announceDate { o.string("date", date) }
        o.raw("tag", "[\"compiled\"]")
        if let agency = r.agencyID {
            var buyer = JSONObjectWriter()
            buyer.string("id", agency)
            if let name = r.agencyName { buyer.string("name", name) }
            o.raw("buyer", buyer.text)
        }
        if let budget = r.budget { o.raw("planning", "{\"budget\":{\"amount\":" + amount(budget, r.currency) + "}}") }
        var tender = JSONObjectWriter()
        tender.string("id", r.projectID)
        if let name = r.projectName { tender.string("title", name) }
        if let status = r.status { tender.string("status", status) }
        if let m = ocdsMethod(r.method) { tender.string("procurementMethod", m) }
        if let raw = r.methodRaw { tender.string("procurementMethodDetails", raw) }
        if let reference = r.referencePrice { tender.raw("value", amount(reference, r.currency)) }
        if r.announceDate != nil || r.bidDeadline != nil {
            var period = JSONObjectWriter()
            if let d = r.announceDate { period.string("startDate", d) }
            if let d = r.bidDeadline { period.string("endDate", d) }
            tender.raw("tenderPeriod", period.text)
        }
        if let n = r.numBids { tender.raw("numberOfTenderers", String(n)) }
        if let n = r.tenderAmendments { tender.raw("amendments", "[" + (0..<n).map { "{\"id\":\"\($0 + 1)\"}" }.joined(separator: ",") + "]") }
        if let sub = r.subAgencyName {
            tender.raw("procuringEntity", "{\"id\":" + JSONObjectWriter.quote(r.agencyID ?? "") + ",\"name\":" + JSONObjectWriter.quote(sub) + "}")
        }
        var thai = JSONObjectWriter()
        if let v = r.projectType { thai.string("projectType", v) }
        if let v = r.province { thai.string("province", v) }
        if let v = r.ministry { thai.string("ministry", v) }
        if let v = r.fiscalYear { thai.raw("fiscalYear", String(v)) }
        if let v = r.budgetType { thai.string("budgetType", v) }
        if let v = r.multiYear { thai.raw("multiYear", v ? "true" : "false") }
        if let v = r.numDocBuyers { thai.raw("numDocBuyers", String(v)) }
        if let v = r.agreedPrice { thai.raw("agreedPrice", amount(v, r.currency)) }
        if let v = r.awardDate { thai.string("awardDate", v) }
        tender.raw("procscreen", thai.text)
        o.raw("tender", tender.text)

        var parties: [String: [String]] = [:]
        if !r.bids.isEmpty {
            var details: [String] = []
            for (i, b) in r.bids.enumerated() {
                var bid = JSONObjectWriter()
                bid.string("id", "\(r.projectID)-bid-\(i + 1)")
                if let d = b.bidDate { bid.string("date", d) }
                if let s = b.statusRaw ?? b.status?.rawValue { bid.string("status", s) }
                if let p = b.price { bid.raw("value", amount(p, b.currency ?? r.currency)) }
                if let id = b.bidderID {
                    bid.raw("tenderers", "[{\"id\":" + JSONObjectWriter.quote(id) + (b.bidderName.map { ",\"name\":" + JSONObjectWriter.quote($0) } ?? "") + "}]")
                    parties[id, default: []].append("tenderer")
                } else if let name = b.bidderName {
                    bid.raw("tenderers", "[{\"name\":" + JSONObjectWriter.quote(name) + "}]")
                }
                details.append(bid.text)
            }
            o.raw("bids", "{\"details\":[" + details.joined(separator: ",") + "]}")
        }
        if !r.contracts.isEmpty {
            var awards: [String] = [], contracts: [String] = []
            for (i, c) in r.contracts.enumerated() {
                let awardID = "\(r.projectID)-award-\(i + 1)"
                var award = JSONObjectWriter()
                award.string("id", awardID)
                award.string("status", "active")
                if let d = c.contractDate { award.string("date", d) }
                if let a = c.amount { award.raw("value", amount(a, c.currency ?? r.currency)) }
                if let w = c.winnerID {
                    award.raw("suppliers", "[{\"id\":" + JSONObjectWriter.quote(w) + (c.winnerName.map { ",\"name\":" + JSONObjectWriter.quote($0) } ?? "") + "}]")
                    parties[w, default: []].append("supplier")
                }
                awards.append(award.text)
                var contract = JSONObjectWriter()
                contract.string("id", c.contractNo ?? awardID)
                contract.string("awardID", awardID)
                if let s = c.status { contract.string("status", s) }
                if let a = c.amount { contract.raw("value", amount(a, c.currency ?? r.currency)) }
                if let d = c.contractDate { contract.string("dateSigned", d) }
                if let d = c.endDate { contract.raw("period", "{\"endDate\":" + JSONObjectWriter.quote(d) + "}") }
                contracts.append(contract.text)
            }
            o.raw("awards", "[" + awards.joined(separator: ",") + "]")
            o.raw("contracts", "[" + contracts.joined(separator: ",") + "]")
        }
        if !parties.isEmpty {
            let list = parties.keys.sorted().map { id -> String in
                var party = JSONObjectWriter()
                party.string("id", id)
                let firm = firms[id]
                if let name = firm?.name { party.string("name", name) }
                party.raw("roles", "[" + Set(parties[id]!).sorted().map(JSONObjectWriter.quote).joined(separator: ",") + "]")
                if let a = firm?.address { party.raw("address", "{\"streetAddress\":" + JSONObjectWriter.quote(a) + "}") }
                var contact = JSONObjectWriter()
                if let p = firm?.phone { contact.string("telephone", p) }
                if let e = firm?.email { contact.string("email", e) }
                if !contact.isEmpty { party.raw("contactPoint", contact.text) }
                return party.text
            }
            o.raw("parties", "[" + list.joined(separator: ",") + "]")
        }
        out += o.text
    }

    /// `{"amount": 1234.5, "currency": "THB"}` from minor units, exactly.
    static func amount(_ minor: Int64, _ currency: String) -> String {
        let sign = minor < 0 ? "-" : ""
        let v = abs(minor)
        let cents = v % 100
        return "{\"amount\":" + sign + String(v / 100) + (cents == 0 ? "" : "." + (cents < 10 ? "0" : "") + String(cents))
            + ",\"currency\":" + JSONObjectWriter.quote(currency) + "}"
    }
}

/// Builds one JSON object as text, members in the order written.
struct JSONObjectWriter {
    private var members: [String] = []
    var isEmpty: Bool { members.isEmpty }

    mutating func string(_ key: String, _ value: String) { members.append(Self.quote(key) + ":" + Self.quote(value)) }
    mutating func raw(_ key: String, _ json: String) { members.append(Self.quote(key) + ":" + json) }
    var text: String { "{" + members.joined(separator: ",") + "}" }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

extension MarketGenerator {
    /// The same market as `write(to:)`, as OCDS: `releases.jsonl` (compiled releases) plus the
    /// registers OCDS does not carry (agencies, firms, directors, risk assessments, lists) as CSV,
    /// and truth.json. Made by ingesting the bundle and writing the store back out, so both
    /// formats describe one market.
    public func writeOCDS(to directory: String, mapping: FieldMapping) throws -> Summary {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("procscreen-market-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: scratch) }
        let summary = try write(to: scratch)
        let store = try Store(path: scratch + "/store.db")
        _ = try Ingestor(store: store, mapping: mapping).ingest(paths: [scratch])
        try fm.createDirectory(atPath: directory + "/lists", withIntermediateDirectories: true)
        try OCDSWriter.write(store: store, to: directory + "/releases.jsonl")
        for name in ["agencies.csv", "firms.csv", "directors.csv", "risk_assessments.csv", "truth.json"]
        + ((try? fm.contentsOfDirectory(atPath: scratch + "/lists")) ?? []).map({ "lists/" + $0 }) {
            let target = directory + "/" + name
            try? fm.removeItem(atPath: target)
            if fm.fileExists(atPath: scratch + "/" + name) { try fm.copyItem(atPath: scratch + "/" + name, toPath: target) }
        }
        return summary
    }
}
