import Foundation
import Yams

/// The oversight bodies findings are routed to, from `Rules/agencies.yaml`.
public struct OversightBody: Sendable, Equatable {
    public var code: String
    public var name: Message
    public var shortName: String?
    public var responsibility: String
    public var seedLines: String?
}

public struct OversightBodies: Sendable {
    public var bodies: [OversightBody]

    public var codes: Set<String> { Set(bodies.map(\.code)) }

    public subscript(code: String) -> OversightBody? { bodies.first { $0.code == code } }

    /// Loads `agencies.yaml`: `bodies: [{code, name: {th, en}, short, responsible_for, seed_lines}]`.
    ///
    /// - Throws: `RuleFileError` naming the file and key path.
    public static func load(path: String) throws(RuleFileError) -> OversightBodies {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw RuleFileError(path: path, keyPath: "", reason: "cannot read: \(error.localizedDescription)")
        }
        let reader = NodeReader(path: path)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw RuleFileError(path: path, keyPath: "", reason: "empty file") }
            root = node
        } catch let error as RuleFileError { throw error } catch {
            throw RuleFileError(path: path, keyPath: "", reason: "not valid YAML: \(error)")
        }
        let top = try reader.mapping(root, "")
        for (key, node) in top where key != "bodies" { throw reader.error("", "unknown key '\(key)' (allowed: bodies)", node) }
        guard let list = try reader.required(top, "bodies").sequence else {
            throw reader.error("bodies", "expected a list", top["bodies"])
        }
        var bodies: [OversightBody] = []
        let allowed: Set<String> = ["code", "name", "short", "responsible_for", "seed_lines"]
        for (i, item) in list.enumerated() {
            let m = try reader.mapping(item, "bodies[\(i)]")
            for (key, node) in m where !allowed.contains(key) {
                throw reader.error("bodies[\(i)]", "unknown key '\(key)' (allowed: \(allowed.sorted().joined(separator: ", ")))", node)
            }
            let name = try reader.mapping(try reader.required(m, "name", prefix: "bodies[\(i)]"), "bodies[\(i)].name")
            let code = try reader.string(m, "code", prefix: "bodies[\(i)]")
            guard !bodies.contains(where: { $0.code == code }) else {
                throw reader.error("bodies[\(i)].code", "duplicate code '\(code)'", m["code"])
            }
            bodies.append(OversightBody(
                code: code,
                name: Message(en: try reader.string(name, "en", prefix: "bodies[\(i)].name"),
                              th: try reader.string(name, "th", prefix: "bodies[\(i)].name")),
                shortName: m["short"]?.string,
                responsibility: try reader.string(m, "responsible_for", prefix: "bodies[\(i)]"),
                seedLines: m["seed_lines"]?.string))
        }
        return OversightBodies(bodies: bodies)
    }
}
