import Foundation

/// Buffered CSV output (RFC 4180 quoting, LF line ends), for the generator and exports.
public final class CSVFileWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private static let flushSize = 1 << 20

    public init(path: String, header: [String]) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
        buffer.reserveCapacity(Self.flushSize + 4096)
        write(header)
    }

    public func write(_ fields: [String]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            let utf8 = field.utf8
            if utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
                buffer.append(UInt8(ascii: "\""))
                for b in utf8 {
                    if b == UInt8(ascii: "\"") { buffer.append(b) }
                    buffer.append(b)
                }
                buffer.append(UInt8(ascii: "\""))
            } else {
                buffer.append(contentsOf: utf8)
            }
        }
        buffer.append(0x0A)
        if buffer.count >= Self.flushSize { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        flush()
        try handle.close()
    }
}
