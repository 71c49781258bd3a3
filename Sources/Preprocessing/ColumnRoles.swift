import Datasets
import DSPrepSupport

/// Which input columns hold the text, the optional second text of a pair, and the label, chosen
/// by name the way HF examples name them, when the user does not say.
public struct ColumnRoles: Sendable, Equatable {
    public var text: String
    public var textPair: String?
    public var label: String?

    public static let textNames = ["document", "text", "sentence", "sentence1", "premise", "question", "review", "content"]
    public static let pairNames = ["sentence2", "hypothesis", "text_pair", "context"]
    public static let labelNames = ["label", "labels", "score", "gold_label", "rating", "target", "class"]

    public init(text: String, textPair: String? = nil, label: String? = nil) {
        self.text = text
        self.textPair = textPair
        self.label = label
    }

    /// Fills in what the user left nil from `schema`; `labelDisabled` means "no label column".
    public static func resolve(
        schema: Schema, text: String?, textPair: String?, label: String?, labelDisabled: Bool = false, path: String
    ) throws -> ColumnRoles {
        let location = SourceLocation(path: path)
        func require(_ name: String, _ role: String) throws -> String {
            guard schema.index(of: name) != nil else {
                throw InputError("no column named '\(name)' for the \(role)", at: location,
                                 hint: "columns: \(schema.names.joined(separator: ", "))")
            }
            return name
        }
        func find(_ candidates: [String]) -> String? {
            candidates.first { candidate in schema.fields.contains { $0.name.lowercased() == candidate } }
                .flatMap { candidate in schema.fields.first { $0.name.lowercased() == candidate }?.name }
        }
        let stringColumns = schema.fields.filter { $0.type == .string || $0.type == .largeString }.map(\.name)
        let textColumn: String
        if let text {
            textColumn = try require(text, "text")
        } else if let found = find(textNames) {
            textColumn = found
        } else if stringColumns.count == 1 {
            textColumn = stringColumns[0]
        } else {
            throw InputError("cannot tell which column holds the text", at: location,
                             hint: "pass --text-column NAME (string columns: \(stringColumns.joined(separator: ", ")))")
        }
        let pairColumn = try textPair.map { try require($0, "text pair") } ?? (text == nil ? find(pairNames) : nil)
        let labelColumn = labelDisabled ? nil : try label.map { try require($0, "label") } ?? find(labelNames)
        return ColumnRoles(text: textColumn, textPair: pairColumn, label: labelColumn)
    }
}
