import ArgumentParser
import Tokenizers

/// `--cased` / `--uncased`: what BERT's normalizer does to text (a vocab.txt being loaded, a
/// WordPiece vocabulary being trained). Each command says its default.
enum Casing: String, EnumerableFlag {
    case cased, uncased

    static func help(for value: Casing) -> ArgumentHelp? {
        switch value {
        case .cased: return "BERT normalizer: keep case and accents (vocab train's default)."
        case .uncased: return "BERT normalizer: lowercase and strip accents (a vocab.txt's default, unless its tokenizer_config.json says otherwise)."
        }
    }
}

extension Optional where Wrapped == Casing {
    /// How `TokenizerLoader` loads a vocab.txt: as asked, else as its folder says.
    var loading: TokenizerLoader.Casing {
        switch self {
        case .cased?: return .cased
        case .uncased?: return .uncased
        case nil: return .automatic
        }
    }
}
