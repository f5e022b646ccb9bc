import Foundation
import ZIPFoundation

/// A real Office Open XML workbook (summary, projects, findings, parameters): numbers stored as
/// numbers, text as inline strings (Thai intact), a bold frozen header row with an auto-filter.
/// Excel and LibreOffice open it; the test converts it back to CSV with LibreOffice when present.
public enum XLSXReport {
    /// Rows a worksheet holds under its header: Excel's last row is 1,048,576.
    static let rowsPerSheet = 1_048_575

    /// Writes the workbook of a report with its projects in memory.
    public static func write(_ r: FlaggedReport, language: Language, to path: String) throws {
        try write(r, language: language, to: path, rowsPerSheet: rowsPerSheet)
    }

    static func write(_ r: FlaggedReport, language: Language, to path: String, rowsPerSheet: Int) throws {
        let writer = try Writer(path: path, language: language, rowsPerSheet: rowsPerSheet)
        for p in r.projects { writer.append(p, of: r) }
        try writer.finish(r)
    }

    /// A workbook written a project at a time, as a streamed report (`FlaggedReport.stream`)
    /// hands them out: each project's row and findings rows go to their sheets' files in a
    /// scratch folder as it passes; `finish` adds the summary and rules sheets, whose counts are
    /// known only then, and zips the parts. A table longer than a sheet holds goes on in further
    /// sheets ("Findings 2", …), each with the header: at 2 M projects the findings are 1.2
    /// million rows.
    public final class Writer: @unchecked Sendable {
        private let path: String
        private let language: Language
        private let rowsPerSheet: Int
        private let scratch: URL
        /// The workbook, created when the writer is: a path that cannot be written fails before
        /// a national list has been read. Removed again unless `finish` completes it.
        private let archive: Archive
        private var finished = false
        private var projects: Table
        private var findings: Table
        /// The first error writing a part: `finish` throws it.
        private var failure: (any Error)?
        /// Projects appended and not yet handed to the rows thread.
        private var pending: [FlaggedReport.Project] = []
        /// Writes the sheets' rows on a thread of its own while the caller reads the next
        /// projects (and writes the CSV): one after the other, the workbook took 82.7 s at 1 M
        /// projects, 67.7 s when its rows were written while the sheet before was compressed.
        /// Only this thread touches the tables and `failure` until `finish` has waited for it.
        private lazy var rowsThread = ConsumerThread<([FlaggedReport.Project], FlaggedReport)>(capacity: 4) { [unowned self] batch, r in
            for p in batch {
                add(ReportTables.projectRow(of: p, in: r, language), to: &projects)
                ReportTables.findingRows(of: p, in: r, language) { add($0, to: &findings) }
            }
        }
        private var rowsThreadStarted = false

        /// The sheets of one table: the parts written, the one being written.
        private struct Table {
            var name: String
            /// The scratch files' prefix (the name is the language's).
            var file: String
            var header: [String]
            var parts: [(name: String, file: URL)] = []
            var current: WorksheetWriter?
            var handle: FileHandle?
            var rows = 0
        }

        public convenience init(path: String, language: Language) throws {
            try self.init(path: path, language: language, rowsPerSheet: XLSXReport.rowsPerSheet)
        }

        init(path: String, language: Language, rowsPerSheet: Int) throws {
            (self.path, self.language, self.rowsPerSheet) = (path, language, rowsPerSheet)
            try? FileManager.default.removeItem(atPath: path)
            do {
                archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
            } catch {
                throw ReportError.cannotWrite(path: path, reason: (error as NSError).localizedDescription)
            }
            scratch = FileManager.default.temporaryDirectory.appendingPathComponent("procscreen-xlsx-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            projects = Table(name: ReportLabel.projects.text(language), file: "projects", header: ReportTables.projectHeader(language))
            findings = Table(name: ReportLabel.findings.text(language), file: "findings", header: ReportTables.findingHeader(language))
        }

        deinit {
            if rowsThreadStarted { rowsThread.cancel() }
            try? FileManager.default.removeItem(at: scratch)
            if !finished { try? FileManager.default.removeItem(atPath: path) }
        }

        public func append(_ p: FlaggedReport.Project, of r: FlaggedReport) {
            pending.append(p)
            if pending.count == 256 { handOn(r) }
        }

        private func handOn(_ r: FlaggedReport) {
            rowsThreadStarted = true
            rowsThread.submit((pending, r))
            pending = []
        }

        /// Writes the summary and rules sheets from `r` (the streamed report's counts), then the
        /// workbook; throws the first error met while writing.
        public func finish(_ r: FlaggedReport) throws {
            if !pending.isEmpty { handOn(r) }
            if rowsThreadStarted {
                rowsThread.finish()
                rowsThreadStarted = false
            }
            for k in [\Writer.projects, \Writer.findings] {
                if self[keyPath: k].parts.isEmpty { startPart(of: &self[keyPath: k]) }   // an empty table still has its sheet
                endPart(of: &self[keyPath: k])
            }
            let summary = try sheetFile("summary", ReportTables.summaryRows(r, language), header: false)
            let rules = try sheetFile("rules", ReportTables.parameterRows(r, language), header: true)
            if let failure { throw failure }
            try XLSXReport.write(parts: [(ReportLabel.summary.text(language), summary)] + projects.parts + findings.parts
                                 + [(ReportLabel.rules.text(language), rules)], scratch: scratch, to: archive)
            finished = true
            // Here, not only in the deinit: the scan's thread hands its files on and the process
            // may end before the writer is released (a 1 M scan left 714 MB of parts behind).
            try? FileManager.default.removeItem(at: scratch)
        }

        private func add(_ row: [ReportCell], to table: inout Table) {
            if table.current == nil || table.rows == rowsPerSheet {
                endPart(of: &table)
                startPart(of: &table)
            }
            table.current!.append(row)
            table.rows += 1
        }

        private func startPart(of table: inout Table) {
            let k = table.parts.count
            let file = scratch.appendingPathComponent("\(table.file)-\(k + 1).xml")
            table.parts.append((k == 0 ? table.name : "\(table.name) \(k + 1)", file))
            FileManager.default.createFile(atPath: file.path, contents: nil)
            do {
                let handle = try FileHandle(forWritingTo: file)
                table.handle = handle
                table.current = WorksheetWriter(header: true, width: table.header.count) { [weak self] bytes in
                    guard let self, self.failure == nil else { return }
                    do { try handle.write(contentsOf: bytes) } catch { self.failure = error }
                }
            } catch {
                failure = failure ?? error
                table.current = WorksheetWriter(header: true, width: table.header.count) { _ in }
            }
            table.current!.append(table.header.map { .text($0) })
            table.rows = 0
        }

        private func endPart(of table: inout Table) {
            table.current?.finish()
            table.current = nil
            do { try table.handle?.close() } catch { failure = failure ?? error }
            table.handle = nil
        }

        private func sheetFile(_ name: String, _ rows: [[ReportCell]], header: Bool) throws -> URL {
            let file = scratch.appendingPathComponent(name + ".xml")
            try Data(worksheetBytes(rows, header: header)).write(to: file)
            return file
        }
    }

    /// Zips the workbook: its parts, and the worksheets written already to files, named in order.
    static func write(parts sheets: [(name: String, file: URL)], scratch: URL, to archive: Archive) throws {
        func add(_ name: String, _ text: String) throws {
            let file = scratch.appendingPathComponent("part-" + name.replacingOccurrences(of: "/", with: "_"))
            try Data(text.utf8).write(to: file)
            try archive.addEntry(with: name, fileURL: file, compressionMethod: .deflate)
        }
        let sheetList = sheets.indices.map { i in
            #"<sheet name="\#(xml(sheetName(sheets[i].name)))" sheetId="\#(i + 1)" r:id="rId\#(i + 1)"/>"#
        }.joined()
        try add("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            \(sheets.indices.map { #"<Override PartName="/xl/worksheets/sheet\#($0 + 1).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"# }.joined())\
            </Types>
            """)
        try add("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            </Relationships>
            """)
        try add("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\(sheetList)</sheets></workbook>
            """)
        try add("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            \(sheets.indices.map { #"<Relationship Id="rId\#($0 + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#($0 + 1).xml"/>"# }.joined())\
            <Relationship Id="rId\(sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            </Relationships>
            """)
        // Style 0: default; 1: bold header; 2: #,##0.00 for numbers with decimals.
        try add("xl/styles.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <fonts count="2"><font><sz val="11"/><name val="Tahoma"/></font><font><b/><sz val="11"/><name val="Tahoma"/></font></fonts>\
            <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
            <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
            <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
            <cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
            <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
            <xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
            </styleSheet>
            """)
        for (i, sheet) in sheets.enumerated() {
            try archive.addEntry(with: "xl/worksheets/sheet\(i + 1).xml", fileURL: sheet.file, compressionMethod: .deflate)
        }
    }

    /// Sheet names: at most 31 characters, none of : \ / ? * [ ].
    static func sheetName(_ s: String) -> String {
        String(s.filter { !":\\/?*[]".contains($0) }.prefix(31))
    }

    static func worksheet(_ rows: [[ReportCell]], header: Bool) -> String {
        String(decoding: worksheetBytes(rows, header: header), as: UTF8.self)
    }

    /// The XML of a worksheet made in memory (the summary and rules sheets), as wide as its
    /// widest row; `header`: the first row is bold, frozen and filtered.
    static func worksheetBytes(_ rows: [[ReportCell]], header: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        let writer = WorksheetWriter(header: header, width: rows.map(\.count).max() ?? 0) { bytes += $0 }
        rows.forEach(writer.append)
        writer.finish()
        return bytes
    }

    /// A worksheet's XML made a row at a time and handed to `flush` a megabyte at a time, so a
    /// sheet of a million rows streams to a file instead of living in memory. The columns'
    /// widths follow the first 200 rows, held until they are known. Written as bytes: built as
    /// Strings, cell by cell, the XML was a third of a national workbook's time.
    final class WorksheetWriter {
        /// Whether the first row is a header (bold, frozen, with an auto-filter).
        private let header: Bool
        /// Cells in the widest row.
        private let width: Int
        private let flush: ([UInt8]) -> Void
        private let columns: [[UInt8]]
        private var out: [UInt8] = []
        /// The first rows, held until the widths are known.
        private var first: [[ReportCell]] = []
        private var started = false
        /// Rows written.
        private var r = 0

        init(header: Bool, width: Int, flush: @escaping ([UInt8]) -> Void) {
            (self.header, self.width, self.flush) = (header, width, flush)
            columns = (0 ..< width).map { Array(column($0).utf8) }
            out.reserveCapacity((1 << 20) + (1 << 16))
        }

        func append(_ row: [ReportCell]) {
            if started { return write(row) }
            first.append(row)
            if first.count == 200 { start() }
        }

        /// Ends the sheet and flushes the rest.
        func finish() {
            if !started { start() }
            append("</sheetData>")
            if header, r > 1, width > 0 { append(#"<autoFilter ref="A1:\#(column(width - 1))\#(r)"/>"#) }
            append("</worksheet>")
            flush(out)
            out = []
        }

        private func append(_ s: String) { out.append(contentsOf: s.utf8) }

        private func start() {
            started = true
            append(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n")
            append(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)
            if header {
                append(#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#)
            }
            if width > 0 {
                append("<cols>" + (0 ..< width).map { c in
                    let longest = first.compactMap { c < $0.count ? $0[c] : nil }.map { cell -> Int in
                        switch cell { case .text(let s): return s.count; case .number(let n): return n.count + 3; case .empty: return 0 }
                    }.max() ?? 8
                    return #"<col min="\#(c + 1)" max="\#(c + 1)" width="\#(min(60, max(8, longest + 2)))" customWidth="1"/>"#
                }.joined() + "</cols>")
            }
            append("<sheetData>")
            for row in first { write(row) }
            first = []
        }

        private func write(_ row: [ReportCell]) {
            let number = Array(String(r + 1).utf8)
            out.append(contentsOf: #"<row r=""#.utf8)
            out.append(contentsOf: number)
            out.append(contentsOf: #"">"#.utf8)
            for (c, cell) in row.enumerated() {
                func reference() {
                    out.append(contentsOf: #"<c r=""#.utf8)
                    out.append(contentsOf: c < columns.count ? columns[c] : Array(column(c).utf8))
                    out.append(contentsOf: number)
                    out.append(UInt8(ascii: "\""))
                }
                switch cell {
                case .text(let s):
                    reference()
                    out.append(contentsOf: #" t="inlineStr""#.utf8)
                    if header && r == 0 { out.append(contentsOf: #" s="1""#.utf8) }
                    out.append(contentsOf: #"><is><t xml:space="preserve">"#.utf8)
                    appendXML(s, to: &out)
                    out.append(contentsOf: "</t></is></c>".utf8)
                case .number(let n):
                    reference()
                    if n.utf8.contains(UInt8(ascii: ".")) { out.append(contentsOf: #" s="2""#.utf8) }
                    out.append(contentsOf: "><v>".utf8)
                    out.append(contentsOf: n.utf8)
                    out.append(contentsOf: "</v></c>".utf8)
                case .empty: break
                }
            }
            out.append(contentsOf: "</row>".utf8)
            r += 1
            if out.count >= 1 << 20 {
                flush(out)
                out.removeAll(keepingCapacity: true)
            }
        }
    }

    /// 0 → A, 25 → Z, 26 → AA.
    static func column(_ index: Int) -> String {
        var n = index + 1, s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// `xml(s)` appended to `out` as UTF-8, byte by byte: the same text.
    static func appendXML(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                switch b {
                case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
                case 0x09, 0x0A, 0x0D: out.append(b)
                case ..<0x20: break
                // U+FFFE and U+FFFF (EF BF BE, EF BF BF): not characters in XML 1.0.
                case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBF && bytes[i + 2] >= 0xBE:
                    i += 2
                default: out.append(b)
                }
                i += 1
            }
        }
    }

    /// XML text: escaped, and characters XML 1.0 forbids dropped.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
