import Foundation
import Yams

/// Which processes a rule set looks at, before any rule (a profile's `process_filter`). This is
/// how Cardinal's global rules translate (INDICATORS.md §3.1): cancelled tenders and excluded
/// method details are skipped by every rule; the price-comparison filter and the main currency
/// apply to the rules that compare prices.
public struct ProcessFilter: Sendable, Equatable {
    /// tender status values skipped by every rule (Cardinal: cancelled).
    public var excludedTenderStatuses: Set<String> = []
    /// procurementMethodDetails values skipped by every rule (Cardinal `[exclusions]`).
    public var excludedMethodDetails: Set<String> = []
    /// An allow-list of method details for price comparison; when set, a missing value excludes.
    public var priceComparisonMethodDetails: Set<String>?
    /// Method details excluded from price comparison (used when there is no allow-list).
    public var noPriceComparisonMethodDetails: Set<String> = []
    /// The rules the price-comparison filter applies to.
    public var priceComparisonRules: Set<String> = []
    /// The rules that read amounts in the main currency only.
    public var mainCurrencyRules: Set<String> = []
    /// The main currency; nil: the most frequent bid currency of the store.
    public var currency: String?
    /// Whether amounts in other currencies are converted with Rules/mappings/fx.yaml (Cardinal: no).
    public var convertsCurrencies = true

    public init() {}

    /// Skipped by every rule.
    func excludes(_ r: ProcurementRecord) -> Bool {
        if let status = r.status, excludedTenderStatuses.contains(status) { return true }
        if let details = r.procurementMethodDetails, excludedMethodDetails.contains(details) { return true }
        return false
    }

    /// Not a price comparison (the price rules are not applicable).
    func excludesPriceComparison(_ r: ProcurementRecord) -> Bool {
        if let allow = priceComparisonMethodDetails {
            guard let details = r.procurementMethodDetails else { return true }
            return !allow.contains(details)
        }
        return r.procurementMethodDetails.map(noPriceComparisonMethodDetails.contains) ?? false
    }

    /// The record as a rule of `ruleID` sees it: nil when it is filtered out; bids in another
    /// currency than `mainCurrency` lose their amount (Cardinal does no conversion).
    func view(_ r: ProcurementRecord, ruleID: String, mainCurrency: String?) -> ProcurementRecord? {
        if priceComparisonRules.contains(ruleID) && excludesPriceComparison(r) { return nil }
        guard mainCurrencyRules.contains(ruleID), let main = mainCurrency,
              r.bids.contains(where: { $0.currency != nil && $0.currency != main }) else { return r }
        var copy = r
        for i in copy.bids.indices where copy.bids[i].currency != nil && copy.bids[i].currency != main { copy.bids[i].price = nil }
        copy.memo = ProcurementRecord.Memo()
        return copy
    }

    var isEmpty: Bool { self == ProcessFilter() }

    /// Reads a profile's `process_filter` mapping.
    static func read(_ node: Node, path: String) throws(RuleFileError) -> ProcessFilter {
        var filter = ProcessFilter()
        guard let mapping = node.mapping else {
            throw RuleFileError(path: path, keyPath: "process_filter", reason: "expected a mapping")
        }
        func list(_ value: Node, _ key: String) throws(RuleFileError) -> [String] {
            guard let items = value.sequence else { throw RuleFileError(path: path, keyPath: "process_filter.\(key)", reason: "expected a list") }
            var out: [String] = []
            for item in items {
                guard let s = item.string else { throw RuleFileError(path: path, keyPath: "process_filter.\(key)", reason: "expected strings") }
                out.append(s)
            }
            return out
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "exclude_tender_statuses": filter.excludedTenderStatuses = Set(try list(value, key))
            case "exclude_method_details": filter.excludedMethodDetails = Set(try list(value, key))
            case "price_comparison_method_details": filter.priceComparisonMethodDetails = value.null != nil ? nil : Set(try list(value, key))
            case "no_price_comparison_method_details": filter.noPriceComparisonMethodDetails = Set(try list(value, key))
            case "price_comparison_rules": filter.priceComparisonRules = Set(try list(value, key))
            case "main_currency_rules": filter.mainCurrencyRules = Set(try list(value, key))
            case "currency": filter.currency = value.null != nil ? nil : value.string
            case "convert_currencies":
                guard let b = value.bool else { throw RuleFileError(path: path, keyPath: "process_filter.\(key)", reason: "expected true or false") }
                filter.convertsCurrencies = b
            default:
                throw RuleFileError(path: path, keyPath: "process_filter.\(key)", reason: "unknown key (allowed: exclude_tender_statuses, "
                    + "exclude_method_details, price_comparison_method_details, no_price_comparison_method_details, "
                    + "price_comparison_rules, main_currency_rules, currency, convert_currencies)")
            }
        }
        return filter
    }
}
