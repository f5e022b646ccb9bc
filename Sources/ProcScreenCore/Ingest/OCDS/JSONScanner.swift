import Foundation

/// A JSON syntax error at a byte offset of the text being scanned.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "\(message) at byte \(offset)" }
}

/// A pull parser over UTF-8 JSON bytes that builds nothing it is not asked for: the caller walks
/// objects and arrays, reads the scalars it needs and skips every other value with a byte scan
/// (strings, numbers and nested containers are stepped over without being decoded). OCDS
/// releases carry far more than a screen reads (documents, milestones, amendments), so skipping
/// is most of the work; a tree of every object (JSONSerialization) costs 2-4x more.
///
/// The bytes must outlive the scanner (it holds an unsafe buffer).
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        position = start
        self.end = end ?? bytes.count
    }

    enum Kind { case object, array, string, number, bool, null }

    func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, message: message) }

    @inline(__always) mutating func skipSpace() {
        while position < end {
            let b = bytes[position]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            position += 1
        }
    }

    var atEnd: Bool { mutating get { skipSpace(); return position >= end } }

    mutating func kind() throws(JSONSyntaxError) -> Kind {
        skipSpace()
        guard position < end else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error("unexpected character '\(Character(UnicodeScalar(bytes[position])))'")
        }
    }

    @inline(__always) private mutating func expect(_ c: UInt8) throws(JSONSyntaxError) {
        skipSpace()
        guard position < end, bytes[position] == c else { throw error("expected '\(Character(UnicodeScalar(c)))'") }
        position += 1
    }

    // MARK: - Containers

    /// Walks an object's members; `body` reads the value of the keys it wants (it must consume
    /// the value and return true) or returns false to have it skipped. A value that is not an
    /// object (publishers write null or "" for missing blocks) is skipped.
    mutating func object(_ body: (inout JSONScanner, JSONKey) throws -> Bool) throws {
        skipSpace()
        if position < end, bytes[position] != UInt8(ascii: "{") { return try skipValue() }
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if position < end, bytes[position] == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipSpace()
            guard position < end, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try keyBytes()
            try expect(UInt8(ascii: ":"))
            if try !body(&self, key) { try skipValue() }
            skipSpace()
            guard position < end else { throw error("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return }
            throw error("expected ',' or '}'")
        }
    }

    /// Walks an array; `body` must consume each element. A value that is not an array is skipped.
    mutating func array(_ body: (inout JSONScanner) throws -> Void) throws {
        skipSpace()
        if position < end, bytes[position] != UInt8(ascii: "[") { return try skipValue() }
        try expect(UInt8(ascii: "["))
        skipSpace()
        if position < end, bytes[position] == UInt8(ascii: "]") { position += 1; return }
        while true {
            try body(&self)
            skipSpace()
            guard position < end else { throw error("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return }
            throw error("expected ',' or ']'")
        }
    }

    /// The elements of an array of objects (anything else is skipped).
    mutating func objects(_ body: (inout JSONScanner, JSONKey) throws -> Bool) throws {
        guard try kind() == .array else { return try skipValue() }
        try array { s in
            if try s.kind() == .object { try s.object(body) } else { try s.skipValue() }
        }
    }

    /// A member name: the raw bytes between the quotes (names with escapes are decoded).
    private mutating func keyBytes() throws(JSONSyntaxError) -> JSONKey {
        let start = position + 1
        var i = start
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                position = i + 1
                return JSONKey(bytes: UnsafeBufferPointer(rebasing: bytes[start..<i]))
            }
            if b == UInt8(ascii: "\\") { break }
            i += 1
        }
        // Rare: an escaped name. Decode it and compare by content.
        let text = try string()
        return JSONKey(decoded: text)
    }

    // MARK: - Scalars

    /// Reads a string value (escapes decoded).
    mutating func string() throws(JSONSyntaxError) -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        var i = start
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                position = i + 1
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { position = i; throw error("control character in string") }
            i += 1
        }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<i]))
        position = i
        while position < end {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") { position += 1; return String(decoding: out, as: UTF8.self) }
            if b < 0x20 { throw error("control character in string") }
            if b != UInt8(ascii: "\\") { out.append(b); position += 1; continue }
            guard position + 1 < end else { break }
            let e = bytes[position + 1]
            position += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), position + 1 < end, bytes[position] == UInt8(ascii: "\\"),
                   bytes[position + 1] == UInt8(ascii: "u") {
                    position += 2
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + ((low &- 0xDC00) & 0x3FF)
                }
                let character = UnicodeScalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(character).utf8))
            default: throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= end else { throw error("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - 0x57)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - 0x37)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }

    /// The text of a number value, validated loosely (digits, sign, point, exponent).
    mutating func numberText() throws(JSONSyntaxError) -> UnsafeBufferPointer<UInt8> {
        skipSpace()
        let start = position
        while position < end {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                 UInt8(ascii: "e"), UInt8(ascii: "E"):
                position += 1
            default:
                guard position > start else { throw error("expected a number") }
                return UnsafeBufferPointer(rebasing: bytes[start..<position])
            }
        }
        guard position > start else { throw error("expected a number") }
        return UnsafeBufferPointer(rebasing: bytes[start..<position])
    }

    mutating func bool() throws(JSONSyntaxError) -> Bool {
        skipSpace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw error("expected true or false")
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard position + n <= end, memcmp(bytes.baseAddress! + position, literal.utf8Start, n) == 0 else { return false }
        position += n
        return true
    }

    /// A scalar read where the type varies between publishers.
    enum Scalar {
        case string(String)
        case number(UnsafeBufferPointer<UInt8>)
        case bool(Bool)
        case null
        /// An object or array (skipped).
        case container
    }

    mutating func scalar() throws -> Scalar {
        switch try kind() {
        case .string: return .string(try string())
        case .number: return .number(try numberText())
        case .bool: return .bool(try bool())
        case .null: _ = matchLiteral("null"); return .null
        case .object, .array: try skipValue(); return .container
        }
    }

    /// A string value, or nil (other types are skipped).
    mutating func optionalString() throws -> String? {
        if case .string(let s) = try scalar() { return s }
        return nil
    }

    // MARK: - Skipping

    /// Steps over one value of any type without decoding it.
    mutating func skipValue() throws(JSONSyntaxError) {
        skipSpace()
        guard position < end else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["): try skipContainer()
        case UInt8(ascii: "t"): guard matchLiteral("true") else { throw error("invalid literal") }
        case UInt8(ascii: "f"): guard matchLiteral("false") else { throw error("invalid literal") }
        case UInt8(ascii: "n"): guard matchLiteral("null") else { throw error("invalid literal") }
        default: _ = try numberText()
        }
    }

    private mutating func skipString() throws(JSONSyntaxError) {
        var i = position + 1
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { position = i + 1; return }
            i += b == UInt8(ascii: "\\") ? 2 : 1
        }
        throw error("unterminated string")
    }

    /// Skips a balanced object or array: counts brackets outside strings.
    private mutating func skipContainer() throws(JSONSyntaxError) {
        var depth = 0
        var i = position
        while i < end {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                i += 1
                while i < end && bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { position = i + 1; return }
            default:
                break
            }
            i += 1
        }
        throw error("unterminated \(bytes[position] == UInt8(ascii: "{") ? "object" : "array")")
    }
}

/// A member name as raw bytes, compared with static names without building a String.
struct JSONKey {
    let bytes: UnsafeBufferPointer<UInt8>?
    let decoded: String?

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes; decoded = nil }
    init(decoded: String) { bytes = nil; self.decoded = decoded }

    @inline(__always) static func == (key: JSONKey, name: StaticString) -> Bool {
        if let bytes = key.bytes {
            let n = name.utf8CodeUnitCount
            return bytes.count == n && memcmp(bytes.baseAddress!, name.utf8Start, n) == 0
        }
        return key.decoded == name.description
    }

    var text: String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? decoded ?? "" }
}

/// Number text → value helpers (JSON numbers, and numeric strings some publishers write).
enum JSONNumber {
    /// The amount in minor units (×100), rounded half away from zero; exact for plain decimals.
    static func minorUnits(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var negative = false
        var i = 0
        if i < text.count, text[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var whole: Int64 = 0
        var digits = 0
        while i < text.count, text[i] >= 0x30, text[i] <= 0x39 {
            guard whole < Int64.max / 1000 else { return double(text).flatMap(fromDouble) }
            whole = whole * 10 + Int64(text[i] - 0x30)
            i += 1
            digits += 1
        }
        var fraction: Int64 = 0
        var fractionDigits = 0
        var roundUp = false
        if i < text.count, text[i] == UInt8(ascii: ".") {
            i += 1
            while i < text.count, text[i] >= 0x30, text[i] <= 0x39 {
                if fractionDigits < 2 {
                    fraction = fraction * 10 + Int64(text[i] - 0x30)
                } else if fractionDigits == 2 {
                    roundUp = text[i] >= UInt8(ascii: "5")
                }
                fractionDigits += 1
                i += 1
            }
        }
        guard digits > 0 else { return nil }
        if i < text.count { return double(text).flatMap(fromDouble) }   // an exponent
        if fractionDigits == 1 { fraction *= 10 }
        let value = whole * 100 + fraction + (roundUp ? 1 : 0)
        return negative ? -value : value
    }

    static func double(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
        Double(String(decoding: text, as: UTF8.self))
    }

    private static func fromDouble(_ d: Double) -> Int64? {
        let v = (d * 100).rounded()
        return v.isFinite && abs(v) < 9.2e18 ? Int64(v) : nil
    }

    /// A whole number (numberOfTenderers): nil for fractions or out-of-range values.
    static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let d = double(text), d == d.rounded(), d >= 0, d < 1e9 else { return nil }
        return Int(d)
    }
}
