import Foundation

/// One parsed row, ready for the writer: values in `RowParser.sqlColumns` order, or quarantined.
struct ParsedItem: Sendable {
    var values: [SQLValue]?
    var groupValues: [String?]
    var line: Int
}

/// A batch of parsed rows and the issues found while parsing them.
struct ParsedBatch: Sendable {
    var items: [ParsedItem] = []
    var issues: [IngestIssue] = []
    var rowsRead = 0
    var bytesRead = 0
}

/// Reads and parses a file on a second thread while the caller writes to SQLite, so the two
/// costs overlap on a 2-core machine. The queue is bounded (a few batches), so memory stays flat
/// whatever the file size. The SQLite connection never leaves the calling thread.
final class ParsePipeline: @unchecked Sendable {
    private let reader: CSVRecordReader
    private let parser: RowParser
    private let beforeRow: ((String, Int) throws -> Void)?
    private let checkDuplicates: Bool
    private let condition = NSCondition()
    private var queue: [Result<ParsedBatch, any Error>] = []
    private var done = false
    private var cancelled = false
    private static let capacity = 4
    private static let batchSize = 2_048

    init(reader: CSVRecordReader, parser: RowParser, beforeRow: ((String, Int) throws -> Void)?, checkDuplicates: Bool) {
        self.reader = reader
        self.parser = parser
        self.beforeRow = beforeRow
        self.checkDuplicates = checkDuplicates
    }

    func start() {
        let thread = Thread { [self] in produce() }
        thread.stackSize = 1 << 22
        thread.start()
    }

    /// The next batch, nil at the end of the file; rethrows a read or parse failure.
    func next() throws -> ParsedBatch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !done { condition.wait() }
        if queue.isEmpty { return nil }
        let first = queue.removeFirst()
        condition.signal()
        return try first.get()
    }

    /// Stops the producer (the writer failed); waits until it has let go of the file.
    func cancel() {
        condition.lock()
        cancelled = true
        queue.removeAll()
        condition.broadcast()
        while !done { condition.wait() }
        condition.unlock()
    }

    private func push(_ item: Result<ParsedBatch, any Error>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        queue.append(item)
        condition.signal()
        return true
    }

    private func finish() {
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    private func produce() {
        defer { finish() }
        var batch = ParsedBatch()
        var seenKeys = Set<String>()
        var rowNumber = 0
        let keyColumn = parser.table.columns[0].name
        let keyWidth = parser.table.name == "risk_assessments" ? 2 : 1
        do {
            while let record = try reader.next() {
                rowNumber += 1
                try beforeRow?(parser.file, rowNumber)
                switch parser.parse(record, issues: &batch.issues) {
                case .quarantined:
                    batch.items.append(ParsedItem(values: nil, groupValues: [], line: record.line))
                case .row(let values):
                    if checkDuplicates, case .text(let key) = values[0] {
                        let fullKey = keyWidth == 1 ? key : key + "|" + values[1].description
                        if !seenKeys.insert(fullKey).inserted {
                            batch.issues.append(IngestIssue(
                                file: parser.file, line: record.line, column: nil, field: keyColumn, code: "duplicate_key",
                                reason: "'\(key)' appears again in this file; this later row replaces the earlier one",
                                action: .kept, subjectID: key))
                        }
                    }
                    batch.items.append(ParsedItem(values: values, groupValues: parser.groupValues(values), line: record.line))
                }
                if batch.items.count >= Self.batchSize {
                    batch.rowsRead = rowNumber
                    batch.bytesRead = reader.bytesRead
                    guard push(.success(batch)) else { return }
                    batch = ParsedBatch()
                    batch.items.reserveCapacity(Self.batchSize)
                }
            }
            batch.rowsRead = rowNumber
            batch.bytesRead = reader.fileSize
            _ = push(.success(batch))
        } catch {
            _ = push(.failure(error))
        }
    }
}
