import Foundation

/// `dsprep-fuzz TARGET [ARGS...]`. Built by tools/fuzz/fuzz.sh with -DFUZZING and -sanitize=fuzzer,
/// it hands ARGS (corpus folders, -max_total_time=N, ...) to libFuzzer's driver. Built plainly,
/// it replays saved inputs (seed corpora, crash reproducers) through the target, so a regression
/// test needs no fuzzing toolchain.
@main
struct FuzzMain {
    static func main() {
        var arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
            FileHandle.standardError.write(Data(("usage: dsprep-fuzz TARGET [FILE... | libFuzzer arguments]  (TARGET: "
                  + FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ") + ")\n").utf8))
            exit(2)
        }
        selectedTarget = target
        arguments.remove(at: 1)
        #if FUZZING
        exit(runFuzzer(arguments))
        #else
        var rejected = 0
        for file in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else {
                FileHandle.standardError.write(Data("dsprep-fuzz: cannot read \(file)\n".utf8))
                exit(2)
            }
            if let error = data.withUnsafeBytes({ target.run(bytes: $0, in: FuzzTarget.scratchFolder) }) {
                print("\(file): rejected: \(error)")
                rejected += 1
            }
        }
        print("\(target.rawValue): \(arguments.count - 1) inputs replayed, \(rejected) rejected with an input error")
        #endif
    }
}

/// Set once from the command line before libFuzzer starts calling back (a C callback cannot
/// capture it), and only read after that.
nonisolated(unsafe) private var selectedTarget = FuzzTarget.csv

#if FUZZING
typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                 _ callback: FuzzCallback) -> CInt

/// Runs libFuzzer's driver (it parses its own flags from `arguments`) on the selected target.
private func runFuzzer(_ arguments: [String]) -> CInt {
    var argc = CInt(arguments.count)
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = UnsafeMutablePointer.allocate(capacity: arguments.count + 1)
    for (index, argument) in arguments.enumerated() { argv![index] = strdup(argument) }
    argv![arguments.count] = nil
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}

/// libFuzzer's entry point (its archive's main() needs the symbol even though ours runs).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selectedTarget.run(bytes: UnsafeRawBufferPointer(start: data, count: size), in: FuzzTarget.scratchFolder)
    return 0
}
#endif
