import Testing
@testable import ProcScreenCore

@Suite("Value parsing")
struct ValueParserTests {
    @Test(arguments: [
        ("1480", Int64(148_000)), ("80,375,000", 8_037_500_000), ("81414800.0", 8_141_480_000),
        ("๑,๒๐๐", 120_000), ("๒๐๐.๕๐", 20_050), ("1,234.567", 123_457), ("0.005", 1), ("8.14148E+07", 8_141_480_000),
        ("฿ 1,000", 100_000), ("1000 บาท", 100_000), (" 42 ", 4_200), ("-", nil), ("", nil), ("N/A", nil),
    ] as [(String, Int64?)])
    func money(_ raw: String, _ expected: Int64?) {
        #expect(ValueParser.satang(raw).value == expected)
        if expected == nil { #expect(ValueParser.satang(raw) == .missing) }
    }

    @Test(arguments: ["abc", "12,34", "1.2.3", "1,2345", "12abc", "1e", "--1"])
    func invalidMoney(_ raw: String) {
        guard case .invalid = ValueParser.satang(raw) else {
            Issue.record("'\(raw)' should be invalid, got \(ValueParser.satang(raw))")
            return
        }
    }

    @Test func integers() {
        #expect(ValueParser.integer("๒๕๖๘").value == 2568)
        #expect(ValueParser.integer("3.0").value == 3)
        #expect(ValueParser.integer("1,200").value == 1200)
        guard case .invalid = ValueParser.integer("3.5") else { Issue.record("3.5 is not whole"); return }
    }

    @Test(arguments: [
        ("29 พ.ย. 67", "2024-11-29"), ("2 ม.ค. 68", "2025-01-02"), ("29/11/2567", "2024-11-29"),
        ("๒๙/๑๑/๒๕๖๗", "2024-11-29"), ("2024-11-29", "2024-11-29"), ("29/11/2024", "2024-11-29"),
        ("1/2/2566", "2023-02-01"), ("29 พฤศจิกายน 2567", "2024-11-29"), ("29 Nov 2024", "2024-11-29"),
        ("2023-08-03 00:00:00", "2023-08-03"), ("2024-01-10T01:00:00+05:00", "2024-01-10T01:00:00+05:00"),
        ("29-11-2567", "2024-11-29"), ("29/2/2567", "2024-02-29"),
    ])
    func dates(_ raw: String, _ iso: String) {
        #expect(ValueParser.date(raw) == .value(iso), "\(raw)")
    }

    @Test(arguments: ["31/02/2567", "2023-13-01", "32 พ.ย. 67", "yesterday", "29/2/2566", "2024-11-29T25:00"])
    func invalidDates(_ raw: String) {
        guard case .invalid = ValueParser.date(raw) else {
            Issue.record("'\(raw)' should be invalid, got \(ValueParser.date(raw))")
            return
        }
    }

    @Test func missingDates() {
        #expect(ValueParser.date("-") == .missing)
        #expect(ValueParser.date("  ") == .missing)
    }

    @Test func fiscalYears() {
        #expect(ValueParser.fiscalYear(ofISODate: "2022-10-01") == 2566)
        #expect(ValueParser.fiscalYear(ofISODate: "2023-09-30") == 2566)
        #expect(ValueParser.fiscalYear("2025").value == 2568)
        #expect(ValueParser.fiscalYear("๒๕๖๘").value == 2568)
    }

    @Test func booleans() {
        #expect(ValueParser.bool("ใช่").value == true)
        #expect(ValueParser.bool("ไม่มี").value == false)
        #expect(ValueParser.bool("TRUE").value == true)
        #expect(ValueParser.bool("") == .missing)
    }

    @Test func thaiDigitsAndNormalisation() {
        #expect(ThaiText.foldDigits("๒๙/๑๑/๒๕๖๗") == "29/11/2567")
        #expect(ThaiText.normalize("  งบประมาณ\u{200B}  (บาท) ABC ") == "งบประมาณ (บาท) abc")
    }
}

@Suite("TIN checksum")
struct TaxIDTests {
    @Test func validAndInvalid() {
        #expect(TaxID.check("0105522016247") == .valid("0105522016247"))
        #expect(TaxID.check("0-1055-22016-24-7") == .valid("0105522016247"))
        #expect(TaxID.check("๐๑๐๕๕๒๒๐๑๖๒๔๗") == .valid("0105522016247"))
        if case .invalid = TaxID.check("0105522016248") {} else { Issue.record("wrong check digit accepted") }
        if case .invalid = TaxID.check("12345") {} else { Issue.record("short TIN accepted") }
        #expect(TaxID.check("105522016247") == .leadingZeroLost("0105522016247"))
        #expect(TaxID.check("899670500xxxx") == .masked("899670500xxxx"))
        #expect(TaxID.check("AM-TIN-02704268") == .foreign("AM-TIN-02704268"))
        #expect(TaxID.withCheckDigit("010552201624") == "0105522016247")
    }
}
