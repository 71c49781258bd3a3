import Foundation

/// What a finished child process left: its exit status and everything it printed.
public struct ProcessResult {
    public let status: Int32
    public let stdoutData: Data
    public let stderrData: Data

    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String { String(decoding: stderrData, as: UTF8.self) }
}

public enum ChildProcess {
    /// Runs `executable` to completion. Both pipes are drained while it runs, so a child that
    /// prints a lot cannot block on a full pipe.
    public static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                           environment: [String: String] = [:], currentDirectory: String? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        final class Captured: @unchecked Sendable { var data = Data() }
        let errors = Captured()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errors.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdoutData: output, stderrData: errors.data)
    }
}

/// The reference Python (`DSPREP_PYTHON`): HF tokenizers, sentencepiece, datasets, pyarrow, numpy.
public enum PythonPeer {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// Runs the reference Python with `arguments` (a script path, or `-c` and code, then its
    /// arguments) and returns what it printed; skips the test when the venv is not set up and
    /// throws with the script's stderr when it fails.
    @discardableResult
    public static func run(_ arguments: [String], stdin: Data? = nil) throws -> Data {
        let result = try ChildProcess.run(try TestEnvironment.requirePython(), arguments, stdin: stdin)
        guard result.status == 0 else {
            throw Failure(description: "python \(arguments.first ?? "") exited with \(result.status): \(result.stderr.suffix(2000))")
        }
        return result.stdoutData
    }

    /// `run`, with the output parsed as one JSON document.
    public static func json(_ arguments: [String], stdin: Data? = nil) throws -> Any {
        try JSONSerialization.jsonObject(with: try run(arguments, stdin: stdin))
    }

    /// A script in the repository's `tools/` folder, e.g. `oracles/arrow_peer.py`.
    public static func tool(_ name: String) -> String {
        TestEnvironment.repositoryRoot.appendingPathComponent("tools").appendingPathComponent(name).path
    }
}
