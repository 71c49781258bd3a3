import DSPrepSupport

extension Table {
    /// Splits the rows into train and test sets, as HF `train_test_split`: `testSize` is a
    /// fraction (0 < f < 1; the test set gets ceil(f × rows)) or, when ≥ 1, a row count.
    /// With `stratifyBy`, each class keeps its share in both sets (largest-remainder rounding, so
    /// the test set has exactly the requested size). Rows are shuffled with `seed`.
    public func trainTestSplit(testSize: Double, stratifyBy: String? = nil, seed: UInt64 = 42) throws -> (train: Table, test: Table) {
        let testCount: Int
        if testSize > 0, testSize < 1 {
            testCount = Int((testSize * Double(count)).rounded(.up))
        } else if testSize >= 1, testSize == testSize.rounded() {
            testCount = Int(testSize)
        } else {
            throw InputError("test size \(testSize) must be a fraction in (0, 1) or a whole number of rows")
        }
        guard testCount < count, testCount > 0 else {
            throw InputError("cannot split \(count) rows into a test set of \(testCount) and a non-empty train set")
        }
        var generator = SeededGenerator(seed: seed)
        var train: [Int] = [], test: [Int] = []
        if let stratifyBy {
            let groups = try rowsByValue(of: stratifyBy)
            let quotas = groups.map { Double($0.rows.count) * Double(testCount) / Double(count) }
            var taken = quotas.map { Int($0.rounded(.down)) }
            // Largest remainders get the rows that rounding down left over; ties go to the earlier class.
            let order = quotas.indices.sorted { (quotas[$0] - Double(taken[$0]), -$0) > (quotas[$1] - Double(taken[$1]), -$1) }
            for index in order.prefix(testCount - taken.reduce(0, +)) { taken[index] += 1 }
            for (group, testRows) in zip(groups, taken) {
                var rows = group.rows
                generator.shuffle(&rows)
                test += rows.prefix(testRows)
                train += rows.dropFirst(testRows)
            }
        } else {
            var rows = Array(0..<count)
            generator.shuffle(&rows)
            test = Array(rows.prefix(testCount))
            train = Array(rows.dropFirst(testCount))
        }
        generator.shuffle(&train)
        generator.shuffle(&test)
        return (take(train), take(test))
    }

    /// Row indices grouped by the value of one column, groups in order of first appearance.
    func rowsByValue(of name: String) throws -> [(value: Value, rows: [Int])] {
        let column = try columnIndex(name)
        var groups: [(value: Value, rows: [Int])] = []
        var groupOf: [Value: Int] = [:]
        var row = 0
        for batch in batches {
            for local in 0..<batch.count {
                let value = batch.columns[column].value(local)
                if let group = groupOf[value] {
                    groups[group].rows.append(row)
                } else {
                    groupOf[value] = groups.count
                    groups.append((value, [row]))
                }
                row += 1
            }
        }
        return groups
    }
}
