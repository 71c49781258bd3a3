import DSPrepSupport

/// JSON Lines (one object per line) and a JSON array of objects.
///
/// Columns are the union of the objects' keys in order of first appearance; a missing key is
/// null. Values may be null, bools, numbers, strings, or lists of those. A column's type is
/// inferred from all its values: integers (within Int64) → int64, with floats → float64,
/// bools → bool, any other mix → string (numbers and bools keep their JSON spelling); lists
/// → list<int64>, list<float64>, list<bool> or list<string> by the same rule over their
/// elements. Nested objects and lists of lists are an error naming the line: flatten them first.
/// A column that holds lists in some rows and single values in others is an error too.
final class JSONSource: RecordSource {
    private var reader: JSONRecordReader

    var schema: Schema { reader.schema }
    var rowCount: Int { reader.rowCount }
    var position: Int { reader.position }

    init(file: MappedFile, dataStart: Int, options: ResolvedIngestOptions, walk: inout FirstPassWalk) throws {
        reader = try JSONRecordReader(file: file, dataStart: dataStart, options: options, walk: &walk)
    }

    /// JSON Lines records of a schema found earlier, from a map of part of the file that starts
    /// on a record (`TabularReader.init(segment:)`).
    init(segmentOf file: MappedFile, from start: Int, schema: Schema, rowCount: Int) {
        reader = JSONRecordReader(segmentOf: file, from: start, schema: schema, rowCount: rowCount)
    }

    func readRows(into assembler: inout BatchAssembler, maxRows: Int, maxBytes: Int) throws -> Int {
        // A local copy: a class's stored property would be checked for exclusive access per use.
        var reader = self.reader
        defer { self.reader = reader }
        return try reader.readRows(into: &assembler, maxRows: maxRows, maxBytes: maxBytes)
    }
}

/// The two passes over JSON records, as a struct so that its hot state is accessed without
/// run-time exclusivity checks.
struct JSONRecordReader {
    // Set at the end of the first pass, which needs the instance's methods.
    private(set) var schema = Schema([])
    private(set) var rowCount = 0
    var position: Int { scanner.position }

    private let path: String
    private let isArray: Bool
    private var scanner: JSONScanner
    private var names: [[UInt8]] = []
    /// The object number that last set each column: finds duplicate keys and missing ones.
    private var lastObjectSetting: [Int] = []
    private var objectNumber = 0
    private var recordsInPass = 0
    private var finished = false
    private var recordLine = 0
    private var nextColumnGuess = 0
    private var membersInObject = 0
    private var keyScratch: [UInt8] = []
    private var textScratch: [UInt8] = []
    private var elements: [JSONToken] = []

    init(file: MappedFile, dataStart: Int, options: ResolvedIngestOptions, walk: inout FirstPassWalk) throws {
        path = file.path
        isArray = options.format == .json
        scanner = JSONScanner(bytes: file.bytes, start: dataStart, path: path, recordsEndAtNewline: !isArray)
        if isArray {
            scanner.skipWhitespace(includingNewlines: true)
            guard !scanner.atEnd else { throw InputError("file is empty, expected a JSON array of objects", at: SourceLocation(path: path)) }
            guard scanner.current == UInt8(ascii: "[") else {
                throw scanner.error("expected '[' starting a JSON array of objects, found \(scanner.foundDescription)",
                                    hint: "for one object per line, use the jsonl format")
            }
            scanner.position += 1
        }
        let begin = scanner
        walk.dataStarts(at: begin.position)

        var types: [JSONColumnType] = []
        var collected: [Bool] = []
        var rows = 0
        var firstRecordLine = 0
        while try nextRecord() {
            if rows == 0 { firstRecordLine = recordLine }
            while let (column, token) = try nextMember(addingColumns: true) {
                if column == types.count {
                    let name = String(decoding: names[column], as: UTF8.self)
                    types.append(JSONColumnType(override: options.overrideType(for: name)))
                    collected.append(walk.collects(column: column, named: name, missedBefore: rows > 0 ? firstRecordLine : nil))
                }
                if collected[column] { collect(token, column: column, into: &walk) }
                try infer(token, into: &types[column], column: column)
            }
            for column in collected.indices where collected[column] && lastObjectSetting[column] != objectNumber {
                walk.null(column, line: recordLine)
            }
            rows += 1
            try walk.rowEnded(at: scanner.position)
        }
        guard rows > 0 else {
            let expected = isArray ? "the array has no objects" : "file is empty"
            throw InputError("\(expected), expected JSON objects", at: SourceLocation(path: path))
        }
        let columnNames = names.map { String(decoding: $0, as: UTF8.self) }
        try SchemaCheck.requireOverridesExist(options, names: columnNames, path: path)
        schema = Schema(columnNames.indices.map { Field(columnNames[$0], options.overrideType(for: columnNames[$0]) ?? types[$0].dataType) })
        rowCount = rows
        scanner = begin
        recordsInPass = 0
        finished = false
    }

    /// No first pass: the columns are the schema's, in its order (JSON Lines only: a segment of
    /// an array has no brackets).
    init(segmentOf file: MappedFile, from start: Int, schema: Schema, rowCount: Int) {
        path = file.path
        isArray = false
        scanner = JSONScanner(bytes: file.bytes, start: start, path: path, recordsEndAtNewline: true)
        names = schema.names.map { Array($0.utf8) }
        lastObjectSetting = [Int](repeating: 0, count: names.count)
        self.schema = schema
        self.rowCount = rowCount
    }

    mutating func readRows(into assembler: inout BatchAssembler, maxRows: Int, maxBytes: Int) throws -> Int {
        let startPosition = scanner.position
        var rows = 0
        while rows < maxRows, scanner.position - startPosition < maxBytes, try nextRecord() {
            while let (column, token) = try nextMember(addingColumns: false) {
                try append(token, column: column, to: &assembler)
            }
            for column in names.indices where lastObjectSetting[column] != objectNumber {
                assembler.appendNull(column)
            }
            assembler.endRow(line: recordLine)
            rows += 1
        }
        return rows
    }

    // MARK: - Records and members

    /// Moves to the next object and reads its `{`; false after the last one.
    private mutating func nextRecord() throws -> Bool {
        guard !finished else { return false }
        if isArray {
            scanner.skipWhitespace(includingNewlines: true)
            if scanner.current == UInt8(ascii: "]") {
                scanner.position += 1
                scanner.skipWhitespace(includingNewlines: true)
                guard scanner.atEnd else { throw scanner.error("expected the end of the file after the array, found \(scanner.foundDescription)") }
                finished = true
                return false
            }
            if recordsInPass > 0 {
                guard scanner.current == UInt8(ascii: ",") else {
                    throw scanner.error("expected ',' or ']' after an object, found \(scanner.foundDescription)")
                }
                scanner.position += 1
                scanner.skipWhitespace(includingNewlines: true)
            }
            guard !scanner.atEnd else { throw scanner.error("the file ends inside the array; expected ']'") }
        } else {
            if recordsInPass > 0 {
                // The previous object must have been the only thing on its line.
                scanner.skipWhitespace(includingNewlines: false)
                guard scanner.atEnd || scanner.current == UInt8(ascii: "\n") else {
                    throw scanner.error("expected the end of the line after the object, found \(scanner.foundDescription)",
                                        hint: "JSON Lines holds one object per line")
                }
            }
            scanner.skipWhitespace(includingNewlines: true)
            if scanner.atEnd {
                finished = true
                return false
            }
        }
        recordLine = scanner.line
        guard scanner.current == UInt8(ascii: "{") else {
            throw scanner.error("expected a JSON object, found \(scanner.foundDescription)")
        }
        scanner.position += 1
        recordsInPass += 1
        objectNumber += 1
        nextColumnGuess = 0
        membersInObject = 0
        return true
    }

    /// Reads the next `"key": value` of the current object up to the value's first token; nil
    /// after the closing `}`.
    private mutating func nextMember(addingColumns: Bool) throws -> (column: Int, token: JSONToken)? {
        scanner.skipWhitespace()
        if scanner.current == UInt8(ascii: "}") {
            scanner.position += 1
            return nil
        }
        if membersInObject > 0 {
            guard scanner.current == UInt8(ascii: ",") else {
                throw scanner.error("expected ',' or '}' in an object, found \(scanner.foundDescription)")
            }
            scanner.position += 1
            scanner.skipWhitespace()
        }
        let keyStart = scanner.position
        guard scanner.current == UInt8(ascii: "\""), case .string(let range, let hasEscapes) = try scanner.readValue() else {
            throw scanner.error("expected a key in quotes, found \(scanner.foundDescription)", at: keyStart)
        }
        let column = try columnIndex(keyRange: range, hasEscapes: hasEscapes, addingColumns: addingColumns, keyStart: keyStart)
        try scanner.expect(UInt8(ascii: ":"), "':' after the key")
        let token = try scanner.readValue()
        membersInObject += 1
        return (column, token)
    }

    private mutating func columnIndex(keyRange: Range<Int>, hasEscapes: Bool, addingColumns: Bool, keyStart: Int) throws -> Int {
        if hasEscapes { scanner.decodeString(keyRange, into: &keyScratch) }
        let found: Int? = try withKeyBytes(keyRange, decoded: hasEscapes) { key in
            // Objects usually repeat one key order, so the column after the last one is tried first.
            if nextColumnGuess < names.count, names[nextColumnGuess].elementsEqual(key) { return nextColumnGuess }
            if let index = names.firstIndex(where: { $0.elementsEqual(key) }) { return index }
            guard addingColumns else {
                throw scanner.error("key '\(String(decoding: key, as: UTF8.self))' was not in the file when it was first read", at: keyStart)
            }
            return nil
        }
        let column: Int
        if let found {
            column = found
        } else {
            column = names.count
            names.append(hasEscapes ? keyScratch : Array(scanner.bytes[keyRange]))
            lastObjectSetting.append(0)
        }
        if lastObjectSetting[column] == objectNumber {
            throw scanner.error("duplicate key '\(String(decoding: names[column], as: UTF8.self))' in one object", at: keyStart)
        }
        lastObjectSetting[column] = objectNumber
        nextColumnGuess = column + 1
        return column
    }

    private func withKeyBytes<T>(_ range: Range<Int>, decoded: Bool, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        if decoded { return try keyScratch.withUnsafeBytes(body) }
        return try body(UnsafeRawBufferPointer(rebasing: scanner.bytes[range]))
    }

    // MARK: - First pass: types

    private mutating func infer(_ token: JSONToken, into type: inout JSONColumnType, column: Int) throws {
        var name: String { String(decoding: names[column], as: UTF8.self) }
        if case .objectStart = token {
            throw scanner.error(
                "nested object in column '\(name)'; expected a number, string, bool, null or a list of them",
                hint: "flatten the objects first (e.g. with jq)")
        }
        if let override = type.override {
            try checkFits(token, Field(name, override))
            return
        }
        if case .arrayStart = token {
            try scanner.readScalarElements(into: &elements)
            for element in elements { type.element.merge(kind(of: element)) }
            type.hasList = true
        } else if case .null = token {
            return
        } else {
            type.scalar.merge(kind(of: token))
            type.hasScalar = true
        }
        if type.hasList && type.hasScalar {
            throw InputError(
                "column '\(name)' holds lists in some rows and single values in others",
                at: SourceLocation(path: path, line: recordLine), hint: "make every value of the column a list")
        }
    }

    /// Hands a collected column's value to the walk (a list is left to the type check: a label cannot be one).
    private mutating func collect(_ token: JSONToken, column: Int, into walk: inout FirstPassWalk) {
        switch token {
        case .null: walk.null(column, line: recordLine)
        case .arrayStart, .objectStart: return
        default:
            let line = recordLine
            text(of: token) { walk.cell(column, $0, line: line) }
        }
    }

    /// Checks a value of an overridden column against its type, before any batch is made.
    private mutating func checkFits(_ token: JSONToken, _ field: Field) throws {
        switch token {
        case .null: return
        case .arrayStart, .objectStart:
            throw InputError(
                "a list in column '\(field.name)' does not fit type \(field.type)",
                at: SourceLocation(path: path, line: recordLine))
        default:
            let fits = text(of: token) { CellText.fits($0, field.type) }
            if !fits {
                let (path, line) = (self.path, recordLine)
                throw text(of: token) { BatchAssembler.notFitting($0, field: field, path: path, line: line) }
            }
        }
    }

    /// An integer outside Int64 counts as a float.
    private func kind(of token: JSONToken) -> CellKind {
        switch token {
        case .null, .arrayStart, .objectStart: return .empty
        case .bool: return .bool
        case .number(let range, let isInteger):
            return isInteger && CellText.parseInt64(UnsafeRawBufferPointer(rebasing: scanner.bytes[range])) != nil ? .integer : .float
        case .string: return .text
        }
    }

    // MARK: - Second pass: batches

    private mutating func append(_ token: JSONToken, column: Int, to assembler: inout BatchAssembler) throws {
        let field = schema.fields[column]
        switch (token, field.type.elementType) {
        case (.null, _):
            assembler.appendNull(column)
        case (.arrayStart, let element?):
            try scanner.readScalarElements(into: &elements)
            let values = try elements.map { try listElement($0, element, field) }
            try assembler.appendList(column, values, line: recordLine)
        case (.arrayStart, nil), (.objectStart, _):
            throw InputError("a list or object in column '\(field.name)' does not fit type \(field.type)",
                             at: SourceLocation(path: path, line: recordLine))
        case (_, nil):
            let line = recordLine
            try text(of: token) { try assembler.appendText(column, $0, line: line) }
        case (_, .some):
            throw InputError("a single value in list column '\(field.name)'", at: SourceLocation(path: path, line: recordLine))
        }
    }

    private mutating func listElement(_ token: JSONToken, _ type: DataType, _ field: Field) throws -> Value {
        if case .null = token { return .null }
        let value: Value? = text(of: token) { text in
            switch type {
            case .string: return .string(String(decoding: text, as: UTF8.self))
            case .int64: return CellText.parseInt64(text).map { .int($0) }
            case .float64: return CellText.parseDouble(text).map { .float($0) }
            case .bool: return CellText.parseBool(text).map { .bool($0) }
            default: return nil
            }
        }
        guard let value else {
            let (path, line) = (self.path, recordLine)
            throw text(of: token) { BatchAssembler.notFitting($0, field: Field(field.name, type), path: path, line: line) }
        }
        return value
    }

    /// The text of a scalar token: a string's decoded content, a number's or bool's JSON spelling.
    private mutating func text<T>(of token: JSONToken, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        switch token {
        case .string(let range, let hasEscapes):
            if hasEscapes {
                scanner.decodeString(range, into: &textScratch)
                return try textScratch.withUnsafeBytes(body)
            }
            return try body(UnsafeRawBufferPointer(rebasing: scanner.bytes[range]))
        case .number(let range, _):
            return try body(UnsafeRawBufferPointer(rebasing: scanner.bytes[range]))
        case .bool(let flag):
            let word: StaticString = flag ? "true" : "false"
            return try body(UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
        case .null, .arrayStart, .objectStart:
            return try body(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }
}

/// What the first pass has seen of one JSON column.
struct JSONColumnType {
    /// The user's type for the column, if any: its values are checked, not inferred.
    var override: DataType?
    var scalar = InferredType.unknown
    var element = InferredType.unknown
    var hasScalar = false
    var hasList = false

    var dataType: DataType { hasList ? .list(element.dataType) : scalar.dataType }
}
