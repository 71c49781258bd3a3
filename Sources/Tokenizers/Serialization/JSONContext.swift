import DSPrepSupport

/// Reads typed fields out of a tokenizer.json, with errors that name the file and the field.
struct JSONContext {
    let path: String

    func failure(_ message: String, hint: String? = nil) -> InputError {
        InputError(message, at: SourceLocation(path: path), hint: hint)
    }

    func type(of json: JSONValue, component: String) throws -> String {
        guard let type = json["type"]?.stringValue else {
            throw failure("\(component) has no \"type\" field")
        }
        return type
    }

    func unsupported(_ component: String, _ type: String, supported: String, owner: String? = nil) -> InputError {
        failure("unsupported \(component) type \"\(type)\"",
                hint: owner.map { "\(type) is not supported yet (it comes with \($0)); supported: \(supported)" }
                    ?? "supported \(component) types: \(supported)")
    }

    func value(_ json: JSONValue, _ key: String) throws -> JSONValue {
        guard let value = json[key] else { throw failure("missing field \"\(key)\" in \(describe(json))") }
        return value
    }

    func bool(_ json: JSONValue, _ key: String, default fallback: Bool) throws -> Bool {
        guard let value = json[key], !value.isNull else { return fallback }
        guard let result = value.boolValue else { throw failure("field \"\(key)\" of \(describe(json)) must be true or false") }
        return result
    }

    func optionalBool(_ json: JSONValue, _ key: String) throws -> Bool? {
        guard let value = json[key], !value.isNull else { return nil }
        guard let result = value.boolValue else { throw failure("field \"\(key)\" of \(describe(json)) must be true, false or null") }
        return result
    }

    func string(_ json: JSONValue, _ key: String) throws -> String {
        guard let result = try value(json, key).stringValue else { throw failure("field \"\(key)\" of \(describe(json)) must be a string") }
        return result
    }

    func optionalString(_ json: JSONValue, _ key: String) throws -> String? {
        guard let value = json[key], !value.isNull else { return nil }
        guard let result = value.stringValue else { throw failure("field \"\(key)\" of \(describe(json)) must be a string") }
        return result
    }

    func int(_ json: JSONValue, _ key: String) throws -> Int {
        guard let result = try value(json, key).intValue, result >= 0 else {
            throw failure("field \"\(key)\" of \(describe(json)) must be a non-negative integer")
        }
        return result
    }

    func optionalInt(_ json: JSONValue, _ key: String) throws -> Int? {
        guard let value = json[key], !value.isNull else { return nil }
        guard let result = value.intValue, result >= 0 else {
            throw failure("field \"\(key)\" of \(describe(json)) must be a non-negative integer or null")
        }
        return result
    }

    func array(_ json: JSONValue, _ key: String) throws -> [JSONValue] {
        guard let result = try value(json, key).arrayValue else { throw failure("field \"\(key)\" of \(describe(json)) must be an array") }
        return result
    }

    /// HF patterns are `{"String": "..."}` or `{"Regex": "..."}`; only literal strings are supported.
    func literalPattern(_ json: JSONValue) throws -> String {
        let pattern = try value(json, "pattern")
        if let literal = pattern["String"]?.stringValue { return literal }
        if pattern["Regex"] != nil {
            throw failure("regex patterns in \(describe(json)) are not supported", hint: "only {\"String\": ...} patterns are")
        }
        throw failure("field \"pattern\" of \(describe(json)) must be {\"String\": ...}")
    }

    func describe(_ json: JSONValue) -> String {
        json["type"]?.stringValue.map { "\"\($0)\"" } ?? "the object"
    }
}
