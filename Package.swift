// swift-tools-version:6.0
import PackageDescription

import Foundation

// Engine code is compiled with -Ounchecked in release (bounds checks off in the inner loops) and,
// like llama.cpp's default GGML_NATIVE build, for the instruction set of the machine that builds it
// (-target-cpu native: AVX2/AVX-512 on x86-64 instead of the SSE2 baseline). Set
// EVALKIT_PORTABLE_BUILD=1 to build binaries for another machine. Debug builds optimise it too
// (-O, checks kept): the tests run a real 270M-parameter model through its kernels.
// See docs/PERFORMANCE.md.
let portableBuild = ProcessInfo.processInfo.environment["EVALKIT_PORTABLE_BUILD"] == "1"
let cpuFlags = portableBuild ? [] : ["-target-cpu", "native"]
let engineSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked"] + cpuFlags, .when(configuration: .release)),
    .unsafeFlags(["-O"] + cpuFlags, .when(configuration: .debug)),
]

let package = Package(
    name: "EvalKit",
    // macOS 15: the worker pool uses the Synchronization module (Atomic, Mutex). Linux is what is tested.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "eval", targets: ["EvalCLI"]),
        .library(name: "EvalCore", targets: ["EvalCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
    ],
    targets: [
        // The one seeded random number generator every component uses.
        .target(name: "SeededRandom"),
        // Pure metric and statistics functions: no I/O, no models.
        .target(name: "EvalMetrics", dependencies: ["SeededRandom"]),
        // Task files, templates, datasets, the LanguageModel protocol, filters, runner, results.
        .target(
            name: "EvalCore",
            dependencies: [
                "EvalMetrics", "SeededRandom",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // Byte-level BPE (GPT-2) and SentencePiece-style tokenizers; tokenizer.json I/O.
        .target(name: "Tokenizers"),
        // Model file formats: safetensors read/write, GGUF read, dequantisation. Pure Swift, no BLAS.
        .target(name: "ModelFormats", swiftSettings: engineSettings),
        // The integer matrix product of many rows with quantised weights (AVX-512 VNNI where the CPU
        // has it, chosen at run time; a portable loop otherwise). No fused multiply-adds: its Float
        // terms must round exactly as the Swift kernels' do.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        // Tensors, GPT models, training, KV-cache inference, checkpoints.
        .target(
            name: "Engine",
            dependencies: ["CBLAS", "CKernels", "Tokenizers", "ModelFormats", "SeededRandom"],
            swiftSettings: engineSettings
        ),
        // SQLite (Debian libsqlite3-dev) for the response cache.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // LanguageModel implementations: the engine, OpenAI-compatible HTTP endpoints; the response cache.
        .target(
            name: "Backends",
            dependencies: [
                "EvalCore", "Engine", "Tokenizers", "CSQLite", "SeededRandom",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // `eval serve`: an OpenAI-compatible HTTP server (Hummingbird) over any LanguageModel.
        .target(
            name: "Server",
            dependencies: [
                "EvalCore", "Backends", "Engine", "Tokenizers",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // Chess rules: board, moves, FEN, SAN, UCI, PGN. Knows nothing of models.
        .target(name: "Chess", dependencies: ["SeededRandom"], swiftSettings: engineSettings),
        // Aggregation of many results into boards (Markdown/JSON/CSV), comparisons, SVG charts.
        .target(name: "Leaderboard", dependencies: ["EvalCore", "EvalMetrics", .product(name: "Yams", package: "Yams")]),
        // Matches between players (models, random, UCI engines), tournaments, ratings.
        .target(name: "Arena", dependencies: ["EvalCore", "EvalMetrics", "Chess", "SeededRandom"]),
        .executableTarget(
            name: "EvalCLI",
            dependencies: [
                "EvalCore", "Backends", "Engine", "Tokenizers", "Leaderboard", "Arena", "Server",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "EvalMetricsTests", dependencies: ["EvalMetrics", "SeededRandom"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EvalCoreTests", dependencies: ["EvalCore", "EvalMetrics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "CKernels", "Tokenizers", "ModelFormats", "SeededRandom"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "BackendsTests", dependencies: ["Backends", "EvalCore", "Engine"]),
        .testTarget(name: "ChessTests", dependencies: ["Chess"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LeaderboardTests", dependencies: ["Leaderboard", "EvalCore", "EvalMetrics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ArenaTests", dependencies: ["Arena", "EvalCore", "Chess", "SeededRandom"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "Backends", "EvalCore", "Engine", "Tokenizers",
            .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "EvalCLITests", dependencies: ["EvalCLI", "Backends"]),
    ]
)
