import DSPrepSupport

/// BERT input embeddings: word + position + token type, summed (LayerNorm and dropout follow
/// in the model). Ids are checked against the table sizes by the model before this runs.
public enum Embeddings {
    /// out: (N,C) = wte[ids] + wpe[positions] + wtt[types];  ids, positions, types: (N);
    /// wte: (V,C), wpe: (maxT,C), wtt: (TT,C). `types` nil means all zeros; `wtt` nil means a
    /// model without token types (DistilBERT), which adds none.
    public static func forward(
        out: UnsafeMutablePointer<Float>, ids: UnsafePointer<Int32>, positions: UnsafePointer<Int32>,
        types: UnsafePointer<Int32>?, wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, wtt: UnsafePointer<Float>?,
        n: Int, c: Int
    ) {
        Parallel.forRows(n, costPerRow: c) { rows in
            for r in rows {
                let word = wte + Int(ids[r]) * c
                let position = wpe + Int(positions[r]) * c
                let y = out + r * c
                if let wtt {
                    let type = wtt + Int(types?[r] ?? 0) * c
                    for j in 0..<c { y[j] = word[j] + position[j] + type[j] }
                } else {
                    for j in 0..<c { y[j] = word[j] + position[j] }
                }
            }
        }
    }

    /// Accumulates dwte, dwpe, dwtt from dout: (N,C); dwte is row-sparse (the rows of `ids`), nil
    /// when the word embeddings are frozen; dwtt is nil without token types. Tasks own column ranges and visit tokens in order, so
    /// repeated ids add up deterministically without locks.
    public static func backward(
        dwte: RowSparseGradient?, dwpe: UnsafeMutablePointer<Float>, dwtt: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, ids: UnsafePointer<Int32>, positions: UnsafePointer<Int32>,
        types: UnsafePointer<Int32>?, n: Int, c: Int
    ) {
        let slots = dwte?.slots(for: ids, count: n), words = dwte?.values
        Parallel.forRows(c, costPerRow: n * 3) { columns in
            for r in 0..<n {
                let dy = dout + r * c
                let position = dwpe + Int(positions[r]) * c
                for j in columns { position[j] += dy[j] }
                if let dwtt {
                    let type = dwtt + Int(types?[r] ?? 0) * c
                    for j in columns { type[j] += dy[j] }
                }
                if let slots, let words {
                    let word = words + Int(slots[r]) * c
                    for j in columns { word[j] += dy[j] }
                }
            }
        }
    }
}

/// fastText-style bag of features: each row's token ids plus hashed bigrams of neighbouring
/// ids, looked up in one table and averaged. Padding (attention_mask 0) is skipped.
public enum EmbeddingBag {
    /// Feature rows of one sequence: ids[t] for every unmasked token, then, when `buckets` > 0,
    /// vocab + hash(ids[t−1], ids[t]) mod buckets for every unmasked neighbouring pair.
    public static func features(
        ids: UnsafePointer<Int32>, mask: UnsafePointer<Int32>, t: Int, vocabSize: Int, buckets: Int,
        into out: inout [Int32]
    ) {
        out.removeAll(keepingCapacity: true)
        for i in 0..<t where mask[i] != 0 { out.append(ids[i]) }
        guard buckets > 0 else { return }
        for i in 1..<max(t, 1) where mask[i] != 0 && mask[i - 1] != 0 {
            let pair = UInt64(UInt32(bitPattern: ids[i - 1])) << 32 | UInt64(UInt32(bitPattern: ids[i]))
            out.append(Int32(vocabSize + Int(CounterRandom.mix(pair) % UInt64(buckets))))
        }
    }

    /// out: (B,D) = mean of table rows over each sequence's features;  table: (V+buckets, D)
    /// `featureRows[b]` are the rows for sequence b (from `features`); an empty bag gives zeros.
    public static func forward(out: UnsafeMutablePointer<Float>, table: UnsafePointer<Float>, featureRows: [[Int32]], d: Int) {
        for (bi, rows) in featureRows.enumerated() {
            let y = out + bi * d
            y.update(repeating: 0, count: d)
            for row in rows {
                let e = table + Int(row) * d
                for j in 0..<d { y[j] += e[j] }
            }
            if !rows.isEmpty {
                let inverse = 1 / Float(rows.count)
                for j in 0..<d { y[j] *= inverse }
            }
        }
    }

    /// dtable += dout[b]/count for every feature row of sequence b;  dout: (B,D)
    public static func backward(dtable: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, featureRows: [[Int32]], d: Int) {
        for (bi, rows) in featureRows.enumerated() where !rows.isEmpty {
            let dy = dout + bi * d
            let inverse = 1 / Float(rows.count)
            for row in rows {
                let e = dtable + Int(row) * d
                for j in 0..<d { e[j] += dy[j] * inverse }
            }
        }
    }
}
