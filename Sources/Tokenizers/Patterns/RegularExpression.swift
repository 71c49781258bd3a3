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
public final class RegularExpression: @unchecked Sendable {
    /// The pattern as written in the tokenizer.json.
    public let pattern: String
    private let compiled: OpaquePointer
    private var idle: [OpaquePointer] = []
    private let lock = NSLock()

    /// Compiles `pattern`; a pattern ICU rejects throws an error naming it, ICU's reason and where.
    /// `source` names the file the pattern comes from (for the error).
    public init(_ pattern: String, source: SourceLocation? = nil) throws {
        self.pattern = pattern
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
        for handle in idle { dsp_regex_close(handle) }
        dsp_regex_close(compiled)
    }

    /// The matches in `scalars`, left to right, as scalar ranges, with Oniguruma's iteration
    /// (the `onig` crate's `find_iter`, which HF tokenizers uses): after a match ending at p, the
    /// next search starts at p, and an empty match at p is skipped (the search moves one scalar on)
    /// so that no position yields both a match end and an empty match.
    public func matches(in scalars: [UInt32]) throws -> [Range<Int>] {
        guard !scalars.isEmpty else { return [] }
        // ICU works on UTF-16: astral scalars take two units, so positions need mapping back.
        var units: [UInt16] = []
        units.reserveCapacity(scalars.count)
        var scalarIndexOfUnit: [Int32] = []
        var hasAstral = false
        for (index, value) in scalars.enumerated() {
            if value >= 0x10000 {
                if !hasAstral {
                    hasAstral = true
                    scalarIndexOfUnit = (0..<units.count).map(Int32.init)
                }
                let offset = value - 0x10000
                units.append(UInt16(0xD800 + (offset >> 10)))
                units.append(UInt16(0xDC00 + (offset & 0x3FF)))
                scalarIndexOfUnit.append(Int32(index))
                scalarIndexOfUnit.append(Int32(index))
            } else {
                units.append(UInt16(truncatingIfNeeded: value))
                if hasAstral { scalarIndexOfUnit.append(Int32(index)) }
            }
        }
        if hasAstral { scalarIndexOfUnit.append(Int32(scalars.count)) }
        func scalarIndex(_ unit: Int32) -> Int { hasAstral ? Int(scalarIndexOfUnit[Int(unit)]) : Int(unit) }

        return try withMatcher { matcher in
            var result: [Range<Int>] = []
            try units.withUnsafeBufferPointer { text in
                let length = Int32(text.count)
                guard dsp_regex_set_text(matcher, text.baseAddress, length) == 0 else { throw matchFailure() }
                var from: Int32 = 0, lastEnd: Int32 = -1
                var start: Int32 = 0, end: Int32 = 0
                while from <= length {
                    let found = dsp_regex_find(matcher, from, &start, &end)
                    if found < 0 { throw matchFailure() }
                    if found == 0 { break }
                    if start == end && end == lastEnd {
                        from += from < length && UTF16.isLeadSurrogate(text[Int(from)]) ? 2 : 1
                        continue
                    }
                    result.append(scalarIndex(start)..<scalarIndex(end))
                    from = end
                    lastEnd = end
                }
                // The matcher keeps no pointer to the text past this call.
                _ = dsp_regex_set_text(matcher, nil, 0)
            }
            return result
        }
    }

    private func withMatcher<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        lock.lock()
        let pooled = idle.popLast()
        lock.unlock()
        var error: Int32 = 0
        guard let matcher = pooled ?? dsp_regex_clone(compiled, &error) else { throw matchFailure() }
        defer {
            lock.lock()
            idle.append(matcher)
            lock.unlock()
        }
        return try body(matcher)
    }

    private func matchFailure() -> InputError {
        InputError("ICU failed while matching the regex \(Self.quoted(pattern))")
    }

    private static func quoted(_ pattern: String) -> String {
        JSONValue.string(pattern).serialized()
    }
}
