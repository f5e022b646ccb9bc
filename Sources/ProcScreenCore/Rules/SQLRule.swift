import Foundation

/// `kind: sql` rules: a SELECT over the store returning `project_id` plus evidence columns.
///
/// Named parameters (`:small_limit`) are bound from the rule's parameters (money parameters
/// are in baht: multiply by 100 to compare with satang columns). The query runs on a
/// read-only connection, so a rule can never change the store.
public enum SQLRule {
    /// Checks that the SQL prepares against the current schema, only reads, returns a
    /// `project_id` column, and names only parameters the rule declares.
    static func validate(sql: String, rule: RuleFile) -> RuleFileError? {
        do {
            let db = try Database(path: ":memory:")
            try Schema.migrate(db)
            let statement = try db.prepare(sql: sql)
            guard statement.isReadOnly else {
                return RuleFileError(path: rule.path, keyPath: "sql", reason: "must be a read-only SELECT")
            }
            let columns = (0..<statement.columnCount).map(statement.columnName)
            guard columns.contains("project_id") else {
                return RuleFileError(path: rule.path, keyPath: "sql", reason: "must return a project_id column (returns \(columns.joined(separator: ", ")))")
            }
            for name in statement.parameterNames {
                guard let name, name.hasPrefix(":") else {
                    return RuleFileError(path: rule.path, keyPath: "sql", reason: "use named parameters (:name), not ?")
                }
                let parameter = String(name.dropFirst())
                guard rule.parameters.contains(where: { $0.name == parameter }) else {
                    return RuleFileError(path: rule.path, keyPath: "sql", reason: "\(name) is not a parameter of this rule")
                }
            }
            return nil
        } catch {
            return RuleFileError(path: rule.path, keyPath: "sql", reason: "does not prepare: \(error)")
        }
    }

    /// The value bound for a named parameter.
    static func binding(_ value: ParameterValue) -> SQLValue {
        switch value {
        case .integer(let v): return .integer(v)
        case .number(let v): return .real(v)
        case .boolean(let v): return .integer(v ? 1 : 0)
        case .string(let s): return .text(s)
        case .null: return .null
        case .list, .map: return .text(value.description)
        }
    }
}
