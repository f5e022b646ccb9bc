import Foundation

/// The encodings procscreen reads: UTF-8 (with or without BOM) and TIS-620 / Windows-874.
public enum SourceEncoding: String, Sendable, Codable {
    case utf8 = "utf-8"
    case tis620 = "tis-620"

    /// Decides from the first bytes of a file: valid UTF-8 is UTF-8; otherwise, bytes in the
    /// Thai range of TIS-620 (0xA1-0xFB) make it TIS-620/cp874.
    ///
    /// A sample cut in the middle of a UTF-8 sequence still counts as UTF-8.
    public static func detect(_ sample: UnsafeRawBufferPointer) -> SourceEncoding {
        if isValidUTF8(sample) { return .utf8 }
        var thai = 0, other = 0
        for b in sample where b >= 0x80 {
            if (0xA1...0xFB).contains(b) { thai += 1 } else { other += 1 }
        }
        return thai > other ? .tis620 : .utf8
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            if b & 0xE0 == 0xC0, b >= 0xC2 { length = 2 }
            else if b & 0xF0 == 0xE0 { length = 3 }
            else if b & 0xF8 == 0xF0, b <= 0xF4 { length = 4 }
            else { return false }
            if i + length > n { return true }   // truncated by the sample's end
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}

/// Transcodes TIS-620 / Windows-874 bytes to UTF-8, chunk by chunk (the mapping is stateless).
enum TIS620 {
    /// Appends the UTF-8 form of `input` to `output`.
    static func transcode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + input.count * 3)
        for b in input {
            if b < 0x80 {
                output.append(b)
            } else if let scalar = scalar(for: b) {
                appendUTF8(scalar, to: &output)
            } else {
                appendUTF8(0xFFFD, to: &output)
            }
        }
    }

    /// The Unicode scalar for one byte ≥ 0x80, or nil when the byte is undefined.
    static func scalar(for b: UInt8) -> UInt32? {
        switch b {
        case 0xA1...0xDA, 0xDF...0xFB: return 0x0E01 + UInt32(b - 0xA1)
        case 0xA0: return 0x00A0
        // Windows-874 additions in the C1 range.
        case 0x80: return 0x20AC
        case 0x85: return 0x2026
        case 0x91: return 0x2018
        case 0x92: return 0x2019
        case 0x93: return 0x201C
        case 0x94: return 0x201D
        case 0x95: return 0x2022
        case 0x96: return 0x2013
        case 0x97: return 0x2014
        default: return nil
        }
    }

    static func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 { out.append(UInt8(v)) }
        else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
