import Foundation
import Yams

/// The header alias table and the value mappings of `Rules/mappings/`.
///
/// `headers.yaml` maps each bundle table's canonical columns to the header names that feed
/// them (English, Thai e-GP, govspending API). `values.yaml` maps raw text to canonical codes
/// with PCRE2 patterns (methods, bid statuses, …).
public final class FieldMapping {
    /// table → canonical column → aliases, normalised, in priority order.
    public let headerAliases: [String: [String: [String]]]
    let valueMaps: [String: ValueMap]

    struct ValueMap {
        var ignore: [PCRERegex]
        var codes: [(code: String, regex: PCRERegex)]
        var canonical: Set<String>
    }

    public enum ValueResult: Equatable {
        case code(String)
        case ignored
        case unknown
    }

    /// Loads `headers.yaml` and `values.yaml` from `directory` (normally `Rules/mappings`).
    ///
    /// - Throws: `IngestError.malformedMapping` naming the file and key path.
    public init(directory: URL) throws(IngestError) {
        let headersURL = directory.appendingPathComponent("headers.yaml")
        let valuesURL = directory.appendingPathComponent("values.yaml")
        let headersYAML = try Self.loadYAML(headersURL)
        guard let tables = headersYAML as? [String: Any] else {
            throw .malformedMapping(path: headersURL.path, reason: "expected a mapping of table names")
        }
        var aliases: [String: [String: [String]]] = [:]
        for (table, value) in tables {
            guard let spec = TableSpec.named(table) else {
                throw .malformedMapping(path: headersURL.path, reason: "\(table): unknown table (known: \(TableSpec.all.map(\.name).joined(separator: ", ")))")
            }
            guard let columns = value as? [String: Any] else {
                throw .malformedMapping(path: headersURL.path, reason: "\(table): expected a mapping of columns")
            }
            var tableAliases: [String: [String]] = [:]
            for (column, list) in columns {
                guard spec.columns.contains(where: { $0.name == column }) else {
                    throw .malformedMapping(path: headersURL.path, reason: "\(table).\(column): unknown column of \(table)")
                }
                guard let names = list as? [Any] else {
                    throw .malformedMapping(path: headersURL.path, reason: "\(table).\(column): expected a list of header names")
                }
                tableAliases[column] = names.map { Self.normalizeHeader("\($0)") }
            }
            aliases[table] = tableAliases
        }
        self.headerAliases = aliases

        let valuesYAML = try Self.loadYAML(valuesURL)
        guard let maps = valuesYAML as? [String: Any] else {
            throw .malformedMapping(path: valuesURL.path, reason: "expected a mapping of value tables")
        }
        var valueMaps: [String: ValueMap] = [:]
        for (name, body) in maps {
            guard let body = body as? [String: Any] else {
                throw .malformedMapping(path: valuesURL.path, reason: "\(name): expected keys 'codes' and optionally 'ignore'")
            }
            for key in body.keys where key != "codes" && key != "ignore" {
                throw .malformedMapping(path: valuesURL.path, reason: "\(name).\(key): unknown key")
            }
            var map = ValueMap(ignore: [], codes: [], canonical: [])
            for (i, pattern) in ((body["ignore"] as? [Any]) ?? []).enumerated() {
                map.ignore.append(try Self.compile("\(pattern)", path: valuesURL.path, keyPath: "\(name).ignore[\(i)]"))
            }
            guard let codes = body["codes"] as? [Any] else {
                throw .malformedMapping(path: valuesURL.path, reason: "\(name).codes: expected a list")
            }
            for (i, entry) in codes.enumerated() {
                guard let entry = entry as? [String: Any], let code = entry["code"] as? String,
                      let pattern = entry["pattern"] as? String
                else {
                    throw .malformedMapping(path: valuesURL.path, reason: "\(name).codes[\(i)]: expected {code, pattern}")
                }
                map.codes.append((code, try Self.compile(pattern, path: valuesURL.path, keyPath: "\(name).codes[\(i)].pattern")))
                map.canonical.insert(code)
            }
            valueMaps[name] = map
        }
        self.valueMaps = valueMaps
    }

    /// The mappings shipped in `Rules/mappings` under `rulesDirectory`.
    public convenience init(rulesDirectory: URL) throws(IngestError) {
        try self.init(directory: RuleCatalog.ruleSource(for: rulesDirectory).appendingPathComponent("mappings"))
    }

    private static func loadYAML(_ url: URL) throws(IngestError) -> Any? {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadableFile(path: url.path, reason: "\(error.localizedDescription)")
        }
        do { return try Yams.load(yaml: text) } catch {
            throw .malformedMapping(path: url.path, reason: "not valid YAML: \(error)")
        }
    }

    private static func compile(_ pattern: String, path: String, keyPath: String) throws(IngestError) -> PCRERegex {
        do { return try PCRERegex(pattern, caseless: true) } catch {
            throw .malformedMapping(path: path, reason: "\(keyPath): \(error)")
        }
    }

    /// The form headers are compared in: trimmed, BOM removed, Latin lower-cased, Thai digits
    /// folded, spaces collapsed, and no space before an opening parenthesis ("งบประมาณ (บาท)").
    public static func normalizeHeader(_ header: String) -> String {
        ThaiText.normalize(header).replacingOccurrences(of: " (", with: "(")
    }

    /// Maps raw text through the value table `name`: its canonical code, `.ignored` for
    /// uninformative text, or `.unknown`.
    public func mapValue(_ raw: String, table name: String) throws(RegexError) -> ValueResult {
        guard let map = valueMaps[name] else { return .unknown }
        let text = ThaiText.normalize(raw)
        if map.canonical.contains(text) { return .code(text) }
        for regex in map.ignore where try regex.matches(text) { return .ignored }
        for entry in map.codes where try entry.regex.matches(text) { return .code(entry.code) }
        return .unknown
    }

    /// For each canonical column of `table`, the header positions that feed it, in alias priority.
    /// Headers no alias claims are returned as `unknown`.
    public func resolve(header: [String], table: TableSpec) -> (columns: [String: [Int]], unknown: [Int]) {
        let normalized = header.map(Self.normalizeHeader)
        var columns: [String: [Int]] = [:]
        var claimed = Set<Int>()
        let aliases = headerAliases[table.name] ?? [:]
        for spec in table.columns {
            let names = aliases[spec.name] ?? [spec.name]
            var positions: [Int] = []
            for name in names {
                for (i, h) in normalized.enumerated() where h == name && !positions.contains(i) {
                    positions.append(i)
                }
            }
            if !positions.isEmpty {
                columns[spec.name] = positions
                claimed.formUnion(positions)
            }
        }
        let unknown = normalized.indices.filter { !claimed.contains($0) }
        return (columns, unknown)
    }

    /// The table a file with this header most likely feeds (the most recognised columns,
    /// the required ones present); nil when none fits.
    public func guessTable(header: [String]) -> TableSpec? {
        var best: (TableSpec, Int)?
        for table in TableSpec.all where table.name != "lists" {
            let (columns, _) = resolve(header: header, table: table)
            let requiredPresent = table.columns.filter(\.required).allSatisfy { columns[$0.name] != nil }
            guard requiredPresent else { continue }
            // Count distinct recognised columns; the key column alone proves little.
            let score = columns.count
            if best == nil || score > best!.1 { best = (table, score) }
        }
        guard let best, best.1 >= 2 else { return nil }
        return best.0
    }
}
