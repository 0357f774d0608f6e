/// How a `kind: judge` task grades answers. See docs/judge.md.
public enum JudgeMode: String, Sendable, Codable, CaseIterable {
    /// The judge scores one answer on a scale.
    case single
    /// The judge picks the better of two models' answers (A, B or tie), in both orders.
    case pairwise
    /// As `single`, with a reference answer shown to the judge.
    case reference
}

/// Which turns of a conversation the judge grades.
public enum GradedTurns: Sendable, Equatable {
    /// Every turn.
    case all
    /// The last turn of each conversation.
    case last
    /// Turn `n` (1-based); every doc must have at least n turns.
    case number(Int)

    /// The 0-based turns graded in a conversation of `count` turns.
    public func indices(turnCount count: Int) -> [Int] {
        switch self {
        case .all: return Array(0..<count)
        case .last: return count > 0 ? [count - 1] : []
        case .number(let n): return n <= count ? [n - 1] : []
        }
    }

    var description: String {
        switch self {
        case .all: return "all"
        case .last: return "last"
        case .number(let n): return String(n)
        }
    }
}

/// The judge part of a `kind: judge` task: the question templates and the judge's settings.
public struct JudgeSpec: Sendable {
    public var mode: JudgeMode
    /// The user turns of a question: a template standing for a list (`turns: turns`) or the
    /// task's single `prompt`.
    public var turns: PromptTemplate
    /// Reference answers, one per turn (`reference` mode; shown in `pairwise` when set).
    public var reference: PromptTemplate?
    /// The category a question is reported under (per-category scores).
    public var category: PromptTemplate?
    /// The judge model's spec (`judge.model`); `eval run --judge` overrides it.
    public var model: String?
    public var gradedTurns: GradedTurns
    /// The score range of `single` and `reference` mode.
    public var scaleMin: Double
    public var scaleMax: Double
    /// The judge's system message and user message.
    public var systemTemplate: PromptTemplate
    public var userTemplate: PromptTemplate
    /// How the verdict is read from the judgement.
    public var verdictPattern: VerdictPattern
    /// Tokens the judge may write.
    public var maxTokens: Int

    public init(mode: JudgeMode, turns: PromptTemplate, reference: PromptTemplate?, category: PromptTemplate?,
                model: String?, gradedTurns: GradedTurns, scaleMin: Double, scaleMax: Double,
                systemTemplate: PromptTemplate, userTemplate: PromptTemplate, verdictPattern: VerdictPattern,
                maxTokens: Int) {
        self.mode = mode
        self.turns = turns
        self.reference = reference
        self.category = category
        self.model = model
        self.gradedTurns = gradedTurns
        self.scaleMin = scaleMin
        self.scaleMax = scaleMax
        self.systemTemplate = systemTemplate
        self.userTemplate = userTemplate
        self.verdictPattern = verdictPattern
        self.maxTokens = maxTokens
    }
}
