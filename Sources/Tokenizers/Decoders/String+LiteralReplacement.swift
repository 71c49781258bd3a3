extension String {
    /// Literal (scalar-exact) replacement, leftmost first and non-overlapping, without
    /// Foundation's locale-aware matching or String's canonical equivalence. An empty `target`
    /// replaces nothing.
    func replacingAll(_ target: String, with replacement: String) -> String {
        let scalars = unicodeScalars.map(\.value), needle = target.unicodeScalars.map(\.value)
        guard !needle.isEmpty else { return self }
        return replacing(TextPattern.literalMatches(of: needle, in: scalars), of: scalars, with: replacement)
    }

    /// `scalars` (this string's) with each of `matches` (in order, not overlapping) replaced by
    /// `replacement`.
    func replacing(_ matches: [Range<Int>], of scalars: [UInt32], with replacement: String) -> String {
        guard !matches.isEmpty else { return self }
        var output = String.UnicodeScalarView()
        var position = 0
        for match in matches {
            output.append(contentsOf: scalars[position..<match.lowerBound].compactMap(Unicode.Scalar.init))
            output.append(contentsOf: replacement.unicodeScalars)
            position = match.upperBound
        }
        output.append(contentsOf: scalars[position...].compactMap(Unicode.Scalar.init))
        return String(output)
    }

    /// The rest after `prefix`, compared byte by byte (Rust's `strip_prefix`), or nil.
    func droppingPrefix(_ prefix: String) -> String? {
        guard utf8.starts(with: prefix.utf8) else { return nil }
        return String(decoding: utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }
}
