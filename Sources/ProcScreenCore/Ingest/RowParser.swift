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
    private let indexOf: [String: Int]
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
        self.indexOf = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
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
        let keyColumn = table.columns.first(where: \.required)?.name
        if let keyColumn, let p = positions[keyColumn]?.first {
            subject = ThaiText.foldDigits(ValueParser.trimmed(record.fields[p]).description)
        }
        let countryIsForeign: Bool = {
            guard table.name == "firms", let p = positions["country"]?.first else { return false }
            let c = ThaiText.normalize(record.fields[p])
            return !(c.isEmpty || c == "th" || c == "tha" || c == "thailand" || c == "ไทย" || c == "ประเทศไทย")
        }()

        for (index, spec) in table.columns.enumerated() {
            guard let candidates = positions[spec.name] else {
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
                if name == "methods" { values[indexOf["method_raw"]!] = .text(String(ValueParser.trimmed(raw))) }
            }
        }
        if table.name == "projects" { deriveProjectFields(&values, record: record) }
        if let listName { values[indexOf["list_name"]!] = .text(listName) }
        return .row(values)
    }

    /// Fills what the bundle may leave out but rules need: the agency key and the fiscal year.
    private func deriveProjectFields(_ values: inout [SQLValue], record: CSVRecord) {
        let agencyID = indexOf["agency_id"]!, agencyName = indexOf["agency_name"]!
        if values[agencyID] == .null, case .text(let name) = values[agencyName] {
            values[agencyID] = .text(ThaiText.normalize(name))
        }
        let fiscalYear = indexOf["fiscal_year"]!
        if values[fiscalYear] == .null {
            for column in ["announce_date", "award_date"] {
                if case .text(let iso) = values[indexOf[column]!], let fy = ValueParser.fiscalYear(ofISODate: iso) {
                    values[fiscalYear] = .integer(Int64(fy))
                    break
                }
            }
        }
    }

    /// The values of the group-replacement key for this row.
    func groupValues(_ values: [SQLValue]) -> [String?] {
        guard case .replaceGroup(let key) = table.replace else { return [] }
        return key.map { name in indexOf[name].flatMap { values[$0].string } }
    }
}

/// Memoises the slow, highly repetitive conversions of one file (bounded, so memory stays flat).
final class ValueCache {
    private var codes: [String: [String: FieldMapping.ValueResult]] = [:]
    private var dates: [String: ValueParser.Parsed<String>] = [:]
    private static let limit = 100_000

    func code(_ raw: String, table: String, mapping: FieldMapping) -> FieldMapping.ValueResult {
        if let hit = codes[table]?[raw] { return hit }
        let result = (try? mapping.mapValue(raw, table: table)) ?? .unknown
        if codes[table, default: [:]].count > Self.limit { codes[table] = [:] }
        codes[table, default: [:]][raw] = result
        return result
    }

    func date(_ raw: String) -> ValueParser.Parsed<String> {
        if let hit = dates[raw] { return hit }
        let result = ValueParser.date(raw)
        if dates.count > Self.limit { dates.removeAll(keepingCapacity: true) }
        dates[raw] = result
        return result
    }
}
