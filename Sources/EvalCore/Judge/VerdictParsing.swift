import Foundation

/// The better answer of a pairwise judgement, by position in the prompt.
public enum PairwiseChoice: String, Sendable, Codable, Equatable {
    case a = "A"
    case b = "B"
    case tie

    /// Reads a captured verdict: `A`, `B`, or `tie` (also `C`, MT-Bench's tie, `draw`, `equal`), any case.
    public init?(captured: String) {
        switch captured.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
        case "a": self = .a
        case "b": self = .b
        case "tie", "c", "draw", "equal": self = .tie
        default: return nil
        }
    }
}

/// What a judgement says, once read.
public enum Verdict: Sendable, Equatable {
    case score(Double)
    case choice(PairwiseChoice)
}

/// The regular expressions a verdict is read with: `pattern` first, then each fallback in order.
/// Each takes its first capture group (the whole match when it has none) from its **last**
/// match in the judgement, since judges reason first and conclude at the end.
public struct VerdictPattern: Sendable, Equatable {
    public var pattern: String
    public var fallbacks: [String]

    public init(pattern: String, fallbacks: [String]) {
        self.pattern = pattern
        self.fallbacks = fallbacks
    }

    /// MT-Bench style `[[8]]` (also `[[ 8 ]]`, `[[7.5]]`, `[[8/10]]`).
    public static let scorePattern = #"\[\[\s*(\d+(?:\.\d+)?)\s*(?:/\s*\d+(?:\.\d+)?)?\s*\]\]"#

    /// Looser forms tried when `[[N]]` is absent, in this order: `Rating: 8` / `score of **8**`,
    /// `8/10` or `8 out of 10` (the scale's top), then a bare `[8]` (last, since `[1]` is also
    /// how citations look).
    public static func scoreFallbacks(scaleMax: Double) -> [String] {
        let top = NSRegularExpression.escapedPattern(for: formatNumber(scaleMax))
        return [
            #"(?i)\b(?:rating|score)\b[^0-9\n]{0,20}?(\d+(?:\.\d+)?)"#,
            #"(\d+(?:\.\d+)?)\s*(?:/|out of)\s*"# + top + #"\b"#,
            #"\[\s*(\d+(?:\.\d+)?)\s*(?:/\s*\d+(?:\.\d+)?)?\s*\]"#,
        ]
    }

    /// `[[A]]`, `[[B]]`, `[[tie]]` (and MT-Bench's `[[C]]` for a tie), any case.
    public static let choicePattern = #"(?i)\[\[\s*(A|B|C|tie)\s*\]\]"#

    /// Looser forms: `[A]`, `Final verdict: Assistant B` / `verdict: tie`, `Assistant A is better`.
    public static let choiceFallbacks = [
        #"(?i)\[\s*(A|B|C|tie)\s*\]"#,
        #"(?i)\b(?:final verdict|verdict|winner)\b\s*(?:is)?\s*[:\-]?\s*\**\s*(?:assistant\s+)?(A|B|tie)\b"#,
        #"(?i)\b(?:assistant|answer|response)\s+(A|B)\s+is\s+(?:clearly\s+|slightly\s+|much\s+)?(?:the\s+)?(?:better|superior|stronger|more helpful)"#,
    ]

    static func formatNumber(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// A verdict read from a judgement, or why none could be read.
public struct VerdictReading: Sendable, Equatable {
    public var verdict: Verdict?
    /// `pattern`, `fallback 1`, ... : which expression gave the verdict.
    public var matchedBy: String?
    /// Why there is no verdict (nil when there is one).
    public var problem: String?
}

/// Reads scores and pairwise choices from judge outputs.
public enum VerdictParser {
    /// A score within [min, max]. A number outside the scale is not a verdict.
    public static func score(_ judgement: String, pattern: VerdictPattern, scaleMin: Double, scaleMax: Double) -> VerdictReading {
        guard let (captured, source) = capture(judgement, pattern: pattern) else {
            return VerdictReading(verdict: nil, matchedBy: nil, problem: "no score found")
        }
        guard let value = Double(captured.trimmingCharacters(in: .whitespacesAndNewlines)), value.isFinite else {
            return VerdictReading(verdict: nil, matchedBy: source, problem: "'\(captured)' is not a number")
        }
        guard value >= scaleMin && value <= scaleMax else {
            return VerdictReading(verdict: nil, matchedBy: source,
                                  problem: "score \(VerdictPattern.formatNumber(value)) is outside the scale \(VerdictPattern.formatNumber(scaleMin))–\(VerdictPattern.formatNumber(scaleMax))")
        }
        return VerdictReading(verdict: .score(value), matchedBy: source, problem: nil)
    }

    /// A, B or tie.
    public static func choice(_ judgement: String, pattern: VerdictPattern) -> VerdictReading {
        guard let (captured, source) = capture(judgement, pattern: pattern) else {
            return VerdictReading(verdict: nil, matchedBy: nil, problem: "no verdict found")
        }
        guard let choice = PairwiseChoice(captured: captured) else {
            return VerdictReading(verdict: nil, matchedBy: source, problem: "'\(captured)' is not A, B or tie")
        }
        return VerdictReading(verdict: .choice(choice), matchedBy: source, problem: nil)
    }

    /// The capture of the last match of the first expression that matches at all.
    static func capture(_ text: String, pattern: VerdictPattern) -> (String, String)? {
        let expressions = [(pattern.pattern, "pattern")] + pattern.fallbacks.enumerated().map { ($1, "fallback \($0 + 1)") }
        for (source, name) in expressions {
            guard let expression = try? NSRegularExpression(pattern: source) else { continue }
            let range = NSRange(text.startIndex..., in: text)
            guard let match = expression.matches(in: text, range: range).last else { continue }
            for group in (match.numberOfRanges > 1 ? Array(1..<match.numberOfRanges) : [0]) {
                let found = match.range(at: group)
                if found.location != NSNotFound, let swiftRange = Range(found, in: text) {
                    return (String(text[swiftRange]), name)
                }
            }
        }
        return nil
    }
}
