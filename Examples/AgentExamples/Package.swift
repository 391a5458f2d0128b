// swift-tools-version:6.0
// The agent examples as a program of their own, using the FunctionaryAgent library of this repository.
import PackageDescription

let package = Package(
    name: "AgentExamples",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "functionary-swift", path: "../..")],
    targets: [
        .executableTarget(
            name: "agent-examples",
            dependencies: [.product(name: "FunctionaryAgent", package: "functionary-swift")],
            path: "Sources",
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
