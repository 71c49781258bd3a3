import ArgumentParser

/// `--overwrite`, for the commands whose --out may name a file (folders follow `OutputPolicy`).
struct OverwriteFlag: ParsableArguments {
    @Flag(help: "Replace an existing --out file (a folder is replaced only when it is dsprep's earlier output).")
    var overwrite = false
}
