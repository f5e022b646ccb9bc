/// Strings to dense Int32 ids and back, for the keys a run meets millions of times (firm TINs,
/// agency ids, identity keys, markets): one hash per key, then integer arrays and comparisons.
/// Keys hash and compare as UTF-8 bytes (`UTF8Key`): String hashing normalises non-ASCII text
/// (Thai agency names) on every call, and ingest has normalised the text already.
/// A value type used by one thread at a time.
struct Interner {
    private(set) var names: [String] = []
    private var ids: [UTF8Key: Int32] = [:]

    /// The id of `name`, assigned on first sight.
    mutating func id(_ name: String) -> Int32 {
        let key = UTF8Key(name)
        if let known = ids[key] { return known }
        let id = Int32(names.count)
        ids[key] = id
        names.append(name)
        return id
    }

    /// The id of `name` if it has one.
    func existingID(_ name: String) -> Int32? { ids[UTF8Key(name)] }

    /// The string behind an id; "—" for -1 (no value).
    func name(_ id: Int32) -> String { id < 0 ? "—" : names[Int(id)] }

    var count: Int { names.count }
}

/// One `Interner` shared by the dataset runs of a pass, which observe on one thread and then
/// finish one after another (runs sharing it finish on one thread: `DatasetRunSlots`): the bidders of a million-project store (a quarter of a million
/// TINs, about 16 MB of keys) are interned once, not once per rule. Only for rules whose output
/// does not follow the ids' order.
final class SharedInterner {
    private var interner = Interner()

    init() {}

    /// The run's shared interner of firm keys (bidder and winner TINs, else normalised names).
    static func firms(_ shared: RunSharedState) -> SharedInterner { shared.value("firm-ids") { SharedInterner() } }

    func id(_ name: String) -> Int32 { interner.id(name) }
    func existingID(_ name: String) -> Int32? { interner.existingID(name) }
    func name(_ id: Int32) -> String { interner.name(id) }
}
