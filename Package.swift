// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "procscreen",
    products: [
        .executable(name: "procscreen", targets: ["procscreen"]),
        .executable(name: "procscreen-bench", targets: ["procscreen-bench"]),
        .library(name: "ProcScreenCore", targets: ["ProcScreenCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CPCRE2", path: "Sources/CPCRE2", pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]),
        .target(
            name: "ProcScreenCore",
            dependencies: [
                "CSQLite", "CPCRE2",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        .executableTarget(
            name: "procscreen",
            dependencies: [
                "ProcScreenCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "procscreen-bench",
            dependencies: ["ProcScreenCore"]),
        .testTarget(
            name: "ProcScreenCoreTests",
            // The CLI tests run the built `procscreen` binary, so the tests depend on it.
            dependencies: ["ProcScreenCore", "procscreen", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
    ]
)
