import Foundation
import Yams

/// Every problem found while loading a rules folder (all of them, so `rules validate` lists them).
public struct RuleCatalogError: Error, CustomStringConvertible, Sendable {
    public var errors: [RuleFileError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// The rules folder, loaded and validated: rule files paired with their implementations,
/// the oversight bodies, and the analyst's overrides.
///
/// For example:
/// ```swift
/// let catalog = try RuleCatalog.load(directory: URL(fileURLWithPath: "Rules"))
/// print(catalog.rules.map(\.id))
/// ```
public struct RuleCatalog: Sendable {
    public let directory: URL
    public let rules: [RuleFile]
    public let oversight: OversightBodies
    /// The overrides file applied, if any.
    public let overridesPath: String?
    /// The processes the rule set looks at (a profile's `process_filter`; empty: all).
    public var processFilter = ProcessFilter()

    public static let overridesFileName = "overrides.yaml"
    public static let profileFileName = "profile.yaml"

    /// A profile: a rules folder holding only `profile.yaml` (and `overrides.yaml`) that takes its
    /// rule files from `base`, keeps the rules in `only`, and filters processes. One set of rule
    /// files serves several rule sets (the Thai defaults, Cardinal mode).
    struct Profile {
        var base: URL
        var only: Set<String>?
        var filter: ProcessFilter
    }

    static func profile(in directory: URL) throws(RuleFileError) -> Profile? {
        let path = directory.appendingPathComponent(profileFileName).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RuleFileError(path: path, keyPath: "", reason: "cannot read: \(error.localizedDescription)")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw RuleFileError(path: path, keyPath: "", reason: "not valid YAML: \(error)") }
        guard let mapping = root?.mapping else { throw RuleFileError(path: path, keyPath: "", reason: "expected a mapping") }
        var profile = Profile(base: directory, only: nil, filter: ProcessFilter())
        for (keyNode, value) in mapping {
            switch keyNode.string ?? "" {
            case "base":
                guard let base = value.string else { throw RuleFileError(path: path, keyPath: "base", reason: "expected a folder path") }
                profile.base = URL(fileURLWithPath: base, relativeTo: directory).standardizedFileURL
            case "only":
                guard let items = value.sequence else { throw RuleFileError(path: path, keyPath: "only", reason: "expected a list of rule ids") }
                profile.only = Set(items.compactMap(\.string))
            case "process_filter":
                profile.filter = try ProcessFilter.read(value, path: path)
            case "title":
                break
            case let other:
                throw RuleFileError(path: path, keyPath: other, reason: "unknown key (allowed: title, base, only, process_filter)")
            }
        }
        return profile
    }

    /// Where a rules folder's rule files, agencies.yaml and mappings live (a profile's base).
    public static func ruleSource(for directory: URL) -> URL {
        ((try? profile(in: directory)) ?? nil)?.base ?? directory
    }

    public func rule(_ id: String) -> RuleFile? { rules.first { $0.id == id } }

    public var lookup: RuleLookup { RuleLookup(rules) }

    /// Loads `agencies.yaml`, every `<category>/<ID>-<slug>.yaml`, and `overrides.yaml`.
    ///
    /// - Throws: `RuleCatalogError` listing every problem with file and key path.
    public static func load(directory: URL) throws(RuleCatalogError) -> RuleCatalog {
        var errors: [RuleFileError] = []
        let profile: Profile?
        do { profile = try Self.profile(in: directory) } catch { throw RuleCatalogError(errors: [error]) }
        let source = profile?.base ?? directory
        let agenciesPath = source.appendingPathComponent("agencies.yaml").path
        let oversight: OversightBodies
        do { oversight = try OversightBodies.load(path: agenciesPath) } catch {
            throw RuleCatalogError(errors: [error])
        }
        var rules: [RuleFile] = []
        let fm = FileManager.default
        for category in RuleCategory.allCases {
            let folder = source.appendingPathComponent(category.rawValue)
            guard let names = try? fm.contentsOfDirectory(atPath: folder.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let path = folder.appendingPathComponent(name).path
                do {
                    let rule = try RuleFile.load(path: path, oversightCodes: oversight.codes)
                    if rule.category != category {
                        errors.append(RuleFileError(path: path, keyPath: "category",
                                                    reason: "is '\(rule.category.rawValue)' but the file is in \(category.rawValue)/"))
                    }
                    if !name.hasPrefix(rule.id + "-") && name != rule.id + ".yaml" {
                        errors.append(RuleFileError(path: path, keyPath: "id", reason: "file name must start with '\(rule.id)-'"))
                    }
                    if let other = rules.first(where: { $0.id == rule.id }) {
                        errors.append(RuleFileError(path: path, keyPath: "id", reason: "duplicate id \(rule.id) (also in \(other.path))"))
                    }
                    rules.append(rule)
                } catch {
                    errors.append(error)
                }
            }
        }
        // Folders that are not categories are a likely typo.
        for name in ((try? fm.contentsOfDirectory(atPath: source.path)) ?? []).sorted() {
            var isDirectory: ObjCBool = false
            fm.fileExists(atPath: source.appendingPathComponent(name).path, isDirectory: &isDirectory)
            if isDirectory.boolValue, name != "mappings", !name.hasPrefix("."), RuleCategory(rawValue: name) == nil {
                errors.append(RuleFileError(path: source.appendingPathComponent(name).path, keyPath: "",
                                            reason: "not a rule category folder (known: \(RuleCategory.allCases.map(\.rawValue).joined(separator: ", ")))"))
            }
        }
        if let only = profile?.only {
            for id in only.subtracting(rules.map(\.id)).sorted() {
                errors.append(RuleFileError(path: directory.appendingPathComponent(profileFileName).path, keyPath: "only",
                                            reason: "no rule \(id) in \(source.path)"))
            }
            rules.removeAll { !only.contains($0.id) }
        }
        let overridesURL = directory.appendingPathComponent(overridesFileName)
        var overridesPath: String?
        if fm.fileExists(atPath: overridesURL.path) {
            overridesPath = overridesURL.path
            do { try RuleOverrides.apply(path: overridesURL.path, to: &rules) } catch { errors.append(error) }
        }
        rules.sort { $0.id < $1.id }
        var catalog = RuleCatalog(directory: directory, rules: rules, oversight: oversight, overridesPath: overridesPath)
        catalog.processFilter = profile?.filter ?? ProcessFilter()
        // A rule file that failed to parse would also show up as "indicator without a rule file";
        // a profile keeps only some rules on purpose.
        errors += catalog.implementationErrors(reportUnpaired: errors.isEmpty && profile?.only == nil)
        guard errors.isEmpty else { throw RuleCatalogError(errors: errors) }
        return catalog
    }

    /// Pairs rule files with the Swift registry both ways, builds every evaluator once, and
    /// prepares every SQL rule against the current schema.
    func implementationErrors(reportUnpaired: Bool = true) -> [RuleFileError] {
        var errors: [RuleFileError] = []
        let registry = Dictionary(uniqueKeysWithValues: allIndicators.map { (implementationName($0), $0) })
        var implemented = Set<String>()
        for rule in rules {
            switch rule.kind {
            case .swift(let name):
                guard let type = registry[name] else {
                    errors.append(RuleFileError(path: rule.path, keyPath: "implementation",
                                                reason: "no Swift indicator named '\(name)' (known: \(registry.keys.sorted().joined(separator: ", ")))"))
                    continue
                }
                guard type.id == rule.id else {
                    errors.append(RuleFileError(path: rule.path, keyPath: "implementation",
                                                reason: "\(name) implements \(type.id), not \(rule.id)"))
                    continue
                }
                implemented.insert(name)
                do { _ = try type.init(rule: rule, rules: lookup) } catch { errors.append(error) }
            case .pattern(let spec):
                do { _ = try PatternRule(rule: rule, spec: spec) } catch { errors.append(error) }
            case .sql(let sql):
                if let error = SQLRule.validate(sql: sql, rule: rule) { errors.append(error) }
            }
        }
        for (name, type) in registry where reportUnpaired && !implemented.contains(name) {
            errors.append(RuleFileError(path: directory.path, keyPath: "",
                                        reason: "Swift indicator \(name) (\(type.id)) has no rule file in \(directory.path)"))
        }
        return errors
    }

    /// A copy with only the rules in `ids`.
    public func keeping(_ ids: Set<String>) -> RuleCatalog {
        var copy = RuleCatalog(directory: directory, rules: rules.filter { ids.contains($0.id) }, oversight: oversight,
                               overridesPath: overridesPath)
        copy.processFilter = processFilter
        return copy
    }

    /// A copy with some parameters of one rule changed (types checked as in overrides.yaml).
    ///
    /// - Throws: `RuleFileError` for an unknown rule or parameter, or a type mismatch.
    public func withParameters(_ ruleID: String, _ values: [String: ParameterValue]) throws(RuleFileError) -> RuleCatalog {
        var rules = self.rules
        guard let index = rules.firstIndex(where: { $0.id == ruleID }) else {
            throw RuleFileError(path: directory.path, keyPath: ruleID, reason: "no rule with this id")
        }
        for (name, value) in values {
            guard let p = rules[index].parameters.firstIndex(where: { $0.name == name }) else {
                throw RuleFileError(path: rules[index].path, keyPath: "parameters.\(name)", reason: "not a parameter of \(ruleID)")
            }
            var value = value
            if rules[index].parameters[p].type == .number, let d = value.doubleValue { value = .number(d) }
            guard value.matches(rules[index].parameters[p].type) else {
                throw RuleFileError(path: rules[index].path, keyPath: "parameters.\(name)",
                                    reason: "expected \(rules[index].parameters[p].type.rawValue), got '\(value)'")
            }
            rules[index].parameters[p].value = value
        }
        var copy = RuleCatalog(directory: directory, rules: rules, oversight: oversight, overridesPath: overridesPath)
        copy.processFilter = processFilter
        return copy
    }

    /// The evaluators for a run, optionally restricted to some rule ids.
    ///
    /// - Throws: `RuleFileError` for an unknown id in `only`.
    public func evaluators(only: Set<String>? = nil) throws -> [RuleEvaluator] {
        if let only {
            for id in only where rule(id) == nil {
                throw RuleFileError(path: directory.path, keyPath: "", reason: "no rule with id \(id)")
            }
        }
        let registry = Dictionary(uniqueKeysWithValues: allIndicators.map { (implementationName($0), $0) })
        return try rules.filter { only?.contains($0.id) ?? true }.map { rule in
            switch rule.kind {
            case .swift(let name):
                let instance = try registry[name]!.init(rule: rule, rules: lookup)
                if let record = instance as? any RecordIndicator { return .record(rule, record) }
                if let dataset = instance as? any DatasetIndicator { return .dataset(rule, dataset) }
                if let findings = instance as? any FindingsIndicator { return .findings(rule, findings) }
                throw RuleFileError(path: rule.path, keyPath: "implementation", reason: "\(name) is neither a record nor a dataset indicator")
            case .pattern(let spec):
                return .pattern(rule, try PatternRule(rule: rule, spec: spec))
            case .sql(let sql):
                return .sql(rule, sql)
            }
        }
    }
}

/// One rule ready to run.
public enum RuleEvaluator {
    case record(RuleFile, any RecordIndicator)
    case dataset(RuleFile, any DatasetIndicator)
    case findings(RuleFile, any FindingsIndicator)
    case pattern(RuleFile, PatternRule)
    case sql(RuleFile, String)

    public var rule: RuleFile {
        switch self {
        case .record(let r, _), .dataset(let r, _), .findings(let r, _), .pattern(let r, _), .sql(let r, _): return r
        }
    }

    /// Whether the rule is evaluated record by record in the streaming pass.
    public var isPerRecord: Bool {
        switch self {
        case .record, .pattern: return true
        case .dataset, .findings, .sql: return false
        }
    }

    /// The record fields the rule reads (none for SQL rules, which query the store themselves).
    public var fields: Set<String> {
        switch self {
        case .record(_, let indicator): return type(of: indicator).fields
        case .pattern(_, let rule): return rule.fields
        case .dataset(_, let indicator): return type(of: indicator).fields
        case .findings(_, let indicator): return type(of: indicator).fields
        case .sql: return []
        }
    }
}
