import Foundation

/// A file's SHA-256 for `sources`, by which content seen before is skipped.
///
/// When the store holds a source of the same size (or of a size not recorded), the hash is
/// computed before loading, so a file seen before is skipped without being read. Otherwise the
/// content cannot be one seen before, and the hash is computed on another thread while the file
/// loads (hashing first cost 6 % of a bids.csv load).
final class ContentHash {
    let path: String
    let sizeBytes: Int
    /// The hash, when computed before loading.
    let known: String?
    private let hashing: BoundedQueue<String>?

    /// Hashes `path` now or starts hashing it alongside the load, as the store's sizes allow.
    init(path: String, store: Store) throws {
        self.path = path
        var st = stat()
        guard stat(path, &st) == 0 else { throw IngestError.unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        sizeBytes = Int(st.st_size)
        if try store.mayHoldSource(ofSize: sizeBytes) {
            known = try Ingestor.sha256(ofFile: path)
            hashing = nil
        } else {
            known = nil
            hashing = BoundedQueue<String>.producing(capacity: 1) { queue in _ = queue.push(try Ingestor.sha256(ofFile: path)) }
        }
    }

    deinit { hashing?.cancel() }

    /// What `sources.sha256` holds until the hash is known (the column is unique).
    var placeholder: String { known ?? "pending:" + UUID().uuidString }

    /// The hash from the hashing thread, once it has answered (a rolled-back load may ask again).
    private var computed: String?

    /// The hash, waiting for the hashing thread if needed.
    func value() throws -> String {
        if let sha = known ?? computed { return sha }
        guard let sha = try hashing?.pop() else { throw IngestError.unreadableFile(path: path, reason: "cannot hash") }
        computed = sha
        return sha
    }

    /// Records the hash on the source once the load is done, if it was computed alongside.
    func record(on sourceID: Int64, in store: Store) throws {
        guard known == nil else { return }
        try store.setSHA256(try value(), sourceID: sourceID)
    }
}
