/// Text normalisations applied to predictions and references before comparing them.
///
/// All functions work on Unicode code points (like Python strings), so results match the
/// Python reference implementations character for character.
public enum TextNormalization {
    /// SQuAD normalize_answer: lowercase, remove punctuation, remove articles (a, an, the), collapse whitespace.
    ///
    /// This is exactly `normalize_answer` of the SQuAD v1.1 evaluation script: punctuation is
    /// Python's `string.punctuation` (the 32 ASCII punctuation and symbol characters, so "$"
    /// and "+" go but "¿" or "—" stay), and an article is removed only when it is a whole word
    /// under `re`'s Unicode `\b`. Use ``removePunctuation(_:)`` for Unicode punctuation.
    public static func squad(_ s: String) -> String {
        var text = PythonText.lower(s)
        text.removeAll(where: PythonText.isASCIIPunctuation)
        text = removeArticles(text)
        return String(String.UnicodeScalarView(PythonText.collapseWhitespace(text)))
    }

    /// Removes every code point whose Unicode general category is punctuation (Pc, Pd, Ps, Pe,
    /// Pi, Pf, Po): ASCII punctuation such as `.,!?'"-()` as well as "¿", "«", "—", "。".
    /// Symbols (categories S*, e.g. "$", "+", "€") are kept. Whitespace is left untouched.
    public static func removePunctuation(_ s: String) -> String {
        var view = String.UnicodeScalarView()
        for scalar in s.unicodeScalars where !isUnicodePunctuation(scalar) {
            view.append(scalar)
        }
        return String(view)
    }

    /// Lowercases and collapses runs of whitespace to one space, trimming both ends
    /// (`" ".join(s.lower().split())`).
    public static func lowercaseAndCollapseWhitespace(_ s: String) -> String {
        String(String.UnicodeScalarView(PythonText.collapseWhitespace(PythonText.lower(s))))
    }

    static func isUnicodePunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// `re.sub(r'\b(a|an|the)\b', ' ', text)`: a maximal run of `\w` code points that is
    /// exactly "a", "an" or "the" becomes one space.
    static func removeArticles(_ text: Scalars) -> Scalars {
        var result: Scalars = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            guard PythonText.isWordCharacter(text[index]) else {
                result.append(text[index])
                index += 1
                continue
            }
            var end = index
            while end < text.count, PythonText.isWordCharacter(text[end]) { end += 1 }
            let word = text[index..<end]
            if word.elementsEqual(["a"]) || word.elementsEqual(["a", "n"]) || word.elementsEqual(["t", "h", "e"]) {
                result.append(" ")
            } else {
                result.append(contentsOf: word)
            }
            index = end
        }
        return result
    }
}
