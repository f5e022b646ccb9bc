/// Strings to dense Int32 ids and back, for the keys a run meets millions of times (firm TINs,
/// agency ids, identity keys, markets): one hash per key, then integer arrays and comparisons.
/// A value type used by one thread at a time.
struct Interner {
    private(set) var names: [String] = []
    private var ids: [String: Int32] = [:]

    /// The id of `name`, assigned on first sight.
    mutating func id(_ name: String) -> Int32 {
        if let known = ids[name] { return known }
        let id = Int32(names.count)
        ids[name] = id
        names.append(name)
        return id
    }

    /// The string behind an id; "—" for -1 (no value).
    func name(_ id: Int32) -> String { id < 0 ? "—" : names[Int(id)] }

    var count: Int { names.count }
}
