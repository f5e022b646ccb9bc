import Foundation

/// Text made a piece at a time, written to a file or a handle a megabyte at a time, so a
/// national report (hundreds of megabytes) never sits in memory whole. The CSV and HTML writers
/// share it; the workbook's sheets are bytes and have their own buffer.
final class StreamedText {
    private let handle: FileHandle
    /// Whether the handle is a file this opened (not stdout) and still open: `finish` closes it,
    /// or the deinit after a failure.
    private var closes: Bool
    private var buffer = Data()
    /// The first write error: later pieces are dropped, and `finish` throws it.
    private var failure: (any Error)?

    init(handle: FileHandle) {
        (self.handle, closes) = (handle, false)
        buffer.reserveCapacity(1 << 20)
    }

    /// A new file at `path` (replacing one there).
    init(toFile path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ReportError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        (handle, closes) = (try FileHandle(forWritingTo: URL(fileURLWithPath: path)), true)
        buffer.reserveCapacity(1 << 20)
    }

    deinit { if closes { try? handle.close() } }

    func append(_ piece: String) {
        guard failure == nil else { return }
        buffer.append(contentsOf: piece.utf8)
        flushIfFull()
    }

    /// Bytes as they are (a file copied in chunks, which may split a character).
    func append(bytes piece: Data) {
        guard failure == nil else { return }
        buffer.append(piece)
        flushIfFull()
    }

    private func flushIfFull() {
        guard buffer.count >= 1 << 20 else { return }
        do { try handle.write(contentsOf: buffer) } catch { failure = error }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered (and closes a file this opened); throws the first write error.
    func finish() throws {
        if let failure { throw failure }
        try handle.write(contentsOf: buffer)
        buffer.removeAll()
        if closes {
            closes = false
            try handle.close()
        }
    }

    /// Writes what `produce` emits to a new file at `path` (replacing one there).
    static func write(toFile path: String, _ produce: ((String) -> Void) -> Void) throws {
        let text = try StreamedText(toFile: path)
        produce(text.append)
        try text.finish()
    }

    /// Writes what `produce` emits to `handle`.
    static func write(to handle: FileHandle, _ produce: ((String) -> Void) -> Void) throws {
        let text = StreamedText(handle: handle)
        produce(text.append)
        try text.finish()
    }
}
