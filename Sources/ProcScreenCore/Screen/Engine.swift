import CSQLite
import Crypto
import Foundation

/// What to screen.
public struct ScreenOptions: Sendable {
    /// Rule ids to run (nil: all).
    public var only: Set<String>?
    /// Only projects of this fiscal year (B.E.).
    public var fiscalYear: Int?
    /// Only these projects (the batch scan passes the new and changed ones).
    public var projectIDs: [String]?
    /// The run date (ISO); today by default.
    public var runDate: String?
    public var kind = "screen"
    /// Incremental screening (the batch scan): record rules run only on `touched` projects, and
    /// their outcomes on every other project are carried over from `previousRun` (an unchanged
    /// record gives an unchanged outcome); cross-project rules run on the whole store, so the
    /// run equals a full one. Every project not touched must have been screened by `previousRun`
    /// (the store only grew since): its not-raised and not-applicable counts are carried too.
    public var carryOver: CarryOver?
    /// The highest source id whose rows this run sees (where the next scan resumes).
    public var sourcesThrough: Int64?
    /// Whether the cross-project rules keep what they observed in the store, for the next scan to
    /// continue (a scan does; a full screen only when asked, since the populations of a national
    /// store are millions of rows). Not with a scope.
    public var keepsState = false
    /// The snapshot run this run continues (a scan continues the last one): its outcomes are
    /// stored as changes to that run's, so an unchanged finding is not written again. A carry-over
    /// continues its previous run. Not with a scope (a fiscal year, projects).
    public var continues: Int64?

    public struct CarryOver: Sendable {
        public var previousRun: Int64
        public var touched: Set<String>

        public init(previousRun: Int64, touched: Set<String>) {
            self.previousRun = previousRun
            self.touched = touched
        }
    }

    public init(only: Set<String>? = nil, fiscalYear: Int? = nil, projectIDs: [String]? = nil) {
        self.only = only
        self.fiscalYear = fiscalYear
        self.projectIDs = projectIDs
    }
}

/// The result of a run, as printed by `procscreen screen` and stored in `runs.summary`.
public struct RunSummary: Sendable, Codable {
    public struct RuleLine: Sendable, Codable {
        public var id: String
        public var version: Int
        public var title: String
        public var titleTH: String
        public var severity: Severity
        public var stats: RuleStats

        enum CodingKeys: String, CodingKey {
            case id, version, title, titleTH = "title_th", severity, stats
        }
    }

    public struct TopProject: Sendable, Codable {
        public var priority: Int
        public var projectID: String
        public var projectName: String?
        public var ministry: String?
        public var agency: String?
        public var budget: Int64?
        public var score: Double
        public var rules: [String]

        enum CodingKeys: String, CodingKey {
            case priority, projectID = "project_id", projectName = "project_name", ministry, agency, budget, score, rules
        }
    }

    public var runID: Int64
    public var seconds: Double
    public var projects: Int
    /// The projects in the store when the run began (a scan tells from it whether the store only
    /// grew since, so that this run's counts can be carried over); nil in runs before it was kept.
    public var storeProjects: Int?
    public var findings: Int
    public var flaggedProjects: Int
    public var maxSeverity: Severity?
    public var rules: [RuleLine]
    public var findingsByMinistry: [String: Int]
    public var topProjects: [TopProject]
    /// The cross-project rules that continued the previous run's kept population (a scan): they
    /// observed only the new projects. Nil in runs before it was kept.
    public var continuedRules: [String]?

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", seconds, projects, storeProjects = "store_projects", findings, flaggedProjects = "flagged_projects", maxSeverity = "max_severity"
        case rules, findingsByMinistry = "findings_by_ministry", topProjects = "top_projects", continuedRules = "continued_rules"
    }
}

/// Runs the rules over the store: record indicators and pattern rules in one streaming pass over
/// projects, then SQL rules; writes the run, findings, not-computable outcomes and scores in one
/// transaction (a failed run leaves no partial findings).
///
/// For example:
/// ```swift
/// let summary = try Engine(store: store, catalog: catalog).screen(ScreenOptions(fiscalYear: 2567))
/// ```
public final class Engine {
    let store: Store
    let catalog: RuleCatalog

    public init(store: Store, catalog: RuleCatalog) {
        self.store = store
        self.catalog = catalog
    }

    /// Evaluates one record with one rule, in memory (fixtures and `show` use it).
    public func evaluate(_ record: ProcurementRecord, ruleID: String, context: ScreeningContext) throws -> Outcome {
        guard let evaluator = try catalog.evaluators(only: [ruleID]).first else { return .notApplicable }
        switch evaluator {
        case .record(_, let indicator): return indicator.evaluate(record, context: context)
        case .pattern(_, let rule): return rule.evaluate(record)
        case .sql, .dataset, .findings:
            throw RuleFileError(path: evaluator.rule.path, keyPath: "kind", reason: "SQL, dataset and findings rules need a store")
        }
    }

    public func screen(_ options: ScreenOptions = ScreenOptions()) throws -> RunSummary {
        let started = Date()
        let evaluators = try catalog.evaluators(only: options.only)
        let screenStore = ScreenStore(store: store)
        let context = ScreeningContext(
            loadedRegisters: try screenStore.loadedRegisters(), runDate: options.runDate ?? Self.today())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]

        // The run's findings are written in one transaction that mostly appends: a small page
        // cache does as well, where the ingest's 64 MB stayed resident through the pass.
        let cacheSize = try store.db.scalar(sql: "PRAGMA cache_size").int64 ?? -65536
        try store.db.execute(sql: "PRAGMA cache_size=-16384")
        defer { try? store.db.execute(sql: "PRAGMA cache_size=\(cacheSize)") }
        let isScoped = options.fiscalYear != nil || options.projectIDs != nil
        // A scoped run's rows are current in that run alone: no run continues it.
        let untilRun = { (runID: Int64) in isScoped ? runID + 1 : nil }
        let continued = options.continues ?? options.carryOver?.previousRun
        if let carry = options.carryOver, continued != carry.previousRun {
            throw StoreError(code: 0, message: "a carry-over from run \(carry.previousRun) must continue that run, not run \(continued ?? 0)")
        }
        if isScoped && continued != nil {
            throw StoreError(code: 0, message: "a run scoped to a fiscal year or projects cannot continue another run")
        }
        // Record rules whose outcomes on untouched projects are carried over: all but those that
        // read the run date, whose outcome can change with the calendar.
        let carriedRuleIDs: Set<String> = options.carryOver == nil ? [] : Set(evaluators.compactMap { e in
            switch e {
            case .record(let rule, let indicator): type(of: indicator).readsRunDate ? nil : rule.id
            case .pattern(let rule, _): rule.id
            case .sql, .dataset, .findings: nil
            }
        })
        return try store.db.transaction {
            let runID = try screenStore.beginRun(
                kind: options.kind, rulesDirectory: catalog.directory.path, parameters: try Self.parametersJSON(evaluators, directory: catalog.directory),
                continuing: continued)
            // A run that saw the whole store is a snapshot a scan can resume from: it records the
            // newest source it saw. Scoped runs (a fiscal year, a subset) record none.
            if !isScoped {
                let through = try options.sourcesThrough ?? store.db.scalar(sql: "SELECT coalesce(max(source_id), 0) FROM sources").int64 ?? 0
                try store.db.execute(sql: "UPDATE runs SET sources_through = ? WHERE run_id = ?", bindings: [through, runID])
            }
            let storeProjects = Int(try store.db.scalar(sql: "SELECT count(*) FROM projects").int64 ?? 0)
            // Dataset indicators observe the whole population: in the same pass as the record
            // rules when the run covers every project, else in a separate pass of their own. In a
            // scan continuing a run, the populations that run kept are read back and only the new
            // projects observed (each run says whether it continues).
            let continuation = try options.carryOver.map { carry in
                DatasetContinuation(previousRun: carry.previousRun, touched: carry.touched, path: store.db.path,
                                    fences: try ScreenStore.fences(db: store.db, runID: carry.previousRun))
            }
            let shared = RunSharedState(screenedFiscalYear: options.fiscalYear, projectText: ProjectTextLookup(path: store.db.path),
                                        continuation: continuation, keepsState: options.keepsState && !isScoped)
            let filter = catalog.processFilter
            // Cardinal does no currency conversion; other rule sets convert where fx.yaml has a rate.
            let rates = filter.convertsCurrencies ? try CurrencyRates.load(rulesDirectory: catalog.directory) : CurrencyRates()
            let mainCurrency = filter.mainCurrencyRules.isEmpty ? nil : try filter.currency ?? screenStore.mostFrequentBidCurrency()
            // PROCSCREEN_TIMING=1: where the time of a run goes, per rule (stderr). Off: no clock reads.
            let timing = ProcessInfo.processInfo.environment["PROCSCREEN_TIMING"] != nil ? RunTiming() : nil
            // Each run with the keys of the shared objects it asked for when it was made: the runs
            // sharing one finish on one thread at a time. (Making a continuing run reads its kept
            // population back.)
            var datasetRuns = evaluators.compactMap { e -> (RuleFile, any DatasetRun, Set<String>)? in
                guard case .dataset(let rule, let indicator) = e else { return nil }
                let make = { shared.keysUsed { indicator.makeRun(shared: shared) } }
                let (run, keys) = timing?.measure("make " + rule.id, make) ?? make()
                guard filter.priceComparisonRules.contains(rule.id) || filter.mainCurrencyRules.contains(rule.id) else { return (rule, run, keys) }
                return (rule, FilteredRun(run, filter: filter, ruleID: rule.id, mainCurrency: mainCurrency), keys)
            }
            // The rows of those that decide only what changed stay as they are on the earlier
            // projects, like the carried rules' rows; the rows of the projects whose outcome changed
            // are dropped when the rule is written.
            let continuingRuleIDs = Set(datasetRuns.filter { $0.1.continues }.map(\.0.id))
            let changesOnlyRuleIDs = Set(datasetRuns.filter { $0.1.decidesChangesOnly }.map(\.0.id))
            // A continuing run keeps the continued run's rows it writes again unchanged; the carried
            // rules' rows stay as they are (untouched projects are not evaluated again).
            let writer = try ScreenStore.FindingWriter(
                db: store.db,
                keptFindings: try continued.map { try screenStore.keptRows(.findings, run: $0, except: carriedRuleIDs.union(changesOnlyRuleIDs).sorted()) },
                keptNotComputable: try continued.map { try screenStore.keptRows(.notComputable, run: $0, except: carriedRuleIDs.union(changesOnlyRuleIDs).sorted()) },
                untilRun: untilRun(runID))
            var stats: [String: RuleStats] = [:]
            var scores: [String: ProjectScore] = [:]
            var byMinistry: [String: Int] = [:]
            var findingCount = 0
            var maxSeverity: Severity?
            var runFindings: [RunFinding] = []

            /// Counts a raised finding, written already, in the run's stats, scores and findings.
            func count(projectID: String?, ministry: String?, firms: [String], rule: RuleFile) {
                stats[rule.id, default: RuleStats()].raised += 1
                runFindings.append(RunFinding(projectID: projectID ?? "", ruleID: rule.id, category: rule.category,
                                              severity: rule.severity, firms: firms))
                findingCount += 1
                byMinistry[ministry ?? "—", default: 0] += 1
                maxSeverity = max(maxSeverity ?? rule.severity, rule.severity)
                var score = scores[projectID ?? "", default: ProjectScore()]
                score.add(weight: rule.weight)
                score.maxSeverity = max(score.maxSeverity, rule.severity)
                scores[projectID ?? ""] = score
            }

            /// Writes a raised finding and counts it.
            func keep(_ finding: Finding, rule: RuleFile, evidenceJSON: String) throws {
                try writer.write(finding, evidenceJSON: evidenceJSON)
                count(projectID: finding.projectID, ministry: finding.ministry, firms: finding.firms, rule: rule)
            }

            func record(_ outcome: Outcome, rule: RuleFile, projectID: String, agencyID: String?, ministry: String?) throws {
                switch outcome {
                case .raised(let draft):
                    let finding = Finding(
                        runID: runID, ruleID: rule.id, ruleVersion: rule.version, category: rule.category.rawValue,
                        severity: rule.severity, weight: rule.weight, subjectType: draft.subjectType.rawValue,
                        subjectID: draft.subjectID ?? projectID, projectID: projectID, agencyID: agencyID, ministry: ministry,
                        routeTo: rule.routeTo, evidence: draft.evidence, summary: draft.summary.en, summaryTH: draft.summary.th,
                        value: draft.value, firms: draft.involvedFirms)
                    try keep(finding, rule: rule, evidenceJSON: String(decoding: try encoder.encode(draft.evidence), as: UTF8.self))
                case .computedNotRaised:
                    stats[rule.id, default: RuleStats()].notRaised += 1
                case .notApplicable:
                    stats[rule.id, default: RuleStats()].notApplicable += 1
                case .notComputable(let reason, let detail):
                    stats[rule.id, default: RuleStats()].notComputable += 1
                    stats[rule.id, default: RuleStats()].notComputableByReason[reason.rawValue, default: 0] += 1
                    try writer.writeNotComputable(runID: runID, ruleID: rule.id, projectID: projectID, reason: reason, detail: detail)
                }
            }

            // One pass over the projects for record and pattern rules. Records are read on a
            // second thread and connection while this one evaluates and writes findings.
            let scoped = try screenStore.prepareScope(projectIDs: options.projectIDs, fiscalYear: options.fiscalYear)
            let perRecord = evaluators.filter(\.isPerRecord)
            let sqlRules = evaluators.compactMap { e -> (RuleFile, String)? in
                if case .sql(let rule, let sql) = e { return (rule, sql) } else { return nil }
            }
            // SQL rules (and a scoped run's dataset pass) use their own read-only connection and
            // thread, alongside the record pass.
            let scopeIDs: Set<String>? = scoped
                ? Set(try store.db.query(sql: "SELECT project_id FROM temp.scope").compactMap { $0[0].string }) : nil
            let storeWide = Self.runStoreWideRules(sqlRules, datasetRuns: scoped ? datasetRuns.map { ($0.0, $0.1) } : [], path: store.db.path,
                                                   scope: scopeIDs, filter: filter, rates: rates)
            let findingsRuns = evaluators.compactMap { e -> (RuleFile, any FindingsRun)? in
                if case .findings(let rule, let indicator) = e { return (rule, indicator.makeRun()) } else { return nil }
            }
            // Dataset indicators observe on a second thread, fed the same batches, while this one
            // evaluates the record rules and writes (CPU use was 114 % of two cores with one).
            // A second observing thread was tried: the pass, CPU-bound already, took 46.7 -> 56.3 s
            // at 1 M projects. So was this thread observing the groups of runs the observer had not
            // claimed yet, batch by batch: a 1 M scan's screening took 77.8 and 87.6 s without it,
            // 100.1 and 99.6 s with it (the batches' hand-over made each thread wait on the other's
            // slowest group), the full screen 121.8 against 121.6 s.
            let datasetRules = scoped ? [] : datasetRuns.map(\.0)
            let observed = DatasetRunSlots(scoped ? [] : datasetRuns.map(\.1), ids: datasetRules.map(\.id),
                                           sharedKeys: scoped ? [] : datasetRuns.map(\.2), touched: continuation?.touched)
            let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
            // From here on the slots (or the scoped pass) hold the runs, and the shared state no
            // longer holds the populations: each is freed once its last rule is written.
            datasetRuns = []
            shared.releaseValues()
            let findingsObservers: [any RecordObserver] = findingsRuns.map { $0.1 }
            // Whether the pass over the records has anything to do.
            let needsPass = !perRecord.isEmpty || !observed.isEmpty || !findingsObservers.isEmpty
            var projectCount = 0
            if !needsPass {
                projectCount = Int(try store.db.scalar(sql: scoped ? "SELECT count(*) FROM temp.scope" : "SELECT count(*) FROM projects").int64 ?? 0)
            }
            var fields = perRecord.reduce(into: Set<String>()) { $0.formUnion($1.fields) }
            for e in evaluators {
                switch e {
                case .dataset where !scoped, .findings: fields.formUnion(e.fields)
                default: break
                }
            }
            if !filter.isEmpty { fields.formUnion(["projects.status", "projects.procurement_method_details", "bids.currency"]) }
            let records = Self.readRecords(path: store.db.path, projectIDs: options.projectIDs, fiscalYear: options.fiscalYear,
                                           fields: fields, filter: filter, rates: rates)
            // The hot loop: one closure per rule, plain counters for the common outcomes (copying
            // a rule file or hashing its id per project cost more than most indicators).
            let perRecordRules = perRecord.map(\.rule)
            let jobs: [(ProcurementRecord) -> Outcome] = perRecord.compactMap { e in
                let job: (ProcurementRecord) -> Outcome
                switch e {
                case .record(_, let indicator): job = { indicator.evaluate($0, context: context) }
                case .pattern(_, let rule): job = rule.evaluate
                case .sql, .dataset, .findings: return nil
                }
                let id = e.rule.id
                guard filter.priceComparisonRules.contains(id) || filter.mainCurrencyRules.contains(id) else { return job }
                return { r in filter.view(r, ruleID: id, mainCurrency: mainCurrency).map(job) ?? .notApplicable }
            }
            // Incremental: which record rules carry their outcomes over for untouched projects.
            let carried: [Bool] = perRecord.map { carriedRuleIDs.contains($0.rule.id) }
            let touched = options.carryOver?.touched
            /// Projects of the pass whose carried rules were not evaluated.
            var untouchedCount = 0
            var notRaisedCounts = [Int](repeating: 0, count: jobs.count)
            var notApplicableCounts = [Int](repeating: 0, count: jobs.count)
            let observerTiming = UncheckedSendable(timing.map { _ in RunTiming() })
            let findingsRuleIDs = findingsRuns.map(\.0.id)
            let observerThread = observed.isEmpty ? nil : ConsumerThread<[ProcurementRecord]>(capacity: 4) { batch in
                for var r in batch {
                    // The memo is filled lazily by the thread reading it: this thread gets its own.
                    r.memo = r.memo?.forAnotherThread()
                    observed.observe(r, timing: observerTiming.value)
                }
            }
            do {
                while needsPass, let batch = try timing?.measure("wait for records", { try records.pop() }) ?? records.pop() {
                    if let observerThread { timing?.measure("wait for observers") { observerThread.submit(batch) } ?? observerThread.submit(batch) }
                    for r in batch {
                        projectCount += 1
                        if let timing {
                            for (k, run) in findingsObservers.enumerated() { timing.measure("observe " + findingsRuleIDs[k]) { run.observe(r, inScope: true) } }
                        } else {
                            for run in findingsObservers { run.observe(r, inScope: true) }
                        }
                        let untouched = touched.map { !$0.contains(r.projectID) } ?? false
                        if untouched { untouchedCount += 1 }
                        for i in jobs.indices {
                            if untouched && carried[i] { continue }
                            let outcome = timing.map { t in t.measure("evaluate " + perRecordRules[i].id) { jobs[i](r) } } ?? jobs[i](r)
                            switch outcome {
                            case .computedNotRaised: notRaisedCounts[i] += 1
                            case .notApplicable: notApplicableCounts[i] += 1
                            case .raised, .notComputable:
                                try record(outcome, rule: perRecordRules[i], projectID: r.projectID, agencyID: r.agencyID, ministry: r.ministry)
                            }
                        }
                    }
                }
                if let observerThread { try timing?.measure("wait for observers") { observerThread.finish() } ?? observerThread.finish() }
            } catch {
                records.cancel()
                storeWide.cancel()
                observerThread?.cancel()
                throw error
            }
            if !needsPass { records.cancel() }
            if let timing, let other = observerTiming.value { timing.merge(other) }
            timing?.markMemory("after the pass (populations observed, record rules' findings written)")
            /// The continued run's counts per rule, with the not-computable reasons, from its
            /// summary (`run_rule_stats` has no reasons), read once.
            var previousRuleOutcomes: [String: RuleStats]?
            func previousOutcomes(_ run: Int64) throws -> [String: RuleStats] {
                if let known = previousRuleOutcomes { return known }
                guard let text = try store.db.scalar(sql: "SELECT summary FROM runs WHERE run_id = ?", bindings: [run]).string else {
                    throw StoreError(code: 0, message: "run \(run) has no summary: its counts cannot be carried over")
                }
                let summary = try JSONDecoder().decode(RunSummary.self, from: Data(text.utf8))
                let read = Dictionary(summary.rules.map { ($0.id, $0.stats) }, uniquingKeysWith: { a, _ in a })
                previousRuleOutcomes = read
                return read
            }

            if let carry = options.carryOver {
                // Not raised and not applicable are counts, not rows: the untouched projects are
                // exactly the previous run's (the caller checked that the store only grew), so
                // its counts are theirs. The pass confirms it for every carried rule: projects are
                // never deleted, so equal counts mean no touched project was in that run, and
                // every row of the run for a carried rule is an untouched project's.
                let previous = try previousOutcomes(carry.previousRun)
                for (i, rule) in perRecordRules.enumerated() where carried[i] {
                    guard let counts = previous[rule.id],
                          counts.raised + counts.notRaised + counts.notApplicable + counts.notComputable == untouchedCount else {
                        throw StoreError(code: 0, message: "run \(carry.previousRun) did not screen exactly the \(untouchedCount) untouched projects "
                                         + "with \(rule.id): its outcomes cannot be carried over (changed projects must be touched)")
                    }
                    notRaisedCounts[i] += counts.notRaised
                    notApplicableCounts[i] += counts.notApplicable
                }
                let ids = perRecordRules.enumerated().filter { carried[$0.offset] }.map(\.element)
                func carryOutcomes() throws {
                    try carryOver(from: carry.previousRun, rules: ids, count: count) { rule, projects in
                        stats[rule, default: RuleStats()].notComputable += projects
                    }
                }
                if let timing { try timing.measure("carry over the record rules' outcomes", carryOutcomes) } else { try carryOutcomes() }
            }
            for (i, rule) in perRecordRules.enumerated() {
                stats[rule.id, default: RuleStats()].notRaised += notRaisedCounts[i]
                stats[rule.id, default: RuleStats()].notApplicable += notApplicableCounts[i]
            }

            // Store-wide rules: SQL rules return only raised projects (the rest are computed, not
            // raised); dataset indicators return an outcome for every project in scope.
            func recordStoreWide(_ item: StoreWideResult) throws {
                for fence in item.result.fences { try writer.writeFence(runID: runID, ruleID: item.rule.id, fence) }
                if let keep = item.result.keepState { try keep(store.db, runID) }
                // A continuing rule: the previous run's rows stand for every earlier project whose
                // outcome did not change; those of the changed ones are dropped for their new rows.
                // Its counts are the previous run's, less the changed projects' previous outcomes,
                // plus the new outcomes (raised ones are counted from the rows).
                var carriedNotRaised = 0
                if let changes = item.result.continued, let carry = options.carryOver {
                    try carryContinued(rule: item.rule, from: carry.previousRun, into: runID, changes: changes, count: count)
                    let before = try previousOutcomes(carry.previousRun)[item.rule.id] ?? RuleStats()
                    carriedNotRaised = before.notRaised - changes.previous.notRaised
                    stats[item.rule.id, default: RuleStats()].notComputable += before.notComputable - changes.previous.notComputable
                    for (reason, n) in before.notComputableByReason {
                        let carried = n - (changes.previous.notComputableByReason[reason] ?? 0)
                        if carried != 0 { stats[item.rule.id, default: RuleStats()].notComputableByReason[reason, default: 0] += carried }
                    }
                }
                for o in item.result.outcomes {
                    try record(o.outcome, rule: item.rule, projectID: o.projectID, agencyID: o.agencyID, ministry: o.ministry)
                }
                var ruleStats = stats[item.rule.id, default: RuleStats()]
                if let (reason, detail) = item.result.everywhereNotComputable {
                    try writer.writeNotComputable(runID: runID, ruleID: item.rule.id, projectID: "*", reason: reason, detail: detail)
                    ruleStats.notComputable = projectCount
                    ruleStats.notComputableByReason[reason.rawValue] = projectCount
                    stats[item.rule.id] = ruleStats
                    return
                }
                for s in item.result.subjectNotComputable {
                    try writer.writeNotComputable(runID: runID, ruleID: item.rule.id, projectID: s.subject, reason: s.reason, detail: s.detail)
                    ruleStats.notComputable += s.projects
                    ruleStats.notComputableByReason[s.reason.rawValue, default: 0] += s.projects
                }
                stats[item.rule.id] = ruleStats
                let notRaised = item.result.notRaised + carriedNotRaised
                let rest = max(0, projectCount - ruleStats.raised - ruleStats.notComputable - notRaised)
                ruleStats.notRaised = notRaised + (item.restIsNotRaised ? rest : 0)
                ruleStats.notApplicable = item.restIsNotRaised ? 0 : rest
                stats[item.rule.id] = ruleStats
            }
            func write(_ item: StoreWideResult) throws {
                if let timing { try timing.measure("write " + item.rule.id) { try recordStoreWide(item) } } else { try recordStoreWide(item) }
            }
            // Each dataset rule's outcomes are written as soon as it finishes: holding every rule's
            // findings until the last one finished grew the finishing phase from 1.85 to 2.11 GB at
            // 1 M projects (peak RSS of the run 2.19 -> 2.02 GB).
            // Finished on one thread per core while this one writes, in the same order as on one.
            try observed.finishAll(workers: cores, timing: timing) { i, result in
                try write(StoreWideResult(rule: datasetRules[i], result: result, restIsNotRaised: false))
            }
            while let item = try storeWide.pop() { try write(item) }
            timing?.markMemory("after writing the dataset rules' findings")
            // Findings rules last: they read what every other rule of the run raised.
            let ranRules = Dictionary(uniqueKeysWithValues: evaluators.map { ($0.rule.id, $0.rule.category) })
            for (rule, run) in findingsRuns {
                try recordStoreWide(StoreWideResult(
                    rule: rule, result: run.finish(findings: runFindings, ranRules: ranRules), restIsNotRaised: false))
            }

            for evaluator in evaluators {
                let rule = evaluator.rule
                try writer.writeStats(runID: runID, rule: rule, stats: stats[rule.id] ?? RuleStats(),
                                      parametersJSON: String(decoding: try encoder.encode(rule.parameterSummary), as: UTF8.self))
            }
            // The continued run's rows that no write matched are not current any more.
            func dropUnmatched() throws {
                try screenStore.drop(.findings, rowIDs: writer.keptFindings?.unmatched ?? [], inRun: runID)
                try screenStore.drop(.notComputable, rowIDs: writer.keptNotComputable?.unmatched ?? [], inRun: runID)
            }
            try timing?.measure("drop the continued run's changed rows", dropUnmatched) ?? dropUnmatched()
            func writeScores() throws {
                try screenStore.writeScores(runID: runID, scores: scores, continued: continued, untilRun: untilRun(runID))
            }
            try timing?.measure("write scores", writeScores) ?? writeScores()
            timing?.markMemory("after writing the scores")
            timing?.report(total: Date().timeIntervalSince(started))

            var summary = RunSummary(
                runID: runID, seconds: 0, projects: projectCount, storeProjects: storeProjects, findings: findingCount, flaggedProjects: scores.count,
                maxSeverity: maxSeverity,
                rules: evaluators.map { e in
                    RunSummary.RuleLine(id: e.rule.id, version: e.rule.version, title: e.rule.title.en, titleTH: e.rule.title.th,
                                        severity: e.rule.severity, stats: stats[e.rule.id] ?? RuleStats())
                },
                findingsByMinistry: byMinistry, topProjects: try topProjects(runID: runID, limit: 10),
                continuedRules: continuingRuleIDs.sorted())
            summary.seconds = Date().timeIntervalSince(started)
            try screenStore.finishRun(runID, summary: String(decoding: try encoder.encode(summary), as: UTF8.self))
            return summary
        }
    }

    /// The rules of a run with their versions and effective parameters, as `runs.parameters`
    /// records them (a scan carries findings over only from a run with the same text).
    /// The mapping tables (currency rates, value codes, header aliases) change what rules see
    /// without changing a rule file: their digest is recorded under "_mappings".
    static func parametersJSON(_ evaluators: [RuleEvaluator], directory: URL) throws -> String {
        var parameters = Dictionary(uniqueKeysWithValues: evaluators.map {
            ($0.rule.id, ["version": String($0.rule.version)].merging($0.rule.parameterSummary) { a, _ in a })
        })
        var digest = SHA256()
        for name in ["fx.yaml", "values.yaml", "headers.yaml"] {
            digest.update(data: Data(name.utf8))
            if let data = FileManager.default.contents(atPath: directory.appendingPathComponent("mappings/" + name).path) { digest.update(data: data) }
        }
        parameters["_mappings"] = ["sha256": digest.finalize().map { String(format: "%02x", $0) }.joined()]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(parameters), as: UTF8.self)
    }

    /// `parametersJSON` of every rule of `catalog`.
    public static func parametersJSON(catalog: RuleCatalog) throws -> String {
        try parametersJSON(try catalog.evaluators(only: nil), directory: catalog.directory)
    }

    /// Counts the previous run's findings and not-computable records of `rules`, all of them on
    /// projects not touched since: they stay current in this run, which continues that one,
    /// without being written again. The findings are read narrowly (rule, project, ministry,
    /// firms), for the run's stats and scores and for the rules that read other rules' findings.
    private func carryOver(from previousRun: Int64, rules: [RuleFile],
                           count: (_ projectID: String?, _ ministry: String?, _ firms: [String], _ rule: RuleFile) -> Void,
                           countNotComputable: (_ rule: String, _ projects: Int) -> Void) throws {
        guard !rules.isEmpty else { return }
        let byID = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
        let carried = "run_id = ?1 AND rule_id IN (" + rules.map { ScreenStore.sqlQuoted($0.id) }.joined(separator: ",") + ")"
        try store.db.forEachRow(sql: "SELECT rule_id, project_id, ministry, firms FROM run_findings WHERE \(carried) ORDER BY finding_id",
                                bindings: [previousRun]) { row in
            guard let rule = row[0].string.flatMap({ byID[$0] }) else { return }
            count(row[1].string, row[2].string, (row[3].string ?? "").split(separator: ",").map(String.init), rule)
        }
        try store.db.forEachRow(sql: "SELECT rule_id, count(*) FROM run_not_computable WHERE \(carried) GROUP BY rule_id",
                                bindings: [previousRun]) { row in
            if let rule = row[0].string { countNotComputable(rule, Int(row[1].int64 ?? 0)) }
        }
    }

    /// The previous run's rows of a continuing dataset rule (`DatasetResult.continued`): on the
    /// projects whose outcome did not change they stay current, and its findings are counted like
    /// written ones; on the changed projects they are dropped by run `runID`, which writes their
    /// new ones. Rows are looked up run by run of the range the continued run reads
    /// (`run_findings`), by the indexes on (run, rule) and (run, project).
    private func carryContinued(rule: RuleFile, from previousRun: Int64, into runID: Int64, changes: ContinuedOutcomes,
                                count: (_ projectID: String?, _ ministry: String?, _ firms: [String], _ rule: RuleFile) -> Void) throws {
        let screens = ScreenStore(store: store)
        let runs = try store.db.query(sql: """
            SELECT run_id FROM runs WHERE run_id BETWEEN (SELECT chain_start FROM runs WHERE run_id = ?1) AND ?1
            """, bindings: [previousRun]).compactMap { $0[0].int64 }
        let inRange = runs.map(String.init).joined(separator: ",")
        var dropped: [Int64] = []
        try store.db.forEachRow(sql: """
            SELECT finding_id, project_id, ministry, firms FROM findings
            WHERE run_id IN (\(inRange)) AND rule_id = ? AND (until_run IS NULL OR until_run > ?)
            """, bindings: [rule.id, previousRun]) { row in
            if let project = row[1].string, changes.changed.contains(project) {
                dropped.append(row[0].int64 ?? 0)
            } else {
                count(row[1].string, row[2].string, (row[3].string ?? "").split(separator: ",").map(String.init), rule)
            }
        }
        try screens.drop(.findings, rowIDs: dropped.sorted(), inRun: runID)
        dropped = []
        let notComputable = try store.db.prepare(sql: """
            SELECT rowid FROM not_computable
            WHERE run_id IN (\(inRange)) AND project_id = ? AND rule_id = ? AND (until_run IS NULL OR until_run > ?)
            """)
        for project in changes.previouslyNotComputable {
            try notComputable.bind([project, rule.id, previousRun])
            while try notComputable.step() { dropped.append(notComputable.int64(0) ?? 0) }
            notComputable.reset()
        }
        try screens.drop(.notComputable, rowIDs: dropped.sorted(), inRun: runID)
    }

    /// Streams the projects in scope, in batches, from a read-only connection on its own thread.
    static func readRecords(path: String, projectIDs: [String]?, fiscalYear: Int?, fields: Set<String>,
                            filter: ProcessFilter, rates: CurrencyRates) -> BoundedQueue<[ProcurementRecord]> {
        BoundedQueue.producing(capacity: 8) { queue in
            let reader = ScreenStore(db: try Database(path: path, readOnly: true))
            let scoped = try reader.prepareScope(projectIDs: projectIDs, fiscalYear: fiscalYear)
            var batch: [ProcurementRecord] = []
            batch.reserveCapacity(512)
            let skip: ((ProcurementRecord) -> Bool)? = filter.isEmpty ? nil : { r in filter.excludes(r) }
            try reader.forEachRecord(scoped: scoped, fields: fields, skip: skip, rates: rates) { r in
                batch.append(r)
                if batch.count == 512 {
                    guard queue.push(batch) else { throw CancellationError() }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            _ = queue.push(batch)
        }
    }

    /// The outcomes of one store-wide rule: raised and not computable one by one, the count of
    /// computed-not-raised; the rest of the scope is not applicable (dataset indicators) or not
    /// raised (SQL rules, which only return what they raise).
    struct StoreWideResult: Sendable {
        var rule: RuleFile
        var result: DatasetResult
        var restIsNotRaised: Bool
    }

    /// Runs SQL rules, and dataset indicators of a scoped run (they need the whole population,
    /// not only the scope), on a read-only connection on their own thread.
    static func runStoreWideRules(_ sqlRules: [(RuleFile, String)], datasetRuns: [(RuleFile, any DatasetRun)], path: String,
                                  scope: Set<String>?, filter: ProcessFilter, rates: CurrencyRates) -> BoundedQueue<StoreWideResult> {
        // The runs were made on this thread; from here on only the producer uses them.
        let runs = UncheckedSendable(datasetRuns)
        return BoundedQueue.producing(capacity: max(1, sqlRules.count + datasetRuns.count)) { queue in
            let connection = try Database(path: path, readOnly: true)
            let screens = ScreenStore(db: connection)
            for (rule, sql) in sqlRules {
                var outcomes = DatasetResult()
                var seen = Set<String>()
                for (projectID, evidence) in try screens.runSQLRule(sql, rule: rule, scope: scope.map(Array.init))
                where seen.insert(projectID).inserted {
                    let context = try screens.projectContext(projectID)
                    let summary = evidence.prefix(3).map { "\($0.field)=\($0.observed)" }.joined(separator: ", ")
                    let draft = FindingDraft(
                        summary: Message(en: "\(rule.title.en): \(summary)", th: "\(rule.title.th): \(summary)"), evidence: evidence)
                    outcomes.add(.raised(draft), projectID: projectID, agencyID: context?.agencyID, ministry: context?.ministry)
                }
                guard queue.push(StoreWideResult(rule: rule, result: outcomes, restIsNotRaised: true)) else { return }
            }
            guard !runs.value.isEmpty else { return }
            var fields = Set<String>()
            for (rule, _) in runs.value {
                if case .swift = rule.kind, let type = allIndicators.first(where: { $0.id == rule.id }) as? any DatasetIndicator.Type {
                    fields.formUnion(type.fields)
                }
            }
            if !filter.isEmpty { fields.formUnion(["projects.status", "projects.procurement_method_details", "bids.currency"]) }
            let skip: ((ProcurementRecord) -> Bool)? = filter.isEmpty ? nil : { r in filter.excludes(r) }
            try screens.forEachRecord(scoped: false, fields: fields, skip: skip, rates: rates) { r in
                let inScope = scope?.contains(r.projectID) ?? true
                for (_, run) in runs.value { run.observe(r, inScope: inScope) }
            }
            for (rule, run) in runs.value {
                guard queue.push(StoreWideResult(rule: rule, result: run.finish(), restIsNotRaised: false)) else { return }
            }
        }
    }

    /// The highest-priority projects of a run, with the rules that fired on each.
    func topProjects(runID: Int64, limit: Int) throws -> [RunSummary.TopProject] {
        try store.db.query(sql: """
            SELECT s.priority, s.project_id, p.project_name, p.ministry, p.agency_name, p.budget, s.score,
                   (SELECT group_concat(rule_id, ',') FROM (SELECT DISTINCT rule_id FROM run_findings f
                     WHERE f.run_id = s.run_id AND f.project_id = s.project_id ORDER BY rule_id))
            -- The top rows first: a correlated subquery in the select list of the sorted query
            -- would run once per scored project (41 s for 266,000 projects).
            FROM (SELECT * FROM run_priorities WHERE run_id = ? AND score > 0 ORDER BY priority LIMIT ?) s
            LEFT JOIN projects p USING (project_id)
            ORDER BY s.priority
            """, bindings: [runID, limit]).map { row in
            RunSummary.TopProject(
                priority: Int(row[0].int64 ?? 0), projectID: row[1].string ?? "", projectName: row[2].string,
                ministry: row[3].string, agency: row[4].string, budget: row[5].int64, score: row[6].double ?? 0,
                rules: (row[7].string ?? "").split(separator: ",").map(String.init))
        }
    }

    static func today() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Bangkok")!
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return ValueParser.isoString(year: c.year!, month: c.month!, day: c.day!)
    }
}

/// A dataset run that sees each record as its rule's process filter shows it (the price
/// comparison filter, amounts in the main currency only).
final class FilteredRun: DatasetRun {
    let inner: any DatasetRun
    let filter: ProcessFilter
    let ruleID: String
    let mainCurrency: String?

    init(_ inner: any DatasetRun, filter: ProcessFilter, ruleID: String, mainCurrency: String?) {
        self.inner = inner
        self.filter = filter
        self.ruleID = ruleID
        self.mainCurrency = mainCurrency
    }

    func observe(_ record: ProcurementRecord, inScope: Bool) {
        if let view = filter.view(record, ruleID: ruleID, mainCurrency: mainCurrency) { inner.observe(view, inScope: inScope) }
    }

    func finish() -> DatasetResult { inner.finish() }

    var finishesLate: Bool { inner.finishesLate }

    var continues: Bool { inner.continues }
    var decidesChangesOnly: Bool { inner.decidesChangesOnly }
}

/// Samples the resident memory every 10 ms on its own thread, keeping the highest and the
/// phase it fell in (a run's peak is often a transient between two marks).
final class PeakSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var highest = 0
    private var highestPhase: String?
    private var current: String?
    private var running = true

    init() {
        let thread = Thread { [weak self] in
            while let self, self.sample() { usleep(10_000) }
        }
        thread.start()
    }

    /// The last mark passed; nil during the pass.
    var phase: String? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    private func sample() -> Bool {
        let mb = Self.residentMB()
        return lock.withLock {
            if mb > highest { (highest, highestPhase) = (mb, current) }
            return running
        }
    }

    func stop() -> (resident: Int, phase: String?) {
        lock.withLock {
            running = false
            return (highest, highestPhase)
        }
    }

    /// Resident memory now, from /proc/self/statm.
    static func residentMB() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * sysconf(Int32(_SC_PAGESIZE)) / 1_048_576
    }
}

/// Accumulated wall time per label, for `PROCSCREEN_TIMING=1` (a diagnostic, not a benchmark).
/// Thread-safe: the runs' finishing workers share the run's timing (the observer thread has its
/// own, merged after the pass, so its locks are never contended).
final class RunTiming: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: [String: Double] = [:]

    @inline(__always) func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer {
            let spent = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            lock.withLock { seconds[label, default: 0] += spent }
        }
        return try body()
    }

    private var residentAt: [(String, Int)] = []
    private let started = DispatchTime.now().uptimeNanoseconds
    /// The highest resident memory a sampling thread saw, and the last mark before it.
    private let peak = PeakSampler()

    /// Notes the resident memory now, reported with the times.
    func markMemory(_ label: String) {
        // Resident pages can be freed heap the allocator keeps: the heap in use tells them apart
        // (mallinfo2 locks every arena while it counts: at marks only, never while sampling).
        let heap = procscreen_heap_in_use()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let resident = PeakSampler.residentMB()
        lock.withLock { residentAt.append((label + ", heap in use \(heap / 1_048_576) MB, at " + String(format: "%.1f s", elapsed), resident)) }
        peak.phase = label
    }

    /// Adds another thread's times (labels are per rule: no two threads share one).
    func merge(_ other: RunTiming) {
        let theirs = other.lock.withLock { other.seconds }
        lock.withLock { for (label, s) in theirs { seconds[label, default: 0] += s } }
    }

    func report(total: Double) {
        var lines = ["timing: total \(String(format: "%.2f", total)) s"]
        for (label, s) in seconds.sorted(by: { $0.value > $1.value }) where s >= 0.05 {
            lines.append(String(format: "  %8.2f s  ", s) + label)
        }
        for (label, mb) in residentAt { lines.append("  resident \(mb) MB \(label)") }
        let highest = peak.stop()
        lines.append("  peak resident \(highest.resident) MB, sampled every 10 ms, "
                     + (highest.phase.map { "last mark before it: " + $0 } ?? "during the pass"))
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}
