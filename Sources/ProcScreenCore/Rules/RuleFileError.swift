/// A rule file that cannot be used: the file, the key path inside it, and why.
///
/// For example: `Rules/competition/BP-01-single-bid.yaml: parameters.methods.value: expected a list of strings`.
public struct RuleFileError: Error, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    public var keyPath: String
    public var reason: String
    public var line: Int?

    public init(path: String, keyPath: String, reason: String, line: Int? = nil) {
        self.path = path
        self.keyPath = keyPath
        self.reason = reason
        self.line = line
    }

    public var description: String {
        let location = line.map { "\(path):\($0)" } ?? path
        return keyPath.isEmpty ? "\(location): \(reason)" : "\(location): \(keyPath): \(reason)"
    }
}
