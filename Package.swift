// swift-tools-version:6.0
import CompilerPluginSupport
import Foundation
import PackageDescription

/// The repository root, so that linker paths into `.deps/` do not depend on the working directory.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let depsLib = "\(root)/.deps/lib"

/// `FUNCTIONARY_PROTOCOL_ONLY=1` declares only the protocol library, its tests and a CLI without the
/// engine, server and agent: a fast build that needs neither llama.cpp nor Hummingbird (used while
/// working on templates and parsers).
let protocolOnly = Context.environment["FUNCTIONARY_PROTOCOL_ONLY"] != nil
/// `FUNCTIONARY_NO_ENGINE=1` leaves out the llama.cpp engine (and the CLI commands that run a model),
/// for working on the server or agent before `make deps` has built llama.cpp.
let noEngine = Context.environment["FUNCTIONARY_NO_ENGINE"] != nil

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

var targets: [Target] = [
    .target(
        name: "FunctionaryProtocol",
        dependencies: [.product(name: "OrderedCollections", package: "swift-collections")],
        swiftSettings: swiftSettings
    ),
    // The training-data tools (`functionary dataset`: read, check and render datasets) and the tool-use evaluation
    // (`functionary eval`): only the CLI uses them, so they are a target of their own rather than part of
    // FunctionaryProtocol, which every program that serves or calls a model links. Its tests stay in
    // FunctionaryProtocolTests (they share its fixtures).
    .target(name: "FunctionaryEval", dependencies: ["FunctionaryProtocol"], swiftSettings: swiftSettings),
    // A GBNF interpreter shared by the grammar tests (not shipped: no product names it).
    .target(name: "GBNFTestSupport", path: "Tests/GBNFTestSupport", swiftSettings: swiftSettings),
    .testTarget(
        name: "FunctionaryProtocolTests",
        dependencies: ["FunctionaryProtocol", "FunctionaryEval", "GBNFTestSupport"],
        resources: [.copy("Fixtures")],
        swiftSettings: swiftSettings
    ),
]

var cliDependencies: [Target.Dependency] = [
    "FunctionaryProtocol",
    "FunctionaryEval",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
]
var cliExcludes: [String] = []

var dependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
]

if protocolOnly {
    cliExcludes = ["Serve.swift", "ServeLimitFlags.swift", "Generate.swift", "Chat.swift", "EngineOptions.swift"]
} else {
    dependencies += [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.25.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        // The @Generable/@Guide macros (compile-time JSON Schemas) and their expansion tests.
        .package(url: "https://github.com/swiftlang/swift-syntax", from: "603.0.1"),
        .package(url: "https://github.com/pointfreeco/swift-macro-testing", from: "0.7.0"),
    ]
    if noEngine {
        cliExcludes = ["Serve.swift", "ServeLimitFlags.swift", "Generate.swift", "Chat.swift", "EngineOptions.swift"]
    } else {
        targets += [
            .systemLibrary(name: "CLlama", path: "Sources/CLlama"),
            .target(
                name: "FunctionaryEngine",
                dependencies: ["FunctionaryProtocol", "CLlama"],
                swiftSettings: swiftSettings,
                // llama.cpp's C++ runtime and, on Linux, its OpenMP runtime (the static libraries themselves
                // are linked by Sources/CLlama/module.modulemap).
                linkerSettings: [
                    .unsafeFlags(["-L\(depsLib)"]),
                    .linkedLibrary("stdc++", .when(platforms: [.linux])),
                    .linkedLibrary("gomp", .when(platforms: [.linux])),
                    .linkedLibrary("c++", .when(platforms: [.macOS])),
                ]
            ),
            .testTarget(
                name: "FunctionaryEngineTests",
                dependencies: ["FunctionaryEngine", "FunctionaryProtocol", "GBNFTestSupport"],
                swiftSettings: swiftSettings
            ),
        ]
        cliDependencies.append("FunctionaryEngine")
    }
    targets += [
        // A scripted loopback HTTP server shared by the HTTP client tests (not shipped).
        .target(name: "HTTPTestSupport", path: "Tests/HTTPTestSupport", swiftSettings: swiftSettings),
        .target(
            name: "FunctionaryServer",
            dependencies: [
                "FunctionaryProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FunctionaryRemote",
            dependencies: [
                "FunctionaryProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FunctionaryAgent",
            dependencies: [
                "FunctionaryProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // The compiler plug-in behind @Generable and @Guide (runs at build time, never linked into a program).
        .macro(
            name: "FunctionaryMacros",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Foundation Models-style API: Generable types, the Tool protocol, LanguageModelSession.
        .target(
            name: "Functionary",
            dependencies: ["FunctionaryMacros", "FunctionaryAgent", "FunctionaryProtocol"] + (noEngine ? [] : ["FunctionaryEngine"]),
            swiftSettings: swiftSettings
        ),
        // The example programs (Examples/): built with everything else, so that CI builds and runs them
        // (`swift run session-examples coin`, `swift run agent-examples weather`).
        .executableTarget(
            name: "agent-examples",
            dependencies: ["FunctionaryAgent"],
            path: "Examples/AgentExamples",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FunctionaryMacrosTests",
            dependencies: [
                "FunctionaryMacros",
                .product(name: "MacroTesting", package: "swift-macro-testing"),
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FunctionaryTests",
            dependencies: ["Functionary", "FunctionaryAgent", "FunctionaryProtocol", "GBNFTestSupport", "HTTPTestSupport"]
                + (noEngine ? [] : ["FunctionaryEngine"]),
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FunctionaryServerTests",
            dependencies: [
                "FunctionaryServer", "FunctionaryProtocol", "Functionary",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FunctionaryRemoteTests",
            dependencies: [
                "FunctionaryRemote", "FunctionaryProtocol", "GBNFTestSupport", "HTTPTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FunctionaryAgentTests",
            dependencies: ["FunctionaryAgent", "FunctionaryProtocol", "HTTPTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
    if !noEngine {
        // Runs on the embedded default model by default, so it needs the engine.
        targets.append(
            .executableTarget(
                name: "session-examples",
                dependencies: ["Functionary"],
                path: "Examples/SessionExamples",
                swiftSettings: swiftSettings
            )
        )
    }
    cliDependencies += [
        "FunctionaryServer", "FunctionaryAgent", "FunctionaryRemote",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ]
}

targets.append(
    .executableTarget(
        name: "functionary",
        dependencies: cliDependencies,
        exclude: cliExcludes,
        swiftSettings: swiftSettings
    )
)

var products: [Product] = [
    .executable(name: "functionary", targets: ["functionary"]),
    .library(name: "FunctionaryProtocol", targets: ["FunctionaryProtocol"]),
]
if !protocolOnly {
    products += [
        .library(name: "FunctionaryAgent", targets: ["FunctionaryAgent"]),
        .library(name: "Functionary", targets: ["Functionary"]),
        .library(name: "FunctionaryRemote", targets: ["FunctionaryRemote"]),
        .library(name: "FunctionaryServer", targets: ["FunctionaryServer"]),
    ]
    if !noEngine { products.append(.library(name: "FunctionaryEngine", targets: ["FunctionaryEngine"])) }
}

let package = Package(
    name: "functionary-swift",
    // Built and tested on Linux (x86_64, Swift 6.3) only: `make deps`, `make test` and CI run there.
    // macOS 15 is the floor the sources need (`Mutex` and `Atomic` from Synchronization), and the manifest
    // links no Linux-only library there (libstdc++ and GNU OpenMP are Linux-only linker settings), but no
    // macOS build has been run: `scripts/deps.sh` and the llama.cpp link line (Metal/Accelerate) are untested there.
    platforms: [.macOS(.v15)],
    products: products,
    dependencies: dependencies,
    targets: targets
)
