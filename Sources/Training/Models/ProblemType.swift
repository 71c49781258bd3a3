/// What the model predicts: K class logits, or one value for regression.
public enum ProblemType: Sendable, Equatable, Codable {
    case classification(labels: Int)
    case regression

    /// Outputs per row: K logits or 1 value.
    public var outputCount: Int {
        switch self {
        case .classification(let labels): return labels
        case .regression: return 1
        }
    }
}
