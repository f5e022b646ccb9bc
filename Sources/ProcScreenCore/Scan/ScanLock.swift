import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lock that keeps two scans of one store apart: an exclusive `flock` on `<db>.scan-lock`.
/// The kernel releases it when the process ends, however it ends (a SIGKILLed scan leaves no
/// stale lock behind).
public final class ScanLock {
    public let path: String
    private var descriptor: Int32 = -1

    public init(storePath: String) { path = storePath + ".scan-lock" }

    /// Takes the lock, waiting up to `timeout` seconds; false when another process holds it.
    public func acquire(timeout: Double) throws -> Bool {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
                let pid = "\(getpid())\n"
                _ = ftruncate(descriptor, 0)
                _ = pid.withCString { write(descriptor, $0, strlen($0)) }
                return true
            }
            if Date() >= deadline {
                close(descriptor)
                descriptor = -1
                return false
            }
            usleep(100_000)
        }
    }

    /// The pid the holder wrote, if readable.
    public var holder: String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
