import Foundation

/// The project fields a `kind: pattern` rule may name, and how to read them.
enum PatternFields {
    static let money: Set<String> = ["budget", "reference_price", "agreed_price"]
    static let numbers: Set<String> = ["fiscal_year", "num_bids", "num_doc_buyers"]
    static let text: Set<String> = [
        "project_id", "project_name", "project_type", "agency_id", "agency_name", "sub_agency_name", "ministry",
        "province", "method", "method_raw", "status", "budget_type", "announce_date", "bid_deadline", "award_date",
    ]
    static var all: Set<String> { money.union(numbers).union(text) }

    /// A numeric field in baht (money) or as is; nil when missing.
    static func number(_ field: String, of r: ProcurementRecord) -> Double? {
        switch field {
        case "budget": return r.budget.map { Double($0) / 100 }
        case "reference_price": return r.referencePrice.map { Double($0) / 100 }
        case "agreed_price": return r.agreedPrice.map { Double($0) / 100 }
        case "fiscal_year": return r.fiscalYear.map(Double.init)
        case "num_bids": return r.numBids.map(Double.init)
        case "num_doc_buyers": return r.numDocBuyers.map(Double.init)
        default: return nil
        }
    }

    static func text(_ field: String, of r: ProcurementRecord) -> String? {
        switch field {
        case "project_id": return r.projectID
        case "project_name": return r.projectName
        case "project_type": return r.projectType
        case "agency_id": return r.agencyID
        case "agency_name": return r.agencyName
        case "sub_agency_name": return r.subAgencyName
        case "ministry": return r.ministry
        case "province": return r.province
        case "method": return r.method?.rawValue
        case "method_raw": return r.methodRaw
        case "status": return r.status
        case "budget_type": return r.budgetType
        case "announce_date": return r.announceDate
        case "bid_deadline": return r.bidDeadline
        case "award_date": return r.awardDate
        default: return number(field, of: r).map { String($0) }
        }
    }
}

/// Evaluates a `kind: pattern` rule: one field against a threshold, or matched by a PCRE2 pattern.
///
/// A missing field is not computable (`missing_column`), never "no risk". Methods outside the
/// rule's `applies_to.methods` are not applicable.
public final class PatternRule {
    let rule: RuleFile
    let spec: PatternSpec
    private let regex: PCRERegex?
    private let threshold: Double?

    init(rule: RuleFile, spec: PatternSpec) throws(RuleFileError) {
        self.rule = rule
        self.spec = spec
        if let pattern = spec.pattern {
            do { regex = try PCRERegex(pattern, caseless: spec.caseless) } catch {
                throw RuleFileError(path: rule.path, keyPath: "pattern", reason: "\(error)")
            }
        } else {
            regex = nil
        }
        switch spec.comparison?.threshold {
        case .literal(let v): threshold = v
        case .parameter(let name): threshold = try rule.double(name)
        case nil: threshold = nil
        }
    }

    /// The record fields this rule reads.
    var fields: Set<String> { ["projects.\(spec.field)", "projects.method_raw"] }

    func evaluate(_ record: ProcurementRecord) -> Outcome {
        if let methods = rule.methods {
            guard let method = record.method else {
                return .notComputable(.missingColumn, detail: "method is empty")
            }
            guard methods.contains(method) else { return .notApplicable }
        }
        if let regex {
            guard let text = PatternFields.text(spec.field, of: record) else {
                return .notComputable(.missingColumn, detail: "\(spec.field) is empty")
            }
            let matched: Bool
            do { matched = try regex.matches(text) } catch {
                return .notComputable(.unparseableValue, detail: "\(error)")
            }
            guard matched else { return .computedNotRaised }
            return .raised(FindingDraft(
                summary: Message(en: "\(spec.field) matches /\(regex.pattern)/", th: "\(spec.field) ตรงกับรูปแบบ /\(regex.pattern)/"),
                evidence: [Evidence(field: spec.field, observed: text, threshold: "/\(regex.pattern)/")] + methodEvidence(record)))
        }
        guard let (op, _) = spec.comparison, let threshold else { return .computedNotRaised }
        if ["budget", "reference_price", "agreed_price"].contains(spec.field), let stop = record.bahtThresholdsUnknown { return stop }
        guard let value = PatternFields.number(spec.field, of: record) else {
            return .notComputable(.missingColumn, detail: "\(spec.field) is empty")
        }
        let hit: Bool
        switch op {
        case .gt: hit = value > threshold
        case .ge: hit = value >= threshold
        case .lt: hit = value < threshold
        case .le: hit = value <= threshold
        case .eq: hit = value == threshold
        case .ne: hit = value != threshold
        }
        guard hit else { return .computedNotRaised }
        let isMoney = PatternFields.money.contains(spec.field)
        let shown = isMoney ? formatBaht(Int64((value * 100).rounded())) + " baht" : String(value)
        let limit = isMoney ? formatBaht(Int64((threshold * 100).rounded())) + " baht" : String(threshold)
        return .raised(FindingDraft(
            summary: Message(en: "\(spec.field) \(shown) \(op.rawValue) \(limit)",
                             th: "\(spec.field) \(shown.replacingOccurrences(of: " baht", with: " บาท")) \(op.rawValue) \(limit.replacingOccurrences(of: " baht", with: " บาท"))"),
            evidence: [Evidence(field: spec.field, observed: shown, threshold: "\(op.rawValue) \(limit)")] + methodEvidence(record)))
    }

    private func methodEvidence(_ record: ProcurementRecord) -> [Evidence] {
        guard rule.methods != nil, let method = record.method else { return [] }
        return [Evidence(field: "method", observed: method.rawValue, note: record.methodRaw)]
    }
}
