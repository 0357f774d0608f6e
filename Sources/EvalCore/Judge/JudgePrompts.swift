/// The built-in judge prompts (docs/judge.md lists them and the variables templates can use).
///
/// Templates are Mustache over the doc's fields plus the judge variables, which win over doc
/// fields of the same name: `question`, `turn`, `turns`, `multi_turn`, `category`, `scale_min`,
/// `scale_max`, `reference`, `answer` (single, reference), `answer_a`, `answer_b` (pairwise), and
/// `history` / `history_a` / `history_b`: the earlier turns as `{turn, question, answer, reference}`.
public enum JudgePrompts {
    public static let singleSystem = """
        You are asked to review an AI assistant's reply to a user. Judge it as a demanding but fair \
        expert would: is it correct, does it do what was asked, is it clear, and is the amount of detail \
        right for the request? A longer reply is not a better reply for that reason alone. Explain your \
        assessment in a few sentences, then give a score from {{scale_min}} (worst) to {{scale_max}} \
        (best) in double square brackets on the last line, for instance [[4]] for a score of 4.
        """

    public static let referenceSystem = """
        You are asked to review an AI assistant's reply to a user. You are also given a reference \
        answer that is known to be correct. First work out where the reply agrees with the reference \
        and where it departs from it: a wrong final result or a wrong key step weighs heavily, however \
        well the reply is written. Explain your assessment in a few sentences, then give a score from \
        {{scale_min}} (worst) to {{scale_max}} (best) in double square brackets on the last line, for \
        instance [[4]] for a score of 4.
        """

    /// Shared by `single` and `reference` mode (the reference block shows only when there is one).
    public static let singleUser = """
        {{#multi_turn}}
        The conversation so far:
        {{#history}}
        User (turn {{turn}}): {{question}}
        Assistant (turn {{turn}}): {{answer}}
        {{/history}}

        Review only the assistant's reply in turn {{turn}}.

        {{/multi_turn}}
        Request:
        {{question}}

        {{#reference}}
        Reference answer:
        {{reference}}

        {{/reference}}
        Assistant's reply:
        {{answer}}

        Give your assessment, then the score from {{scale_min}} to {{scale_max}} as [[N]].
        """

    public static let pairwiseSystem = """
        You are asked to compare the replies of two AI assistants, A and B, to the same user request \
        and decide which one serves the user better: correctness first, then how well it does what \
        was asked, its clarity and a fitting amount of detail. Neither the order in which the replies \
        are shown, nor their length, nor the assistants' names may influence you. Explain your \
        comparison in a few sentences, then give your verdict on the last line: [[A]] if A's reply is \
        better, [[B]] if B's reply is better, or [[tie]] if neither is better.
        """

    public static let pairwiseUser = """
        {{#multi_turn}}
        Conversation with assistant A so far:
        {{#history_a}}
        User (turn {{turn}}): {{question}}
        Assistant A (turn {{turn}}): {{answer}}
        {{/history_a}}

        Conversation with assistant B so far:
        {{#history_b}}
        User (turn {{turn}}): {{question}}
        Assistant B (turn {{turn}}): {{answer}}
        {{/history_b}}

        Compare only the replies in turn {{turn}}.

        {{/multi_turn}}
        Request:
        {{question}}

        {{#reference}}
        Reference answer:
        {{reference}}

        {{/reference}}
        Assistant A's reply:
        {{answer_a}}

        Assistant B's reply:
        {{answer_b}}

        Which reply is better? Give your comparison, then [[A]], [[B]] or [[tie]].
        """

    public static func defaultSystem(_ mode: JudgeMode) -> String {
        switch mode {
        case .single: return singleSystem
        case .reference: return referenceSystem
        case .pairwise: return pairwiseSystem
        }
    }

    public static func defaultUser(_ mode: JudgeMode) -> String {
        mode == .pairwise ? pairwiseUser : singleUser
    }
}

/// A judge-graded question as a doc gives it: its user turns, the reference answer of each
/// turn (when the task has references) and its category.
public struct JudgeQuestion: Sendable, Equatable {
    public var turns: [String]
    public var references: [String]?
    public var category: String?

    public init(turns: [String], references: [String]?, category: String?) {
        self.turns = turns
        self.references = references
        self.category = category
    }
}

/// The values judge templates see for one graded turn.
enum JudgeContext {
    static func base(doc: Doc, question: JudgeQuestion, turn: Int, spec: JudgeSpec) -> Doc {
        var context = doc
        context["question"] = .string(question.turns[turn])
        context["turn"] = .number(Double(turn + 1))
        context["turns"] = .number(Double(question.turns.count))
        context["multi_turn"] = .bool(turn > 0)
        context["category"] = question.category.map(JSONValue.string) ?? .null
        context["scale_min"] = .number(spec.scaleMin)
        context["scale_max"] = .number(spec.scaleMax)
        context["reference"] = question.references.map { .string($0[turn]) } ?? .null
        return context
    }

    /// The turns before `turn`, with one model's answers.
    static func history(_ question: JudgeQuestion, turn: Int, answers: [String]) -> JSONValue {
        .array((0..<turn).map { index in
            .object([
                "turn": .number(Double(index + 1)),
                "question": .string(question.turns[index]),
                "answer": .string(answers[index]),
                "reference": question.references.map { .string($0[index]) } ?? .null,
            ])
        })
    }

    static func single(doc: Doc, question: JudgeQuestion, turn: Int, answers: [String], spec: JudgeSpec) -> Doc {
        var context = base(doc: doc, question: question, turn: turn, spec: spec)
        context["answer"] = .string(answers[turn])
        context["history"] = history(question, turn: turn, answers: answers)
        return context
    }

    static func pairwise(doc: Doc, question: JudgeQuestion, turn: Int, answersA: [String], answersB: [String], spec: JudgeSpec) -> Doc {
        var context = base(doc: doc, question: question, turn: turn, spec: spec)
        context["answer_a"] = .string(answersA[turn])
        context["answer_b"] = .string(answersB[turn])
        context["history_a"] = history(question, turn: turn, answers: answersA)
        context["history_b"] = history(question, turn: turn, answers: answersB)
        return context
    }

    /// The judge's messages for a context.
    static func messages(_ context: Doc, spec: JudgeSpec) throws -> [ChatMessage] {
        [ChatMessage(role: "system", content: try spec.systemTemplate.render(context)),
         ChatMessage(role: "user", content: try spec.userTemplate.render(context))]
    }

    /// Renders the judge templates with placeholder answers, so a template naming a field that is
    /// neither a judge variable nor in the doc fails before any model runs.
    static func check(doc: Doc, question: JudgeQuestion, spec: JudgeSpec) throws {
        let placeholders = question.turns.map { _ in "(answer)" }
        for turn in spec.gradedTurns.indices(turnCount: question.turns.count) {
            let context = spec.mode == .pairwise
                ? pairwise(doc: doc, question: question, turn: turn, answersA: placeholders, answersB: placeholders, spec: spec)
                : single(doc: doc, question: question, turn: turn, answers: placeholders, spec: spec)
            do { _ = try messages(context, spec: spec) } catch {
                throw ScoringInputError("judge template: \(error) (judge templates see the doc's fields and the judge variables listed in docs/judge.md)")
            }
        }
    }
}
