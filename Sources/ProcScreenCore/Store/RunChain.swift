import Crypto
import Foundation

/// A run's outcomes are stored as changes to the run it continues (migration 012): a row written
/// by run W is in run R's view when W is in R's chain (W ≥ R's `chain_start`, W ≤ R) and no run
/// up to R dropped it (`until_run`). A continuing run keeps each unchanged row of the run it
/// continues (same content digest), writes the rows that are new or changed, and drops the rest.

/// A stable 64-bit digest of a stored row's content (SHA-256, truncated): the same content gives
/// the same digest in every process, so a later run can tell an unchanged row without reading it.
/// Two different rows share a digest with probability 2⁻⁶⁴ per pair.
struct RowDigest {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    mutating func add(_ text: String?) {
        // 0x00 marks nil, 0x1F ends a field: ("a", "bc") and ("ab", "c") differ.
        if let text { bytes.append(contentsOf: text.utf8) } else { bytes.append(0) }
        bytes.append(0x1F)
    }

    mutating func add(_ value: Double?) { add(value.map { String($0.bitPattern) }) }

    mutating func add(_ value: Int64?) { add(value.map { String($0) }) }

    /// The digest of what was added, and a fresh start.
    mutating func finish() -> Int64 {
        let hash = SHA256.hash(data: bytes)
        bytes.removeAll(keepingCapacity: true)
        return hash.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
    }
}

/// The rows of the continued run that the new run evaluates again (every rule's, except the
/// carried record rules'), by digest: each written row that matches one is not written again;
/// the rows left unmatched are dropped by the new run.
final class KeptRows {
    /// (digest, row id), sorted by digest.
    private var rows: [(digest: Int64, id: Int64)]
    private var matched: [Bool]

    init(_ rows: [(digest: Int64, id: Int64)]) {
        self.rows = rows.sorted { $0.digest < $1.digest }
        matched = Array(repeating: false, count: rows.count)
    }

    /// Whether an unmatched row has `digest`; it is then matched (kept).
    func match(_ digest: Int64) -> Bool {
        var low = 0, high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if rows[mid].digest < digest { low = mid + 1 } else { high = mid }
        }
        while low < rows.count && rows[low].digest == digest {
            if !matched[low] {
                matched[low] = true
                return true
            }
            low += 1
        }
        return false
    }

    /// The row ids never matched, ascending: the new run drops them, in table order (in digest
    /// order the updates hit pages at random: 7.6 s for 446,000 rows of a 2 M-project store).
    var unmatched: [Int64] { rows.indices.filter { !matched[$0] }.map { rows[$0].id }.sorted() }
}

extension ScreenStore {
    /// The first run of `run`'s chain.
    func chainStart(of run: Int64) throws -> Int64? {
        try db.scalar(sql: "SELECT chain_start FROM runs WHERE run_id = ?", bindings: [run]).int64
    }

    /// Run `run`'s rows of `table` (findings or not_computable) whose rule is not among `except`,
    /// by digest. Rows written before digests were kept have none and are never matched.
    func keptRows(_ table: ChainedTable, run: Int64, except: [String]) throws -> KeptRows {
        let excluded = except.isEmpty ? "" : " AND rule_id NOT IN (" + except.map(Self.sqlQuoted).joined(separator: ",") + ")"
        var rows: [(digest: Int64, id: Int64)] = []
        try db.forEachRow(sql: "SELECT digest, \(table.idColumn) FROM \(table.view) WHERE run_id = ?\(excluded)", bindings: [run]) { row in
            // Without a digest the row is never matched: it is dropped and written again.
            rows.append((row[0].int64 ?? Int64.min, row[1].int64 ?? 0))
        }
        return KeptRows(rows)
    }

    /// Marks rows of `table` as dropped by run `run` (no longer current from it on).
    func drop(_ table: ChainedTable, rowIDs: [Int64], inRun run: Int64) throws {
        guard !rowIDs.isEmpty else { return }
        let update = try db.prepare(sql: "UPDATE \(table.rawValue) SET until_run = ?1 WHERE rowid = ?2")
        for id in rowIDs {
            update.bind(int: run, at: 1)
            update.bind(int: id, at: 2)
            try update.run()
        }
    }

    enum ChainedTable: String {
        case findings, notComputable = "not_computable"

        /// The view of a run's rows, and the column that names a row of the table.
        var view: String { "run_" + rawValue }
        var idColumn: String { self == .findings ? "finding_id" : "row_id" }
    }

    static func sqlQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}
