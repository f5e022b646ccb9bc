import CPCRE2
import Foundation

/// A PCRE2 failure: the pattern, the offset PCRE2 points at, and PCRE2's own message.
public struct RegexError: Error, CustomStringConvertible, Equatable, Sendable {
    public let pattern: String
    /// Byte offset into the pattern where compilation failed (nil for match-time errors).
    public let offset: Int?
    public let message: String

    public var description: String {
        if let offset { return "invalid pattern /\(pattern)/ at offset \(offset): \(message)" }
        return "pattern /\(pattern)/: \(message)"
    }
}

/// A compiled PCRE2 pattern (UTF + UCP, JIT-compiled), with limits so no pattern can hang a run.
///
/// The compiled code is immutable and may be shared; the match data is per object, so one
/// object must not be used by two threads at once (keep one per thread or per connection).
///
/// For example:
/// ```swift
/// let method = try PCRERegex("ประกวดราคา|e-?bidding", caseless: true)
/// try method.matches("ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)")   // true
/// ```
/// See <https://www.pcre.org/current/doc/html/pcre2api.html>.
public final class PCRERegex {
    public let pattern: String
    private let code: OpaquePointer
    private let matchData: OpaquePointer
    private let matchContext: OpaquePointer
    private let jitStack: OpaquePointer?

    /// Backtracking steps allowed per match; beyond it the match fails with an error, not a hang.
    public static let matchLimit: UInt32 = 5_000_000
    /// Nesting depth allowed per match (the interpreter's heap use).
    public static let depthLimit: UInt32 = 100_000

    // Option bits from pcre2.h (macros with a `u` suffix do not import as UInt32).
    static let optionCaseless: UInt32 = 0x0000_0008
    static let optionMultiline: UInt32 = 0x0000_0400
    static let optionUCP: UInt32 = 0x0002_0000
    static let optionUTF: UInt32 = 0x0008_0000
    static let optionMatchInvalidUTF: UInt32 = 0x0400_0000
    static let jitComplete: UInt32 = 0x0000_0001
    static let substituteGlobal: UInt32 = 0x0000_0100
    static let substituteOverflowLength: UInt32 = 0x0000_1000
    static let errorNoMatch: Int32 = -1
    static let errorNoMemory: Int32 = -48

    /// Compiles `pattern` with UTF, UCP and invalid-UTF tolerance; JIT when available.
    ///
    /// - Throws: `RegexError` with the offset and PCRE2's message when the pattern is invalid.
    public init(_ pattern: String, caseless: Bool = false, multiline: Bool = false) throws(RegexError) {
        var options = Self.optionUTF | Self.optionUCP | Self.optionMatchInvalidUTF
        if caseless { options |= Self.optionCaseless }
        if multiline { options |= Self.optionMultiline }
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let compiled = pattern.withCString { cPattern in
            cPattern.withMemoryRebound(to: UInt8.self, capacity: pattern.utf8.count + 1) { p in
                pcre2_compile_8(p, pattern.utf8.count, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw RegexError(pattern: pattern, offset: errorOffset, message: Self.message(for: errorCode))
        }
        self.pattern = pattern
        self.code = compiled
        // JIT is an optimisation: if it is unavailable the interpreter still works.
        _ = pcre2_jit_compile_8(compiled, Self.jitComplete)
        guard let data = pcre2_match_data_create_from_pattern_8(compiled, nil),
              let context = pcre2_match_context_create_8(nil)
        else {
            pcre2_code_free_8(compiled)
            throw RegexError(pattern: pattern, offset: nil, message: "out of memory")
        }
        self.matchData = data
        self.matchContext = context
        pcre2_set_match_limit_8(context, Self.matchLimit)
        pcre2_set_depth_limit_8(context, Self.depthLimit)
        // A bigger JIT stack than the 32 KB default, so legitimate patterns on long text do not fail.
        self.jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(matchContext)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
        pcre2_code_free_8(code)
    }

    // MARK: - Matching

    /// Whether the pattern matches anywhere in `text`.
    ///
    /// - Throws: `RegexError` when a limit is hit (catastrophic backtracking) or PCRE2 fails.
    public func matches(_ text: String) throws(RegexError) -> Bool {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(RegexError) in try matches(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    /// Whether the pattern matches anywhere in the UTF-8 bytes.
    public func matches(_ bytes: UnsafeRawBufferPointer) throws(RegexError) -> Bool {
        try firstMatch(bytes, from: 0) != nil
    }

    /// The byte range of the first match at or after `offset`, or nil.
    func firstMatch(_ bytes: UnsafeRawBufferPointer, from offset: Int) throws(RegexError) -> Range<Int>? {
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? Self.emptyBytes
        let rc = pcre2_match_8(code, base, bytes.count, offset, 0, matchData, matchContext)
        if rc == Self.errorNoMatch { return nil }
        guard rc >= 0 else {
            throw RegexError(pattern: pattern, offset: nil, message: Self.message(for: rc))
        }
        let ovector = pcre2_get_ovector_pointer_8(matchData)!
        return Int(ovector[0])..<Int(ovector[1])
    }

    /// The captured groups of the first match (index 0 is the whole match); nil when no match.
    /// Groups that did not take part are nil.
    public func captures(in text: String) throws(RegexError) -> [String?]? {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(RegexError) in try captures(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    private func captures(_ raw: UnsafeRawBufferPointer) throws(RegexError) -> [String?]? {
        guard try firstMatch(raw, from: 0) != nil else { return nil }
        let count = Int(pcre2_get_ovector_count_8(matchData))
        let ovector = pcre2_get_ovector_pointer_8(matchData)!
        let unset = procscreen_pcre2_unset()
        return (0..<count).map { i -> String? in
            let start = ovector[2 * i], end = ovector[2 * i + 1]
            guard start != unset, end != unset else { return nil }
            return String(decoding: raw[Int(start)..<Int(end)], as: UTF8.self)
        }
    }

    /// `text` with every match replaced by `replacement` (`$1` refers to a group).
    public func replacingMatches(in text: String, with replacement: String) throws(RegexError) -> String {
        var text = text
        var replacement = replacement
        return try text.withUTF8 { subject in
            replacement.withUTF8 { repl in
                Result { () throws(RegexError) in try substitute(subject, repl) }
            }
        }.get()
    }

    private func substitute(_ subject: UnsafeBufferPointer<UInt8>, _ repl: UnsafeBufferPointer<UInt8>) throws(RegexError) -> String {
        var capacity = subject.count * 2 + 64
        while true {
            var output = [UInt8](repeating: 0, count: capacity)
            var length = capacity
            let options = Self.substituteGlobal | Self.substituteOverflowLength
            let rc = pcre2_substitute_8(
                code, subject.baseAddress ?? Self.emptyBytes, subject.count, 0, options,
                matchData, matchContext, repl.baseAddress ?? Self.emptyBytes, repl.count,
                &output, &length)
            if rc == Self.errorNoMemory, length > capacity {
                capacity = length + 1
                continue
            }
            guard rc >= 0 else {
                throw RegexError(pattern: pattern, offset: nil, message: Self.message(for: rc))
            }
            return String(decoding: output[0..<length], as: UTF8.self)
        }
    }

    // MARK: - Helpers

    nonisolated(unsafe) private static let emptyBytes: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(errorCode, &buffer, buffer.count)
        guard n > 0 else { return "PCRE2 error \(errorCode)" }
        return String(decoding: buffer[0..<Int(n)], as: UTF8.self)
    }
}

/// Compiles each distinct pattern once and reuses it.
///
/// Not thread-safe by design: keep one cache per thread (each `PCRERegex` owns its match data).
public final class RegexCache {
    private var compiled: [String: PCRERegex] = [:]

    public init() {}

    /// The compiled form of `pattern`, compiling it on first use.
    public func regex(_ pattern: String, caseless: Bool = false) throws(RegexError) -> PCRERegex {
        let key = caseless ? "i:" + pattern : "c:" + pattern
        if let hit = compiled[key] { return hit }
        let regex = try PCRERegex(pattern, caseless: caseless)
        compiled[key] = regex
        return regex
    }

    public var count: Int { compiled.count }
}
