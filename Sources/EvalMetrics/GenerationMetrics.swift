/// Per-sample scores for generated text against one or more references.
///
/// Every function taking `references` scores the prediction against each reference and returns
/// the best score (the SQuAD convention); with no references the score is 0. Strings are
/// compared code point by code point, as Python compares them, so "é" (U+00E9) and "e" + U+0301
/// are different strings.
public enum GenerationMetrics {
    /// 1 if the prediction equals some reference exactly (no normalisation at all), else 0.
    public static func exactMatch(prediction: String, references: [String]) -> Double {
        let predicted = Array(prediction.unicodeScalars)
        return references.contains { Array($0.unicodeScalars) == predicted } ? 1 : 0
    }

    /// SQuAD v1.1 exact match: 1 if ``TextNormalization/squad(_:)`` of the prediction equals
    /// that of some reference, else 0.
    public static func quasiExactMatch(prediction: String, references: [String]) -> Double {
        let predicted = Array(TextNormalization.squad(prediction).unicodeScalars)
        return references.contains { Array(TextNormalization.squad($0).unicodeScalars) == predicted } ? 1 : 0
    }

    /// SQuAD v1.1 token F1, maximised over references.
    ///
    /// Both strings are normalised with ``TextNormalization/squad(_:)`` and split on whitespace;
    /// with `common` the size of the multiset intersection of the token lists,
    /// precision = common / |prediction|, recall = common / |reference| and
    /// F1 = 2PR / (P + R); F1 is 0 when nothing is in common (also when either side is empty).
    public static func f1(prediction: String, references: [String]) -> Double {
        let predictedTokens = squadTokens(prediction)
        var best = 0.0
        for reference in references {
            best = max(best, tokenF1(predictedTokens, squadTokens(reference)))
        }
        return best
    }

    /// 1 if some reference occurs as a substring of the prediction (case-sensitive, no
    /// normalisation), else 0. An empty reference occurs in every prediction, as in Python.
    public static func contains(prediction: String, references: [String]) -> Double {
        let predicted = Array(prediction.unicodeScalars)
        return references.contains { PythonText.contains(predicted, Array($0.unicodeScalars)) } ? 1 : 0
    }

    /// 1 if the regular expression matches anywhere in the prediction (a search, like Python's
    /// `re.search`, not a full match), else 0. Anchor the pattern with `^...$` for a full match.
    ///
    /// Uses Swift `Regex` syntax, which accepts the usual Perl/Python constructs
    /// (classes, groups, quantifiers, `(?i)`, lookaround).
    /// - Throws: ``MetricsError/invalidRegex(pattern:reason:)`` when the pattern does not compile.
    public static func regexMatch(prediction: String, pattern: String) throws -> Double {
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            throw MetricsError.invalidRegex(pattern: pattern, reason: String(describing: error))
        }
        return prediction.firstMatch(of: regex) != nil ? 1 : 0
    }

    /// ROUGE-L F-measure (longest common subsequence), as Google's rouge_score (its default tokenizer, no stemmer), max over refs.
    ///
    /// Tokenisation is rouge_score's default: lowercase, replace every run of characters other
    /// than `a-z0-9` by a space, split. So non-ASCII letters vanish and "don't" is two tokens.
    /// With L the LCS length of the token lists, P = L / |prediction|, R = L / |reference| and
    /// F = 2PR / (P + R); 0 when either side has no tokens.
    public static func rougeL(prediction: String, references: [String]) -> Double {
        let predictedTokens = rougeTokens(prediction)
        var best = 0.0
        for reference in references {
            let referenceTokens = rougeTokens(reference)
            guard !predictedTokens.isEmpty, !referenceTokens.isEmpty else { continue }
            let common = Double(longestCommonSubsequenceLength(referenceTokens, predictedTokens))
            let precision = common / Double(predictedTokens.count)
            let recall = common / Double(referenceTokens.count)
            if precision + recall > 0 {
                best = max(best, 2 * precision * recall / (precision + recall))
            }
        }
        return best
    }

    // MARK: - Pieces

    static func squadTokens(_ text: String) -> [Scalars] {
        PythonText.split(Array(TextNormalization.squad(text).unicodeScalars))
    }

    static func tokenF1(_ predicted: [Scalars], _ reference: [Scalars]) -> Double {
        let common = multisetOverlap(counts(predicted), counts(reference))
        guard common > 0 else { return 0 }
        let precision = Double(common) / Double(predicted.count)
        let recall = Double(common) / Double(reference.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// rouge_score's `tokenize.tokenize(text, stemmer=None)`.
    static func rougeTokens(_ text: String) -> [Scalars] {
        var tokens: [Scalars] = []
        var current: Scalars = []
        for scalar in PythonText.lower(text) {
            let isAlphanumeric = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if isAlphanumeric {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(current)
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// Length of the longest common subsequence of two sequences; O(|a|·|b|) time,
    /// O(|b|) memory.
    static func longestCommonSubsequenceLength<Element: Equatable>(_ a: [Element], _ b: [Element]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for i in 1...a.count {
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : max(previous[j], current[j - 1])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
