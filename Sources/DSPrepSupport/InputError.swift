import Foundation

/// Where in a user's file something went wrong. Line and column are 1-based; byte is 0-based.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var column: Int?
    public var byteOffset: Int?

    public init(path: String, line: Int? = nil, column: Int? = nil, byteOffset: Int? = nil) {
        self.path = path
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
    }

    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        if let column { text += ":\(column)" }
        if let byteOffset { text += " (byte \(byteOffset))" }
        return text
    }
}

/// An error caused by what a user gave us (a file, a flag, a value): it names the place and what
/// was expected, and optionally how to fix it. The CLI prints it and exits non-zero.
public struct InputError: Error, Sendable, CustomStringConvertible, LocalizedError {
    public var location: SourceLocation?
    public var message: String
    public var hint: String?

    public init(_ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = location.map { "\($0): \(message)" } ?? message
        if let hint { text += "\n  hint: \(hint)" }
        return text
    }

    public var errorDescription: String? { description }
}

/// Throws an `InputError` unless `condition` holds (sentencepiece's CHECK_OR_RETURN, as a throw).
@inline(__always)
public func check(
    _ condition: Bool, _ message: @autoclosure () -> String, at location: @autoclosure () -> SourceLocation? = nil
) throws {
    if !condition { throw InputError(message(), at: location()) }
}
