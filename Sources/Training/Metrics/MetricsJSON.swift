import DSPrepSupport

/// A log entry or evaluation (metric name → value) as one JSON object, as the HF Trainer logs it:
/// keys sorted, `step` an integer, and a value JSON cannot hold (NaN, ±infinity) as null.
public enum MetricsJSON {
    public static func object(_ entry: [String: Double]) -> JSONValue {
        .object(entry.sorted { $0.key < $1.key }.map { key, value in
            (key, value.isFinite ? .number(key == "step" ? value.rounded() : value) : .null)
        })
    }

    /// The object on one line (metrics.jsonl, `evaluate --output-format json`).
    public static func line(_ entry: [String: Double]) -> String {
        object(entry).serialized(.pythonDumps(indent: nil))
    }
}
