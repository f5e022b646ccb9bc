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

/// One shared copy of each distinct value of repetitive columns (ministry, province, statuses):
/// a run that keeps a million projects' ministries holds a dozen string buffers, not a million.
/// The engine's reader looks values up by the column's bytes, so a value seen before costs a hash
/// and a compare, no allocation. Used by one thread at a time.
final class StringPool {
    /// Open addressing over `pooled` by the bytes' hash.
    private var pooled: [String] = []
    private var slots = [Int32](repeating: -1, count: 1024)
    /// Past this many distinct values the columns are not repetitive: new values are not pooled.
    static let limit = 1 << 16

    /// The distinct values pooled so far.
    var count: Int { pooled.count }

    /// The string with these UTF-8 bytes: a shared copy when seen before, else a new one.
    /// Bytes are decoded as String(decoding:) does; a value whose bytes needed repair is never
    /// pooled (its repaired bytes would not match the next lookup).
    func string(bytes: UnsafeRawBufferPointer) -> String {
        // FNV-1a: short keys, one pass, no seeding state.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while slots[slot] >= 0 {
            var candidate = pooled[Int(slots[slot])]
            let same = candidate.withUTF8 { c in
                c.count == bytes.count && (c.isEmpty || memcmp(c.baseAddress!, bytes.baseAddress!, c.count) == 0)
            }
            if same { return candidate }
            slot = (slot + 1) & mask
        }
        let value = String(decoding: bytes, as: UTF8.self)
        guard pooled.count < Self.limit, value.utf8.count == bytes.count else { return value }
        slots[slot] = Int32(pooled.count)
        pooled.append(value)
        if pooled.count * 2 > slots.count { grow() }
        return value
    }

    /// The same for a Swift string (tests, and callers that already hold one).
    func string(_ value: String) -> String {
        var copy = value
        return copy.withUTF8 { string(bytes: UnsafeRawBufferPointer($0)) }
    }

    private func grow() {
        let strings = pooled
        pooled = []
        slots = [Int32](repeating: -1, count: slots.count * 2)
        for value in strings { _ = string(value) }
    }
}
