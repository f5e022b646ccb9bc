/// An optional integer in the integer's own size, `Wrapped.min` standing for nil. Populations
/// keep a fiscal year or an amount per project for millions of projects, where an `Int?` takes
/// 9 bytes padded to 16. Fiscal years and amounts never are the type's minimum; a value that
/// does not fit the type is kept as nil (the ingest bounds both).
struct PackedOptional<Wrapped: FixedWidthInteger & SignedInteger & Sendable>: Hashable, Sendable {
    private let raw: Wrapped

    init<T: BinaryInteger>(_ value: T?) { raw = value.flatMap { Wrapped(exactly: $0) } ?? .min }

    var value: Wrapped? { raw == .min ? nil : raw }
    /// The value as an `Int` (fiscal years).
    var int: Int? { value.map(Int.init) }
}
