import Foundation
import XCTest

/// Where the tests find the repository, `../shared` (the big data and reference tokenizers, beside
/// the clone in CI) and the pinned Python reference venv (`DSPREP_PYTHON`, built by
/// `tools/setup-peers.sh`). Tests that need one of them skip, saying why, when it is absent.
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

    public static func requireShared() throws -> URL {
        guard let shared else { throw XCTSkip("needs ../shared beside the repository (its data and reference tokenizers)") }
        return shared
    }

    public static func requirePython() throws -> String {
        guard let python else { throw XCTSkip("DSPREP_PYTHON is not set (tools/setup-peers.sh builds the reference venv)") }
        return python
    }

    /// The PyTorch + transformers venv's python (`DSPREP_TORCH_PYTHON`, tools/setup-torch-peer.sh).
    public static func requireTorchPython() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["DSPREP_TORCH_PYTHON"], !path.isEmpty else {
            throw XCTSkip("DSPREP_TORCH_PYTHON is not set (tools/setup-torch-peer.sh builds the PyTorch venv)")
        }
        return path
    }

    /// A pretrained model folder under `DSPREP_MODELS` (default ~/.cache/dsprep-models, filled by
    /// ../shared/models/fetch-models.sh).
    public static func requireModel(_ name: String) throws -> String {
        let root = ProcessInfo.processInfo.environment["DSPREP_MODELS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/dsprep-models").path
        let folder = root + "/" + name
        guard FileManager.default.fileExists(atPath: folder + "/config.json") else {
            throw XCTSkip("no \(name) in \(root) (../shared/models/fetch-models.sh fetches it; DSPREP_MODELS moves it)")
        }
        return folder
    }

    /// A fresh folder under the system temporary directory; the caller removes it.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dsprep-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
