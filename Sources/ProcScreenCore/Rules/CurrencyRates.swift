import Foundation
import Yams

/// `Rules/mappings/fx.yaml`: baht per unit of other currencies (INDICATORS.md: baht thresholds
/// apply to THB amounts unless a conversion table is given).
public struct CurrencyRates: Sendable, Equatable {
    public var bahtPerUnit: [String: Double] = [:]

    public init(_ rates: [String: Double] = [:]) { bahtPerUnit = rates }

    /// Reads the file if it exists (no file: no rates).
    public static func load(rulesDirectory: URL) throws(RuleFileError) -> CurrencyRates {
        let path = RuleCatalog.ruleSource(for: rulesDirectory).appendingPathComponent("mappings/fx.yaml").path
        guard FileManager.default.fileExists(atPath: path) else { return CurrencyRates() }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RuleFileError(path: path, keyPath: "", reason: "cannot read: \(error.localizedDescription)")
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw RuleFileError(path: path, keyPath: "", reason: "not valid YAML: \(error)") }
        var rates: [String: Double] = [:]
        for (key, value) in root?.mapping?["rates"]?.mapping ?? [:] {
            guard let code = key.string, code.count == 3, let rate = value.float ?? value.int.map(Double.init), rate > 0 else {
                throw RuleFileError(path: path, keyPath: "rates.\(key.string ?? "?")", reason: "expected a three-letter currency code and a positive rate")
            }
            rates[code.uppercased()] = rate
        }
        return CurrencyRates(rates)
    }

    /// The record in baht when its currency has a rate (amounts rounded to the satang).
    func convert(_ r: inout ProcurementRecord) {
        guard r.currency != "THB", let rate = bahtPerUnit[r.currency] else { return }
        func c(_ v: Int64?) -> Int64? { v.map { Int64((Double($0) * rate).rounded()) } }
        r.budget = c(r.budget)
        r.referencePrice = c(r.referencePrice)
        r.agreedPrice = c(r.agreedPrice)
        for i in r.bids.indices where r.bids[i].currency == nil || r.bids[i].currency == r.currency {
            r.bids[i].price = c(r.bids[i].price)
            r.bids[i].currency = "THB"
        }
        for i in r.contracts.indices where r.contracts[i].currency == nil || r.contracts[i].currency == r.currency {
            r.contracts[i].amount = c(r.contracts[i].amount)
            r.contracts[i].amendedAmount = c(r.contracts[i].amendedAmount)
            r.contracts[i].currency = "THB"
        }
        r.currency = "THB"
    }
}
