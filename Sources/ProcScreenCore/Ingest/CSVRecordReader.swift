import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One CSV record: its fields and the 1-based physical line where it starts.
public struct CSVRecord: Sendable {
    public var fields: [String]
    public var line: Int
    /// Set when the record breaks RFC 4180 (an unterminated quote, text after a closing quote).
    public var problem: String?
}

/// A streaming RFC 4180 reader over bytes: quoted fields, doubled quotes, embedded newlines,
/// CRLF or LF, a leading UTF-8 BOM, and TIS-620 input transcoded to UTF-8 on the fly.
///
/// It holds one buffer (1 MB) and the current record, so a 1 GB file never sits in memory.
///
/// For example:
/// ```swift
/// let reader = try CSVRecordReader(path: "SampleData/projects.csv")
/// while let record = try reader.next() { print(record.line, record.fields) }
/// ```
public final class CSVRecordReader {
    public let path: String
    public private(set) var encoding: SourceEncoding = .utf8
    /// Bytes consumed from the file so far (for progress reporting).
    public private(set) var bytesRead: Int = 0
    public let fileSize: Int

    private let file: UnsafeMutablePointer<FILE>
    private var raw: [UInt8]
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEOF = false
    private var line = 1
    private var field: [UInt8] = []
    private static let chunkSize = 1 << 20

    private static let quote = UInt8(ascii: "\"")
    private let delimiter: UInt8
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    /// Opens `path` and detects its encoding from the first 64 KB.
    ///
    /// - Throws: `IngestError.unreadableFile` when the file cannot be opened.
    public init(path: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(IngestError) {
        guard let file = fopen(path, "rb") else {
            throw IngestError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.file = file
        self.delimiter = delimiter
        var st = stat()
        self.fileSize = fstat(fileno(file), &st) == 0 ? Int(st.st_size) : 0
        self.raw = [UInt8](repeating: 0, count: Self.chunkSize)
        fill()
        encoding = buffer.withUnsafeBytes { SourceEncoding.detect(UnsafeRawBufferPointer(rebasing: $0.prefix(65_536))) }
        if encoding == .tis620 {
            var utf8: [UInt8] = []
            buffer.withUnsafeBytes { TIS620.transcode($0, into: &utf8) }
            buffer = utf8
        }
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
    }

    deinit { fclose(file) }

    /// Reads the next chunk, replacing what has been consumed.
    private func fill() {
        guard !atEOF else { return }
        let n = raw.withUnsafeMutableBytes { fread($0.baseAddress, 1, Self.chunkSize, file) }
        if n < Self.chunkSize { atEOF = true }
        bytesRead += n
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        if encoding == .tis620 {
            raw.withUnsafeBytes { TIS620.transcode(UnsafeRawBufferPointer(rebasing: $0.prefix(n)), into: &buffer) }
        } else {
            buffer.append(contentsOf: raw[0..<n])
        }
    }

    /// True when a byte is available at `position` (refilling as needed).
    @inline(__always) private func available() -> Bool {
        if position < buffer.count { return true }
        if atEOF { return false }
        fill()
        return position < buffer.count
    }

    /// The next record, or nil at the end of the file. Blank lines are skipped.
    public func next() throws(IngestError) -> CSVRecord? {
        while true {
            guard available() else { return nil }
            let startLine = line
            var fields: [String] = []
            var problem: String?
            var endOfRecord = false
            while !endOfRecord {
                field.removeAll(keepingCapacity: true)
                if available(), buffer[position] == Self.quote {
                    position += 1
                    readQuoted(&problem, fieldIndex: fields.count + 1)
                }
                // Unquoted text (or text after a closing quote, kept and reported).
                let fieldStart = field.count
                while available() {
                    let scanStart = position
                    var stop = false
                    while position < buffer.count {
                        let b = buffer[position]
                        if b == delimiter || b == Self.lf || b == Self.cr { stop = true; break }
                        position += 1
                    }
                    field.append(contentsOf: buffer[scanStart..<position])
                    if stop { break }
                }
                if fieldStart > 0, field.count > fieldStart, problem == nil {
                    problem = "text after the closing quote in field \(fields.count + 1)"
                }
                fields.append(String(decoding: field, as: UTF8.self))
                // Delimiter or end of record.
                if !available() {
                    endOfRecord = true
                } else {
                    let b = buffer[position]
                    position += 1
                    if b == delimiter { continue }
                    endOfRecord = true
                    line += 1
                    if b == Self.cr, available(), buffer[position] == Self.lf { position += 1 }
                }
            }
            if fields.count == 1, fields[0].isEmpty, problem == nil { continue }   // blank line
            return CSVRecord(fields: fields, line: startLine, problem: problem)
        }
    }

    /// Reads a quoted field body after its opening quote, up to and including the closing quote.
    private func readQuoted(_ problem: inout String?, fieldIndex: Int) {
        let startLine = line
        while available() {
            let scanStart = position
            while position < buffer.count {
                let b = buffer[position]
                if b == Self.quote { break }
                if b == Self.lf { line += 1 }
                position += 1
            }
            field.append(contentsOf: buffer[scanStart..<position])
            if position >= buffer.count { continue }   // the chunk ended inside the field
            // At a quote: doubled quote is a literal quote; otherwise the field ends.
            position += 1
            if available(), buffer[position] == Self.quote {
                field.append(Self.quote)
                position += 1
                continue
            }
            return
        }
        problem = problem ?? "unterminated quoted field \(fieldIndex) starting at line \(startLine)"
    }
}

extension CSVRecord {
    /// The record written back as one CSV line (for an issue's raw text).
    public var csvText: String {
        fields.map { f in
            f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
        }.joined(separator: ",")
    }
}
