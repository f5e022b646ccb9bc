import Foundation

/// Writes a deterministic synthetic Thai procurement market as a canonical CSV bundle.
///
/// About 80 % of projects (by count) are specific-method purchases; budgets are heavy-tailed
/// with a few large projects (≥ 500 MB); competitive tenders get bids. Misconduct is planted
/// and listed in `truth.json` so screens can be scored: bidder rings that rotate wins, split
/// purchases under 500,000 baht, large projects without a risk assessment, specific purchases
/// above the small-value limit, debarred firms, invalid TINs.
///
/// For example:
/// ```swift
/// let summary = try MarketGenerator(configuration: .init(projects: 3_000, seed: 2568)).write(to: "SampleData")
/// ```
public struct MarketGenerator {
    public struct Configuration: Sendable {
        public var projects: Int
        public var seed: UInt64
        public var fiscalYears: [Int] = [2565, 2566, 2567, 2568]
        /// Share of honest projects using a competitive method (the rest are specific purchases).
        public var competitiveShare = 0.2
        /// Mean number of bidders on an honest competitive tender (1 + Poisson).
        public var meanBidders = 3.0

        public init(projects: Int, seed: UInt64) {
            self.projects = projects
            self.seed = seed
        }
    }

    /// What was planted, for scoring screens against.
    public struct Truth: Codable, Sendable {
        public struct Ring: Codable, Sendable {
            public var members: [String]
            public var projects: [String]
            public var winners: [String]
        }
        public struct Split: Codable, Sendable {
            public var agencyID: String
            public var vendorID: String
            public var projects: [String]
        }
        public var seed: UInt64
        public var projects: Int
        public var largeProjects: [String] = []
        public var tier2Projects: [String] = []
        public var missingAssessments: [String] = []
        public var rings: [Ring] = []
        public var splits: [Split] = []
        public var specificAboveLimit: [String] = []
        public var debarredFirms: [String] = []
        public var invalidTINFirms: [String] = []
    }

    public struct Summary: Sendable {
        public var projects = 0, bids = 0, contracts = 0, firms = 0, agencies = 0, assessments = 0
        public var truth: Truth
    }

    public let configuration: Configuration

    public init(configuration: Configuration) { self.configuration = configuration }

    // MARK: - Model

    struct Agency {
        var id: String, name: String, ministry: String, ministryCode: String, province: String
    }

    struct Firm {
        var id: String, name: String, province: String
    }

    // MARK: - Writing

    public func write(to directory: String) throws -> Summary {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory + "/lists", withIntermediateDirectories: true)
        var rng = SeededRandom(seed: configuration.seed)
        let n = max(configuration.projects, 50)
        var truth = Truth(seed: configuration.seed, projects: n)
        var summary = Summary(truth: truth)

        // Agencies.
        let agencies = makeAgencies(count: min(8_000, max(30, n / 60)), rng: &rng)
        let agencyWriter = try CSVFileWriter(path: directory + "/agencies.csv",
                                             header: ["agency_id", "agency_name", "ministry", "ministry_code", "province"])
        for a in agencies { agencyWriter.write([a.id, a.name, a.ministry, a.ministryCode, a.province]) }
        try agencyWriter.close()
        summary.agencies = agencies.count
        let agenciesByProvince = Dictionary(grouping: agencies.indices, by: { agencies[$0].province })

        // Planted structures, sized to the market.
        let ringCount = max(2, n / 4_000)
        let splitCount = max(3, n / 2_000)
        let largeCount = max(8, n / 2_000)

        // Firms: an honest pool per province, plus dedicated ring members.
        let firmWriter = try CSVFileWriter(path: directory + "/firms.csv", header: [
            "firm_id", "name", "registered_date", "address", "phone", "email", "country", "anti_corruption_policy"])
        let directorWriter = try CSVFileWriter(path: directory + "/directors.csv",
                                               header: ["firm_id", "director_name", "director_id"])
        var firms: [Firm] = []
        var firmsByProvince: [String: [Int]] = [:]
        let honestFirmCount = max(60, n / 4)
        var debarred: [Int] = []
        func addFirm(province: String, address: String? = nil, phone: String? = nil, director: (String, String)? = nil,
                     registered: String? = nil, rng: inout SeededRandom) -> Int {
            let index = firms.count
            var tin = TaxID.withCheckDigit("0105" + pad(index + 10_000, 8))
            var invalid = false
            if index % 997 == 500 {   // a few firms carry a TIN with a wrong check digit
                let last = Int(String(tin.last!))!
                tin = String(tin.dropLast()) + String((last + 1) % 10)
                invalid = true
            }
            let root = ThaiNames.firmRoots[index % ThaiNames.firmRoots.count]
            let root2 = ThaiNames.firmRoots[(index / ThaiNames.firmRoots.count) % ThaiNames.firmRoots.count]
            let trade = ThaiNames.firmTrades[(index / 400) % ThaiNames.firmTrades.count]
            let generation = index / 4_000
            let core = "\(root)\(root2 == root ? "" : root2)\(trade)\(generation > 0 ? " \(generation)" : "")"
            let name = index % 3 == 0 ? "ห้างหุ้นส่วนจำกัด \(core)" : "บริษัท \(core) จำกัด"
            let firm = Firm(id: tin, name: name, province: province)
            firms.append(firm)
            firmsByProvince[province, default: []].append(index)
            let addr = address ?? "\(rng.int(1...299))/\(rng.int(1...99)) หมู่ \(rng.int(1...12)) ตำบล\(placeName(&rng)) อำเภอเมือง จังหวัด\(province) \(rng.int(10...96))\(pad(rng.int(0...199), 3))"
            let tel = phone ?? "0\(rng.int(2...9))\(pad(rng.int(0...9_999_999), 7))"
            let reg = registered ?? isoDate(year: rng.int(1990...2021), dayOfYear: rng.int(0...364))
            let policy = rng.chance(0.9) ? "true" : (rng.chance(0.5) ? "false" : "")
            firmWriter.write([tin, name, reg, addr, tel, "info@firm\(index).co.th", "TH", policy])
            let (dirName, dirID) = director ?? personName(&rng)
            directorWriter.write([tin, dirName, dirID])
            if rng.chance(0.4) {
                let (d2, id2) = personName(&rng)
                directorWriter.write([tin, d2, id2])
            }
            if invalid { truth.invalidTINFirms.append(tin) }
            return index
        }
        for i in 0..<honestFirmCount {
            let province = ThaiNames.provinces[i % ThaiNames.provinces.count]
            let index = addFirm(province: province, rng: &rng)
            if rng.chance(0.005) { debarred.append(index) }
        }

        // Rings: 3-5 dedicated members in one province sharing a director, an address or a phone.
        var ringMembers: [[Int]] = []
        for r in 0..<ringCount {
            let province = ThaiNames.provinces[(r * 7) % ThaiNames.provinces.count]
            let shared = personName(&rng)
            let sharedAddress = "\(rng.int(1...299)) ถนน\(placeName(&rng)) ตำบล\(placeName(&rng)) อำเภอเมือง จังหวัด\(province)"
            let sharedPhone = "08\(pad(rng.int(0...99_999_999), 8))"
            var members: [Int] = []
            for m in 0..<rng.int(3...5) {
                members.append(addFirm(
                    province: province, address: m == 1 ? sharedAddress : (m == 2 ? sharedAddress : nil),
                    phone: m == 0 || m == 2 ? sharedPhone : nil, director: m < 2 ? shared : nil, rng: &rng))
            }
            ringMembers.append(members)
        }
        try firmWriter.close()
        try directorWriter.close()
        summary.firms = firms.count
        truth.debarredFirms = debarred.map { firms[$0].id }

        // Projects, bids, contracts, risk assessments.
        let projectWriter = try CSVFileWriter(path: directory + "/projects.csv", header: [
            "project_id", "project_name", "project_type", "agency_id", "agency_name", "sub_agency_name", "ministry",
            "province", "method", "fiscal_year", "budget", "reference_price", "agreed_price", "announce_date",
            "bid_deadline", "award_date", "status", "num_bids", "num_doc_buyers", "budget_type", "multi_year"])
        let bidWriter = try CSVFileWriter(path: directory + "/bids.csv", header: [
            "project_id", "bidder_id", "bidder_name", "price", "status", "is_winner", "disqualification_reason", "bid_date"])
        let contractWriter = try CSVFileWriter(path: directory + "/contracts.csv", header: [
            "project_id", "contract_no", "winner_id", "winner_name", "contract_date", "end_date", "amount", "status",
            "n_amendments", "amended_amount"])
        let assessmentWriter = try CSVFileWriter(path: directory + "/risk_assessments.csv", header: [
            "project_id", "fiscal_year", "assessment_date", "risk_plan", "submitted_to", "emenscr_reported",
            "inspected_date", "inspection_phase"])
        let pactWriter = try CSVFileWriter(path: directory + "/lists/integrity_pact.csv", header: ["project_id", "joined_date"])

        var sequence = 0
        /// Emits one project with its bids and contract.
        func emit(agency: Agency, method: String, kind: Int, budgetSatang: Int64, fy: Int, dayOfYear: Int,
                  bidders: [Int], winnerIndex: Int?, prices: [Int64], agreed: Int64?, rng: inout SeededRandom,
                  budgetType: String = "", multiYear: String = "") -> String {
            sequence += 1
            let (announce, ceYear, month) = fiscalDate(fy: fy, dayOfYear: dayOfYear)
            let id = pad(ceYear + 543 - 2500, 2) + pad(month, 2) + pad(sequence, 7)
            let (typeName, verb, items) = ThaiNames.projectKinds[kind]
            let item = items[sequence % items.count]
            let name = "\(verb)\(item) \(agency.name.hasPrefix("เทศบาล") || agency.name.hasPrefix("องค์การ") ? "" : "จังหวัด\(agency.province) ")โดยวิธี\(ThaiNames.methodText[method]!)"
            let reference = method == "specific" ? budgetSatang : budgetSatang - budgetSatang / 100 * Int64(rng.int(0...8))
            let deadline = addDays(announce, rng.int(7...25))
            let award = addDays(deadline, rng.int(3...20))
            let bidCount = bidders.count
            projectWriter.write([
                id, name, typeName, agency.id, agency.name, agency.name, agency.ministry, agency.province,
                ThaiNames.methodText[method]!, String(fy), baht(budgetSatang), baht(reference), agreed.map(baht) ?? "",
                announce, method == "specific" ? "" : deadline, award, "จัดทำสัญญา/PO แล้ว", String(max(bidCount, 1)),
                method == "specific" ? "" : String(bidCount + rng.int(0...4)), budgetType, multiYear])
            for (k, firmIndex) in bidders.enumerated() {
                let firm = firms[firmIndex]
                let disqualified = k != winnerIndex && method != "specific" && rng.chance(0.04)
                bidWriter.write([
                    id, firm.id, firm.name, baht(prices[k]), disqualified ? "disqualified" : "valid",
                    k == winnerIndex ? "true" : "false", disqualified ? "เอกสารไม่ครบถ้วน" : "", addDays(deadline, -rng.int(0...3))])
                summary.bids += 1
            }
            if let w = winnerIndex, let agreed {
                let firm = firms[bidders[w]]
                contractWriter.write([
                    id, "\(sequence)/\(fy)", firm.id, firm.name, award, addDays(award, rng.int(30...365)), baht(agreed),
                    "ดำเนินการแล้วเสร็จ", "0", ""])
                summary.contracts += 1
            }
            summary.projects += 1
            return id
        }

        func pickAgency(_ rng: inout SeededRandom) -> Agency { agencies[rng.skewedIndex(agencies.count)] }
        func honestBidders(province: String, count: Int, rng: inout SeededRandom) -> [Int] {
            let pool = firmsByProvince[province] ?? []
            var chosen: [Int] = []
            var attempts = 0
            while chosen.count < count && attempts < count * 6 {
                attempts += 1
                let f = pool[rng.int(0...(min(pool.count, honestFirmCount) - 1))]
                if f < honestFirmCount && !chosen.contains(f) { chosen.append(f) }
            }
            return chosen
        }
        /// Honest competitive prices: independent draws below the reference.
        func competitivePrices(reference: Int64, count: Int, rng: inout SeededRandom) -> [Int64] {
            (0..<count).map { _ in roundTo(Int64(Double(reference) * (0.72 + 0.27 * rng.unit())), 100) }
        }

        let plantedProjects = ringCount * 9 + splitCount * 3 + largeCount
        let honestCount = max(0, n - plantedProjects)
        for _ in 0..<honestCount {
            let agency = pickAgency(&rng)
            let fy = rng.pick(configuration.fiscalYears)
            let day = rng.int(0...364)
            let kind = rng.skewedIndex(ThaiNames.projectKinds.count, skew: 1.3)
            if rng.chance(configuration.competitiveShare) {
                let method = rng.chance(0.45) ? "e_bidding" : (rng.chance(0.7) ? "e_market" : (rng.chance(0.6) ? "selection" : "price_inquiry"))
                let budget = satang(clamp(rng.logNormal(median: 2_500_000, sigma: 1.1), 500_001, 400_000_000))
                let count = 1 + rng.poisson(configuration.meanBidders - 1)
                let bidders = honestBidders(province: agency.province, count: count, rng: &rng)
                let reference = budget - budget / 100 * Int64(rng.int(0...5))
                let prices = competitivePrices(reference: reference, count: bidders.count, rng: &rng)
                let w = prices.indices.min(by: { prices[$0] < prices[$1] })
                _ = emit(agency: agency, method: method, kind: kind, budgetSatang: budget, fy: fy, dayOfYear: day,
                         bidders: bidders, winnerIndex: w, prices: prices, agreed: w.map { prices[$0] }, rng: &rng)
            } else {
                let above = rng.chance(0.01)
                let budget = above
                    ? satang(Double(rng.int(510_000...3_000_000)))
                    : satang(Double(roundTo(Int64(clamp(rng.logNormal(median: 30_000, sigma: 1.2), 500, 500_000)), 10)))
                let vendor = honestBidders(province: agency.province, count: 1, rng: &rng)
                let agreed = rng.chance(0.7) ? budget : budget - budget / 100 * Int64(rng.int(0...4))
                let id = emit(agency: agency, method: "specific", kind: kind, budgetSatang: budget, fy: fy, dayOfYear: day,
                              bidders: vendor, winnerIndex: vendor.isEmpty ? nil : 0, prices: [agreed], agreed: agreed, rng: &rng)
                if above { truth.specificAboveLimit.append(id) }
            }
        }

        // Rings: 9 tenders each at two or three agencies of the ring's province; members take turns.
        for members in ringMembers {
            let province = firms[members[0]].province
            let local = agenciesByProvince[province] ?? Array(agencies.indices)
            let ringAgencies = (0..<3).map { _ in agencies[rng.pick(local)] }
            var ring = Truth.Ring(members: members.map { firms[$0].id }, projects: [], winners: [])
            for t in 0..<9 {
                let budget = satang(Double(rng.int(3_000_000...40_000_000)))
                let reference = budget - budget / 100 * Int64(rng.int(0...3))
                let winner = t % members.count
                let winPrice = roundTo(Int64(Double(reference) * (0.975 + 0.02 * rng.unit())), 100)
                let prices = members.indices.map { k in
                    k == winner ? winPrice : roundTo(Int64(Double(winPrice) * (1.01 + 0.03 * rng.unit())), 100)
                }
                let id = emit(agency: ringAgencies[t % 3], method: "e_bidding", kind: 1, budgetSatang: budget,
                              fy: configuration.fiscalYears[t % configuration.fiscalYears.count], dayOfYear: rng.int(0...364),
                              bidders: members, winnerIndex: winner, prices: prices, agreed: winPrice, rng: &rng)
                ring.projects.append(id)
                ring.winners.append(firms[members[winner]].id)
            }
            truth.rings.append(ring)
        }

        // Split purchases: three specific contracts with one vendor within 20 days, each under
        // 500,000 baht, together above it.
        for _ in 0..<splitCount {
            let agency = pickAgency(&rng)
            let vendor = honestBidders(province: agency.province, count: 1, rng: &rng)
            let fy = rng.pick(configuration.fiscalYears)
            let day = rng.int(0...340)
            var split = Truth.Split(agencyID: agency.id, vendorID: vendor.first.map { firms[$0].id } ?? "", projects: [])
            for k in 0..<3 {
                let amount = satang(Double(rng.int(300_000...495_000)))
                split.projects.append(emit(agency: agency, method: "specific", kind: 0, budgetSatang: amount, fy: fy,
                                           dayOfYear: day + k * rng.int(2...9), bidders: vendor, winnerIndex: 0,
                                           prices: [amount], agreed: amount, rng: &rng))
            }
            truth.splits.append(split)
        }

        // Large projects (≥ 500 MB); about 30 % carry no risk assessment.
        let central = agencies.filter { !ThaiNames.localPrefixes.contains(where: $0.name.hasPrefix) }
        for l in 0..<largeCount {
            let agency = central.isEmpty ? pickAgency(&rng) : rng.pick(central)
            var fy = rng.pick(configuration.fiscalYears)
            var budget: Int64
            switch l {
            case 0: budget = 500_000_000_00; fy = 2565   // exactly 500 MB in FY2565: "เกินกว่า", not tier 1
            case 1: budget = 500_000_000_00; fy = 2566   // exactly 500 MB in FY2566: "ตั้งแต่", tier 1
            default: budget = satang(clamp(rng.logNormal(median: 900_000_000, sigma: 0.8), 500_000_000, 30_000_000_000).rounded())
            }
            let method = rng.chance(0.8) ? "e_bidding" : (rng.chance(0.5) ? "selection" : "specific")
            let count = method == "specific" ? 1 : 1 + rng.poisson(2.5)
            let bidders = honestBidders(province: agency.province, count: count, rng: &rng)
            let reference = budget - budget / 100 * Int64(rng.int(0...5))
            var prices = competitivePrices(reference: reference, count: bidders.count, rng: &rng)
            if method == "specific" { prices = prices.map { _ in reference } }
            let w = prices.indices.min(by: { prices[$0] < prices[$1] })
            let day = rng.int(30...364)
            let id = emit(agency: agency, method: method, kind: 1, budgetSatang: budget, fy: fy, dayOfYear: day,
                          bidders: bidders, winnerIndex: w, prices: prices, agreed: w.map { prices[$0] }, rng: &rng,
                          budgetType: rng.chance(0.85) ? "investment" : "operating", multiYear: rng.chance(0.5) ? "true" : "false")
            let tier1 = fy <= 2565 ? budget > 500_000_000_00 : budget >= 500_000_000_00
            let assessed = l == 2 ? false : (l == 3 ? true : rng.chance(0.7))
            if assessed {
                let (announce, _, _) = fiscalDate(fy: fy, dayOfYear: day)
                assessmentWriter.write([
                    id, String(fy), addDays(announce, -rng.int(20...120)), rng.chance(0.9) ? "true" : "false",
                    rng.chance(0.9) ? "สำนักงบประมาณ" : "", rng.chance(0.7) ? "true" : "false",
                    rng.chance(0.6) ? addDays(announce, rng.int(30...200)) : "",
                    rng.chance(0.5) ? "contract_management" : "pre_contract"])
                summary.assessments += 1
            }
            if tier1 {
                truth.largeProjects.append(id)
                if !assessed { truth.missingAssessments.append(id) }
            }
            if budget >= 1_000_000_000_00 {
                truth.tier2Projects.append(id)
                if rng.chance(0.6) { pactWriter.write([id, addDays(fiscalDate(fy: fy, dayOfYear: day).0, -10)]) }
            }
        }
        for writer in [projectWriter, bidWriter, contractWriter, assessmentWriter, pactWriter] { try writer.close() }

        let debarredWriter = try CSVFileWriter(path: directory + "/lists/debarred.csv",
                                               header: ["firm_id", "listed_date", "delisted_date"])
        for f in debarred {
            debarredWriter.write([firms[f].id, isoDate(year: rng.int(2020...2024), dayOfYear: rng.int(0...364)), ""])
        }
        try debarredWriter.close()

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(truth).write(to: URL(fileURLWithPath: directory + "/truth.json"))
        summary.truth = truth
        return summary
    }

    // MARK: - Helpers

    private func makeAgencies(count: Int, rng: inout SeededRandom) -> [Agency] {
        var result: [Agency] = []
        for i in 0..<count {
            let province = ThaiNames.provinces[rng.skewedIndex(ThaiNames.provinces.count, skew: 1.2)]
            let id = "A" + pad(i + 1, 6)
            if rng.chance(0.55) {
                // Local government: most purchases in e-GP come from them.
                let name = "\(rng.pick(ThaiNames.localPrefixes))\(placeName(&rng)) \(i + 1)"
                result.append(Agency(id: id, name: name, ministry: "กระทรวงมหาดไทย", ministryCode: "MOI", province: province))
            } else {
                let (ministry, code, departments) = ThaiNames.ministries[rng.skewedIndex(ThaiNames.ministries.count, skew: 1.3)]
                let department = departments[i % departments.count]
                let name = i < count / 4 ? department : "\(department) สำนักงานจังหวัด\(province)"
                result.append(Agency(id: id, name: name, ministry: ministry, ministryCode: code, province: province))
            }
        }
        return result
    }

    private func placeName(_ rng: inout SeededRandom) -> String {
        rng.pick(ThaiNames.placeSyllables) + rng.pick(ThaiNames.placeRoots)
    }

    private func personName(_ rng: inout SeededRandom) -> (String, String) {
        let name = "\(rng.pick(ThaiNames.titles))\(rng.pick(ThaiNames.firstNames)) \(rng.pick(ThaiNames.lastNames))"
        let id = TaxID.withCheckDigit("3" + pad(rng.int(0...99_999_999), 8) + pad(rng.int(0...999), 3))
        return (name, id)
    }
}

// MARK: - Formatting helpers

func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

func satang(_ baht: Double) -> Int64 { Int64((baht * 100).rounded()) }

func clamp(_ v: Double, _ lo: Double, _ hi: Double) -> Double { min(max(v, lo), hi) }

func roundTo(_ v: Int64, _ step: Int64) -> Int64 { v / step * step }

/// Satang as a baht string: `123456` → `1234.56`, `120000` → `1200`.
func baht(_ satang: Int64) -> String {
    let whole = satang / 100, cents = satang % 100
    return cents == 0 ? String(whole) : "\(whole).\(pad(Int(cents), 2))"
}

func isoDate(year: Int, dayOfYear: Int) -> String {
    let (y, m, d) = DateMath.civil(fromDays: DateMath.days(fromCivil: year, 1, 1) + dayOfYear)
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
}

/// A date `dayOfYear` days into Thai fiscal year `fy` (which starts 1 October of CE fy − 544).
func fiscalDate(fy: Int, dayOfYear: Int) -> (String, Int, Int) {
    let start = DateMath.days(fromCivil: fy - 544, 10, 1)
    let (y, m, d) = DateMath.civil(fromDays: start + min(dayOfYear, 364))
    return ("\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))", y, m)
}

func addDays(_ iso: String, _ delta: Int) -> String {
    DateMath.iso(fromDays: DateMath.days(fromISO: iso)! + delta)
}
