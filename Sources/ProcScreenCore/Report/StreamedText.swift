import Foundation

/// Text made a piece at a time, written to a file or a handle a megabyte at a time, so a
/// national report (hundreds of megabytes) never sits in memory whole. The CSV and HTML writers
/// share it; the workbook's sheets are bytes and have their own buffer.
enum StreamedText {
    /// Writes what `produce` emits to a new file at `path` (replacing one there).
    static func write(toFile path: String, _ produce: ((String) -> Void) -> Void) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try write(to: handle, produce)
    }

    /// Writes what `produce` emits to `handle`; the first write error stops the writing and is
    /// rethrown.
    static func write(to handle: FileHandle, _ produce: ((String) -> Void) -> Void) throws {
        var buffer = Data()
        buffer.reserveCapacity(1 << 20)
        var failure: (any Error)?
        produce { piece in
            guard failure == nil else { return }
            buffer.append(contentsOf: piece.utf8)
            guard buffer.count >= 1 << 20 else { return }
            do { try handle.write(contentsOf: buffer) } catch { failure = error }
            buffer.removeAll(keepingCapacity: true)
        }
        if let failure { throw failure }
        try handle.write(contentsOf: buffer)
    }
}
