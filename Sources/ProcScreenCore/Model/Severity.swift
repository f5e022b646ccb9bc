/// How serious a finding is; ordered, so `--fail-on high` means high or critical.
public enum Severity: String, Codable, Sendable, CaseIterable, Comparable {
    case info, low, medium, high, critical

    var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    public var thai: String {
        switch self {
        case .info: return "ข้อมูล"
        case .low: return "ต่ำ"
        case .medium: return "ปานกลาง"
        case .high: return "สูง"
        case .critical: return "วิกฤต"
        }
    }
}

/// The closed list of rule categories (a rule file's `category`).
public enum RuleCategory: String, Codable, Sendable, CaseIterable {
    case largeProject = "large_project"
    case collusion, competition, price, network, procedure
    case dataQuality = "data_quality"

    public var title: (en: String, th: String) {
        switch self {
        case .largeProject: return ("Large projects (≥ 500 MB)", "โครงการขนาดใหญ่")
        case .collusion: return ("Bid collusion", "การสมยอมราคา")
        case .competition: return ("Competition", "การแข่งขัน")
        case .price: return ("Price", "ราคา")
        case .network: return ("Bidder networks", "เครือข่ายผู้เสนอราคา")
        case .procedure: return ("Procedure", "วิธีการจัดซื้อจัดจ้าง")
        case .dataQuality: return ("Data quality", "คุณภาพข้อมูล")
        }
    }
}

/// Canonical procurement methods (INDICATORS.md §1.1.4).
public enum ProcurementMethod: String, Codable, Sendable, CaseIterable {
    case eBidding = "e_bidding"
    case eMarket = "e_market"
    case priceInquiry = "price_inquiry"
    case selection
    case specific

    /// OPEN = {e_bidding, e_market, price_inquiry}.
    public var isOpen: Bool { self == .eBidding || self == .eMarket || self == .priceInquiry }
    /// COMPETITIVE = OPEN ∪ {selection}.
    public var isCompetitive: Bool { isOpen || self == .selection }
}
