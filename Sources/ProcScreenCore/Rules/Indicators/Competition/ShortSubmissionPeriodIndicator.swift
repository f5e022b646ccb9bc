import Foundation

/// CR-03: a submission period shorter than the tender allows.
///
/// Mode `legal_minimum` (methods in `methods`, default e-bidding): wd = the working days after
/// announce_date up to and including bid_deadline (Monday–Friday, less `holidays`); raised if wd is
/// below the minimum of the project's value band (reference price, else budget), read from
/// `minimum_working_days` {lower bound in baht (exclusive) → days}. Projects at or below the
/// lowest bound have no minimum (not applicable).
///
/// Mode `cardinal` (Cardinal R003): whole days from announce_date to bid_deadline, truncated toward
/// zero, compared as instants when both carry a time, else as calendar days (Cardinal skips
/// date-only values; procscreen counts them, INDICATORS.md §3.5); raised if days < `threshold_days`
/// (strict), a negative period included. `cardinal_methods` lists the raw method values it applies
/// to (empty: all, a missing method included).
///
/// Rule file: `Rules/competition/CR-03-short-submission-period.yaml`.
struct ShortSubmissionPeriodIndicator: RecordIndicator {
    static let id = "CR-03"
    static let fields: Set<String> = ["projects.announce_date", "projects.bid_deadline", "projects.reference_price",
                                      "projects.procurement_method", "projects.procurement_method_details"]

    enum Mode: String { case legalMinimum = "legal_minimum", cardinal }

    let mode: Mode
    let methods: Set<ProcurementMethod>
    let holidays: Set<Int>
    /// (lower bound in satang, exclusive; minimum working days), ascending.
    let bands: [(above: Int64, days: Int)]
    let thresholdDays: Int
    let cardinalMethods: Set<String>
    /// cardinal: procurementMethodDetails value → its own threshold in days.
    let methodDetailsDays: [String: Int]

    init(rule: RuleFile, rules: RuleLookup) throws(RuleFileError) {
        guard let mode = Mode(rawValue: try rule.parameterValue("mode").description) else {
            throw RuleFileError(path: rule.path, keyPath: "parameters.mode.value", reason: "expected legal_minimum or cardinal")
        }
        self.mode = mode
        methods = try rule.methodSet("methods")
        var days = Set<Int>()
        for text in try rule.strings("holidays") {
            guard let day = DateMath.days(fromISO: text), text.utf8.count == 10 else {
                throw RuleFileError(path: rule.path, keyPath: "parameters.holidays.value", reason: "expected ISO dates (YYYY-MM-DD), got \(text)")
            }
            days.insert(day)
        }
        holidays = days
        var bands: [(Int64, Int)] = []
        if case .map(let map) = try rule.parameterValue("minimum_working_days") {
            for (bound, value) in map {
                guard let baht = Int64(bound), case .integer(let d) = value else {
                    throw RuleFileError(path: rule.path, keyPath: "parameters.minimum_working_days.value",
                                        reason: "expected lower bound in baht → working days, e.g. {500000: 5}")
                }
                bands.append((baht * 100, Int(d)))
            }
        }
        self.bands = bands.sorted { $0.0 < $1.0 }
        thresholdDays = Int(try rule.int("threshold_days"))
        cardinalMethods = Set(try rule.strings("cardinal_methods"))
        var details: [String: Int] = [:]
        if case .map(let map) = try rule.parameterValue("method_details_days") {
            for (key, value) in map {
                guard case .integer(let d) = value else {
                    throw RuleFileError(path: rule.path, keyPath: "parameters.method_details_days.value", reason: "expected method details → days")
                }
                details[key] = Int(d)
            }
        }
        methodDetailsDays = details
    }

    func evaluate(_ record: ProcurementRecord, context: ScreeningContext) -> Outcome {
        switch mode {
        case .legalMinimum: return legalMinimum(record)
        case .cardinal: return cardinal(record)
        }
    }

    private func period(_ r: ProcurementRecord) -> Result<(start: String, end: String), NotComputableFailure> {
        guard let start = r.announceDate, let end = r.bidDeadline else {
            return .failure(NotComputableFailure(reason: .missingColumn, detail: "announce_date or bid_deadline is empty"))
        }
        guard DateMath.instant(fromISO: start) != nil, DateMath.instant(fromISO: end) != nil else {
            return .failure(NotComputableFailure(reason: .unparseableValue, detail: "unreadable date: \(start) – \(end)"))
        }
        return .success((start, end))
    }

    private func legalMinimum(_ r: ProcurementRecord) -> Outcome {
        guard let method = r.method, methods.contains(method) else { return .notApplicable }
        if let stop = r.bahtThresholdsUnknown { return stop }
        guard let value = r.referencePrice ?? r.budget else {
            return .notComputable(.missingColumn, detail: "reference_price and budget are empty")
        }
        guard let band = bands.last(where: { value > $0.above }) else { return .notApplicable }
        let dates: (start: String, end: String)
        switch period(r) {
        case .failure(let f): return .notComputable(f.reason, detail: f.detail)
        case .success(let d): dates = d
        }
        let wd = workingDays(after: DateMath.days(fromISO: dates.start)!, through: DateMath.days(fromISO: dates.end)!)
        guard wd < band.days else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Bids were open for \(wd) working days (minimum \(band.days) for its value)",
                             th: "เปิดให้ยื่นข้อเสนอ \(wd) วันทำการ (ขั้นต่ำ \(band.days) วันทำการ)"),
            evidence: [Evidence(field: "working_days", observed: String(wd), threshold: "≥ \(band.days)",
                                note: "\(dates.start) → \(dates.end); value above \(formatBaht(band.above)) baht")]))
    }

    private func cardinal(_ r: ProcurementRecord) -> Outcome {
        if !cardinalMethods.isEmpty {
            guard let raw = r.procurementMethod ?? r.methodRaw, cardinalMethods.contains(raw) else { return .notApplicable }
        }
        let thresholdDays = r.procurementMethodDetails.flatMap { methodDetailsDays[$0] } ?? self.thresholdDays
        let dates: (start: String, end: String)
        switch period(r) {
        case .failure(let f): return .notComputable(f.reason, detail: f.detail)
        case .success(let d): dates = d
        }
        let a = DateMath.instant(fromISO: dates.start)!, b = DateMath.instant(fromISO: dates.end)!
        let days = a.hasTime && b.hasTime ? (b.seconds - a.seconds) / 86_400
                                          : DateMath.days(fromISO: dates.end)! - DateMath.days(fromISO: dates.start)!
        guard days < thresholdDays else { return .computedNotRaised }
        return .raised(FindingDraft(
            summary: Message(en: "Bids were open for \(days) days (threshold \(thresholdDays))",
                             th: "เปิดให้ยื่นข้อเสนอ \(days) วัน (เกณฑ์ \(thresholdDays) วัน)"),
            evidence: [Evidence(field: "days", observed: String(days), threshold: "≥ \(thresholdDays)", note: "\(dates.start) → \(dates.end)")],
            value: 1))
    }

    /// Monday–Friday days in (start, end], less the holidays; 0 when end ≤ start.
    func workingDays(after start: Int, through end: Int) -> Int {
        guard end > start else { return 0 }
        // Far beyond every band: no need to walk a mistyped year day by day.
        if end - start > 400 { return (end - start) * 5 / 7 }
        var count = 0
        for day in (start + 1)...end {
            let weekday = ((day % 7) + 11) % 7   // 0 = Sunday (1970-01-01, day 0, was a Thursday)
            if weekday != 0 && weekday != 6 && !holidays.contains(day) { count += 1 }
        }
        return count
    }
}

/// A not-computable outcome carried through a `Result`.
struct NotComputableFailure: Error {
    var reason: NotComputableReason
    var detail: String
}
