import Foundation

extension TaskLoader {
    /// Top-level keys only `kind: judge` tasks use.
    static let judgeTaskKeys = ["turns", "reference", "category", "judge"]
    /// Keys of the `judge:` mapping.
    static let judgeKeys = ["model", "mode", "turn", "scale", "pattern", "fallback", "system", "user", "max_tokens"]

    /// Reads the question templates (`turns` or `prompt`, `reference`, `category`) and the
    /// `judge:` settings, which is either a model spec or a mapping of `judgeKeys`.
    static func parseJudge(_ mapping: YAMLMapping, prompt: PromptTemplate?, generation: GenerationSpec) throws -> JudgeSpec {
        var errors: [Error] = []
        func attempt<T>(_ body: () throws -> T?) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }
        if let samples = mapping["generation"].flatMap({ try? $0.mapping()["samples"] }), generation.samples != 1 {
            errors.append(samples.error("judge tasks answer each turn once; samples must be 1"))
        }
        var turns = attempt { try mapping["turns"].map(listTemplate) }
        if mapping.has("turns"), mapping.has("prompt"), let node = mapping["prompt"] {
            errors.append(node.error("give either `turns` (the user turns of a conversation) or `prompt` (one question), not both"))
        }
        if turns == nil && !mapping.has("turns") { turns = prompt }
        if !mapping.has("turns") && !mapping.has("prompt") {
            errors.append(missing("turns", in: mapping, because: "judge tasks need the user turns, or a single `prompt`"))
        }
        let reference = attempt { try mapping["reference"].map(listTemplate) }
        let category = attempt { try mapping["category"].map(template) }

        var settings: YAMLMapping?
        var model: String?
        if let node = mapping["judge"] {
            if case .scalar = node.node {
                model = attempt { try node.string() }
            } else if let parsed = attempt({ try node.mapping() }) {
                errors.append(contentsOf: parsed.unknownKeys(allowed: judgeKeys).map { error in
                    error.keyPath.hasSuffix(".temperature")
                        ? TaskFileError(file: error.file, line: error.line, column: error.column, keyPath: error.keyPath,
                                        message: "the judge always decodes at temperature 0; remove this key")
                        : error
                })
                settings = parsed
                model = attempt { try parsed["model"]?.string() }
            }
        }

        var mode = JudgeMode.single
        if let node = settings?["mode"], let raw = attempt({ try node.string() }) {
            if let parsed = JudgeMode(rawValue: raw) { mode = parsed } else {
                errors.append(node.error("unknown mode '\(raw)'; expected one of \(JudgeMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    + Suggestion.didYouMean(raw, among: JudgeMode.allCases.map(\.rawValue))))
            }
        }
        if mode == .reference && reference == nil && !mapping.has("reference") {
            errors.append(missing("reference", in: mapping, because: "reference mode shows the judge a reference answer for each turn"))
        }

        var gradedTurns = GradedTurns.all
        if let node = settings?["turn"], let raw = attempt({ try node.string() }) {
            switch raw {
            case "all": gradedTurns = .all
            case "last": gradedTurns = .last
            default:
                if let n = Int(raw), n >= 1 { gradedTurns = .number(n) } else {
                    errors.append(node.error("turn must be all, last or a turn number (1 for the first)"))
                }
            }
        }

        var (scaleMin, scaleMax) = (1.0, 10.0)
        if let node = settings?["scale"] {
            if let items = attempt({ try node.sequence() }) {
                if items.count == 2, let low = attempt({ try items[0].double() }), let high = attempt({ try items[1].double() }) {
                    if low < high { (scaleMin, scaleMax) = (low, high) } else {
                        errors.append(node.error("the scale's first number (the lowest score) must be below the second"))
                    }
                } else if items.count != 2 {
                    errors.append(node.error("scale is two numbers, the lowest and the highest score: [1, 10]"))
                }
            }
            if mode == .pairwise { errors.append(node.error("pairwise judgements have no scale (the verdict is A, B or tie)")) }
        }

        func regex(_ node: YAMLNode) throws -> String {
            let pattern = try node.string()
            guard (try? NSRegularExpression(pattern: pattern)) != nil else { throw node.error("invalid regular expression: \(pattern)") }
            return pattern
        }
        let defaultPattern = mode == .pairwise ? VerdictPattern.choicePattern : VerdictPattern.scorePattern
        let pattern = settings?["pattern"].flatMap { node in attempt { try regex(node) } } ?? defaultPattern
        var fallbacks = mode == .pairwise ? VerdictPattern.choiceFallbacks : VerdictPattern.scoreFallbacks(scaleMax: scaleMax)
        if let node = settings?["fallback"] {
            if case .sequence = node.node {
                fallbacks = attempt { try node.sequence().map(regex) } ?? []
            } else {
                fallbacks = attempt { [try regex(node)] } ?? []
            }
        }

        func judgeTemplate(_ key: String, default source: String) -> PromptTemplate? {
            if let node = settings?[key] { return attempt { try template(node) } }
            return attempt { try PromptTemplate(source) }
        }
        let system = judgeTemplate("system", default: JudgePrompts.defaultSystem(mode))
        let user = judgeTemplate("user", default: JudgePrompts.defaultUser(mode))

        var maxTokens = 1024
        if let node = settings?["max_tokens"], let value = attempt({ try node.int() }) {
            if value > 0 { maxTokens = value } else { errors.append(node.error("max_tokens must be positive")) }
        }

        try throwCollected(errors)
        guard let turns, let system, let user else { throw TaskFileErrors(errors: []) }
        return JudgeSpec(mode: mode, turns: turns, reference: reference, category: category, model: model,
                         gradedTurns: gradedTurns, scaleMin: scaleMin, scaleMax: scaleMax, systemTemplate: system,
                         userTemplate: user, verdictPattern: VerdictPattern(pattern: pattern, fallbacks: fallbacks),
                         maxTokens: maxTokens)
    }
}
