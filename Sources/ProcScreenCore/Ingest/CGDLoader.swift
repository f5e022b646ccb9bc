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
                        raw: record.csvText, subjectID: fields.first(where: { !$0.isEmpty }).flatMap { _ in nil })
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
        let coordinatesHoldTIN = coordinatesColumn.map { TaxID.normalize(fields[$0]).utf8.count == 13 && TaxID.normalize(fields[$0]).allSatisfy(\.isNumber) } ?? false
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
