import Foundation
@testable import ProcScreenCore

/// Paths the tests need, found from this file's location (not the working directory).
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let rules = repository.appendingPathComponent("Rules")
    static let fixtures = repository.appendingPathComponent("Tests/Fixtures")
    static let sampleData = repository.appendingPathComponent("SampleData")
    /// `../shared/data/real`, beside the clone (CI has it; never copied into the project).
    static let realData = repository.deletingLastPathComponent().appendingPathComponent("shared/data/real")
}

/// A scratch folder removed when the value goes away.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("procscreen-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` (UTF-8) to `name`, creating folders.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ data: Data) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
        return file.path
    }
}

/// A fresh store in a temporary folder, with the shipped mappings.
struct StoreFixture {
    let directory: TemporaryDirectory
    let store: Store
    let ingestor: Ingestor

    init() throws {
        directory = try TemporaryDirectory()
        store = try Store(path: directory.path("test.db"))
        ingestor = Ingestor(store: store, mapping: try Shared.mapping())
    }

    func ingest(_ paths: [String], options: IngestOptions = IngestOptions()) throws -> IngestSummary {
        try ingestor.ingest(paths: paths, options: options)
    }

    func scalar(_ sql: String) throws -> SQLValue { try store.db.scalar(sql: sql) }
}

enum Shared {
    static func mapping() throws -> FieldMapping { try FieldMapping(rulesDirectory: Paths.rules) }
}
