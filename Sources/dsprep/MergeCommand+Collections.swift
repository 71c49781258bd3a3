import ArgumentParser
import Datasets
import DSPrepSupport
import Foundation

/// `dsprep merge` of split collections (what `tokenize --num-shards` or a plan writes for several
/// inputs): each split is merged as a dataset is, into one collection written whole or not at all.
extension MergeCommand {
    /// Merges when the first folder is a split collection; false otherwise (plain datasets).
    func mergeCollections() throws -> Bool {
        guard let first = shards.first, DatasetDict.isDatasetDict(at: first) else { return false }
        let names = try DatasetDict.splitNames(in: first)
        for path in shards.dropFirst() where (try? DatasetDict.splitNames(in: path)) != names {
            throw InputError("its splits differ from those of \(first) (\(names.joined(separator: ", ")))", at: SourceLocation(path: path),
                             hint: "merge only shards of one tokenize job")
        }
        try AtomicOutput.writeDirectory(at: output.out, kind: .dataset) { folder in
            for name in names {
                // The dataset merge itself, per split.
                let split = try MergeCommand.parse(shards.map { $0 + "/" + name } + ["--out", folder + "/" + name, "--max-shard-mb", "\(output.maxShardMB)"])
                try split.run()
            }
            try DatasetDict.writeSplitList(names, in: folder)
        }
        return true
    }
}
