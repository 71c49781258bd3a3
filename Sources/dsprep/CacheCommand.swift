import ArgumentParser
import Datasets

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "List or clear cached results (DSPREP_CACHE, default ~/.cache/dsprep).",
        subcommands: [List.self, Clear.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List cache entries, newest first.")

        func run() throws {
            let cache = DatasetCache.fromEnvironment()
            let entries = cache.list()
            print("cache: \(cache.root) (\(entries.count) entries, \(Formatting.bytes(entries.reduce(0) { $0 + $1.bytes })))")
            for entry in entries {
                print("\(entry.key.prefix(12))  \(entry.created)  \(Formatting.bytes(entry.bytes).leftPadded(to: 9))  \(entry.description)")
            }
        }
    }

    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every cache entry.")

        func run() throws {
            let cache = DatasetCache.fromEnvironment()
            let removed = try cache.clear()
            print("removed \(removed.entries) entries (\(Formatting.bytes(removed.bytes))) from \(cache.root)")
        }
    }
}
