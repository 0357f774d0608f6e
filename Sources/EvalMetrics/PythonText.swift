// Text primitives that behave exactly like the Python built-ins the reference metrics
// (SQuAD's evaluate-v1.1.py, sacrebleu, rouge_score) are written with. The metrics work on
// arrays of Unicode scalars, not Swift `Character`s, because Python strings are sequences of
// code points: "é" and "e\u{301}" are different strings there, and n-grams are code-point
// n-grams. Using scalars keeps our numbers identical to the reference implementations.

/// A string as Python sees it: a sequence of code points.
typealias Scalars = [Unicode.Scalar]

enum PythonText {
    /// `str.isspace()` for one code point: the Unicode White_Space property plus the four
    /// "information separators" U+001C...U+001F, which CPython also counts as whitespace.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return true }
        return (0x1C...0x1F).contains(scalar.value)
    }

    /// `str.split()` with no separator: runs of whitespace separate tokens, no empty tokens.
    static func split(_ text: Scalars) -> [Scalars] {
        var tokens: [Scalars] = []
        var current: Scalars = []
        for scalar in text {
            if isSpace(scalar) {
                if !current.isEmpty {
                    tokens.append(current)
                    current.removeAll(keepingCapacity: true)
                }
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// `" ".join(s.split())`: trims and collapses whitespace to single spaces.
    static func collapseWhitespace(_ text: Scalars) -> Scalars {
        var result: Scalars = []
        result.reserveCapacity(text.count)
        for (index, token) in split(text).enumerated() {
            if index > 0 { result.append(" ") }
            result.append(contentsOf: token)
        }
        return result
    }

    /// `str.rstrip()`: drops trailing whitespace.
    static func rstrip(_ text: Scalars) -> Scalars {
        var end = text.count
        while end > 0, isSpace(text[end - 1]) { end -= 1 }
        return Array(text[0..<end])
    }

    /// `str.lower()`: full Unicode lowercase mapping (so "İ" becomes "i̇"), plus CPython's
    /// Final_Sigma rule, which Swift's `lowercased()` does not apply: a capital sigma preceded
    /// by a cased letter and not followed by one (case-ignorable characters skipped both ways)
    /// becomes "ς" instead of "σ".
    static func lower(_ text: String) -> Scalars {
        let source = Array(text.unicodeScalars)
        var result: Scalars = []
        result.reserveCapacity(source.count)
        for (index, scalar) in source.enumerated() {
            if scalar.value == 0x3A3 {
                result.append(isFinalSigma(source, at: index) ? "\u{3C2}" : "\u{3C3}")
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    /// CPython's `handle_capital_sigma`: `\p{cased}\p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased})`.
    private static func isFinalSigma(_ text: Scalars, at index: Int) -> Bool {
        var before = index - 1
        while before >= 0, text[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0, text[before].properties.isCased else { return false }
        var after = index + 1
        while after < text.count, text[after].properties.isCaseIgnorable { after += 1 }
        return after == text.count || !text[after].properties.isCased
    }

    /// Whether `re`'s `\w` matches this code point for a `str` pattern: letters (categories
    /// L*), anything with a numeric value, and the underscore. Combining marks are not word
    /// characters in Python, which matters for `\b`.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return true
        default:
            return scalar.properties.numericType != nil
        }
    }

    /// Python's `string.punctuation`: the 32 ASCII punctuation and symbol characters.
    static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// Whether `needle` occurs as a contiguous run in `haystack` (Python's `needle in haystack`;
    /// the empty string occurs in every string).
    static func contains(_ haystack: Scalars, _ needle: Scalars) -> Bool {
        if needle.isEmpty { return true }
        if needle.count > haystack.count { return false }
        let first = needle[0]
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count, haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}

/// Multiset intersection size: `sum((Counter(a) & Counter(b)).values())`.
func multisetOverlap<Key: Hashable>(_ a: [Key: Int], _ b: [Key: Int]) -> Int {
    var overlap = 0
    for (key, countA) in a {
        if let countB = b[key] { overlap += min(countA, countB) }
    }
    return overlap
}

/// `collections.Counter(items)`.
func counts<Key: Hashable>(_ items: [Key]) -> [Key: Int] {
    var result: [Key: Int] = [:]
    for item in items { result[item, default: 0] += 1 }
    return result
}
