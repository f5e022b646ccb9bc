import Foundation

/// Reads and parses a bundle file without writing it, to measure the parse cost apart from SQLite.
public enum BulkParseProbe {
    /// The number of rows parsed (good or quarantined).
    public static func parseAll(path: String, table: TableSpec, mapping: FieldMapping) throws -> Int {
        let reader = try CSVRecordReader(path: path)
        guard let header = try reader.next() else { return 0 }
        let parser = RowParser(table: table, file: path, header: header.fields, mapping: mapping, listName: nil)
        var issues: [IngestIssue] = []
        var n = 0
        while let record = try reader.next() {
            _ = parser.parse(record, issues: &issues)
            issues.removeAll(keepingCapacity: true)
            n += 1
        }
        return n
    }
}
