import Foundation
import EvalMetrics

/// An ordered pipeline of filters that turns a model's raw responses (one per sample) into the
/// answers the metrics see. Several named pipelines may run on the same responses (GSM8K's
/// `strict-match` and `flexible-extract`); each gets its own metric values.
public struct FilterPipeline: Sendable {
    public var name: String
    public var steps: [FilterStep]

    public init(name: String, steps: [FilterStep]) {
        self.name = name
        self.steps = steps
    }

    /// The pipeline of a task with no `filters`: answers are the responses as they are.
    public static let identity = FilterPipeline(name: "none", steps: [])

    public func apply(_ responses: [String]) -> [String] {
        steps.reduce(responses) { answers, step in step.apply(answers) }
    }
}

public enum FilterStep: Sendable {
    /// Which match of a regex to keep.
    public enum Select: Sendable, Equatable {
        case first, last
        case index(Int)
    }

    /// Keeps a capture group of a match (group 0 = the whole match); `fallback` when nothing matches.
    case regex(pattern: String, group: Int, select: Select, fallback: String)
    /// Keeps only the first response (of several samples).
    case takeFirst
    case strip
    case lowercase
    case removePunctuation
    /// Replaces a whole answer found in the table; others become `defaultValue` when given.
    case map([String: String], defaultValue: String?)

    public static let names = ["regex", "take_first", "strip", "lowercase", "remove_punctuation", "map"]

    func apply(_ answers: [String]) -> [String] {
        switch self {
        case .takeFirst: return answers.isEmpty ? [] : [answers[0]]
        case .strip: return answers.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        case .lowercase: return answers.map { $0.lowercased() }
        case .removePunctuation: return answers.map(TextNormalization.removePunctuation)
        case .map(let table, let defaultValue): return answers.map { table[$0] ?? defaultValue ?? $0 }
        case .regex(let pattern, let group, let select, let fallback):
            // The pattern was compiled once at load time to validate it; compiling again here keeps
            // the step a plain Sendable value.
            guard let expression = try? NSRegularExpression(pattern: pattern) else { return answers.map { _ in fallback } }
            return answers.map { answer in
                let range = NSRange(answer.startIndex..., in: answer)
                let matches = expression.matches(in: answer, range: range)
                let chosen: NSTextCheckingResult?
                switch select {
                case .first: chosen = matches.first
                case .last: chosen = matches.last
                case .index(let i):
                    let index = i >= 0 ? i : matches.count + i
                    chosen = matches.indices.contains(index) ? matches[index] : nil
                }
                guard let match = chosen else { return fallback }
                // With several groups (alternatives), the requested group, else the first that matched.
                var candidates = [group]
                if group >= 1 { candidates += Array(1..<max(1, match.numberOfRanges)) }
                for g in candidates where g < match.numberOfRanges {
                    let r = match.range(at: g)
                    if r.location != NSNotFound, r.length > 0, let swiftRange = Range(r, in: answer) {
                        // Stripped, as lm-evaluation-harness's regex filter does.
                        return answer[swiftRange].trimmingCharacters(in: .whitespacesAndNewlines)
                    }
                }
                return fallback
            }
        }
    }
}
