/// sacrebleu's default BLEU tokeniser "13a" (equivalent to mteval-v13a.pl, used by WMT),
/// working on code points like the Python original.
///
/// Steps, in order: drop "<skipped>"; join lines broken by "-\n"; newlines become spaces;
/// unescape `&quot; &amp; &lt; &gt;`; pad with a space on each side; then four regex passes:
/// 1. every ASCII character in `{|}~[\]^_` plus space, `!"#$%&()*+:;<=>?@/` gets spaces around it;
/// 2. "." and "," get spaces unless preceded by a digit;
/// 3. "." and "," get spaces unless followed by a digit;
/// 4. "-" preceded by a digit gets spaces;
/// and finally whitespace is collapsed. Apostrophes, hyphens between letters, and decimal
/// points or thousands separators inside numbers stay attached.
enum Tokenizer13a {
    static func tokenize(_ line: Scalars) -> [Scalars] {
        var text = replacingAll(line, "<skipped>", "")
        text = replacingAll(text, "-\n", "")
        text = replacingAll(text, "\n", " ")
        if text.contains("&") {
            text = replacingAll(text, "&quot;", "\"")
            text = replacingAll(text, "&amp;", "&")
            text = replacingAll(text, "&lt;", "<")
            text = replacingAll(text, "&gt;", ">")
        }
        text = [" "] + text + [" "]

        // Pass 1: `([\{-\~\[-\` -\&\(-\+\:-\@\/])` -> ` \1 `.
        var spaced: Scalars = []
        spaced.reserveCapacity(text.count * 2)
        for scalar in text {
            if isPass1Symbol(scalar) {
                spaced.append(" "); spaced.append(scalar); spaced.append(" ")
            } else {
                spaced.append(scalar)
            }
        }
        // Pass 2: `([^0-9])([\.,])` -> `\1 \2 `.
        spaced = substitutePairs(spaced, matches: { !isDigit($0) && isPeriodOrComma($1) },
                                 replacement: { [$0, " ", $1, " "] })
        // Pass 3: `([\.,])([^0-9])` -> ` \1 \2`.
        spaced = substitutePairs(spaced, matches: { isPeriodOrComma($0) && !isDigit($1) },
                                 replacement: { [" ", $0, " ", $1] })
        // Pass 4: `([0-9])(-)` -> `\1 \2 `.
        spaced = substitutePairs(spaced, matches: { isDigit($0) && $1 == "-" },
                                 replacement: { [$0, " ", $1, " "] })
        return PythonText.split(spaced)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isPeriodOrComma(_ scalar: Unicode.Scalar) -> Bool { scalar == "." || scalar == "," }

    private static func isPass1Symbol(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: return true
        default: return false
        }
    }

    /// `re.sub` for a pattern that always matches exactly two characters: matches are found
    /// left to right and do not overlap, so after a match the scan resumes two places later.
    private static func substitutePairs(
        _ text: Scalars,
        matches: (Unicode.Scalar, Unicode.Scalar) -> Bool,
        replacement: (Unicode.Scalar, Unicode.Scalar) -> Scalars
    ) -> Scalars {
        var result: Scalars = []
        result.reserveCapacity(text.count + text.count / 2)
        var index = 0
        while index < text.count {
            if index + 1 < text.count, matches(text[index], text[index + 1]) {
                result.append(contentsOf: replacement(text[index], text[index + 1]))
                index += 2
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// Python's `str.replace(old, new)`: non-overlapping occurrences, left to right.
    static func replacingAll(_ text: Scalars, _ old: String, _ new: String) -> Scalars {
        let pattern = Array(old.unicodeScalars)
        guard !pattern.isEmpty, text.count >= pattern.count else { return text }
        let replacement = Array(new.unicodeScalars)
        var result: Scalars = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if index + pattern.count <= text.count, text[index] == pattern[0],
               text[index..<(index + pattern.count)].elementsEqual(pattern) {
                result.append(contentsOf: replacement)
                index += pattern.count
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }
}
