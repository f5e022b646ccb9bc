import Foundation
import Yams

/// A parameter value from a rule file.
public indirect enum ParameterValue: Sendable, Equatable, CustomStringConvertible {
    case integer(Int64)
    case number(Double)
    case boolean(Bool)
    case string(String)
    case list([ParameterValue])
    case map([String: ParameterValue])
    case null

    public var description: String {
        switch self {
        case .integer(let v): return String(v)
        case .number(let v): return v == v.rounded() && abs(v) < 1e15 ? String(format: "%.1f", v) : String(v)
        case .boolean(let v): return String(v)
        case .string(let v): return v
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(m[$0]!)" }.joined(separator: ", ") + "}"
        case .null: return "unset"
        }
    }

    /// The value as YAML flow text (for `rules init` and docs).
    public var yaml: String {
        switch self {
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .list(let items): return "[" + items.map(\.yaml).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.keys.sorted().map { "\($0): \(m[$0]!.yaml)" }.joined(separator: ", ") + "}"
        case .null: return "null"
        default: return description
        }
    }

    /// Whether the value fits a declared type (null fits any: "unset").
    public func matches(_ type: ParameterType) -> Bool {
        switch (self, type) {
        case (.null, _), (.integer, .integer), (.number, .number), (.boolean, .boolean), (.string, .string),
             (.list, .list), (.map, .map):
            return true
        default:
            return false
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .number(let v): return v
        default: return nil
        }
    }
}

/// The declared type of a parameter.
public enum ParameterType: String, Sendable, CaseIterable {
    case integer, number, boolean, string, list, map
}

/// One tunable parameter of a rule.
public struct RuleParameter: Sendable, Equatable {
    public var name: String
    public var value: ParameterValue
    public var type: ParameterType
    public var unit: String?
    public var description: String
}

/// A source the rule rests on (the seed report's lines, a paper, a tool).
public struct RuleReference: Sendable, Equatable {
    public var source: String
    public var lines: String?
    public var section: String?
    public var url: String?
}

/// How a rule is evaluated.
public enum RuleKind: Sendable, Equatable {
    /// A Swift indicator type from the registry.
    case swift(String)
    /// A field compared to a threshold, or matched with a PCRE2 pattern.
    case pattern(PatternSpec)
    /// A SELECT over the store returning `project_id` plus evidence columns.
    case sql(String)
}

/// The declarative part of a `kind: pattern` rule.
public struct PatternSpec: Sendable, Equatable {
    public enum Operator: String, Sendable, CaseIterable { case gt = ">", ge = ">=", lt = "<", le = "<=", eq = "==", ne = "!=" }
    public var field: String
    public var comparison: (op: Operator, threshold: ThresholdSource)?
    public var pattern: String?
    public var caseless: Bool

    public enum ThresholdSource: Sendable, Equatable {
        case literal(Double)
        case parameter(String)
    }

    public static func == (a: PatternSpec, b: PatternSpec) -> Bool {
        a.field == b.field && a.pattern == b.pattern && a.caseless == b.caseless
            && a.comparison?.op == b.comparison?.op && a.comparison?.threshold == b.comparison?.threshold
    }
}

/// One rule file of `Rules/<category>/<ID>-<slug>.yaml`, validated.
///
/// Unknown keys, missing th/en titles, unknown categories, severities or oversight codes,
/// parameter type mismatches and invalid patterns are errors naming the file and key path.
public struct RuleFile: Sendable {
    public var path: String
    public var id: String
    public var version: Int
    public var title: Message
    public var category: RuleCategory
    public var severity: Severity
    public var weight: Double
    public var kind: RuleKind
    public var parameters: [RuleParameter]
    public var routeTo: [String]
    public var rationale: String
    /// Exclusion key → text; each needs a passing fixture.
    public var exclusions: [(key: String, text: String)]
    public var references: [RuleReference]
    /// Methods the rule applies to; other methods are not applicable. Nil: all.
    public var methods: [ProcurementMethod]?

    static let topLevelKeys: Set<String> = [
        "id", "version", "title", "category", "severity", "weight", "implementation", "kind", "parameters",
        "route_to", "rationale", "exclusions", "references", "applies_to", "field", "operator", "threshold",
        "pattern", "caseless", "sql",
    ]

    // MARK: - Parameters

    public func parameterValue(_ name: String) throws(RuleFileError) -> ParameterValue {
        guard let p = parameters.first(where: { $0.name == name }) else {
            throw RuleFileError(path: path, keyPath: "parameters.\(name)", reason: "missing parameter (the indicator needs it)")
        }
        return p.value
    }

    public func int(_ name: String) throws(RuleFileError) -> Int64 {
        guard case .integer(let v) = try parameterValue(name) else { throw typeError(name, "an integer") }
        return v
    }

    public func double(_ name: String) throws(RuleFileError) -> Double {
        guard let v = try parameterValue(name).doubleValue else { throw typeError(name, "a number") }
        return v
    }

    public func bool(_ name: String) throws(RuleFileError) -> Bool {
        guard case .boolean(let v) = try parameterValue(name) else { throw typeError(name, "true or false") }
        return v
    }

    public func strings(_ name: String) throws(RuleFileError) -> [String] {
        guard case .list(let items) = try parameterValue(name) else { throw typeError(name, "a list of strings") }
        var result: [String] = []
        for item in items {
            guard case .string(let s) = item else { throw typeError(name, "a list of strings") }
            result.append(s)
        }
        return result
    }

    /// A list parameter of method codes.
    public func methodSet(_ name: String) throws(RuleFileError) -> Set<ProcurementMethod> {
        var result = Set<ProcurementMethod>()
        for s in try strings(name) {
            guard let m = ProcurementMethod(rawValue: s) else {
                throw RuleFileError(path: path, keyPath: "parameters.\(name).value",
                                    reason: "unknown method '\(s)' (known: \(ProcurementMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            result.insert(m)
        }
        return result
    }

    private func typeError(_ name: String, _ expected: String) -> RuleFileError {
        RuleFileError(path: path, keyPath: "parameters.\(name).value", reason: "expected \(expected)")
    }

    /// The effective parameters as `name=value` pairs (recorded with each run).
    public var parameterSummary: [String: String] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value.description) })
    }
}

// MARK: - Parsing

extension RuleFile {
    /// Parses and validates one rule file.
    ///
    /// - Throws: `RuleFileError` naming the file, key path and line.
    public static func load(path: String, oversightCodes: Set<String>) throws(RuleFileError) -> RuleFile {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RuleFileError(path: path, keyPath: "", reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, path: path, oversightCodes: oversightCodes)
    }

    public static func parse(_ text: String, path: String, oversightCodes: Set<String>) throws(RuleFileError) -> RuleFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw RuleFileError(path: path, keyPath: "", reason: "empty file")
            }
            root = node
        } catch let error as RuleFileError {
            throw error
        } catch {
            throw RuleFileError(path: path, keyPath: "", reason: "not valid YAML: \(error)")
        }
        var reader = NodeReader(path: path)
        let top = try reader.mapping(root, "")
        for (key, node) in top where !topLevelKeys.contains(key) {
            throw reader.error("", "unknown key '\(key)' (allowed: \(topLevelKeys.sorted().joined(separator: ", ")))", node)
        }
        let id = try reader.string(top, "id")
        guard id.range(of: #"^[A-Z]{2,3}-[0-9]{2}$"#, options: .regularExpression) != nil else {
            throw reader.error("id", "expected an id like BP-01, got '\(id)'", top["id"])
        }
        let version = try reader.int(top, "version")
        let titleNode = try reader.mapping(try reader.required(top, "title"), "title")
        for (key, node) in titleNode where key != "th" && key != "en" {
            throw reader.error("title", "unknown key '\(key)' (allowed: th, en)", node)
        }
        let title = Message(en: try reader.string(titleNode, "en", prefix: "title"), th: try reader.string(titleNode, "th", prefix: "title"))
        let categoryText = try reader.string(top, "category")
        guard let category = RuleCategory(rawValue: categoryText) else {
            throw reader.error("category", "unknown category '\(categoryText)' (known: \(RuleCategory.allCases.map(\.rawValue).joined(separator: ", ")))", top["category"])
        }
        let severityText = try reader.string(top, "severity")
        guard let severity = Severity(rawValue: severityText) else {
            throw reader.error("severity", "unknown severity '\(severityText)' (known: \(Severity.allCases.map(\.rawValue).joined(separator: ", ")))", top["severity"])
        }
        let weight = try reader.double(top, "weight")
        guard (0...1).contains(weight) else { throw reader.error("weight", "must be between 0 and 1", top["weight"]) }

        // Parameters.
        var parameters: [RuleParameter] = []
        if let node = top["parameters"] {
            for (name, spec) in try reader.mapping(node, "parameters") {
                parameters.append(try reader.parameter(name, spec))
            }
        }

        // Kind.
        let implementation = top["implementation"]?.string
        let kindText = top["kind"]?.string
        let kind: RuleKind
        switch (implementation, kindText) {
        case (let name?, nil):
            kind = .swift(name)
        case (nil, "pattern"):
            kind = .pattern(try reader.patternSpec(top, parameters: parameters))
        case (nil, "sql"):
            kind = .sql(try reader.string(top, "sql"))
        case (nil, let other?):
            throw reader.error("kind", "unknown kind '\(other)' (allowed: pattern, sql; or give `implementation`)", top["kind"])
        case (nil, nil):
            throw reader.error("", "needs `implementation` (a Swift indicator) or `kind: pattern|sql`", root)
        case (_?, _?):
            throw reader.error("kind", "give either `implementation` or `kind`, not both", top["kind"])
        }
        if case .swift = kind {
            for key in ["field", "operator", "threshold", "pattern", "caseless", "sql"] where top[key] != nil {
                throw reader.error(key, "only `kind: pattern` or `kind: sql` rules take this key", top[key])
            }
        }

        // Routing.
        let routeTo = try reader.strings(try reader.required(top, "route_to"), "route_to")
        for (i, code) in routeTo.enumerated() where !oversightCodes.contains(code) {
            throw reader.error("route_to[\(i)]", "unknown oversight body '\(code)' (known: \(oversightCodes.sorted().joined(separator: ", ")))", top["route_to"])
        }

        let rationale = try reader.string(top, "rationale")
        var exclusions: [(String, String)] = []
        if let node = top["exclusions"] {
            for (key, value) in try reader.mapping(node, "exclusions") {
                guard let text = value.string else { throw reader.error("exclusions.\(key)", "expected text", value) }
                exclusions.append((key, text))
            }
        }
        var references: [RuleReference] = []
        if let node = top["references"] {
            guard let items = node.sequence else { throw reader.error("references", "expected a list", node) }
            for (i, item) in items.enumerated() {
                let m = try reader.mapping(item, "references[\(i)]")
                let allowed: Set<String> = ["source", "lines", "section", "url"]
                for (key, n) in m where !allowed.contains(key) {
                    throw reader.error("references[\(i)]", "unknown key '\(key)' (allowed: \(allowed.sorted().joined(separator: ", ")))", n)
                }
                references.append(RuleReference(
                    source: try reader.string(m, "source", prefix: "references[\(i)]"), lines: m["lines"]?.string,
                    section: m["section"]?.string, url: m["url"]?.string))
            }
        }
        var methods: [ProcurementMethod]?
        if let node = top["applies_to"] {
            let m = try reader.mapping(node, "applies_to")
            for (key, n) in m where key != "methods" {
                throw reader.error("applies_to", "unknown key '\(key)' (allowed: methods)", n)
            }
            if let list = m["methods"] {
                methods = []
                for (i, code) in try reader.strings(list, "applies_to.methods").enumerated() {
                    guard let method = ProcurementMethod(rawValue: code) else {
                        throw reader.error("applies_to.methods[\(i)]", "unknown method '\(code)'", list)
                    }
                    methods!.append(method)
                }
            }
        }
        return RuleFile(
            path: path, id: id, version: version, title: title, category: category, severity: severity, weight: weight,
            kind: kind, parameters: parameters, routeTo: routeTo, rationale: rationale, exclusions: exclusions,
            references: references, methods: methods)
    }
}

/// Typed access to YAML nodes with errors that name the file, key path and line.
struct NodeReader {
    let path: String

    func error(_ keyPath: String, _ reason: String, _ node: Node?) -> RuleFileError {
        RuleFileError(path: path, keyPath: keyPath, reason: reason, line: node?.mark?.line)
    }

    /// A mapping as ordered (key, value) pairs, with a lookup subscript.
    struct Mapping: Sequence {
        var pairs: [(String, Node)]
        var node: Node
        subscript(_ key: String) -> Node? { pairs.first { $0.0 == key }?.1 }
        func makeIterator() -> IndexingIterator<[(String, Node)]> { pairs.makeIterator() }
    }

    func mapping(_ node: Node, _ keyPath: String) throws(RuleFileError) -> Mapping {
        guard let m = node.mapping else { throw error(keyPath, "expected a mapping", node) }
        var pairs: [(String, Node)] = []
        var seen = Set<String>()
        for (k, v) in m {
            guard let key = k.string else { throw error(keyPath, "keys must be text", k) }
            guard seen.insert(key).inserted else { throw error(keyPath.isEmpty ? key : "\(keyPath).\(key)", "duplicate key", k) }
            pairs.append((key, v))
        }
        return Mapping(pairs: pairs, node: node)
    }

    func required(_ m: Mapping, _ key: String, prefix: String = "") throws(RuleFileError) -> Node {
        guard let node = m[key] else {
            throw error(prefix.isEmpty ? key : "\(prefix).\(key)", "required key is missing", m.node)
        }
        return node
    }

    func string(_ m: Mapping, _ key: String, prefix: String = "") throws(RuleFileError) -> String {
        let node = try required(m, key, prefix: prefix)
        guard node.scalar != nil, let s = node.string, !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw error(prefix.isEmpty ? key : "\(prefix).\(key)", "expected non-empty text", node)
        }
        return s
    }

    func int(_ m: Mapping, _ key: String) throws(RuleFileError) -> Int {
        let node = try required(m, key)
        guard let v = node.any as? Int else { throw error(key, "expected an integer", node) }
        return v
    }

    func double(_ m: Mapping, _ key: String) throws(RuleFileError) -> Double {
        let node = try required(m, key)
        if let v = node.any as? Int { return Double(v) }
        guard let v = node.any as? Double else { throw error(key, "expected a number", node) }
        return v
    }

    func strings(_ node: Node, _ keyPath: String) throws(RuleFileError) -> [String] {
        guard let items = node.sequence else { throw error(keyPath, "expected a list", node) }
        var result: [String] = []
        for item in items {
            guard item.scalar != nil, let s = item.string else { throw error(keyPath, "expected a list of text", item) }
            result.append(s)
        }
        return result
    }

    func value(_ node: Node) -> ParameterValue {
        if let items = node.sequence { return .list(items.map(value)) }
        if let m = node.mapping {
            var result: [String: ParameterValue] = [:]
            for (k, v) in m { result[k.string ?? ""] = value(v) }
            return .map(result)
        }
        switch node.any {
        case let v as Int: return .integer(Int64(v))
        case let v as Double: return .number(v)
        case let v as Bool: return .boolean(v)
        case is NSNull: return .null
        default: return .string(node.string ?? "")
        }
    }

    func parameter(_ name: String, _ node: Node) throws(RuleFileError) -> RuleParameter {
        let keyPath = "parameters.\(name)"
        let m = try mapping(node, keyPath)
        let allowed: Set<String> = ["value", "type", "unit", "description"]
        for (key, n) in m where !allowed.contains(key) {
            throw error(keyPath, "unknown key '\(key)' (allowed: \(allowed.sorted().joined(separator: ", ")))", n)
        }
        let valueNode = try required(m, "value", prefix: keyPath)
        let v = value(valueNode)
        let declared: ParameterType?
        if let typeNode = m["type"] {
            guard let t = typeNode.string.flatMap(ParameterType.init(rawValue:)) else {
                throw error("\(keyPath).type", "unknown type (allowed: \(ParameterType.allCases.map(\.rawValue).joined(separator: ", ")))", typeNode)
            }
            declared = t
        } else {
            declared = nil
        }
        let inferred: ParameterType
        switch v {
        case .integer: inferred = .integer
        case .number: inferred = .number
        case .boolean: inferred = .boolean
        case .string: inferred = .string
        case .list: inferred = .list
        case .map: inferred = .map
        case .null: inferred = declared ?? .number
        }
        var type = declared ?? inferred
        if let declared, declared != inferred, v != .null {
            // An integer literal is a valid number.
            guard declared == .number && inferred == .integer else {
                throw error("\(keyPath).value", "type is \(declared.rawValue) but the value '\(v)' is \(inferred.rawValue)", valueNode)
            }
            type = .number
        }
        let finalValue: ParameterValue = (type == .number) ? (v.doubleValue.map(ParameterValue.number) ?? v) : v
        return RuleParameter(
            name: name, value: finalValue, type: type, unit: m["unit"]?.string,
            description: try string(m, "description", prefix: keyPath))
    }

    func patternSpec(_ top: Mapping, parameters: [RuleParameter]) throws(RuleFileError) -> PatternSpec {
        let field = try string(top, "field")
        guard PatternFields.all.contains(field) else {
            throw error("field", "unknown field '\(field)' (known: \(PatternFields.all.sorted().joined(separator: ", ")))", top["field"])
        }
        var spec = PatternSpec(field: field, comparison: nil, pattern: nil, caseless: top["caseless"]?.bool ?? true)
        if let patternNode = top["pattern"] {
            guard let pattern = patternNode.string else { throw error("pattern", "expected text", patternNode) }
            do { _ = try PCRERegex(pattern, caseless: spec.caseless) } catch {
                throw self.error("pattern", "\(error)", patternNode)
            }
            spec.pattern = pattern
        }
        if let opNode = top["operator"] {
            guard let op = opNode.string.flatMap(PatternSpec.Operator.init(rawValue:)) else {
                throw error("operator", "unknown operator (allowed: \(PatternSpec.Operator.allCases.map(\.rawValue).joined(separator: " ")))", opNode)
            }
            let thresholdNode = try required(top, "threshold")
            let threshold: PatternSpec.ThresholdSource
            if let number = thresholdNode.any as? Int {
                threshold = .literal(Double(number))
            } else if let number = thresholdNode.any as? Double {
                threshold = .literal(number)
            } else if let name = thresholdNode.string {
                guard let p = parameters.first(where: { $0.name == name }), p.value.doubleValue != nil else {
                    throw error("threshold", "'\(name)' is not a numeric parameter of this rule", thresholdNode)
                }
                threshold = .parameter(name)
            } else {
                throw error("threshold", "expected a number or a parameter name", thresholdNode)
            }
            spec.comparison = (op, threshold)
        }
        guard (spec.pattern == nil) != (spec.comparison == nil) else {
            throw error("", "a pattern rule needs exactly one of `pattern` or `operator` + `threshold`", top.node)
        }
        return spec
    }
}
