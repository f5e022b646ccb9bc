import Foundation

/// Turns CSV records of one bundle file into typed column values, collecting issues.
///
/// Policy: a row with a missing key, a wrong field count, broken quoting, or an amount or count
/// that cannot be read is quarantined (not stored; the issue keeps its raw text). A date, flag
/// or code that cannot be read is stored as missing and recorded; the row is kept.
struct RowParser {
    let table: TableSpec
    let file: String
    let headerCount: Int
    let positions: [String: [Int]]
    let mapping: FieldMapping
    let listName: String?

    /// The SQL columns written, in order: the table's columns, then derived ones.
    let sqlColumns: [String]
    /// Looked up once per file rather than by name on every row (String hashing of the names
    /// was a tenth of the parse thread): each table column's header positions, in priority order.
    private let columnPositions: [[Int]?]
    private let keyPosition: Int?
    private let countryPosition: Int?
    private let methodRawIndex: Int?
    private let listNameIndex: Int?
    /// For projects: the columns `deriveProjectFields` reads and fills.
    private let projectIndices: (agencyID: Int, agencyName: Int, fiscalYear: Int, dates: [Int])?
    /// Memoised value mappings and dates: a file repeats a few hundred distinct values millions of times.
    private let cache = ValueCache()

    init(table: TableSpec, file: String, header: [String], mapping: FieldMapping, listName: String?) {
        self.table = table
        self.file = file
        self.headerCount = header.count
        self.positions = mapping.resolve(header: header, table: table).columns
        self.mapping = mapping
        self.listName = listName
        var columns = table.columns.map(\.name)
        if table.name == "projects" { columns.append("method_raw") }
        if table.name == "lists" { columns.append("list_name") }
        self.sqlColumns = columns
        let indexOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        let positions = self.positions
        columnPositions = table.columns.map { positions[$0.name] }
        keyPosition = table.columns.first(where: \.required).flatMap { positions[$0.name]?.first }
        countryPosition = table.name == "firms" ? positions["country"]?.first : nil
        methodRawIndex = indexOf["method_raw"]
        listNameIndex = indexOf["list_name"]
        projectIndices = table.name == "projects"
            ? (indexOf["agency_id"]!, indexOf["agency_name"]!, indexOf["fiscal_year"]!, [indexOf["announce_date"]!, indexOf["award_date"]!])
            : nil
    }

    enum Outcome {
        case row([SQLValue])
        case quarantined
    }

    /// Parses one record; appends any issues to `issues`.
    func parse(_ record: CSVRecord, issues: inout [IngestIssue]) -> Outcome {
        func issue(_ code: String, _ reason: String, column: Int? = nil, field: String? = nil,
                   action: IngestIssue.Action, subject: String? = nil) {
            issues.append(IngestIssue(
                file: file, line: record.line, column: column.map { $0 + 1 }, field: field, code: code,
                reason: reason, action: action, raw: action == .quarantined ? record.csvText : nil,
                subjectID: subject))
        }
        if let problem = record.problem {
            issue("malformed_csv", problem, action: .quarantined)
            return .quarantined
        }
        guard record.fields.count == headerCount else {
            issue("field_count", "row has \(record.fields.count) fields, the header has \(headerCount)", action: .quarantined)
            return .quarantined
        }
        var values = [SQLValue](repeating: .null, count: sqlColumns.count)
        var subject: String?
        if let p = keyPosition {
            subject = ThaiText.foldDigits(ValueParser.trimmed(record.fields[p]).description)
        }
        let countryIsForeign: Bool = {
            guard let p = countryPosition else { return false }
            let c = ThaiText.normalize(record.fields[p])
            return !(c.isEmpty || c == "th" || c == "tha" || c == "thailand" || c == "ไทย" || c == "ประเทศไทย")
        }()

        for (index, spec) in table.columns.enumerated() {
            guard let candidates = columnPositions[index] else {
                if spec.required {
                    issue("missing_key", "required column '\(spec.name)' is empty", field: spec.name, action: .quarantined)
                    return .quarantined
                }
                continue
            }
            // The first non-missing candidate (aliases in priority order).
            var chosen: Int?
            for p in candidates where !ValueParser.isMissing(ValueParser.trimmed(record.fields[p])) {
                if case .code(let name) = spec.kind {
                    let mapped = cache.code(record.fields[p], table: name, mapping: mapping)
                    if mapped == .ignored { continue }
                }
                chosen = p
                break
            }
            guard let p = chosen else {
                if spec.required {
                    issue("missing_key", "required value '\(spec.name)' is empty", column: candidates[0],
                          field: spec.name, action: .quarantined)
                    return .quarantined
                }
                continue
            }
            let raw = record.fields[p]
            let fieldName = spec.name
            switch spec.kind {
            case .text:
                let text = ValueParser.trimmed(raw)
                values[index] = .text(spec.required ? ThaiText.foldDigits(String(text)) : String(text))
            case .taxID:
                let check = countryIsForeign ? .foreign(TaxID.normalize(raw)) : TaxID.check(raw)
                switch check {
                case .valid(let id), .foreign(let id):
                    values[index] = .text(id)
                case .leadingZeroLost(let id):
                    values[index] = .text(id)
                    issue("tin_leading_zero_lost", "12-digit TIN '\(raw)' is valid with its leading 0 restored: stored as \(id)",
                          column: p, field: fieldName, action: .kept, subject: subject)
                case .masked(let id):
                    values[index] = .text(id)
                    issue("tin_masked", "TIN is masked: '\(raw)'", column: p, field: fieldName, action: .kept, subject: subject)
                case .invalid(let id, let reason):
                    values[index] = .text(id)
                    issue("invalid_tin", reason, column: p, field: fieldName, action: .kept, subject: subject)
                }
            case .money:
                switch ValueParser.satang(raw) {
                case .value(let v):
                    if v < 0 {
                        issue("bad_number", "negative amount: '\(raw)'", column: p, field: fieldName, action: .quarantined)
                        return .quarantined
                    }
                    values[index] = .integer(v)
                case .missing: break
                case .invalid(let reason):
                    issue("bad_number", reason, column: p, field: fieldName, action: .quarantined)
                    return .quarantined
                }
            case .integer:
                switch ValueParser.integer(raw) {
                case .value(let v): values[index] = .integer(v)
                case .missing: break
                case .invalid(let reason):
                    issue("bad_number", reason, column: p, field: fieldName, action: .quarantined)
                    return .quarantined
                }
            case .fiscalYear:
                switch ValueParser.fiscalYear(raw) {
                case .value(let v): values[index] = .integer(v)
                case .missing: break
                case .invalid(let reason):
                    issue("bad_number", reason, column: p, field: fieldName, action: .quarantined)
                    return .quarantined
                }
            case .date:
                switch cache.date(raw) {
                case .value(let v): values[index] = .text(v)
                case .missing: break
                case .invalid(let reason):
                    issue("bad_date", reason, column: p, field: fieldName, action: .kept, subject: subject)
                }
            case .bool:
                switch ValueParser.bool(raw) {
                case .value(let v): values[index] = .integer(v ? 1 : 0)
                case .missing: break
                case .invalid(let reason):
                    issue("bad_flag", reason, column: p, field: fieldName, action: .kept, subject: subject)
                }
            case .code(let name):
                switch cache.code(raw, table: name, mapping: mapping) {
                case .code(let code): values[index] = .text(code)
                case .ignored, .unknown:
                    issue("unknown_code", "'\(ValueParser.trimmed(raw))' is not a known \(name) value; stored as missing",
                          column: p, field: fieldName, action: .kept, subject: subject)
                }
                if name == "methods", let methodRawIndex { values[methodRawIndex] = .text(String(ValueParser.trimmed(raw))) }
            }
        }
        if table.name == "projects" { deriveProjectFields(&values, record: record) }
        if let listName, let listNameIndex { values[listNameIndex] = .text(listName) }
        return .row(values)
    }

    /// Fills what the bundle may leave out but rules need: the agency key and the fiscal year.
    private func deriveProjectFields(_ values: inout [SQLValue], record: CSVRecord) {
        guard let derived = projectIndices else { return }
        if values[derived.agencyID] == .null, case .text(let name) = values[derived.agencyName] {
            values[derived.agencyID] = .text(ThaiText.normalize(name))
        }
        if values[derived.fiscalYear] == .null {
            for column in derived.dates {
                if case .text(let iso) = values[column], let fy = ValueParser.fiscalYear(ofISODate: iso) {
                    values[derived.fiscalYear] = .integer(Int64(fy))
                    break
                }
            }
        }
    }
}

/// Memoises the slow, highly repetitive conversions of one file (bounded, so memory stays flat).
/// Keyed by the raw value's bytes (`UTF8Key`): Swift's String hashing normalises Thai text first.
final class ValueCache {
    private var codes: [String: [UTF8Key: FieldMapping.ValueResult]] = [:]
    private var dates: [UTF8Key: ValueParser.Parsed<String>] = [:]
    private static let limit = 100_000

    func code(_ raw: String, table: String, mapping: FieldMapping) -> FieldMapping.ValueResult {
        let key = UTF8Key(raw)
        if let hit = codes[table]?[key] { return hit }
        let result = (try? mapping.mapValue(raw, table: table)) ?? .unknown
        if codes[table, default: [:]].count > Self.limit { codes[table] = [:] }
        codes[table, default: [:]][key] = result
        return result
    }

    func date(_ raw: String) -> ValueParser.Parsed<String> {
        let key = UTF8Key(raw)
        if let hit = dates[key] { return hit }
        let result = ValueParser.date(raw)
        if dates.count > Self.limit { dates.removeAll(keepingCapacity: true) }
        dates[key] = result
        return result
    }
}
