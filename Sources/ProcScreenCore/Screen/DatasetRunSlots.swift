import Foundation

/// The dataset runs of an unscoped pass: observed on one thread, then finished on up to
/// `workers` threads (the machine's cores) while the calling thread writes their outcomes. Each
/// run is released as soon as it is finished, so that its population is freed before the run
/// ends.
///
/// Runs that share an object of the run (a population one rule feeds and others read, the firm-id
/// interner, a fence cache) form one group: a group's runs finish one after another on one
/// thread, as they did when every run finished on the calling thread. Groups share nothing, so
/// two groups can finish at once.
final class DatasetRunSlots: @unchecked Sendable {
    private var runs: [(any DatasetRun)?]
    /// The rule of each run, for the timing labels.
    private let ids: [String]
    /// The runs of each group, ascending.
    let groups: [[Int]]
    /// Guards `runs` while runs are finished and released on several threads.
    private let lock = NSLock()
    /// The runs that continue a kept population (`DatasetRun.continues`), and the projects new
    /// since it was kept: those runs are shown only these.
    private let continuing: [Bool]
    private let touched: Set<String>?

    /// - Parameters:
    ///   - sharedKeys: for each run, the keys of the run's shared objects it asked for
    ///     (`RunSharedState.keysUsed`); nil: every run shares nothing.
    ///   - touched: the projects new since the continued run, when the run continues one.
    init(_ runs: [any DatasetRun], ids: [String], sharedKeys: [Set<String>]? = nil, touched: Set<String>? = nil) {
        self.runs = runs
        self.ids = ids
        groups = Self.groups(sharedKeys: sharedKeys ?? runs.map { _ in [] })
        continuing = runs.map(\.continues)
        self.touched = continuing.contains(true) ? touched : nil
    }

    var isEmpty: Bool { runs.isEmpty }

    /// Runs linked by a shared key, directly or through other runs, in one group; groups ordered
    /// by their first run.
    static func groups(sharedKeys: [Set<String>]) -> [[Int]] {
        var parent = Array(sharedKeys.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { i = parent[i] }
            return i
        }
        var firstUser: [String: Int] = [:]
        for (i, keys) in sharedKeys.enumerated() {
            for key in keys {
                guard let other = firstUser[key] else { firstUser[key] = i; continue }
                let (a, b) = (root(i), root(other))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var members: [Int: [Int]] = [:]
        for i in sharedKeys.indices { members[root(i), default: []].append(i) }
        return members.keys.sorted().map { members[$0]! }
    }

    /// Shows `r` to every run, timed per rule when `timing` is set (on one thread, during the
    /// pass: no run is finished yet); to the continuing runs only when it is new.
    func observe(_ r: ProcurementRecord, timing: RunTiming?) {
        let earlier = touched.map { !$0.contains(r.projectID) } ?? false
        if let timing {
            for (i, run) in runs.enumerated() where !(earlier && continuing[i]) {
                timing.measure("observe " + ids[i]) { run?.observe(r, inScope: true) }
            }
        } else {
            for (i, run) in runs.enumerated() where !(earlier && continuing[i]) { run?.observe(r, inScope: true) }
        }
    }

    /// The order to finish the runs in: those that build large structures when they finish
    /// come last, once the other populations are freed.
    var finishingOrder: [Int] { phases.early + phases.late }

    /// The runs that finish early and those that finish late, each in rule order.
    private var phases: (early: [Int], late: [Int]) {
        let late = lock.withLock { runs.map { $0?.finishesLate ?? false } }
        return (runs.indices.filter { !late[$0] }, runs.indices.filter { late[$0] })
    }

    /// Finishes every run and hands each result to `write` on the calling thread, in
    /// `finishingOrder` (the order of the findings' rows does not depend on the threads).
    ///
    /// The runs that finish early are finished by `workers` threads, group by group; the late
    /// ones (they build a large structure each) one at a time after all the others, so the run's
    /// peak memory stays where it was. `write` is called while other runs finish; when it throws,
    /// the workers stop after the run they are finishing and the error is rethrown.
    func finishAll(workers: Int, timing: RunTiming?, write: (Int, DatasetResult) throws -> Void) throws {
        let (early, late) = phases
        for (phase, threads) in [(early, workers), (late, 1)] where !phase.isEmpty {
            try finish(phase, threads: threads, timing: timing, write: write)
        }
    }

    /// Finishes the runs of `phase` (in that order within each group) on `threads` threads.
    private func finish(_ phase: [Int], threads: Int, timing: RunTiming?, write: (Int, DatasetResult) throws -> Void) throws {
        let position = Dictionary(uniqueKeysWithValues: phase.enumerated().map { ($1, $0) })
        // Each group's runs of this phase, in phase order; groups taken in the order of their first run.
        let units = groups.map { $0.filter { position[$0] != nil }.sorted { position[$0]! < position[$1]! } }
            .filter { !$0.isEmpty }.sorted { position[$0[0]]! < position[$1[0]]! }
        let board = ResultBoard(units: units)
        let done = DispatchGroup()
        for _ in 0 ..< max(1, min(threads, units.count)) {
            done.enter()
            let thread = Thread { [self] in
                while let unit = board.take() {
                    for index in unit {
                        let result = finishAndRelease(index, timing: timing)
                        timing?.markMemory("after releasing " + ids[index] + "'s population")
                        guard board.put(result, for: index) else { break }
                    }
                }
                done.leave()
            }
            // Finishing ran on the main thread before: the same 8 MB of stack.
            thread.stackSize = 1 << 23
            thread.start()
        }
        defer {
            board.stop()
            done.wait()
        }
        for index in phase {
            try write(index, board.wait(for: index))
        }
    }

    /// The run's last reference is the local one here: it is gone when this returns.
    private func finishAndRelease(_ index: Int, timing: RunTiming?) -> DatasetResult {
        let run = lock.withLock {
            let run = runs[index]!
            runs[index] = nil
            return run
        }
        let result = timing?.measure("finish " + ids[index], run.finish) ?? run.finish()
        timing?.markMemory("after finishing " + ids[index] + ", population held")
        return result
    }
}

/// The finishing workers' shared state: the groups not yet taken, and the results not yet written.
private final class ResultBoard: @unchecked Sendable {
    private let condition = NSCondition()
    private var units: ArraySlice<[Int]>
    private var results: [Int: DatasetResult] = [:]
    private var stopped = false

    init(units: [[Int]]) { self.units = units[...] }

    /// The next group to finish; nil when none is left or the writer stopped.
    func take() -> [Int]? {
        condition.withLock { stopped ? nil : units.popFirst() }
    }

    /// Leaves `result` for the writer; false when the writer stopped.
    func put(_ result: DatasetResult, for index: Int) -> Bool {
        condition.withLock {
            results[index] = result
            condition.broadcast()
            return !stopped
        }
    }

    /// The result of run `index`, once a worker has put it.
    func wait(for index: Int) -> DatasetResult {
        condition.lock()
        defer { condition.unlock() }
        while results[index] == nil { condition.wait() }
        return results.removeValue(forKey: index)!
    }

    /// No more groups are taken.
    func stop() { condition.withLock { stopped = true } }
}
