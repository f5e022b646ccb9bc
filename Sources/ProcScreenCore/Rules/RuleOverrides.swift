import Foundation
import Yams

/// `Rules/overrides.yaml`: an analyst's changes to the shipped defaults, per rule id.
///
/// ```yaml
/// BP-01:
///   severity: medium
///   weight: 0.2
///   enabled: true
///   parameters:
///     methods: [e_bidding, selection]
/// ```
/// Unknown rule ids, keys or parameters and type mismatches are errors.
public enum RuleOverrides {
    static func apply(path: String, to rules: inout [RuleFile]) throws(RuleFileError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RuleFileError(path: path, keyPath: "", reason: "cannot read: \(error.localizedDescription)")
        }
        let reader = NodeReader(path: path)
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw RuleFileError(path: path, keyPath: "", reason: "not valid YAML: \(error)")
        }
        guard let root, root.mapping != nil else { return }   // all commented out
        var disabled = Set<String>()
        for (id, body) in try reader.mapping(root, "") {
            guard let index = rules.firstIndex(where: { $0.id == id }) else {
                throw reader.error(id, "no rule with this id", body)
            }
            if body.null != nil { continue }
            for (key, node) in try reader.mapping(body, id) {
                switch key {
                case "severity":
                    guard let s = node.string.flatMap(Severity.init(rawValue:)) else {
                        throw reader.error("\(id).severity", "unknown severity", node)
                    }
                    rules[index].severity = s
                case "weight":
                    guard let w = (node.any as? Double) ?? (node.any as? Int).map(Double.init), (0...1).contains(w) else {
                        throw reader.error("\(id).weight", "expected a number between 0 and 1", node)
                    }
                    rules[index].weight = w
                case "enabled":
                    guard let enabled = node.bool else { throw reader.error("\(id).enabled", "expected true or false", node) }
                    if !enabled { disabled.insert(id) }
                case "parameters":
                    for (name, valueNode) in try reader.mapping(node, "\(id).parameters") {
                        guard let p = rules[index].parameters.firstIndex(where: { $0.name == name }) else {
                            throw reader.error("\(id).parameters.\(name)", "not a parameter of \(id)", valueNode)
                        }
                        let declared = rules[index].parameters[p]
                        var value = reader.value(valueNode)
                        if declared.type == .number, let d = value.doubleValue { value = .number(d) }
                        guard value.matches(declared.type) else {
                            throw reader.error("\(id).parameters.\(name)", "expected \(declared.type.rawValue), got '\(value)'", valueNode)
                        }
                        rules[index].parameters[p].value = value
                    }
                default:
                    throw reader.error(id, "unknown key '\(key)' (allowed: severity, weight, enabled, parameters)", node)
                }
            }
        }
        rules.removeAll { disabled.contains($0.id) }
    }


    /// The text `procscreen rules init` writes: every rule's defaults, commented out.
    public static func template(for rules: [RuleFile]) -> String {
        var lines = [
            "# procscreen rule overrides. Uncomment a line to change a default; the loader checks every key.",
            "# Keys per rule: severity (info|low|medium|high|critical), weight (0-1), enabled, parameters.",
            "",
        ]
        for rule in rules {
            lines.append("# \(rule.id): \(rule.title.en) / \(rule.title.th)")
            lines.append("#\(rule.id):")
            lines.append("#  severity: \(rule.severity.rawValue)")
            lines.append("#  weight: \(rule.weight)")
            lines.append("#  enabled: true")
            if !rule.parameters.isEmpty {
                lines.append("#  parameters:")
                for p in rule.parameters {
                    lines.append("#    \(p.name): \(p.value.yaml)    # \(p.description.replacingOccurrences(of: "\n", with: " "))")
                }
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
