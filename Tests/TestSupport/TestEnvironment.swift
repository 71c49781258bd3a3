import Foundation
import XCTest

/// Where the tests find the repository, `../shared` (the big data and reference tokenizers, beside
/// the clone in CI) and the pinned Python reference venv (`DSPREP_PYTHON`, built by
/// `tools/setup/setup-peers.sh`). Tests that need one of them skip, saying why, when it is absent.
public enum TestEnvironment {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where `../shared` is expected, whether or not it is there.
    public static let sharedLocation = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")

    public static var shared: URL? {
        FileManager.default.fileExists(atPath: sharedLocation.path) ? sharedLocation : nil
    }

    public static var python: String? {
        guard let path = ProcessInfo.processInfo.environment["DSPREP_PYTHON"], !path.isEmpty else { return nil }
        return path
    }

    /// Set (to 1) where every prerequisite is known to be present, as in CI: a missing one then
    /// fails the test instead of skipping it, so a regression cannot hide as a skip.
    public static var isStrict: Bool { ProcessInfo.processInfo.environment["DSPREP_TESTS_STRICT"] == "1" }

    /// Skips the test, saying why, or fails it in strict mode.
    public static func missing(_ reason: String) -> Error {
        isStrict ? PrerequisiteMissing(reason: reason) : XCTSkip(reason)
    }

    public struct PrerequisiteMissing: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "DSPREP_TESTS_STRICT is set but the test " + reason }
    }

    public static func requireShared() throws -> URL {
        guard let shared else { throw missing("needs ../shared beside the repository (its data and reference tokenizers)") }
        return shared
    }

    /// The path of `relativePath` inside `../shared`, when that file is there.
    public static func sharedFile(_ relativePath: String) throws -> String {
        let path = sharedLocation.appendingPathComponent(relativePath).path
        guard FileManager.default.fileExists(atPath: path) else { throw missing("needs ../shared/\(relativePath)") }
        return path
    }

    /// The Python of the transformers + torch venv (`tools/setup/setup-torch-peer.sh`), from `DSPREP_TORCH_PYTHON`.
    public static func requireTorchPython() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["DSPREP_TORCH_PYTHON"], !path.isEmpty else {
            throw missing("needs DSPREP_TORCH_PYTHON (tools/setup/setup-torch-peer.sh builds the transformers + torch venv)")
        }
        return path
    }

    /// The Python of the Ray venv with the dsprep-ray launcher (`tools/setup/setup-ray.sh`), from `DSPREP_RAY_PYTHON`.
    public static func requireRayPython() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["DSPREP_RAY_PYTHON"], !path.isEmpty else {
            throw missing("needs DSPREP_RAY_PYTHON (tools/setup/setup-ray.sh builds the venv with the pinned Ray and dsprep-ray)")
        }
        return path
    }

    /// A pretrained HF model folder built by `../shared/models/fetch-models.sh` (under
    /// `DSPREP_MODELS`, default ~/.cache/dsprep-models): "multilingual-e5-small", "all-MiniLM-L6-v2".
    public static func requireModel(_ name: String) throws -> URL {
        let root = ProcessInfo.processInfo.environment["DSPREP_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/dsprep-models").path
        let folder = URL(fileURLWithPath: root).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("config.json").path) else {
            throw missing("needs the model folder \(folder.path) (../shared/models/fetch-models.sh builds it)")
        }
        return folder
    }

    public static func requirePython() throws -> String {
        guard let python else { throw missing("needs DSPREP_PYTHON (tools/setup/setup-peers.sh builds the reference venv)") }
        return python
    }

    /// A fresh folder under the system temporary directory; the caller removes it.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
