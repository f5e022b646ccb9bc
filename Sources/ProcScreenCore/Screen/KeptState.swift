import Foundation

/// The tag of a kept population (`dataset_state`): which run kept it, and its small values.
/// A population's rows are read back only when the tag names the run being continued.
enum KeptState {
    /// A read-only connection to the store and the tag's detail, when population `key` was kept
    /// by `continuing.previousRun` in `table`; nil when another run kept it since, or none did.
    static func open(_ key: String, table: String, continuing: DatasetContinuation) throws -> (db: Database, detail: String?)? {
        let db = try Database(path: continuing.path, readOnly: true)
        guard try db.tableExists(table),
              let tag = try db.query(sql: "SELECT run_id, detail FROM dataset_state WHERE population = ?", bindings: [key]).first,
              tag[0].int64 == continuing.previousRun else { return nil }
        return (db, tag[1].string)
    }

    /// Records that run `runID` kept population `key`, with its small values.
    static func tag(_ key: String, runID: Int64, detail: String? = nil, db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO dataset_state (population, run_id, detail) VALUES (?, ?, ?)", bindings: [key, runID, detail])
    }
}
