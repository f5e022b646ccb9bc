import Foundation

/// Evidence that quotes a fence by reference (Docs/INCREMENTAL.md, "stable evidence"): a rule
/// writes placeholders such as `{upper}` in an evidence item's threshold and note, and names the
/// fence with an item whose field is `stratum` (a stratum, or the kind of organisation the fence
/// was computed over). The numbers are in the run's `run_fences`, and readers fill them in
/// (`ScreenStore.FenceLookup`). So a batch that moves a fence by a hair leaves unchanged every
/// finding that it does not flip, and a scan keeps those rows instead of rewriting them.
///
/// Placeholders, each optionally with `.2` (two decimals instead of four) and `@name` (the fence
/// named `name` of the same rule instead of the finding's):
/// - `{lower}`, `{upper}`, `{q1}`, `{q3}`: the fence's values;
/// - `{n}`: its sample size; `{k}`: its IQR multiplier (one decimal);
/// - `{low_cmp}`, `{high_cmp}`: `≤`, `≥`, or `<`, `>` when IQR = 0 (the comparison is then strict);
/// - `{lower_above_zero}`: `≤ lower`, or "lower fence uninformative" when the lower fence is at or
///   below zero (statistics whose floor is 0 cannot fall below it).
public enum FenceText {
    /// The evidence field that names the fence a finding's placeholders refer to.
    public static let keyField = "stratum"

    /// Whether `text` holds a placeholder (every evidence item is checked when read).
    static func hasPlaceholder(_ text: String?) -> Bool { text?.contains("{") ?? false }

    /// Whether any item of `evidence` holds a placeholder in its threshold or note.
    static func hasPlaceholders(_ evidence: [Evidence]) -> Bool {
        evidence.contains { hasPlaceholder($0.threshold) || hasPlaceholder($0.note) }
    }

    /// The placeholder names (built once: a report fills in millions).
    private static let names: Set<Substring> = ["lower", "upper", "q1", "q3", "n", "k", "low_cmp", "high_cmp", "lower_above_zero"]

    /// `text` with each placeholder filled in from `fence(name)` (`name` nil: the finding's own
    /// fence). A placeholder whose fence is unknown becomes "?"; text that is not a placeholder
    /// is left as it is.
    static func fill(_ text: String, fence: (_ name: String?) -> TukeyFence?) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let token = rest[rest.index(after: open)..<close]
            if let value = render(token, fence: fence) { out += value } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    private static func render(_ token: Substring, fence: (String?) -> TukeyFence?) -> String? {
        var body = token
        var name: String?
        if let at = body.firstIndex(of: "@") {
            name = String(body[body.index(after: at)...])
            body = body[..<at]
        }
        var decimals = 4
        if body.hasSuffix(".2") {
            decimals = 2
            body = body.dropLast(2)
        }
        guard names.contains(body) else { return nil }
        guard let f = fence(name) else { return "?" }
        let number = { (x: Double) in String(format: "%.\(decimals)f", x) }
        switch body {
        case "lower": return number(f.lower)
        case "upper": return number(f.upper)
        case "q1": return number(f.q1)
        case "q3": return number(f.q3)
        case "n": return String(f.n)
        case "k": return String(format: "%.1f", f.k)
        case "low_cmp": return f.iqr == 0 ? "<" : "≤"
        case "high_cmp": return f.iqr == 0 ? ">" : "≥"
        default: return f.lower > 0 ? "≤ " + number(f.lower) : "lower fence uninformative"
        }
    }

    /// The evidence with its placeholders filled in from `fences` (stratum → fence, the finding's
    /// rule's fences in the run read); unchanged when it has none.
    public static func resolve(_ evidence: [Evidence], fences: [String: TukeyFence]) -> [Evidence] {
        guard hasPlaceholders(evidence) else { return evidence }
        let own = evidence.first { $0.field == keyField }?.observed
        let lookup = { (name: String?) in (name ?? own).flatMap { fences[$0] } }
        return evidence.map { e in
            var e = e
            if hasPlaceholder(e.threshold) { e.threshold = fill(e.threshold!, fence: lookup) }
            if hasPlaceholder(e.note) { e.note = fill(e.note!, fence: lookup) }
            return e
        }
    }
}

extension ScreenStore {
    /// The fences of one run, read once and by rule when a finding first needs them: fills in
    /// the placeholders of the findings' evidence (`FenceText`).
    public final class FenceLookup {
        private let db: Database
        private let runID: Int64
        private var byRule: [String: [String: TukeyFence]] = [:]

        init(db: Database, runID: Int64) {
            self.db = db
            self.runID = runID
        }

        /// `evidence` of a finding of rule `ruleID`, its fence placeholders filled in.
        public func resolve(_ evidence: [Evidence], ruleID: String) throws -> [Evidence] {
            // Most findings quote no fence: no read of run_fences for them.
            guard FenceText.hasPlaceholders(evidence) else { return evidence }
            if byRule[ruleID] == nil {
                byRule[ruleID] = try ScreenStore.fences(db: db, runID: runID, ruleID: ruleID)[ruleID] ?? [:]
            }
            return FenceText.resolve(evidence, fences: byRule[ruleID]!)
        }
    }

    public func fenceLookup(runID: Int64) -> FenceLookup { FenceLookup(db: db, runID: runID) }

    /// A run's fences by rule, then by stratum (a rule has one fence per stratum: the key of
    /// `run_fences`); one rule's when `ruleID` is set.
    static func fences(db: Database, runID: Int64, ruleID: String? = nil) throws -> [String: [String: TukeyFence]] {
        var fences: [String: [String: TukeyFence]] = [:]
        try db.forEachRow(sql: "SELECT rule_id, stratum, n, q1, q3, k FROM run_fences WHERE run_id = ?1 AND (?2 IS NULL OR rule_id = ?2)",
                          bindings: [runID, ruleID]) { row in
            guard let rule = row[0].string, let stratum = row[1].string, let n = row[2].int64,
                  let q1 = row[3].double, let q3 = row[4].double, let k = row[5].double else { return }
            fences[rule, default: [:]][stratum] = TukeyFence(n: Int(n), q1: q1, q3: q3, k: k)
        }
        return fences
    }
}
