import Foundation

/// Why a whole file could not be ingested (bad rows are `IngestIssue`s, not errors).
public enum IngestError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadableFile(path: String, reason: String)
    case missingColumn(path: String, column: String, header: [String])
    case unknownTable(path: String, header: [String])
    case noInput(path: String)
    case malformedMapping(path: String, reason: String)
    case interrupted(path: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the file: \(reason)"
        case .missingColumn(let path, let column, let header):
            return "\(path):1: required column '\(column)' is missing (header: \(header.joined(separator: ", ")))"
        case .unknownTable(let path, let header):
            return "\(path):1: cannot tell which table this file feeds from its header (\(header.prefix(8).joined(separator: ", "))…); name it projects.csv, bids.csv, … or use known column names"
        case .noInput(let path):
            return "\(path): no ingestible files found"
        case .malformedMapping(let path, let reason):
            return "\(path): \(reason)"
        case .interrupted(let path, let line, let reason):
            return "\(path):\(line): ingest stopped, nothing from this file was kept: \(reason)"
        }
    }
}

/// A recoverable problem in one row: it is recorded in `ingest_issues`, never thrown.
public struct IngestIssue: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Action: String, Sendable, Codable {
        /// The row was not stored.
        case quarantined
        /// The row was stored; the value was dropped, repaired or only flagged.
        case kept
        /// Not stored because the store holds a newer version of the same record (not an error).
        case superseded
    }

    public var file: String
    public var line: Int
    public var column: Int?
    public var field: String?
    public var code: String
    public var reason: String
    public var action: Action
    public var raw: String?
    public var subjectID: String?

    public var description: String {
        var location = "\(file):\(line)"
        if let column { location += ":\(column)" }
        let what = field.map { "column '\($0)': " } ?? ""
        return "\(location): \(what)\(reason) [\(action.rawValue)]"
    }
}
