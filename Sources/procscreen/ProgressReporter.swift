import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise
/// (so logs under cron or journald stay readable).
final class ProgressReporter {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = Date.distantPast
    private var drewBar = false

    init(label: String) { self.label = label }

    func update(_ item: String, fraction: Double?, detail: String) {
        let now = Date()
        let interval = isTerminal ? 0.1 : 5.0
        guard now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        if isTerminal {
            let width = 30
            let filled = Int((fraction ?? 0) * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let percent = fraction.map { String(format: "%3.0f%%", $0 * 100) } ?? "   "
            FileHandle.standardError.write(Data("\r\u{1B}[K\(label) \(bar) \(percent) \(item) \(detail)".utf8))
            drewBar = true
        } else {
            FileHandle.standardError.write(Data("\(label): \(item) \(detail)\n".utf8))
        }
    }

    func finish() {
        if drewBar { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
