import Crypto
import Foundation

/// The input formats `procscreen ingest` understands.
public enum InputFormat: String, Sendable, Codable, CaseIterable {
    case auto, bundle, cgd, ocds

    /// The format of a file from its name and first bytes: JSON (`{` or `[`) is OCDS.
    static func detect(path: String) -> InputFormat {
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        if ["json", "jsonl", "ndjson"].contains(ext) { return .ocds }
        if ext == "csv" { return .bundle }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .bundle }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        let first = head.drop { [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }.first
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .ocds : .bundle
    }
}

/// Progress of the file being ingested, for a progress bar or log lines.
public struct IngestProgress: Sendable {
    public var file: String
    public var fileIndex: Int
    public var fileCount: Int
    public var bytesRead: Int
    public var fileSize: Int
    public var rows: Int
}

public struct IngestOptions {
    public var format: InputFormat = .auto
    /// Called every few thousand rows and at the end of each file.
    public var progress: ((IngestProgress) -> Void)?
    /// Test hook: called before each data row with (file, row number); throwing aborts the file,
    /// which must leave the store as it was before the file.
    public var beforeRow: ((String, Int) throws -> Void)?

    public init(format: InputFormat = .auto) { self.format = format }
}

/// What happened to one file.
public struct FileSummary: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case ingested, skipped, failed }
    public var path: String
    public var table: String?
    public var format: String
    public var status: Status
    public var encoding: String?
    public var rows = 0
    public var quarantined = 0
    public var issues = 0
    public var seconds = 0.0
    /// For `skipped`: the path the same content was first ingested from.
    public var sameAs: String?
    public var error: String?
    /// For OCDS and CGD files: the rows of the other tables they fed (rows counts the projects).
    public var related: RelatedRows?
}

public struct RelatedRows: Codable, Sendable, Equatable {
    public var bids: Int
    public var contracts: Int
    public var firms: Int
}

/// The outcome of one `ingest` call.
public struct IngestSummary: Codable, Sendable {
    public var files: [FileSummary] = []
    /// Rows stored per table by this call.
    public var rowsByTable: [String: Int] = [:]
    /// Rows in the store per table afterwards.
    public var storeCounts: [String: Int] = [:]
    public var issues = 0
    public var quarantined = 0
    public var seconds = 0.0

    public var failedFiles: [FileSummary] { files.filter { $0.status == .failed } }
}

/// Ingests canonical CSV bundles (a folder or named files) into the store.
///
/// Each file is hashed first: content already in `sources` is skipped, so re-ingesting
/// changes nothing. Each file loads in one transaction, so an error mid-file leaves the store
/// exactly as before that file. Bad rows go to `ingest_issues` and never stop the file.
///
/// For example:
/// ```swift
/// let summary = try Ingestor(store: store, mapping: mapping).ingest(paths: ["SampleData"])
/// ```
public final class Ingestor {
    let store: Store
    let mapping: FieldMapping

    public init(store: Store, mapping: FieldMapping) {
        self.store = store
        self.mapping = mapping
    }

    /// A file to load and the table it feeds (nil: guessed from its header).
    struct PlannedFile {
        var path: String
        var table: TableSpec?
        var listName: String?
        var format: InputFormat = .bundle
    }

    public func ingest(paths: [String], options: IngestOptions = IngestOptions()) throws -> IngestSummary {
        let started = Date()
        var summary = IngestSummary()
        let planned = try plan(paths, format: options.format)
        for (index, file) in planned.enumerated() {
            let result = ingestFile(file, index: index, count: planned.count, options: options)
            summary.files.append(result)
            if result.status == .ingested, let table = result.table {
                summary.rowsByTable[table, default: 0] += result.rows
                if let related = result.related {
                    summary.rowsByTable["bids", default: 0] += related.bids
                    summary.rowsByTable["contracts", default: 0] += related.contracts
                    summary.rowsByTable["firms", default: 0] += related.firms
                }
            }
            summary.issues += result.issues
            summary.quarantined += result.quarantined
        }
        summary.storeCounts = try store.counts()
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    // MARK: - Planning

    /// Expands folders into their bundle files, in load order (parents before children).
    func plan(_ paths: [String], format: InputFormat = .auto) throws(IngestError) -> [PlannedFile] {
        var files: [PlannedFile] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .unreadableFile(path: path, reason: "no such file or directory")
            }
            if isDirectory.boolValue {
                let found = try bundleFiles(in: path) + ocdsFiles(in: path)
                if found.isEmpty { throw .noInput(path: path) }
                files += found
            } else {
                let detected = format == .auto ? InputFormat.detect(path: path) : format
                switch detected {
                case .ocds: files.append(PlannedFile(path: path, format: .ocds))
                case .cgd: files.append(PlannedFile(path: path, format: .cgd))
                default: files.append(classify(path))
                }
            }
        }
        let order = Dictionary(uniqueKeysWithValues: TableSpec.all.enumerated().map { ($1.name, $0) })
        return files.enumerated().sorted { a, b in
            // Bundle tables in load order, then OCDS files in path order.
            let ka = a.element.format == .ocds ? order.count + 1 : a.element.table.map { order[$0.name]! } ?? order.count
            let kb = b.element.format == .ocds ? order.count + 1 : b.element.table.map { order[$0.name]! } ?? order.count
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }

    private func bundleFiles(in directory: String) throws(IngestError) -> [PlannedFile] {
        let fm = FileManager.default
        var result: [PlannedFile] = []
        let entries = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in entries where name.lowercased().hasSuffix(".csv") {
            result.append(classify((directory as NSString).appendingPathComponent(name)))
        }
        let listsDirectory = (directory as NSString).appendingPathComponent("lists")
        for name in ((try? fm.contentsOfDirectory(atPath: listsDirectory)) ?? []).sorted()
        where name.lowercased().hasSuffix(".csv") {
            result.append(classify((listsDirectory as NSString).appendingPathComponent(name)))
        }
        return result
    }

    /// The JSON files under a folder, at any depth, in path order (OCDS samples keep records/ and
    /// releases/ in subfolders).
    private func ocdsFiles(in directory: String) -> [PlannedFile] {
        let fm = FileManager.default
        let names = (fm.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
        return names.filter { ["json", "jsonl", "ndjson"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
            .map { (directory as NSString).appendingPathComponent($0) }
            .filter(Self.mentionsOCDS)
            .map { PlannedFile(path: $0, format: .ocds) }
    }

    /// Whether a JSON file found in a folder names an OCDS member in its first megabyte (a
    /// folder may hold other JSON, such as a generated market's truth.json).
    static func mentionsOCDS(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 1 << 20)) ?? Data()
        return ["\"ocid\"", "\"releases\"", "\"records\"", "\"compiledRelease\""].contains { head.range(of: Data($0.utf8)) != nil }
    }

    /// The table a file feeds, from its name: `projects.csv`, `lists/debarred.csv`, …
    func classify(_ path: String) -> PlannedFile {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent.lowercased()
        if url.deletingLastPathComponent().lastPathComponent.lowercased() == "lists" {
            return PlannedFile(path: path, table: .lists, listName: stem)
        }
        return PlannedFile(path: path, table: TableSpec.named(stem).flatMap { $0.name == "lists" ? nil : $0 })
    }

    // MARK: - One file

    private func ingestFile(_ file: PlannedFile, index: Int, count: Int, options: IngestOptions) -> FileSummary {
        if file.format == .ocds { return ingestOCDS(file, index: index, count: count, options: options) }
        let started = Date()
        var result = FileSummary(path: file.path, table: file.table?.name, format: "bundle", status: .failed)
        do {
            let hash = try ContentHash(path: file.path, store: store)
            if let sha = hash.known, try skipIfSeen(sha, &result) { return result }
            let reader = try CSVRecordReader(path: file.path)
            result.encoding = reader.encoding.rawValue
            guard let headerRecord = try reader.next() else {
                result.status = .skipped
                result.error = "empty file"
                return result
            }
            let header = headerRecord.fields
            // The CGD contract file (one row per contract): asked for, or recognised by its header.
            if file.format == .cgd || (file.table == nil && CGDLoader.looks(header: header, mapping: mapping)) {
                result.format = "cgd"
                result.table = "projects"
                try store.db.transaction {
                    try loadCGD(reader: reader, header: header, file: file, hash: hash, index: index, count: count, options: options,
                                result: &result)
                }
                result.status = .ingested
                result.seconds = Date().timeIntervalSince(started)
                return result
            }
            guard let table = file.table ?? mapping.guessTable(header: header) else {
                throw IngestError.unknownTable(path: file.path, header: header)
            }
            result.table = table.name
            let resolved = mapping.resolve(header: header, table: table)
            for spec in table.columns where spec.required && resolved.columns[spec.name] == nil {
                throw IngestError.missingColumn(path: file.path, column: spec.name, header: header)
            }
            try store.db.transaction {
                try load(reader: reader, header: header, unknownColumns: resolved.unknown, table: table,
                         file: file, hash: hash, index: index, count: count, options: options, result: &result)
            }
            result.status = .ingested
        } catch {
            result.status = .failed
            result.rows = 0
            result.error = "\(error)"
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    private func load(reader: CSVRecordReader, header: [String], unknownColumns: [Int], table: TableSpec,
                      file: PlannedFile, hash: ContentHash, index: Int, count: Int, options: IngestOptions,
                      result: inout FileSummary) throws {
        let sourceID = try store.insertSource(
            path: file.path, sha256: hash.placeholder, format: "bundle", table: table.name, encoding: reader.encoding.rawValue,
            sizeBytes: hash.sizeBytes)
        let parser = RowParser(table: table, file: file.path, header: header, mapping: mapping, listName: file.listName)
        // Bulk load into an empty table: build indexes once at the end (3-5x faster inserts).
        let bulk = try store.isEmpty(table.sqlTable)
        if bulk { try store.dropIndexes(on: table.sqlTable) }
        let groupKey: [String]
        if case .replaceGroup(let key) = table.replace { groupKey = key } else { groupKey = [] }
        let writer = try TableWriter(
            db: store.db, table: table.sqlTable, columns: parser.sqlColumns,
            upsert: table.replace == .upsert, groupKey: groupKey,
            withLine: ["projects", "bids", "contracts"].contains(table.sqlTable))
        let issueWriter = try IssueWriter(db: store.db)
        for i in unknownColumns {
            try issueWriter.write(IngestIssue(
                file: file.path, line: 1, column: i + 1, field: header[i], code: "unknown_column",
                reason: "column '\(header[i])' is not a \(table.name) column; ignored", action: .kept), sourceID: sourceID)
            result.issues += 1
        }
        let pipeline = ParsePipeline(reader: reader, parser: parser, beforeRow: options.beforeRow,
                                     checkDuplicates: table.replace == .upsert)
        pipeline.start()
        do {
            while var batch = try pipeline.next() {
                try writer.write(batch.rows, sourceID: sourceID)
                result.rows += batch.rows.count
                result.quarantined += batch.quarantined
                pipeline.recycle(&batch.rows)
                for issue in batch.issues { try issueWriter.write(issue, sourceID: sourceID) }
                result.issues += batch.issues.count
                options.progress?(IngestProgress(file: file.path, fileIndex: index, fileCount: count,
                                                 bytesRead: batch.bytesRead, fileSize: reader.fileSize, rows: batch.rowsRead))
            }
            try writer.finish()
        } catch {
            pipeline.cancel()
            throw error
        }
        try store.finishSource(sourceID, rows: result.rows, quarantined: result.quarantined, issues: result.issues)
        try hash.record(on: sourceID, in: store)
        if table.name == "risk_assessments" { try store.markLoaded("risk_assessments", sourceID: sourceID) }
        if table.name == "lists", let list = file.listName { try store.markLoaded("lists:" + list, sourceID: sourceID) }
        if bulk { try store.ensureIndexes() }
    }


    /// A CGD contract file: each row split into its project (first row wins; money that differs
    /// on a later row is recorded) and its contract; shifted rows realigned (DQ-01).
    private func loadCGD(reader: CSVRecordReader, header: [String], file: PlannedFile, hash: ContentHash, index: Int, count: Int,
                         options: IngestOptions, result: inout FileSummary) throws {
        try loadCGD(records: { try reader.next() }, header: header, file: file, hash: hash, encoding: reader.encoding.rawValue,
                    progress: { rows in IngestProgress(file: file.path, fileIndex: index, fileCount: count, bytesRead: reader.bytesRead,
                                                       fileSize: reader.fileSize, rows: rows) },
                    options: options, result: &result)
    }

    /// The CGD rows from any source: CSV records, or govspending JSON documents turned into records.
    private func loadCGD(records next: () throws -> CSVRecord?, header: [String], file: PlannedFile, hash: ContentHash, encoding: String,
                         progress: (Int) -> IngestProgress, options: IngestOptions, result: inout FileSummary) throws {
        let sourceID = try store.insertSource(path: file.path, sha256: hash.placeholder, format: "cgd", table: "projects",
                                              encoding: encoding, sizeBytes: hash.sizeBytes)
        let loader = CGDLoader(path: file.path, header: header, mapping: mapping)
        let projects = try TableWriter(db: store.db, table: "projects", columns: loader.projectParser.sqlColumns, upsert: true,
                                       groupKey: [], withLine: true)
        let contracts = try TableWriter(db: store.db, table: "contracts", columns: loader.contractParser.sqlColumns, upsert: false,
                                        groupKey: ["project_id"], withLine: true)
        let issueWriter = try IssueWriter(db: store.db)
        func write(_ issue: IngestIssue) throws {
            try issueWriter.write(issue, sourceID: sourceID)
            result.issues += 1
        }
        // Columns neither the project nor the contract claims (district, coordinates, …): once.
        let claimed = Set(mapping.resolve(header: header, table: .projects).columns.values.flatMap { $0 }
                          + mapping.resolve(header: header, table: .contracts).columns.values.flatMap { $0 } + loader.phantom)
        for i in header.indices where !claimed.contains(i) {
            try write(IngestIssue(file: file.path, line: 1, column: i + 1, field: header[i], code: "unknown_column",
                                  reason: "column '\(header[i])' is not read from a CGD file; ignored", action: .kept))
        }
        let money = ["budget", "reference_price", "agreed_price"].compactMap { loader.projectParser.sqlColumns.firstIndex(of: $0) }
        let contractFields = ["contract_no", "winner_id", "winner_name", "amount"].compactMap { loader.contractParser.sqlColumns.firstIndex(of: $0) }
        var firstMoney: [String: [SQLValue]] = [:]
        var contractCount = 0
        var rowNumber = 0
        while let raw = try next() {
            rowNumber += 1
            try options.beforeRow?(file.path, rowNumber)
            let (record, repair) = loader.realign(raw)
            var issues: [IngestIssue] = []
            guard case .row(let project) = loader.projectParser.parse(record, issues: &issues), case .text(let id) = project[0] else {
                for issue in issues { try write(issue) }
                if let repair { try write(repair) }
                result.quarantined += 1
                continue
            }
            if var repair {
                repair.subjectID = id
                issues.append(repair)
            }
            let amounts = money.map { project[$0] }
            if let first = firstMoney[id] {
                if first != amounts {
                    issues.append(IngestIssue(
                        file: file.path, line: record.line, column: nil, field: "budget, reference_price, agreed_price",
                        code: "project_money_differs",
                        reason: "project \(id): \(amounts.map(\.description).joined(separator: " / ")) on this row, "
                            + "\(first.map(\.description).joined(separator: " / ")) on its first row (kept)",
                        action: .kept, raw: nil, subjectID: id))
                }
            } else {
                firstMoney[id] = amounts
                try projects.write(project, sourceID: sourceID, line: record.line)
                result.rows += 1
            }
            var contractIssues: [IngestIssue] = []
            if case .row(let contract) = loader.contractParser.parse(record, issues: &contractIssues),
               contractFields.contains(where: { contract[$0] != .null }) {
                try contracts.write(contract, sourceID: sourceID, line: record.line)
                contractCount += 1
            }
            // The key and shape problems were reported with the project; keep the contract's own.
            issues += contractIssues.filter { !["missing_key", "field_count", "malformed_csv"].contains($0.code) }
            for issue in issues { try write(issue) }
            if rowNumber % 4096 == 0 { options.progress?(progress(rowNumber)) }
        }
        try projects.finish()
        try contracts.finish()
        result.related = RelatedRows(bids: 0, contracts: contractCount, firms: 0)
        try store.finishSource(sourceID, rows: result.rows, quarantined: result.quarantined, issues: result.issues)
        try hash.record(on: sourceID, in: store)
        try store.ensureIndexes()
    }

    /// One OCDS file in one transaction: processes, bids, awards as contracts, parties as firms.
    private func ingestOCDS(_ file: PlannedFile, index: Int, count: Int, options: IngestOptions) -> FileSummary {
        let started = Date()
        var result = FileSummary(path: file.path, table: "projects", format: "ocds", status: .failed)
        result.encoding = "utf-8"
        // Kept past the rolled-back OCDS attempt: a govspending JSON file is not hashed twice.
        var hashed: ContentHash?
        do {
            let hash = try ContentHash(path: file.path, store: store)
            hashed = hash
            if let sha = hash.known, try skipIfSeen(sha, &result) { return result }
            try store.db.transaction {
                let sourceID = try store.insertSource(path: file.path, sha256: hash.placeholder, format: "ocds",
                                                      table: nil, encoding: "utf-8", sizeBytes: hash.sizeBytes)
                let loader = try OCDSLoader(db: store.db, mapping: mapping, path: file.path, sourceID: sourceID) { read, size, rows in
                    options.progress?(IngestProgress(file: file.path, fileIndex: index, fileCount: count, bytesRead: read,
                                                     fileSize: size, rows: rows))
                }
                try loader.load()
                try hash.record(on: sourceID, in: store)
                guard loader.sawOCDS else { throw IngestError.noInput(path: file.path) }
                result.rows = loader.counts.processes
                result.quarantined = loader.counts.quarantined
                result.issues = loader.counts.issues
                result.related = RelatedRows(bids: loader.counts.bids, contracts: loader.counts.contracts, firms: loader.counts.firms)
                try store.finishSource(sourceID, rows: result.rows, quarantined: result.quarantined, issues: result.issues)
                try store.ensureIndexes()
            }
            result.status = .ingested
        } catch IngestError.noInput {
            // JSON that is not OCDS: govspending's CGD documents (MongoDB export), else not ours.
            if let cgd = ingestCGDDocuments(file, hash: hashed, index: index, count: count, options: options) { return cgd }
            result.status = .skipped
            result.error = "not OCDS: no ocid, releases, records or compiledRelease"
        } catch {
            result.status = .failed
            result.rows = 0
            result.error = "\(error)"
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// govspending's CGD documents as JSON, through the CGD loader; nil when the file is not such.
    /// `hash` is the file's hash from the OCDS attempt (rolled back, so still valid), if any.
    private func ingestCGDDocuments(_ file: PlannedFile, hash given: ContentHash?, index: Int, count: Int,
                                    options: IngestOptions) -> FileSummary? {
        guard let documents = try? CGDDocuments(path: file.path, mapping: mapping) else { return nil }
        let started = Date()
        var result = FileSummary(path: file.path, table: "projects", format: "cgd", status: .failed)
        do {
            let hash = try given ?? ContentHash(path: file.path, store: store)
            if let sha = hash.known, try skipIfSeen(sha, &result) { return result }
            var iterator = documents.records.makeIterator()
            try store.db.transaction {
                try loadCGD(records: { iterator.next() }, header: documents.header, file: file, hash: hash, encoding: "utf-8",
                            progress: { IngestProgress(file: file.path, fileIndex: index, fileCount: count, bytesRead: 0, fileSize: 0, rows: $0) },
                            options: options, result: &result)
            }
            result.status = .ingested
        } catch {
            result.status = .failed
            result.rows = 0
            result.error = "\(error)"
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    /// Marks the file skipped when its content is already in the store (renamed copies too).
    private func skipIfSeen(_ sha: String, _ result: inout FileSummary) throws -> Bool {
        guard let previous = try store.source(withSHA256: sha) else { return false }
        result.status = .skipped
        result.sameAs = previous.path
        return true
    }

    /// The SHA-256 of a file's bytes, streamed in 1 MB chunks.
    public static func sha256(ofFile path: String) throws(IngestError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadableFile(path: path, reason: "cannot open")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch {
                throw .unreadableFile(path: path, reason: error.localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
