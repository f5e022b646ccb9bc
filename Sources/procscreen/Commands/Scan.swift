import ArgumentParser
import Foundation
import ProcScreenCore

extension ProcScreen {
    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Batch scan: ingest the inbox files not seen before, screen incrementally, write the run's reports.",
            discussion: """
                For cron or a systemd timer. Files already ingested (same sha256, whatever their name) are skipped. \
                Record rules run only on new projects, their other findings kept from the last run; cross-project \
                rules run on the whole store, so the result equals a full screen. Only new or changed findings are written. Writes \
                scan-<run>-new-findings.csv/.json and scan-<run>-current.csv/.xlsx/.html to --out. One log line per event \
                on stderr (journald-friendly). A second scan waits up to --wait seconds for the first, then exits 1 \
                with "another scan is running". Exit status 3 when new findings reach --fail-on.
                """)

        @OptionGroup var store: StoreOptions
        @OptionGroup var rules: RulesOptions

        @Option(help: "The folder where new e-GP files arrive (files or bundle folders).")
        var inbox: String

        @Option(help: "Write the run's reports here.")
        var out: String?

        @Option(help: "Exit with status 3 when a new finding has this severity or higher.")
        var failOn: Severity?

        @Option(help: "Seconds to wait for a running scan of the same store before giving up.")
        var wait: Double = 30

        @Option(help: "Report label language: th or en.")
        var lang: Language = .th

        @Flag(help: "Print the scan's result as JSON on stdout.")
        var json = false

        func run() throws {
            @Sendable func log(_ line: String) { FileHandle.standardError.write(Data("procscreen scan: \(line)\n".utf8)) }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: inbox, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--inbox \(inbox) is not a folder")
            }
            let lock = ScanLock(storePath: store.db)
            guard try lock.acquire(timeout: wait) else {
                log("another scan is running on \(store.db) (lock \(lock.path)\(lock.holder.map { ", pid \($0)" } ?? "")); gave up after \(Int(wait)) s")
                throw ExitCode(1)
            }
            defer { lock.release() }
            let catalog = try RuleCatalog.load(directory: rules.directory)
            let storeHandle = try Store(path: store.db)
            var options = BatchScan.Options(inbox: inbox)
            (options.output, options.failOn, options.language) = (out, failOn, lang)
            let result = try BatchScan(store: storeHandle, catalog: catalog, mapping: try FieldMapping(rulesDirectory: rules.directory),
                                       log: log).run(options)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(result), as: UTF8.self))
            }
            log("done in \(String(format: "%.2f", result.seconds)) s: \(result.mode); \(result.filesIngested) files ingested, \(result.filesSkipped) skipped, \(result.newFindings) new findings")
            if result.reaches(failOn) { throw ExitCode(3) }
            if result.filesFailed > 0 { throw ExitCode(1) }
        }
    }
}
