import Foundation

/// A small deterministic PRNG (SplitMix64), so a seed always gives the same market on every machine.
public struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// Log-normal with the given median and log-scale spread: heavy-tailed budgets.
    public mutating func logNormal(median: Double, sigma: Double) -> Double { median * exp(sigma * normal()) }

    /// Poisson (Knuth), for small means.
    public mutating func poisson(_ mean: Double) -> Int {
        let limit = exp(-mean)
        var k = 0
        var p = unit()
        while p > limit { k += 1; p *= unit() }
        return k
    }

    /// An index in 0..<n, skewed towards small indexes (a few big buyers, many small ones).
    public mutating func skewedIndex(_ n: Int, skew: Double = 1.6) -> Int {
        min(n - 1, Int(pow(unit(), skew) * Double(n)))
    }
}
