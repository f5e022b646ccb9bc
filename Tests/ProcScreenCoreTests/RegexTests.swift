import Foundation
import Testing
@testable import ProcScreenCore

@Suite("PCRE2")
struct RegexTests {
    @Test func thaiTextWithUCP() throws {
        let regex = try PCRERegex(#"^\p{Thai}+\s*\(e-?bidding\)$"#, caseless: true)
        #expect(try regex.matches("ประกวดราคาอิเล็กทรอนิกส์ (E-Bidding)"))
        #expect(try !regex.matches("e-market"))
    }

    @Test func invalidPatternNamesPatternOffsetAndMessage() {
        do {
            _ = try PCRERegex("ก่อสร้าง(")
            Issue.record("compiled an invalid pattern")
        } catch {
            #expect(error.pattern == "ก่อสร้าง(")
            #expect(error.offset == "ก่อสร้าง(".utf8.count)
            #expect(error.message.contains("missing closing parenthesis"))
            #expect(error.description.contains("offset"))
        }
    }

    @Test func catastrophicBacktrackingHitsTheLimitInsteadOfHanging() throws {
        let regex = try PCRERegex("^(a+)+$")
        let subject = String(repeating: "a", count: 40) + "b"
        let started = Date()
        #expect(throws: RegexError.self) { try regex.matches(subject) }
        #expect(Date().timeIntervalSince(started) < 30, "the match limit must stop the match")
    }

    @Test func capturesAndReplacement() throws {
        let moo = try PCRERegex(#"(?:ม\.|หมู่ที่|หมู่)\s*(\d+)"#)
        #expect(try moo.captures(in: "12/3 หมู่ที่ 4 ต.บางแก้ว")?[1] == "4")
        #expect(try moo.captures(in: "ถนนสุขุมวิท") == nil)
        let spaces = try PCRERegex(#"\s+"#)
        #expect(try spaces.replacingMatches(in: "ก  ข\tค", with: " ") == "ก ข ค")
        #expect(try spaces.replacingMatches(in: String(repeating: "ก ", count: 500), with: "--").count == 1500)
    }

    @Test func cacheCompilesOnce() throws {
        let cache = RegexCache()
        let a = try cache.regex("ซื้อ|จ้าง")
        let b = try cache.regex("ซื้อ|จ้าง")
        #expect(a === b)
        #expect(cache.count == 1)
    }
}

@Suite("Store")
struct StoreTests {
    @Test func migrationsSetUserVersionAndAreIdempotent() throws {
        let dir = try TemporaryDirectory()
        _ = try Store(path: dir.path("s.db"))
        let reopened = try Store(path: dir.path("s.db"))
        #expect(try reopened.db.scalar(sql: "PRAGMA user_version").int64 == Int64(Schema.currentVersion))
        #expect(try reopened.db.scalar(sql: "PRAGMA journal_mode").string == "wal")
        for table in ["sources", "agencies", "projects", "bids", "contracts", "firms", "firm_directors",
                      "risk_assessments", "lists", "ingest_issues", "runs", "findings"] {
            #expect(try reopened.db.tableExists(table), "\(table)")
        }
    }

    @Test func regexpFunctionInSQL() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("r.db"))
        try db.execute(sql: "CREATE TABLE t (name TEXT); INSERT INTO t VALUES ('จ้างก่อสร้างถนน'), ('ซื้อวัสดุ'), (NULL)")
        #expect(try db.scalar(sql: "SELECT count(*) FROM t WHERE name REGEXP 'ก่อสร้าง|construction'").int64 == 1)
        #expect(try db.scalar(sql: "SELECT count(*) FROM t WHERE name REGEXP '^\\p{Thai}+$'").int64 == 2)
        #expect(throws: StoreError.self) { try db.scalar(sql: "SELECT count(*) FROM t WHERE name REGEXP '('") }
    }

    @Test func errorsCarryTheSQL() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("e.db"))
        do {
            _ = try db.query(sql: "SELECT nope FROM nowhere")
            Issue.record("bad SQL accepted")
        } catch {
            #expect(error.sql == "SELECT nope FROM nowhere")
            #expect(error.description.contains("no such table"))
        }
    }

    @Test func transactionRollsBackOnError() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("t.db"))
        try db.execute(sql: "CREATE TABLE t (x INTEGER)")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.execute(sql: "INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        #expect(try db.scalar(sql: "SELECT count(*) FROM t").int64 == 0)
    }
}

@Suite("Title similarity")
struct TitleSimilarityTests {
    @Test func normTitleDropsDigitsMethodAndElectronicSuffix() {
        let t = TitleSimilarity()
        #expect(t.normalize("จ้างก่อสร้างถนน ช่วงที่ 1 โดยวิธีประกวดราคาอิเล็กทรอนิกส์ (e-bidding)") == "จ้างก่อสร้างถนนช่วงที่")
        #expect(t.normalize("จ้างก่อสร้างถนน ช่วงที่ ๒ (E-Bidding)") == t.normalize("จ้างก่อสร้างถนน ช่วงที่ 1"))
        #expect(t.normalize("Road Works, phase 2") == "roadworksphase")
    }

    /// The one-pass norm_title equals the PCRE2 definition on every title of SampleData and the
    /// real e-GP extract, and on the edge cases each step of the definition handles.
    @Test func fastNormTitleEqualsThePatternDefinition() throws {
        let t = TitleSimilarity()
        var titles = [
            "จ้างก่อสร้างถนน ช่วงที่ 1 โดยวิธีประกวดราคาอิเล็กทรอนิกส์ (e-bidding)", "ซื้อยา (E-Market) งวด ๒", "eBidding emarket e-Market",
            "Home market e-biddings", "e- bidding", "โดยวิธีเฉพาะเจาะจง", "ABC โดยวิธี x\ty", "จ้าง\u{200B}เหมา", "  ", "", "ก่อสร้าง\u{00A0}อาคาร",
            "ที่ดิ้น", "น้ำ\u{0E48}\u{0E38}", "ค่า e-", "(e)bidding", "e-market)(", "Ünïcode title",
        ]
        for file in [Paths.sampleData.appendingPathComponent("projects.csv").path,
                     Paths.realData.appendingPathComponent("thai/dga_egp_contract_fy2568_part10_first250.csv").path] {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            titles += text.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(2).first.map(String.init) }
        }
        #expect(titles.count > 3000)
        var fast = 0
        for title in titles {
            if TitleSimilarity.normalizeThaiAndASCII(title) != nil { fast += 1 }
            #expect(t.normalize(title) == t.normalizeWithPatterns(title), "\(title)")
        }
        #expect(fast > titles.count * 9 / 10)
    }

    /// The packed 3-grams give the Jaccard index of the 3-gram sets, as Strings would, on Thai
    /// titles (marks, repeated grams) of SampleData, each against its neighbours.
    @Test func packedTrigramsEqualTheSetDefinition() throws {
        func reference(_ a: String, _ b: String) -> Double {
            func grams(_ s: String) -> Set<String> {
                let u = Array(s.unicodeScalars)
                return Set((0...(u.count - 3)).map { i in var g = String.UnicodeScalarView(); g.append(contentsOf: u[i..<i + 3]); return String(g) })
            }
            if a.unicodeScalars.count < 3 || b.unicodeScalars.count < 3 { return a == b ? 1 : 0 }
            let (ga, gb) = (grams(a), grams(b))
            return Double(ga.intersection(gb).count) / Double(ga.union(gb).count)
        }
        let t = TitleSimilarity()
        let text = try String(contentsOfFile: Paths.sampleData.appendingPathComponent("projects.csv").path, encoding: .utf8)
        let titles = text.split(separator: "\n").dropFirst().prefix(400)
            .compactMap { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(2).first.map { t.normalize(String($0)) } }
            + ["", "ก", "กข", "กขค", "กขคก", "aaaa"]
        #expect(titles.count > 300)
        var similarPairs = 0
        for (i, a) in titles.enumerated() {
            for b in titles[i ..< min(i + 12, titles.count)] {
                let packed = TitleSimilarity.Trigrams(a).similarity(to: TitleSimilarity.Trigrams(b))
                #expect(packed == reference(a, b), "\(a) | \(b)")
                if packed >= 0.5 && a != b { similarPairs += 1 }
            }
        }
        #expect(similarPairs > 0, "the sample has alike but different titles")
    }

    @Test func jaccardOfTrigrams() {
        #expect(TitleSimilarity.similarity("abcd", "abcd") == 1)
        #expect(TitleSimilarity.similarity("abcd", "abce") == 1.0 / 3.0)   // {abc, bcd} vs {abc, bce}
        #expect(TitleSimilarity.similarity("ab", "ab") == 1)
        #expect(TitleSimilarity.similarity("ab", "abc") == 0)
    }
}

@Suite("Identity keys")
struct IdentityKeyTests {
    @Test func phoneEmailAndTaxIDKeys() {
        #expect(IdentityNormalizer.phoneKey("+66 81-234-5678") == "812345678")
        #expect(IdentityNormalizer.phoneKey("๐๘๑ ๒๓๔ ๕๖๗๘") == "812345678")
        #expect(IdentityNormalizer.phoneKey("02-123-4567") == "021234567")
        #expect(IdentityNormalizer.phoneKey("1234") == nil)
        #expect(IdentityNormalizer.emailKey("Info@Firm.CO.TH") == "info@firm.co.th")
        #expect(IdentityNormalizer.emailKey("  info@firm.co.th\n") == "info@firm.co.th")
        #expect(IdentityNormalizer.emailKey("a@b@c") == nil)
        #expect(IdentityNormalizer.emailKey("no-at-sign") == nil)
        #expect(TaxID.normalize("0105522016247") == "0105522016247")
        #expect(TaxID.normalize("0-1055-22016-24-7") == "0105522016247")
        #expect(TaxID.normalize("๐๑๐๕๕๒๒๐๑๖๒๔๗") == "0105522016247")
    }
}
