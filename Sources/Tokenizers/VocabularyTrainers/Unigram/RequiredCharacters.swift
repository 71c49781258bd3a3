/// Stage 2 of Unigram training, sentencepiece's character coverage: characters are taken in
/// descending frequency (ties by code point) until they cover `characterCoverage` of all
/// characters; those are the required characters, always in the vocabulary. The others are
/// unknown: no piece may contain them, so the words are cut there.
struct RequiredCharacters {
    /// Required characters with their counts, most frequent first.
    let characters: [(scalar: UInt32, count: Int64)]
    /// The words with unknown characters cut out.
    let words: WordCounts
    /// The share of characters the required ones cover.
    let coverage: Double

    init(words input: WordCounts, characterCoverage: Double) {
        var bmpCounts = [Int64](repeating: 0, count: 0x10000)
        var otherCounts: [UInt32: Int64] = [:]
        var total: Int64 = 0
        input.scalars.withUnsafeBufferPointer { scalars in
            for index in 0..<input.count {
                let times = input.counts[index]
                for offset in Int(input.starts[index])..<Int(input.starts[index + 1]) {
                    let scalar = scalars[offset]
                    if scalar == 0 { continue }  // sentencepiece neither counts nor keeps NUL
                    if scalar < 0x10000 { bmpCounts[Int(scalar)] += times } else { otherCounts[scalar, default: 0] += times }
                    total += times
                }
            }
        }
        var all: [(scalar: UInt32, count: Int64)] = []
        for (scalar, count) in bmpCounts.enumerated() where count > 0 { all.append((UInt32(scalar), count)) }
        for (scalar, count) in otherCounts { all.append((scalar, count)) }
        all.sort { $0.count != $1.count ? $0.count > $1.count : $0.scalar < $1.scalar }

        // sentencepiece compares the running coverage as a float, before adding each character.
        let threshold = Float(characterCoverage)
        var accumulated: Int64 = 0
        var required: [(scalar: UInt32, count: Int64)] = []
        for entry in all {
            if Float(Double(accumulated) / Double(max(total, 1))) >= threshold { break }
            accumulated += entry.count
            // sentencepiece's reserved unknown marker and its boundary (tab) never become pieces.
            if entry.scalar == 0x2585 || entry.scalar == 0x09 { continue }
            required.append(entry)
        }
        characters = required
        coverage = Double(accumulated) / Double(max(total, 1))

        var isRequired = Set<UInt32>(minimumCapacity: required.count)
        for entry in required { isRequired.insert(entry.scalar) }
        if required.count == all.count {
            words = input
            return
        }
        var kept = WordCounts()
        var word: [UInt32] = []
        input.scalars.withUnsafeBufferPointer { scalars in
            for index in 0..<input.count {
                word.removeAll(keepingCapacity: true)
                for offset in Int(input.starts[index])..<Int(input.starts[index + 1]) {
                    let scalar = scalars[offset]
                    if isRequired.contains(scalar) {
                        word.append(scalar)
                    } else if !word.isEmpty {
                        word.withUnsafeBufferPointer { kept.add($0, times: input.counts[index]) }
                        word.removeAll(keepingCapacity: true)
                    }
                }
                if !word.isEmpty { word.withUnsafeBufferPointer { kept.add($0, times: input.counts[index]) } }
            }
        }
        words = kept
    }
}
