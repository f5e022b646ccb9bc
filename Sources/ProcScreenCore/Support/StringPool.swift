import Foundation

/// A string hashed and compared by its UTF-8 bytes. Swift's own String hashing normalises
/// non-ASCII text to NFC first, which made Thai keys (titles, ministries) the most expensive part
/// of some runs; byte equality is what the keys here need (they come from one store).
struct UTF8Key: Hashable {
    let value: String

    init(_ value: String) { self.value = value }

    static func == (a: UTF8Key, b: UTF8Key) -> Bool {
        var (x, y) = (a.value, b.value)
        return x.withUTF8 { p in
            y.withUTF8 { q in p.count == q.count && (p.isEmpty || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) }
        }
    }

    func hash(into hasher: inout Hasher) {
        var copy = value
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// One shared copy of each distinct value of a repetitive column (ministry, province): a run
/// that keeps a million projects' ministries holds a dozen string buffers, not a million.
/// Used by one thread at a time.
final class StringPool {
    private var values: [UTF8Key: String] = [:]

    func canonical(_ s: String?) -> String? {
        guard let s else { return nil }
        if let known = values[UTF8Key(s)] { return known }
        values[UTF8Key(s)] = s
        return s
    }
}
