import Foundation

/// A batch of parsed rows, encoded for the writer, and the issues found while parsing them.
struct ParsedBatch: Sendable {
    var rows: EncodedRows
    var quarantined = 0
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
    /// Written batches' buffers, handed back for reuse: a new batch's arrays are large enough
    /// to be mapped and unmapped by the allocator each time (page faults on both threads).
    private var spare: [EncodedRows] = []
    private let spareLock = NSLock()

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

    /// Hands a written batch's buffers back to the producer (swapped out, so the spare is the
    /// only reference and the producer refills it in place).
    func recycle(_ rows: inout EncodedRows) {
        spareLock.lock()
        defer { spareLock.unlock() }
        guard spare.count < 4 else { return }
        spare.append(EncodedRows(width: rows.width))
        swap(&spare[spare.count - 1], &rows)
    }

    private func emptyRows(width: Int) -> EncodedRows {
        spareLock.lock()
        defer { spareLock.unlock() }
        guard var rows = spare.popLast() else { return EncodedRows(width: width) }
        rows.removeAll()
        return rows
    }

    /// Stops the producer (the writer failed); waits until it has let go of the file.
    func cancel() { queue?.cancel() }

    private func produce(into queue: BoundedQueue<ParsedBatch>) throws {
        let width = parser.sqlColumns.count
        var batch = ParsedBatch(rows: emptyRows(width: width))
        var seenKeys = Set<String>()
        var rowNumber = 0
        let keyColumn = parser.table.columns[0].name
        let keyWidth = parser.table.name == "risk_assessments" ? 2 : 1
        while let record = try reader.next() {
            rowNumber += 1
            try beforeRow?(parser.file, rowNumber)
            switch parser.parse(record, issues: &batch.issues) {
            case .quarantined:
                batch.quarantined += 1
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
                batch.rows.append(values, line: record.line)
            }
            if batch.rows.count + batch.quarantined >= Self.batchSize {
                batch.rowsRead = rowNumber
                batch.bytesRead = reader.bytesRead
                guard queue.push(batch) else { return }
                batch = ParsedBatch(rows: emptyRows(width: width))
            }
        }
        batch.rowsRead = rowNumber
        batch.bytesRead = reader.fileSize
        _ = queue.push(batch)
    }
}
