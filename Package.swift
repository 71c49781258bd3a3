// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dsprep",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dsprep", targets: ["dsprep"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // ICU normalization and regular expressions behind a plain C API (ICU headers cannot be imported into Swift).
        .target(name: "CICU", linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n")]),
        // OpenBLAS cblas_sgemm for the trainer.
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas"),
        // zlib's crc32 (several times faster than a portable table loop) for checking torch checkpoints' zip entries.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib"),
        // Shared plumbing: errors that name file/line, memory maps, atomic output, hashing, progress.
        .target(name: "DSPrepSupport"),
        // Columnar tables, Arrow IPC, HF save_to_disk layout, ingest, operations, cache.
        .target(name: "Datasets", dependencies: ["DSPrepSupport"]),
        // sentencepiece's precompiled charsmaps (nmt_nfkc, nfkc) as files built into the binary, for the models the Unigram trainer writes.
        .target(name: "CCharsMaps", exclude: ["nmt_nfkc.bin", "nfkc.bin"], cSettings: [.headerSearchPath(".")]),
        // Normalizers, pre-tokenizers, WordPiece / Unigram models, post-processors, decoders.
        .target(name: "Tokenizers", dependencies: ["DSPrepSupport", "CICU", "CCharsMaps"]),
        // Encodes a file with a sentencepiece .model: full-corpus parity and throughput (tools/parity/spm-*.sh, tools/bench/spm-bench.sh).
        .executableTarget(name: "spm-bench", dependencies: ["Tokenizers", "DSPrepSupport"]),
        // The trainer's elementwise hot loops in C, built for baseline x86-64 and for AVX2+FMA, picked at run time.
        .target(name: "CKernels"),
        // Float32 tensor kernels on OpenBLAS, layers with paired forward/backward, models, AdamW, metrics.
        .target(name: "Training", dependencies: ["COpenBLAS", "CKernels", "CZlib", "DSPrepSupport", .product(name: "Yams", package: "Yams")]),
        // Training-step throughput benchmark (tools/bench/bench-train-step.sh).
        .executableTarget(name: "TrainBench", dependencies: ["Training", "COpenBLAS", "DSPrepSupport"]),
        // Open + read every tensor of a weights file or model folder (tools/bench/bench-weights.sh).
        .executableTarget(name: "WeightsBench", dependencies: ["Training", "DSPrepSupport"]),
        // Tokenized shards (memory-mapped) as the trainer's labelled rows.
        .target(name: "TrainingData", dependencies: ["Datasets", "Training", "DSPrepSupport"]),
        // Jobs that join datasets and tokenizers: `dsprep tokenize`, label encoding, summaries.
        .target(name: "Preprocessing", dependencies: ["Datasets", "Tokenizers", "DSPrepSupport"]),
        .executableTarget(
            name: "dsprep",
            dependencies: [
                "Datasets", "Tokenizers", "Preprocessing", "DSPrepSupport", "Training", "TrainingData",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Every file parser as a libFuzzer target (tools/fuzz/fuzz.sh); without -DFUZZING it replays saved inputs.
        .executableTarget(name: "dsprep-fuzz", dependencies: ["Datasets", "Tokenizers", "Training", "DSPrepSupport"]),
        // What every test target shares: the repository and ../shared, the Python reference venv, child processes.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SupportTests", dependencies: ["DSPrepSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "DSPrepSupport", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PreprocessingTests", dependencies: ["Preprocessing", "Datasets", "DSPrepSupport", "Tokenizers"]),
        .testTarget(name: "CLITests", dependencies: ["dsprep", "dsprep-fuzz", "TestSupport", "Datasets"], exclude: ["HelpPages"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "CKernels", "TestSupport"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
