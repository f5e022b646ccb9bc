import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Loads one OCDS file into the store, inside the caller's transaction.
///
/// Shapes (DESIGN.md "Input formats"): JSON lines of compiled releases; a JSON document holding a
/// release package, a record package, one release or one record; any sequence of these. A record's
/// `compiledRelease` is used when present, else its releases are merged; plain releases (a
/// release package's, or a bare release not tagged `compiled`) are merged per ocid in date order
/// (later values win, arrays of objects by id), as OCDS merging does. A bare release without a
/// tag, or tagged `compiled`, is taken as a compiled release.
///
/// The file is memory-mapped and walked once; pages already read are released, so a multi-GB
/// file never sits in memory. Only plain releases are remembered until the end of the file (as
/// byte ranges), to be merged.
final class OCDSLoader {
    struct Counts { var processes = 0, bids = 0, contracts = 0, firms = 0, quarantined = 0, superseded = 0, issues = 0 }

    let db: Database
    let mapping: FieldMapping
    let path: String
    let sourceID: Int64
    let issues: IssueWriter
    var counts = Counts()
    /// Whether any top-level object looked like OCDS (an ocid, releases, records or compiledRelease).
    private(set) var sawOCDS = false
    let progress: ((Int, Int, Int) -> Void)?

    private let projects: TableWriter
    private let bids: TableWriter
    private let contracts: TableWriter
    private let firms: TableWriter
    private let agencies: TableWriter
    private let items: TableWriter
    private let parties: TableWriter
    private let deleteParties: Statement
    private let deleteBids: Statement
    private let deleteContracts: Statement
    private let deleteItems: Statement
    private let storedVersion: Statement
    /// The ocids written by this file, with the date of the version kept.
    private var written: [String: String?] = [:]
    private var childLine = 0
    private var agenciesWritten: [String: String?] = [:]
    /// Whether the store held projects before this file (if not, no stored version can clash).
    private lazy var storeHadProjects: Bool = ((try? db.scalar(sql: "SELECT EXISTS (SELECT 1 FROM projects)").int64) ?? 1) == 1
    /// The facts last written for each firm of this file (a firm bids in many processes).
    private var firmsWritten: [String: FirmFacts] = [:]
    struct FirmFacts: Equatable {
        var name: String?, address: [String?], phone: String?, email: String?, scheme: String?, country: String?
        init(party: OCDSProcess.Party) {
            (name, address, phone, email, scheme, country) = (party.name, party.address, party.telephone, party.email,
                                                              party.identifierScheme, party.countryName)
        }
    }

    static let projectColumns = [
        "project_id", "project_name", "agency_id", "agency_name", "sub_agency_name", "method", "method_raw", "fiscal_year",
        "budget", "reference_price", "agreed_price", "currency", "announce_date", "bid_deadline", "award_date", "status",
        "num_bids", "procurement_method", "procuring_entity_id", "award_criteria", "release_date", "procurement_method_details",
        "project_type", "province", "ministry", "budget_type", "multi_year", "num_doc_buyers", "tender_amendments",
    ]
    static let bidColumns = ["project_id", "bidder_id", "bidder_name", "price", "status", "status_raw", "is_winner", "bid_date",
                             "n_tenderers", "currency", "lot_id"]
    static let contractColumns = ["project_id", "contract_no", "winner_id", "winner_name", "contract_date", "end_date", "amount",
                                  "status", "award_id", "n_suppliers", "currency", "contract_status", "lot_id"]
    static let firmColumns = ["firm_id", "name", "address", "phone", "email", "country"]

    init(db: Database, mapping: FieldMapping, path: String, sourceID: Int64, progress: ((Int, Int, Int) -> Void)?) throws {
        self.db = db
        self.mapping = mapping
        self.path = path
        self.sourceID = sourceID
        self.progress = progress
        issues = try IssueWriter(db: db)
        projects = try TableWriter(db: db, table: "projects", columns: Self.projectColumns, upsert: true, groupKey: [], withLine: true)
        bids = try TableWriter(db: db, table: "bids", columns: Self.bidColumns, upsert: false, groupKey: [], withLine: true)
        contracts = try TableWriter(db: db, table: "contracts", columns: Self.contractColumns, upsert: false, groupKey: [], withLine: true)
        agencies = try TableWriter(db: db, table: "agencies", columns: ["agency_id", "agency_name"], upsert: true, groupKey: [],
                                   withLine: false)
        items = try TableWriter(db: db, table: "project_items", columns: ["project_id", "award_id", "classification"], upsert: false,
                                groupKey: [], withLine: false)
        parties = try TableWriter(db: db, table: "project_parties", columns: [
            "project_id", "party_id", "roles", "street", "locality", "region", "postal_code", "country", "contact_name", "email",
            "telephone", "fax", "url"], upsert: false, groupKey: [], withLine: false)
        deleteParties = try db.prepare(sql: "DELETE FROM project_parties WHERE project_id = ?")
        // A firm seen again keeps what it already had where the new release is silent.
        firms = try TableWriter(db: db, table: "firms", columns: Self.firmColumns, upsert: false, groupKey: [], withLine: false,
                                conflict: "ON CONFLICT(firm_id) DO UPDATE SET name = coalesce(excluded.name, name), "
                                    + "address = coalesce(excluded.address, address), phone = coalesce(excluded.phone, phone), "
                                    + "email = coalesce(excluded.email, email), country = coalesce(excluded.country, country)")
        deleteBids = try db.prepare(sql: "DELETE FROM bids WHERE project_id = ?")
        deleteContracts = try db.prepare(sql: "DELETE FROM contracts WHERE project_id = ?")
        deleteItems = try db.prepare(sql: "DELETE FROM project_items WHERE project_id = ?")
        storedVersion = try db.prepare(sql: "SELECT release_date FROM projects WHERE project_id = ?")
    }

    // MARK: - Loading: a parsing thread feeds the writer

    func load() throws {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw IngestError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        let file = UncheckedSendable(data)
        // Parsing runs on its own thread (JSON is a third of the work), SQLite writes on this one.
        let queue = BoundedQueue<[OCDSEvent]>.producing(capacity: 8) { queue in
            try file.value.withUnsafeBytes { raw in
                var walker = OCDSWalker(raw: raw, queue: queue)
                try walker.walk()
            }
        }
        do {
            while let batch = try queue.pop() {
                for event in batch {
                    switch event {
                    case .process(let process, let at, let compiled):
                        try write(process, at: at, compiled: compiled)
                    case .issue(let at, let code, let reason, let action):
                        try issue(at: at, code: code, reason: reason, action: action)
                        if action == .quarantined { counts.quarantined += 1 }
                    case .sawOCDS:
                        sawOCDS = true
                    case .progress(let read, let size):
                        progress?(read, size, counts.processes)
                    }
                }
            }
        } catch {
            queue.cancel()
            throw error
        }
        for writer in [projects, bids, contracts, firms, agencies, items, parties] { try writer.finish() }
    }

    // MARK: - Writing one process

    /// - Parameter compiled: a compiled release replaces a stored version of the same date; a plain
    ///   (or merged) release only a strictly older one.
    private func write(_ p: OCDSProcess, at position: OCDSEvent.Position, compiled: Bool) throws {
        guard let ocid = p.ocid, !ocid.isEmpty else {
            try issue(at: position, code: "missing_ocid",
                      reason: p.ocidWasString ? "a release without an ocid" : "ocid is not a string", action: .quarantined)
            counts.quarantined += 1
            return
        }
        let line = position.line
        // A newer version replaces an older one; an older one never replaces a newer one.
        let stored: String?? = try written[ocid] ?? (storeHadProjects ? storedDate(ocid) : nil)
        if let stored, let previous = stored, let date = p.date,
           Self.isOlder(date, than: previous) || (!compiled && !Self.isOlder(previous, than: date)) {
            try issue(at: position, code: "older_version", reason: "release of \(date) is not newer than the stored version (\(previous)); ignored",
                      action: .superseded, subject: ocid)
            counts.superseded += 1
            return
        }
        if stored != nil {
            // Flush queued rows first: the older version's children may still be waiting.
            for writer in [bids, contracts, items, parties] { try writer.finish() }
            for delete in [deleteBids, deleteContracts, deleteItems, deleteParties] {
                delete.bind(text: ocid, at: 1)
                try delete.run()
            }
        }
        written[ocid] = .some(p.date)

        let currency = p.tenderValue.currency ?? p.budget.currency ?? p.awards.first?.value.currency ?? p.bids.first?.value.currency
        let methodText = p.procurementMethodDetails ?? p.procurementMethod
        let method = try [p.procurementMethodDetails, p.procurementMethod].compactMap { $0 }.lazy
            .compactMap { text -> String? in
                if case .code(let code) = try self.mapping.mapValue(text, table: "methods") { return code }
                return nil
            }.first
        let activeAwards = p.awards.filter { $0.status == "active" }
        let thai = p.thai
        let agreed = thai?.agreedPrice.minor ?? activeAwards.compactMap(\.value.minor).reduce(Int64?.none) { ($0 ?? 0) + $1 }
        let fyDate = p.startDate ?? p.date ?? activeAwards.first?.date
        let fiscalYear = thai?.fiscalYear ?? fyDate.flatMap(Self.thaiFiscalYear)
        if p.numberOfTenderersText != nil {
            try issue(at: position, code: "number_as_text", field: "tender.numberOfTenderers",
                      reason: "numberOfTenderers is not a whole JSON number: '\(p.numberOfTenderersText!)'", action: .kept, subject: ocid)
        }
        try projects.write([
            t(ocid), t(p.title), t(p.buyer.id ?? p.procuringEntity.id), t(p.buyer.name ?? p.procuringEntity.name),
            t(p.procuringEntity.name != p.buyer.name ? p.procuringEntity.name : nil), t(method), t(methodText),
            i(fiscalYear.map(Int64.init)), i(p.budget.minor), i(p.tenderValue.minor), i(agreed),
            t(currency ?? "THB"), t(p.startDate), t(p.endDate), t(thai?.awardDate ?? activeAwards.first?.date), t(p.tenderStatus),
            i(p.numberOfTenderers.map(Int64.init)), t(p.procurementMethod), t(p.procuringEntity.id), t(p.awardCriteria),
            t(p.date), t(p.procurementMethodDetails),
            t(thai?.projectType), t(thai?.province), t(thai?.ministry), t(thai?.budgetType), i(thai?.multiYear.map { $0 ? 1 : 0 }),
            i(thai?.numDocBuyers.map(Int64.init)), i(p.tenderAmendments.map(Int64.init)),
        ], sourceID: sourceID, line: line)
        counts.processes += 1
        if let id = p.buyer.id ?? p.procuringEntity.id {
            // Once per agency and name in a file (a buyer publishes thousands of processes).
            let name = p.buyer.name ?? p.procuringEntity.name
            if agenciesWritten[id] != .some(name) {
                agenciesWritten[id] = .some(name)
                try agencies.write([t(id), t(name)], sourceID: sourceID, line: line)
            }
        }

        let winners = Set(activeAwards.flatMap { $0.suppliers.compactMap(\.id) })
        // With lots, a bid wins when its bidder won an active award of the bid's lot.
        var lotWinners: [String: Set<String>] = [:]
        for award in activeAwards { for lot in award.relatedLots { lotWinners[lot, default: []].formUnion(award.suppliers.compactMap(\.id)) } }
        for bid in p.bids {
            childLine += 1
            let canonical: String? = try bid.status.flatMap { raw in
                if case .code(let code) = try mapping.mapValue(raw, table: "bid_statuses") { return code }
                return nil
            }
            // A consortium bids as one: its members' ids, sorted and joined (Cardinal keys bids by the set).
            let ids = bid.tenderers.compactMap(\.id)
            let bidderID = ids.count > 1 ? ids.sorted().joined(separator: "|") : ids.first
            let bidderName = bid.tenderers.count > 1 ? bid.tenderers.compactMap(\.name).joined(separator: " | ") : bid.tenderers.first?.name
            try bids.write([
                t(ocid), t(bidderID), t(bidderName), i(bid.value.minor), t(canonical), t(bid.status),
                i(bidderID.map { id in
                    let won = bid.relatedLot.flatMap { lotWinners.isEmpty ? nil : lotWinners[$0] }.map { $0.contains(id) } ?? winners.contains(id)
                    return won ? 1 : 0
                }), t(bid.date), i(Int64(bid.tenderers.count)), t(bid.value.currency), t(bid.relatedLot),
            ], sourceID: sourceID, line: childLine)
            counts.bids += 1
        }
        for (index, award) in p.awards.enumerated() {
            childLine += 1
            // Awards without an id still need one to carry their items: their position.
            let awardKey = award.id ?? "#\(index + 1)"
            let contract = p.contracts.first { $0.awardID != nil && $0.awardID == award.id }
            let supplier = award.suppliers.first
            try contracts.write([
                t(ocid), t(contract?.id), t(supplier?.id), t(supplier?.name), t(contract?.dateSigned ?? award.date),
                t(contract?.endDate), i(contract?.value.minor ?? award.value.minor), t(award.status), t(awardKey),
                i(Int64(award.suppliers.count)), t(contract?.value.currency ?? award.value.currency), t(contract?.status),
                t(award.relatedLots.first),
            ], sourceID: sourceID, line: childLine)
            counts.contracts += 1
            for c in award.classifications {
                try items.write([t(ocid), t(awardKey), t(c)], sourceID: sourceID, line: 0)
            }
        }
        // Contracts without an award (some publishers skip awards).
        for contract in p.contracts where contract.awardID == nil || !p.awards.contains(where: { $0.id == contract.awardID }) {
            childLine += 1
            try contracts.write([
                t(ocid), t(contract.id), SQLValue.null, SQLValue.null, t(contract.dateSigned), t(contract.endDate), i(contract.value.minor),
                t(contract.status), t(contract.awardID), SQLValue.null, t(contract.value.currency), t(contract.status), SQLValue.null,
            ], sourceID: sourceID, line: childLine)
            counts.contracts += 1
        }
        for c in p.tenderClassifications {
            try items.write([t(ocid), SQLValue.null, t(c)], sourceID: sourceID, line: 0)
        }
        for party in p.parties {
            guard let id = party.id else { continue }
            try parties.write([t(ocid), t(id), t(party.roles.joined(separator: ","))] + party.address.map(t)
                                + [t(party.contactName), t(party.email), t(party.telephone), t(party.fax), t(party.url)],
                              sourceID: sourceID, line: 0)
        }
        // Firms: tenderer and supplier parties, and organisations written out in full on bids.
        let embedded = p.bids.flatMap(\.tenderers).filter { $0.identifierID != nil || $0.address.contains { $0 != nil } }
        var seenFirms = Set<String>()
        for party in p.parties.filter({ $0.roles.contains { $0 == "tenderer" || $0 == "supplier" } }) + embedded {
            guard let id = party.id, seenFirms.insert(id).inserted else { continue }
            // A firm already written from this file with the same facts needs no second upsert.
            let facts = FirmFacts(party: party)
            if firmsWritten[id] == facts { continue }
            firmsWritten[id] = facts
            let address = party.address.compactMap { $0 }.filter { !$0.isEmpty }
            try firms.write([
                t(id), t(party.name), t(address.isEmpty ? nil : address.joined(separator: ", ")), t(party.telephone),
                t(party.email), t(Self.country(scheme: party.identifierScheme) ?? party.countryName),
            ], sourceID: sourceID, line: 0)
            counts.firms += 1
        }
    }

    private func storedDate(_ ocid: String) throws -> String?? {
        storedVersion.bind(text: ocid, at: 1)
        let rows = try storedVersion.rows()
        guard let row = rows.first else { return nil }
        return .some(row[0].string)
    }

    // MARK: - Helpers

    static func isOlder(_ a: String, than b: String) -> Bool {
        if let x = DateMath.instant(fromISO: a), let y = DateMath.instant(fromISO: b) { return x.seconds < y.seconds }
        return a < b
    }

    /// The Thai fiscal year (B.E.) of a date: October starts the next year.
    static func thaiFiscalYear(_ iso: String) -> Int? {
        guard let day = DateMath.days(fromISO: iso) else { return nil }
        let (y, m, _) = DateMath.civil(fromDays: day)
        return y + 543 + (m >= 10 ? 1 : 0)
    }

    /// The country of an org-id scheme (`UA-EDR` → UA, `TH-DBD` → TH); nil for other schemes.
    static func country(scheme: String?) -> String? {
        guard let scheme, scheme.count > 3, scheme.utf8.dropFirst(2).first == UInt8(ascii: "-") else { return nil }
        let prefix = scheme.prefix(2).uppercased()
        return prefix.allSatisfy(\.isLetter) && prefix != "XI" && prefix != "XM" ? prefix : nil
    }

    private func issue(at position: OCDSEvent.Position, code: String, field: String? = nil, reason: String,
                       action: IngestIssue.Action, subject: String? = nil) throws {
        try issues.write(IngestIssue(file: path, line: position.line, column: position.column, field: field, code: code, reason: reason, action: action,
                                     raw: nil, subjectID: subject), sourceID: sourceID)
        counts.issues += 1
    }
}


/// What the parsing thread hands the writer.
enum OCDSEvent: Sendable {
    struct Position: Sendable { var line: Int; var column: Int }
    case process(OCDSProcess, at: Position, compiled: Bool)
    case issue(at: Position, code: String, reason: String, action: IngestIssue.Action)
    case sawOCDS
    case progress(read: Int, size: Int)
}

/// The parsing side of an OCDS load: walks the mapped file, reads each release, merges plain
/// releases per ocid, and sends events to the writer in batches.
struct OCDSWalker {
    let raw: UnsafeRawBufferPointer
    let bytes: UnsafeBufferPointer<UInt8>
    let queue: BoundedQueue<[OCDSEvent]>
    private var batch: [OCDSEvent] = []
    private var lines = LineIndex()
    private var sawOCDS = false

    init(raw: UnsafeRawBufferPointer, queue: BoundedQueue<[OCDSEvent]>) {
        self.raw = raw
        bytes = raw.bindMemory(to: UInt8.self)
        self.queue = queue
    }

    private mutating func emit(_ event: OCDSEvent) throws {
        batch.append(event)
        if batch.count >= 256 { try flush() }
    }

    private mutating func flush() throws {
        guard !batch.isEmpty else { return }
        guard queue.push(batch) else { throw CancellationError() }
        batch.removeAll(keepingCapacity: true)
    }

    private mutating func position(_ offset: Int) -> OCDSEvent.Position {
        let (line, column) = lines.position(of: offset, in: bytes)
        return OCDSEvent.Position(line: line, column: column)
    }

    private mutating func issue(at offset: Int, code: String, reason: String) throws {
        try emit(.issue(at: position(offset), code: code, reason: reason, action: .quarantined))
    }

    mutating func walk() throws {
        var plain: [String: [Range<Int>]] = [:]
        var plainOrder: [String] = []
        var s = JSONScanner(bytes)
        var released = 0
        // JSON lines: each value on one line, so a broken line can be skipped. In one document
        // (a package, pretty-printed) nothing after a syntax error can be trusted.
        var jsonLines: Bool?
        while !s.atEnd {
            let start = s.position
            do {
                try dispatch(&s, plain: &plain, plainOrder: &plainOrder)
                if jsonLines == nil { jsonLines = !bytes[start..<s.position].contains(0x0A) }
            } catch let error as JSONSyntaxError {
                // A first value broken within its line is a JSON-lines file's bad line too.
                let oneLine = !bytes[start..<min(max(error.offset, start), bytes.count)].contains(0x0A)
                if jsonLines == true || (jsonLines == nil && oneLine) {
                    // A broken line: quarantine it and resume at the next one.
                    try issue(at: error.offset, code: "invalid_json", reason: "not valid JSON: \(error.message)")
                    var next = max(error.offset, start + 1)
                    while next < bytes.count && bytes[next] != 0x0A { next += 1 }
                    s.position = next
                } else {
                    // What was complete before the error is kept; the rest is reported once.
                    try issue(at: error.offset, code: "invalid_json",
                              reason: "not valid JSON: \(error.message); the rest of the file is not read")
                    s.position = bytes.count
                }
            }
            // Give back the pages behind us: the kernel may drop them (RSS stays flat).
            if s.position - released > 64 << 20, let base = raw.baseAddress {
                let page = Int(sysconf(Int32(_SC_PAGESIZE)))
                let upto = (s.position / page) * page
                madvise(UnsafeMutableRawPointer(mutating: base) + released, upto - released, Int32(MADV_DONTNEED))
                released = upto
                try emit(.progress(read: s.position, size: bytes.count))
            }
        }
        for ocid in plainOrder { try writeMerged(ocid: ocid, ranges: plain[ocid]!) }
        try emit(.progress(read: bytes.count, size: bytes.count))
        try flush()
    }

    /// One top-level JSON value (or an element of a package): a package, a record or a release.
    private mutating func dispatch(_ s: inout JSONScanner, plain: inout [String: [Range<Int>]], plainOrder: inout [String]) throws {
        switch try s.kind() {
        case .array:
            try s.array { s in try self.dispatch(&s, plain: &plain, plainOrder: &plainOrder) }
            return
        case .object:
            break
        default:
            let at = s.position
            try s.skipValue()
            try issue(at: at, code: "not_an_object", reason: "a top-level JSON value that is not an object")
            return
        }
        let objectStart = s.position
        // A shallow look at the member names decides what this object is.
        var members: [String: Range<Int>] = [:]
        var containers: [String: [Range<Int>]] = [:]
        var partial: (key: String, elements: [Range<Int>])?
        var ocid: String?
        var tags: [String] = []
        do {
        try s.object { s, key in
            if key == "ocid" {
                let at = s.position
                if case .string(let v) = try s.scalar() { ocid = v }
                members["ocid"] = at..<s.position
            } else if key == "tag" {
                if try s.kind() == .array { try s.array { s in if let t = try s.optionalString() { tags.append(t) } } } else { try s.skipValue() }
            } else if key == "records" || key == "releases" {
                // Element by element, so that a truncated package keeps its complete elements.
                let at = s.position
                var elements: [Range<Int>] = []
                do {
                    try s.array { s in
                        let e = s.position
                        try s.skipValue()
                        elements.append(e..<s.position)
                    }
                } catch let error as JSONSyntaxError {
                    partial = (key.text, elements)
                    throw error
                }
                members[key.text] = at..<s.position
                containers[key.text] = elements
            } else if key == "compiledRelease" {
                let at = s.position
                try s.skipValue()
                members[key.text] = at..<s.position
            } else {
                return false
            }
            return true
        }
        } catch let error as JSONSyntaxError {
            // A truncated package: read the elements that were complete, then report the break.
            if let partial {
                if !sawOCDS {
                    sawOCDS = true
                    try emit(.sawOCDS)
                }
                if partial.key == "records" { try dispatchRecords(partial.elements, plain: &plain, plainOrder: &plainOrder) }
                else { try collectReleases(partial.elements, packageOCID: ocid, plain: &plain, plainOrder: &plainOrder) }
            }
            throw error
        }
        let objectEnd = s.position
        if !members.isEmpty && !sawOCDS {
            sawOCDS = true
            try emit(.sawOCDS)
        }
        if let compiled = members["compiledRelease"] {
            var inner = JSONScanner(bytes, from: compiled.lowerBound, to: compiled.upperBound)
            if try inner.kind() == .object { try readRelease(&inner, start: compiled.lowerBound) }
        } else if let records = containers["records"] {
            try dispatchRecords(records, plain: &plain, plainOrder: &plainOrder)
        } else if let releases = containers["releases"] {
            // A release package, or a record without a compiled release: plain releases to merge.
            try collectReleases(releases, packageOCID: ocid, plain: &plain, plainOrder: &plainOrder)
        } else if tags.isEmpty || tags.contains("compiled") {
            var inner = JSONScanner(bytes, from: objectStart, to: objectEnd)
            try readRelease(&inner, start: objectStart)
        } else {
            guard let id = ocid else {
                try issue(at: objectStart, code: "missing_ocid", reason: "a release without a string ocid")
                return
            }
            if plain[id] == nil { plainOrder.append(id) }
            plain[id, default: []].append(objectStart..<objectEnd)
        }
    }

    /// The records of a record package, each read like a top-level object.
    private mutating func dispatchRecords(_ elements: [Range<Int>], plain: inout [String: [Range<Int>]], plainOrder: inout [String]) throws {
        for range in elements {
            var inner = JSONScanner(bytes, from: range.lowerBound, to: range.upperBound)
            try dispatch(&inner, plain: &plain, plainOrder: &plainOrder)
        }
    }

    /// The releases of a package (or of a record without a compiled release), grouped by ocid to merge.
    private mutating func collectReleases(_ elements: [Range<Int>], packageOCID: String?, plain: inout [String: [Range<Int>]],
                                          plainOrder: inout [String]) throws {
        for range in elements {
            var probe = JSONScanner(bytes, from: range.lowerBound, to: range.upperBound)
            guard try probe.kind() == .object else { continue }
            var releaseOCID: String?
            try probe.object { p, key in
                guard key == "ocid" else { return false }
                releaseOCID = try p.optionalString()
                return true
            }
            guard let id = releaseOCID ?? packageOCID else {
                try issue(at: range.lowerBound, code: "missing_ocid", reason: "a release without a string ocid")
                continue
            }
            if plain[id] == nil { plainOrder.append(id) }
            plain[id, default: []].append(range)
        }
    }

    /// Merges the plain releases of one ocid in date order and writes the result.
    private mutating func writeMerged(ocid: String, ranges: [Range<Int>]) throws {
        if ranges.count == 1 {
            var s = JSONScanner(bytes, from: ranges[0].lowerBound, to: ranges[0].upperBound)
            return try readRelease(&s, start: ranges[0].lowerBound, compiled: false)
        }
        var releases: [[String: Any]] = []
        for range in ranges {
            let slice = Data(UnsafeBufferPointer(rebasing: bytes[range]))
            if let object = try? JSONSerialization.jsonObject(with: slice) as? [String: Any] { releases.append(object) }
        }
        releases.sort { ($0["date"] as? String ?? "") < ($1["date"] as? String ?? "") }
        let merged = releases.dropFirst().reduce(releases.first ?? [:]) { OCDSMerge.merge($0, $1) }
        var json = try JSONSerialization.data(withJSONObject: merged)
        json.append(0x0A)
        let process = try json.withUnsafeBytes { raw in
            var s = JSONScanner(raw.bindMemory(to: UInt8.self))
            return try OCDSProcess.read(&s)
        }
        try emit(.process(process, at: position(ranges[0].lowerBound), compiled: false))
    }

    private mutating func readRelease(_ s: inout JSONScanner, start: Int, compiled: Bool = true) throws {
        let process = try OCDSProcess.read(&s)
        try emit(.process(process, at: position(start), compiled: compiled))
    }
}

private func t(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
private func i(_ value: Int64?) -> SQLValue { value.map { .integer($0) } ?? .null }

/// Line numbers of byte offsets, counted forward from the last offset asked about (offsets
/// mostly increase while a file is walked, so the total work is one pass).
struct LineIndex {
    private var offset = 0
    private var line = 1
    private var lineStart = 0

    mutating func position(of target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        if target < offset { (offset, line, lineStart) = (0, 1, 0) }
        let end = min(target, bytes.count)
        var i = offset
        while i < end {
            if bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
            i += 1
        }
        offset = end
        return (line, target - lineStart + 1)
    }

    mutating func line(of target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int { position(of: target, in: bytes).line }
}

/// OCDS merging of releases (later values win; objects merge member by member; arrays of objects
/// with ids merge by id; other arrays are replaced).
enum OCDSMerge {
    static func merge(_ base: [String: Any], _ update: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in update {
            if value is NSNull { result.removeValue(forKey: key); continue }
            if let object = value as? [String: Any], let existing = result[key] as? [String: Any] {
                result[key] = merge(existing, object)
            } else if let array = value as? [[String: Any]], let existing = result[key] as? [[String: Any]],
                      array.allSatisfy({ $0["id"] != nil }) {
                var merged = existing
                for element in array {
                    let id = "\(element["id"]!)"
                    if let i = merged.firstIndex(where: { $0["id"].map { "\($0)" } == id }) {
                        merged[i] = merge(merged[i], element)
                    } else {
                        merged.append(element)
                    }
                }
                result[key] = merged
            } else {
                result[key] = value
            }
        }
        return result
    }
}

/// The parser alone, for the benchmark: walks a JSON-lines file of releases and reads each with
/// `OCDSProcess.read`, writing nothing.
public enum OCDSParseProbe {
    public static func count(path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        return try data.withUnsafeBytes { raw in
            var s = JSONScanner(raw.bindMemory(to: UInt8.self))
            var n = 0
            while !s.atEnd {
                let p = try OCDSProcess.read(&s)
                if p.ocid != nil { n += 1 }
            }
            return n
        }
    }
}
