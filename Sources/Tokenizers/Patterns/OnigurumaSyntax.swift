/// Rewrites the few constructs whose meaning differs between Oniguruma's Ruby syntax (what HF
/// tokenizers compiles) and ICU's regex syntax, so that ICU matches what Oniguruma matches.
///
/// Measured by matching each code point alone with both engines (HF tokenizers 0.23.3 vs ICU 72):
/// `\s`, `\d`, `.` (with the shim's line flags) and `\p{...}` agree, up to the Unicode version
/// (Oniguruma knows Unicode 16 letters and digits that ICU 72 does not). These differ:
/// - `\w`: Oniguruma's word characters are Alphabetic, marks, decimal digits and connector
///   punctuation, and outside a bracket class also ² ³ ¹ ¼ ½ ¾ (so `\w` matches ½, `[\w]` does
///   not); ICU's also have U+200C and U+200D.
/// - `\b`, `\B`: follow `\w`; ICU also never puts a boundary before a combining mark.
/// - `\h`, `\H`: a hexadecimal digit in Oniguruma, horizontal space in ICU.
/// - `(?m)`: dot matches newline in Ruby syntax, which ICU spells `(?s)`.
/// Anything else passes through; a construct ICU lacks (`\K`, ...) fails to compile with ICU's reason.
enum OnigurumaSyntax {
    /// The members of Oniguruma's `\w` in a bracket class, and on its own, in ICU set syntax.
    static let classWordMembers = #"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}"#
    static let wordMembers = classWordMembers + #"\u00B2\u00B3\u00B9\u00BC-\u00BE"#
    static let hexMembers = "0-9a-fA-F"

    static func icuPattern(_ pattern: String) -> String {
        let word = "[\(wordMembers)]"
        var output = ""
        var classDepth = 0
        var characters = pattern.unicodeScalars.makeIterator()
        var previous: Unicode.Scalar?
        while let scalar = characters.next() {
            defer { previous = scalar }
            switch scalar {
            case "\\":
                guard let escaped = characters.next() else { output.unicodeScalars.append(scalar); break }
                let inClass = classDepth > 0
                switch escaped {
                case "w": output += inClass ? classWordMembers : word
                case "W": output += "[^\(inClass ? classWordMembers : wordMembers)]"
                case "h": output += inClass ? hexMembers : "[\(hexMembers)]"
                case "H": output += "[^\(hexMembers)]"
                case "b" where !inClass: output += "(?:(?<=\(word))(?!\(word))|(?<!\(word))(?=\(word)))"
                case "B" where !inClass: output += "(?:(?<=\(word))(?=\(word))|(?<!\(word))(?!\(word)))"
                default:
                    output.unicodeScalars.append(scalar)
                    output.unicodeScalars.append(escaped)
                }
                continue  // an escaped character never opens or closes a class or a group
            case "[":
                classDepth += 1
                output.unicodeScalars.append(scalar)
            case "]" where classDepth > 0:
                classDepth -= 1
                output.unicodeScalars.append(scalar)
            case "?" where classDepth == 0 && previous == "(":
                output.unicodeScalars.append(scalar)
                output += optionLetters(&characters)
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// After `(?`: an option group such as `m)`, `i-m:` is copied with Ruby's `m` (dot matches
    /// newline) spelled as ICU's `s`; any other group is copied as is.
    private static func optionLetters(_ characters: inout String.UnicodeScalarView.Iterator) -> String {
        var letters = String.UnicodeScalarView()
        while let scalar = characters.next() {
            letters.append(scalar)
            if scalar == ")" || scalar == ":" {
                return String(letters.map { $0 == "m" ? "s" : $0 }.reduce(into: String.UnicodeScalarView()) { $0.append($1) })
            }
            guard "imx-".unicodeScalars.contains(scalar) else { break }
        }
        return String(letters)
    }
}
