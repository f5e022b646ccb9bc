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
/// costs overlap on a 2-core machine. The SQLite connection never leaves the calling thread.
final class ParsePipeline: @unchecked Sendable {
    private let reader: CSVRecordReader
    private let parser: RowParser
    private let beforeRow: ((String, Int) throws -> Void)?
    private let checkDuplicates: Bool
    private var queue: BoundedQueue<ParsedBatch>?
    private static let batchSize = 2_048

    init(reader: CSVRecordReader, parser: RowParser, beforeRow: ((String, Int) throws -> Void)?, checkDuplicates: Bool) {
        self.reader = reader
        self.parser = parser
        self.beforeRow = beforeRow
        self.checkDuplicates = checkDuplicates
    }

    func start() {
        queue = BoundedQueue.producing { [self] queue in try produce(into: queue) }
    }

    /// The next batch, nil at the end of the file; rethrows a read or parse failure.
    func next() throws -> ParsedBatch? { try queue?.pop() }

    /// Stops the producer (the writer failed); waits until it has let go of the file.
    func cancel() { queue?.cancel() }

    private func produce(into queue: BoundedQueue<ParsedBatch>) throws {
        var batch = ParsedBatch()
        var seenKeys = Set<String>()
        var rowNumber = 0
        let keyColumn = parser.table.columns[0].name
        let keyWidth = parser.table.name == "risk_assessments" ? 2 : 1
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
                guard queue.push(batch) else { return }
                batch = ParsedBatch()
                batch.items.reserveCapacity(Self.batchSize)
            }
        }
        batch.rowsRead = rowNumber
        batch.bytesRead = reader.fileSize
        _ = queue.push(batch)
    }
}
