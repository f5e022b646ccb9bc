/// Reads one text column of chosen projects from the store, on its own read-only connection
/// (so from whichever thread finishes a rule). For dataset rules that need a bulky field only
/// for a few candidates found after the pass: CR-06 compares the titles of a cancelled project
/// and its possible relaunches, and keeping every title of a million projects in memory for
/// that cost 290 MB.
public struct ProjectTextLookup: Sendable {
    /// The columns a rule may ask for (named here, never taken from input).
    public enum Column: String, Sendable { case projectName = "project_name" }

    let path: String

    public init(path: String) { self.path = path }

    /// The column's value for each of `projectIDs` that has one (a primary-key lookup each).
    public func values(_ column: Column, of projectIDs: some Sequence<String>) throws -> [String: String] {
        let db = try Database(path: path, readOnly: true)
        let statement = try db.prepare(sql: "SELECT \(column.rawValue) FROM projects WHERE project_id = ?")
        var values: [String: String] = [:]
        for id in projectIDs where values[id] == nil {
            statement.reset()
            statement.bind(text: id, at: 1)
            if try statement.step(), let value = statement.string(0) { values[id] = value }
        }
        return values
    }
}
