import Foundation

/// The Comptroller General's Department contract file as data.go.th and govspending publish it
/// (DESIGN.md "Input formats" 2): one row per contract, the project's columns repeated on each.
/// Rows are split into a project (the first row of a project wins; later rows that disagree on
/// its money are recorded, DQ-02) and a contract (winner, number, dates, amount).
///
/// Column shift (DQ-01): the CKAN datastore declares three English columns (จังหวัด(Eng),
/// เขต/อำเภอ(Eng), แขวง/ตำบล(Eng)) that are never filled, and rows come with three fields fewer,
/// or with their values slid left into the phantom columns (a date in the winner-TIN column, a
/// 13-digit number in the coordinates column). Such rows are realigned and the repair recorded;
/// a row whose field count the phantom columns do not explain is quarantined.
final class CGDLoader {
    struct Counts { var projects = 0, contracts = 0, quarantined = 0, issues = 0, rows = 0 }

    let path: String
    let header: [String]
    let projectParser: RowParser
    let contractParser: RowParser
    /// Header positions of the phantom English columns, ascending.
    let phantom: [Int]
    let tinColumn: Int?
    let coordinatesColumn: Int?
    var counts = Counts()

    static let phantomSuffix = "(eng)"
    static let coordinateNames: Set<String> = ["พิกัดของโครงการ", "project_location"]

    init(path: String, header: [String], mapping: FieldMapping) {
        self.path = path
        self.header = header
        projectParser = RowParser(table: .projects, file: path, header: header, mapping: mapping, listName: nil)
        contractParser = RowParser(table: .contracts, file: path, header: header, mapping: mapping, listName: nil)
        let normalized = header.map(FieldMapping.normalizeHeader)
        phantom = normalized.indices.filter { normalized[$0].hasSuffix(Self.phantomSuffix) }
        tinColumn = contractParser.positions["winner_id"]?.first
        coordinatesColumn = normalized.firstIndex { Self.coordinateNames.contains($0) }
    }

    /// Whether a header is a CGD contract file: a project key and contract columns.
    static func looks(header: [String], mapping: FieldMapping) -> Bool {
        let projects = mapping.resolve(header: header, table: .projects).columns
        let contracts = mapping.resolve(header: header, table: .contracts).columns
        return projects["project_id"] != nil && projects["budget"] != nil
            && (contracts["winner_id"] != nil || contracts["winner_name"] != nil || contracts["contract_no"] != nil)
    }

    /// The record with its fields realigned to the header, and the issue recording the repair.
    func realign(_ record: CSVRecord) -> (CSVRecord, IngestIssue?) {
        guard !phantom.isEmpty, record.problem == nil else { return (record, nil) }
        var fields = record.fields
        let first = phantom[0]
        func repaired(_ how: String) -> IngestIssue {
            IngestIssue(file: path, line: record.line, column: first + 1, field: header[first], code: "column_shift",
                        reason: "values shifted by the empty English columns; \(how)", action: .kept,
                        raw: record.csvText, subjectID: nil)   // the caller sets the project once it is parsed
        }
        if fields.count == header.count - phantom.count {
            for p in phantom { fields.insert("", at: p) }
            var r = record
            r.fields = fields
            return (r, repaired("\(phantom.count) missing fields restored as empty"))
        }
        guard fields.count == header.count else { return (record, nil) }
        // Same count, values slid left: a date where the winner's TIN belongs, or a 13-digit
        // number in the coordinates column, with the phantom slots' values pushed to the end.
        let tinHoldsDate = tinColumn.map { DateLike.matches(fields[$0]) } ?? false
        let coordinatesHoldTIN = coordinatesColumn.map { column in
            let digits = TaxID.normalize(fields[column])
            return digits.utf8.count == 13 && digits.allSatisfy(\.isNumber)
        } ?? false
        let tailEmpty = fields.suffix(phantom.count).allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard (tinHoldsDate || coordinatesHoldTIN) && tailEmpty else { return (record, nil) }
        fields.removeLast(phantom.count)
        for p in phantom { fields.insert("", at: p) }
        var r = record
        r.fields = fields
        return (r, repaired("values moved right past the empty columns"))
    }
}

/// A loose test for a date-looking text (ISO, d/m/y, or Thai "29 พ.ย. 67").
enum DateLike {
    static func matches(_ s: String) -> Bool {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t != "-" else { return false }
        return ValueParser.date(t).value != nil && !t.allSatisfy(\.isNumber)
    }
}

/// govspending's CGD contract documents as JSON (an array, or one object per line, in MongoDB's
/// extended JSON: `{"$numberLong": "66069005470"}`, `{"$date": "2023-07-26T00:00:00.000Z"}`),
/// turned into records under a header of their member names, for the CGD loader.
struct CGDDocuments {
    let header: [String]
    let records: [CSVRecord]

    init(path: String, mapping: FieldMapping) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var objects: [[String: Any]] = []
        if let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] {
            objects = array
        } else if let one = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            objects = [one]
        } else {
            for line in data.split(separator: 0x0A) where !line.isEmpty {
                if let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] { objects.append(o) }
            }
        }
        var header: [String] = []
        for o in objects { for key in o.keys.sorted() where !header.contains(key) && key != "_id" { header.append(key) } }
        guard !objects.isEmpty, CGDLoader.looks(header: header, mapping: mapping) else { throw IngestError.noInput(path: path) }
        self.header = header
        records = objects.enumerated().map { i, o in
            CSVRecord(fields: header.map { Self.text(o[$0]) }, line: i + 1, problem: nil)
        }
    }

    /// A member as text: strings and numbers as written, extended-JSON wrappers unwrapped,
    /// dates as their calendar day (Bangkok: the export writes midnight UTC of the local day).
    static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return ""
        case let s as String: return s
        case let n as NSNumber:
            let d = n.doubleValue
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case let o as [String: Any]:
            if let long = o["$numberLong"] { return text(long) }
            if let date = o["$date"] as? String { return String(date.prefix(10)) }
            if let date = o["$date"] as? [String: Any] { return text(date["$numberLong"]) }
            return ""
        default: return "\(value!)"
        }
    }
}
