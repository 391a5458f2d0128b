// swift-tools-version:6.0
// The session API (`import Functionary`) as a program of its own: typed tools, a typed answer and a streamed run,
// on the embedded default model or against any OpenAI-compatible server (`--url`).
import PackageDescription

let package = Package(
    name: "SessionExamples",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "functionary-swift", path: "../..")],
    targets: [
        .executableTarget(
            name: "session-examples",
            dependencies: [.product(name: "Functionary", package: "functionary-swift")],
            path: "Sources",
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
