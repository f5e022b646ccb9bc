import Foundation
import Testing
@testable import ProcScreenCore

@Suite("CSV reader")
struct CSVRecordReaderTests {
    func read(_ bytes: [UInt8]) throws -> [CSVRecord] {
        let dir = try TemporaryDirectory()
        let path = try dir.write("f.csv", Data(bytes))
        let reader = try CSVRecordReader(path: path)
        var records: [CSVRecord] = []
        while let r = try reader.next() { records.append(r) }
        return records
    }

    func read(_ text: String) throws -> [CSVRecord] { try read(Array(text.utf8)) }

    @Test func quotedFieldsDoubledQuotesAndEmbeddedNewlines() throws {
        let records = try read("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"line1\nline2\"\nlast,,\n")
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "line1\nline2"], ["last", "", ""]])
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test func crlfAndBOMAndMissingFinalNewline() throws {
        let records = try read([0xEF, 0xBB, 0xBF] + Array("id,name\r\n1,ก\r\n2,ข".utf8))
        #expect(records.map(\.fields) == [["id", "name"], ["1", "ก"], ["2", "ข"]])
        #expect(records.map(\.line) == [1, 2, 3])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let records = try read("h\n\n1\n\n\n2\n")
        #expect(records.map(\.fields) == [["h"], ["1"], ["2"]])
        #expect(records.map(\.line) == [1, 3, 6])
    }

    @Test func unterminatedQuoteIsReportedNotCrashed() throws {
        let records = try read("a,b\n1,\"open\n2,3\n")
        #expect(records.count == 2)
        #expect(records[1].problem?.contains("unterminated") == true)
        #expect(records[1].line == 2)
    }

    @Test func textAfterClosingQuoteIsKeptAndReported() throws {
        let records = try read("a\n\"x\"y\n")
        #expect(records[1].fields == ["xy"])
        #expect(records[1].problem != nil)
    }

    @Test func recordsSpanningTheReadBufferBoundary() throws {
        // Fields larger than the 1 MB buffer, and quotes straddling chunk edges.
        let big = String(repeating: "ก", count: 400_000)   // 1.2 MB of UTF-8
        var text = "id,text\n"
        for i in 0..<3 { text += "\(i),\"\(big)\"\"\(i)\"\n" }
        let records = try read(text)
        #expect(records.count == 4)
        for i in 0..<3 {
            let fields = records[i + 1].fields
            #expect(fields.count == 2)
            #expect(fields.first == String(i))
            #expect(fields.last?.utf8.count == big.utf8.count + 2, "length")
            #expect(fields.last?.hasSuffix("ก\"\(i)") == true, "suffix: \(fields.last?.suffix(5) ?? "")")
            #expect(fields.last == big + "\"" + String(i))
            #expect(records[i + 1].line == i + 2)
        }
    }

    @Test func tis620IsDetectedAndTranscoded() throws {
        // "รหัส,ชื่อ\n1,ซื้อ\n" in TIS-620.
        let thai: [UInt8] = [0xC3, 0xCB, 0xD1, 0xCA, 0x2C, 0xAA, 0xD7, 0xE8, 0xCD, 0x0A, 0x31, 0x2C, 0xAB, 0xD7, 0xE9, 0xCD, 0x0A]
        let dir = try TemporaryDirectory()
        let path = try dir.write("t.csv", Data(thai))
        let reader = try CSVRecordReader(path: path)
        #expect(reader.encoding == .tis620)
        #expect(try reader.next()?.fields == ["รหัส", "ชื่อ"])
        #expect(try reader.next()?.fields == ["1", "ซื้อ"])
    }

    @Test func utf8ThaiIsNotMistakenForTIS620() throws {
        let dir = try TemporaryDirectory()
        let path = try dir.write("u.csv", "ชื่อ\nกรมทางหลวง\n")
        #expect(try CSVRecordReader(path: path).encoding == .utf8)
    }
}
