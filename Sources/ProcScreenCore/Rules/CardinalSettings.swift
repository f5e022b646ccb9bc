import Foundation

/// A Cardinal settings file (INI, INDICATORS.md §3.4) translated into the Cardinal rule set: an
/// indicator is on when its section exists; lists are pipe-separated; unknown sections or keys
/// are errors. Each INI key maps to one rule parameter or process-filter setting.
///
/// For example:
/// ```swift
/// let settings = try CardinalSettings(ini: "no_price_comparison_procurement_methods = NPC\n[R024]\n")
/// let catalog = try settings.apply(to: RuleCatalog.load(directory: URL(fileURLWithPath: "Rules-cardinal")))
/// ```
public struct CardinalSettings: Sendable {
    public struct SettingsError: Error, CustomStringConvertible, Sendable {
        public var line: Int
        public var message: String
        public var description: String { "settings line \(line): \(message)" }
    }

    /// Cardinal's indicator codes and the procscreen rules that compute them.
    public static let rulesByCode: [String: [String]] = [
        "R003": ["CR-03"], "R018": ["BP-01"], "R024": ["BR-21"], "R025": ["BP-22"], "R028": ["BR-11"], "R030": ["BP-23"],
        "R035": ["BP-03"], "R036": ["BP-04"], "R038": ["BP-21"], "R044": ["BP-09", "BP-10"], "R048": ["BP-24"], "R058": ["BR-22"],
    ]

    /// The INI keys each section accepts, and the rule parameter each sets (nil: a filter setting).
    private static let keys: [String: [String: (rule: String, parameter: String, kind: Kind)]] = [
        "R003": ["threshold": ("CR-03", "threshold_days", .integer), "procurement_methods": ("CR-03", "cardinal_methods", .list)],
        "R018": ["procurement_methods": ("BP-01", "cardinal_methods", .list)],
        "R024": ["threshold": ("BR-21", "threshold", .number)],
        "R025": ["threshold": ("BP-22", "threshold", .number), "percentile": ("BP-22", "percentile", .number)],
        "R028": [:], "R030": [:],
        "R035": ["threshold": ("BP-03", "min_disq", .integer)],
        "R036": [:],
        "R038": ["threshold": ("BP-21", "threshold", .number), "minimum_submitted_bids": ("BP-21", "min_submitted_bids", .integer),
                 "minimum_contracting_processes": ("BP-21", "min_submitted_bids_agencies", .integer)],
        "R044": [:],
        "R048": ["threshold": ("BP-24", "threshold", .number), "digits": ("BP-24", "digits", .integer),
                 "minimum_contracting_processes": ("BP-24", "min_processes", .integer)],
        "R058": ["threshold": ("BR-22", "threshold", .number)],
    ]

    private enum Kind { case integer, number, list }

    /// The indicators turned on, by code.
    public private(set) var codes: [String] = []
    var parameters: [String: [String: ParameterValue]] = [:]
    var currency: String?
    var priceComparison: [String]?
    var noPriceComparison: [String] = []
    var exclusions: [String] = []

    public init(ini: String) throws(SettingsError) {
        var section = ""
        for (index, rawLine) in ini.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            let number = index + 1
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw SettingsError(line: number, message: "unclosed section header") }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                let code = section.split(separator: ".").first.map(String.init) ?? section
                guard section == "exclusions" || section == "R003.procurement_method_details" || Self.keys[section] != nil else {
                    throw SettingsError(line: number, message: "unknown section [\(section)]")
                }
                if Self.keys[section] != nil, !codes.contains(code) { codes.append(code) }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw SettingsError(line: number, message: "expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            let list = value.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            switch section {
            case "":
                switch key {
                case "currency": currency = value
                case "price_comparison_procurement_methods": priceComparison = list
                case "no_price_comparison_procurement_methods": noPriceComparison = list
                default: throw SettingsError(line: number, message: "unknown key '\(key)'")
                }
            case "exclusions":
                guard key == "procurement_method_details" else { throw SettingsError(line: number, message: "unknown key '\(key)' in [exclusions]") }
                exclusions = list
            case "R003.procurement_method_details":
                guard let days = Int(value) else { throw SettingsError(line: number, message: "expected whole days for '\(key)'") }
                var map: [String: ParameterValue] = [:]
                if case .map(let existing)? = parameters["CR-03"]?["method_details_days"] { map = existing }
                map[key] = .integer(Int64(days))
                parameters["CR-03", default: [:]]["method_details_days"] = .map(map)
            default:
                guard let target = Self.keys[section]?[key] else {
                    throw SettingsError(line: number, message: "unknown key '\(key)' in [\(section)]")
                }
                let parsed: ParameterValue
                switch target.kind {
                case .integer:
                    guard let v = Int64(value) else { throw SettingsError(line: number, message: "expected an integer for '\(key)'") }
                    // R035's threshold is forced to at least 1, as Cardinal does.
                    parsed = .integer(target.parameter == "min_disq" ? max(1, v) : v)
                case .number:
                    guard let v = Double(value) else { throw SettingsError(line: number, message: "expected a number for '\(key)'") }
                    parsed = .number(v)
                case .list:
                    parsed = .list(list.map { .string($0) })
                }
                parameters[target.rule, default: [:]][target.parameter] = parsed
            }
        }
    }

    /// The Cardinal rule set with these settings: only the indicators whose sections exist.
    public func apply(to catalog: RuleCatalog) throws(RuleFileError) -> RuleCatalog {
        var result = catalog
        for (rule, values) in parameters.sorted(by: { $0.key < $1.key }) { result = try result.withParameters(rule, values) }
        var filter = result.processFilter
        filter.excludedMethodDetails = Set(exclusions)
        filter.noPriceComparisonMethodDetails = Set(noPriceComparison)
        filter.priceComparisonMethodDetails = priceComparison.map(Set.init)
        filter.currency = currency
        result.processFilter = filter
        return result.keeping(Set(codes.flatMap { Self.rulesByCode[$0] ?? [] }))
    }
}
