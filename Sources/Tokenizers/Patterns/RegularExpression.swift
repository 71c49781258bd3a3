import CICU
import DSPrepSupport
import Foundation

/// A regular expression compiled once by ICU, matched the way HF tokenizers' Oniguruma matches
/// (see `matches(in:)`), on scalar text.
///
/// ICU stands in for Oniguruma (Ruby syntax), which HF tokenizers uses: the C shim compiles with
/// Oniguruma's line rules (`^`/`$` at every line, only `\n` ends a line) and `OnigurumaSyntax`
/// rewrites the constructs whose meaning differs (`\w`, `\b`, `\h`, `(?m)`; see there).
///
/// One compiled pattern serves many threads: ICU matchers carry match state, so each use takes a
/// clone from a pool (cloned on demand, at most one per concurrent user) and puts it back.
/// Unchecked Sendable: the pattern is immutable and each matcher is used by one thread at a time (taken from and returned to the pool under its lock).
public final class RegularExpression: @unchecked Sendable {
    /// The pattern as written in the tokenizer.json.
    public let pattern: String
    /// The file the pattern comes from, named when matching fails.
    private let source: SourceLocation?
    private let compiled: OpaquePointer
    private var idle: [Matcher] = []
    private let lock = NSLock()

    /// Compiles `pattern`; a pattern ICU rejects throws an error naming it, ICU's reason and where.
    /// `source` names the file the pattern comes from (for the error).
    public init(_ pattern: String, source: SourceLocation? = nil) throws {
        self.pattern = pattern
        self.source = source
        // ICU refuses an empty pattern; the empty group matches what it does in Oniguruma.
        let icuPattern = pattern.isEmpty ? "(?:)" : OnigurumaSyntax.icuPattern(pattern)
        let units = Array(icuPattern.utf16)
        var error: Int32 = 0, errorOffset: Int32 = -1
        guard let handle = dsp_regex_open(units, Int32(units.count), &error, &errorOffset) else {
            let reason = String(cString: dsp_error_name(error))
            let rewritten = icuPattern == pattern ? "" : " (as ICU syntax: \(Self.quoted(icuPattern)))"
            let position = errorOffset >= 0 ? " at UTF-16 offset \(errorOffset)" : ""
            throw InputError("ICU cannot compile the regex \(Self.quoted(pattern))\(rewritten)\(position): \(reason)", at: source,
                             hint: "dsprep matches tokenizer.json regexes with ICU, whose syntax is close to Oniguruma's")
        }
        compiled = handle
    }

    deinit {
        idle.removeAll()
        dsp_regex_close(compiled)
    }

    /// The matches in `scalars`, left to right, as scalar ranges (see `forEachMatch`).
    public func matches(in scalars: [UInt32]) throws -> [Range<Int>] {
        var result: [Range<Int>] = []
        try scalars.withUnsafeBufferPointer { try forEachMatch(in: $0) { result.append($0) } }
        return result
    }

    /// Calls `body` with each match in `scalars`, left to right, as a scalar range, with
    /// Oniguruma's iteration (the `onig` crate's `find_iter`, which HF tokenizers uses): after a
    /// match ending at p, the next search starts at p, and an empty match at p is skipped (the
    /// search moves one scalar on) so that no position yields both a match end and an empty match.
    public func forEachMatch(in scalars: UnsafeBufferPointer<UInt32>, _ body: (Range<Int>) throws -> Void) throws {
        guard !scalars.isEmpty else { return }
        try withMatcher { matcher in
            // The matcher's buffers, moved out and back (class properties would be checked for
            // exclusive access at every use).
            var units: [UInt16] = [], scalarIndexOfUnit: [Int32] = []
            swap(&units, &matcher.units)
            swap(&scalarIndexOfUnit, &matcher.scalarIndexOfUnit)
            defer {
                swap(&units, &matcher.units)
                swap(&scalarIndexOfUnit, &matcher.scalarIndexOfUnit)
            }
            // ICU works on UTF-16: astral scalars take two units, so positions need mapping back.
            units.removeAll(keepingCapacity: true)
            scalarIndexOfUnit.removeAll(keepingCapacity: true)
            let hasAstral = scalars.contains { $0 >= 0x10000 }
            if !hasAstral {
                units.append(contentsOf: scalars.lazy.map { UInt16(truncatingIfNeeded: $0) })
            } else {
                for (index, value) in scalars.enumerated() {
                    if value >= 0x10000 {
                        let offset = value - 0x10000
                        units.append(UInt16(0xD800 + (offset >> 10)))
                        units.append(UInt16(0xDC00 + (offset & 0x3FF)))
                        scalarIndexOfUnit.append(Int32(index))
                    } else {
                        units.append(UInt16(truncatingIfNeeded: value))
                    }
                    scalarIndexOfUnit.append(Int32(index))
                }
                scalarIndexOfUnit.append(Int32(scalars.count))
            }
            let unitScalarIndex = scalarIndexOfUnit
            func scalarIndex(_ unit: Int32) -> Int { hasAstral ? Int(unitScalarIndex[Int(unit)]) : Int(unit) }

            try units.withUnsafeBufferPointer { text in
                let handle = matcher.handle
                let length = Int32(text.count)
                guard dsp_regex_set_text(handle, text.baseAddress, length) == 0 else { throw matchFailure() }
                // The matcher keeps no pointer to the text past this call.
                defer { _ = dsp_regex_set_text(handle, nil, 0) }
                var from: Int32 = 0, lastEnd: Int32 = -1
                var start: Int32 = 0, end: Int32 = 0
                while from <= length {
                    let found = dsp_regex_find(handle, from, &start, &end)
                    if found == -2 { throw stepLimitExceeded(pieceLength: scalars.count) }
                    if found < 0 { throw matchFailure() }
                    if found == 0 { break }
                    if start == end && end == lastEnd {
                        from += from < length && UTF16.isLeadSurrogate(text[Int(from)]) ? 2 : 1
                        continue
                    }
                    try body(scalarIndex(start)..<scalarIndex(end))
                    from = end
                    lastEnd = end
                }
            }
        }
    }

    /// An ICU matcher of this pattern with the UTF-16 buffers it matches in, reused from call to
    /// call.
    private final class Matcher {
        let handle: OpaquePointer
        var units: [UInt16] = []
        /// Scalar index of each UTF-16 unit (plus the end), only filled when there are astral scalars.
        var scalarIndexOfUnit: [Int32] = []
        init(_ handle: OpaquePointer) { self.handle = handle }
        deinit { dsp_regex_close(handle) }
    }

    private func withMatcher<R>(_ body: (Matcher) throws -> R) throws -> R {
        lock.lock()
        let pooled = idle.popLast()
        lock.unlock()
        var error: Int32 = 0
        let matcher: Matcher
        if let pooled {
            matcher = pooled
        } else {
            guard let handle = dsp_regex_clone(compiled, &error) else { throw matchFailure() }
            matcher = Matcher(handle)
        }
        defer {
            lock.lock()
            idle.append(matcher)
            lock.unlock()
        }
        return try body(matcher)
    }

    private func matchFailure() -> InputError {
        InputError("ICU failed while matching the regex \(Self.quoted(pattern))", at: source)
    }

    private func stepLimitExceeded(pieceLength: Int) -> InputError {
        InputError("the regex \(Self.quoted(pattern)) backtracks without end on a text of \(pieceLength) characters "
                   + "(it exceeded ICU's match step limit)", at: source,
                   hint: "rewrite the pattern without nested repetition such as (a*)*")
    }

    private static func quoted(_ pattern: String) -> String {
        JSONValue.string(pattern).serialized()
    }
}
