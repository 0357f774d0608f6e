import EvalMetrics
import Foundation

/// What results.json records about a judge task, besides its metrics.
public struct JudgeResultSummary: Sendable, Codable, Equatable {
    public var judge: ModelIdentity
    public var mode: String
    public var gradedTurns: String
    /// Judgements the task sent, and how many had no readable verdict (all models together).
    public var judgements: Int
    public var unparsed: Int
    /// `single`, `reference`: this model's scores, per turn and per category, and answer length.
    public var single: SingleSummary?
    /// `pairwise`: the standings of every model in the run, ratings and the judge's consistency.
    public var pairwise: PairwiseSummary?

    enum CodingKeys: String, CodingKey {
        case judge, mode, gradedTurns = "graded_turns", judgements, unparsed, single, pairwise
    }
}

extension JudgeTaskRun {
    /// The metrics results.json lists for one model: `score` (overall, then per turn and per
    /// category as the filter) in single and reference mode; `adjusted_win_rate`, `win_rate`
    /// in pairwise mode.
    public func metrics(for model: String) -> [MetricResult] {
        func result(_ name: String, _ filter: String, _ value: Double, _ stderr: Double, _ n: Int) -> MetricResult {
            MetricResult(metric: name, filter: filter, value: value, stderr: stderr, n: n, higherIsBetter: true, stderrMethod: "mean")
        }
        if let pairwise {
            let scores = battles.compactMap { battle -> Double? in
                guard let scoreA = battle.scoreA else { return nil }
                if battle.modelA == model { return scoreA }
                return battle.modelB == model ? 1 - scoreA : nil
            }
            let adjusted = Statistics.meanWithStderr(scores)
            let wins = Statistics.meanWithStderr(scores.map { $0 == 1 ? 1 : 0 })
            guard pairwise.standings.contains(where: { $0.model == model }) else { return [] }
            return [result("adjusted_win_rate", "none", adjusted.value, adjusted.stderr, scores.count),
                    result("win_rate", "none", wins.value, wins.stderr, scores.count)]
        }
        guard let summary = singleSummaries.first(where: { $0.model == model }) else { return [] }
        var metrics = [result("score", "none", summary.overall.mean, summary.overall.stderr, summary.overall.n)]
        if summary.turns.count > 1 {
            metrics += summary.turns.map { result("score", $0.label, $0.mean, $0.stderr, $0.n) }
        }
        metrics += summary.categories.map { result("score", "category \($0.label)", $0.mean, $0.stderr, $0.n) }
        return metrics
    }

    public func summary(for model: String) -> JudgeResultSummary {
        JudgeResultSummary(judge: judge, mode: spec?.mode.rawValue ?? "", gradedTurns: spec?.gradedTurns.description ?? "",
                           judgements: judgementCount, unparsed: unparsedCount,
                           single: singleSummaries.first { $0.model == model }, pairwise: pairwise)
    }

    /// One samples.jsonl line per question: the model's conversation, and every judgement of it
    /// (single, reference) or every battle it was in (pairwise), each with the judge's prompt,
    /// raw judgement and verdict.
    public func sampleRecords(for model: String) -> [JudgeSampleRecord] {
        guard let m = models.firstIndex(where: { $0.name == model }) else { return [] }
        return prepared.instances.enumerated().map { i, instance in
            let conversation = conversations[m][i]
            var judgements: [JudgeSampleRecord.Judgement] = []
            var battleRecords: [JudgeSampleRecord.BattleRecord] = []
            var perDoc: [Double] = []
            for answer in graded where answer.instance == i && answer.model == model {
                judgements.append(.init(answer.call, turn: answer.turn))
                if let score = answer.score { perDoc.append(score) }
            }
            for battle in battles where battle.instance == i && (battle.modelA == model || battle.modelB == model) {
                let isA = battle.modelA == model
                let outcome: String
                switch battle.outcome {
                case .unparsed: outcome = "unparsed"
                case .tie: outcome = "tie"
                case .modelA: outcome = isA ? "win" : "loss"
                case .modelB: outcome = isA ? "loss" : "win"
                }
                if let scoreA = battle.scoreA { perDoc.append(isA ? scoreA : 1 - scoreA) }
                battleRecords.append(.init(turn: battle.turn + 1, opponent: isA ? battle.modelB : battle.modelA, outcome: outcome,
                                           consistent: battle.consistent,
                                           judgements: [.init(battle.first, turn: battle.turn, shownFirst: battle.modelA),
                                                        .init(battle.second, turn: battle.turn, shownFirst: battle.modelB)]))
            }
            let metric = pairwise == nil ? "score" : "adjusted_win_rate"
            let scores = perDoc.isEmpty ? [:] : [metric: Statistics.mean(perDoc)]
            return JudgeSampleRecord(
                task: prepared.task.name, docIndex: instance.docIndex, doc: instance.doc, model: model,
                turns: instance.judge?.turns ?? [], references: instance.judge?.references, category: instance.judge?.category,
                answerRequests: conversation.requests, answers: conversation.responses,
                judgements: judgements.isEmpty ? nil : judgements, battles: battleRecords.isEmpty ? nil : battleRecords,
                scores: [SampleRecord.Scored(filter: "none", answers: conversation.answers, predicted: nil, metrics: scores)])
        }
    }
}

/// One line of a judge task's samples.jsonl (per model). `scores` has the same shape as other
/// tasks' lines, so `eval compare` pairs questions across runs.
public struct JudgeSampleRecord: Encodable, Sendable {
    public struct Judgement: Encodable, Sendable {
        /// 1-based.
        public var turn: Int
        /// Pairwise: the model whose answer was shown as A.
        public var shownFirst: String?
        public var prompt: GenerationPrompt
        public var judgement: String
        public var score: Double?
        public var choice: String?
        public var matchedBy: String?
        public var problem: String?

        init(_ call: JudgeCall, turn: Int, shownFirst: String? = nil) {
            self.turn = turn + 1
            self.shownFirst = shownFirst
            prompt = call.request.prompt
            judgement = call.judgement
            switch call.reading.verdict {
            case .score(let value)?: score = value
            case .choice(let value)?: choice = value.rawValue
            case nil: break
            }
            matchedBy = call.reading.matchedBy
            problem = call.reading.problem
        }

        enum CodingKeys: String, CodingKey {
            case turn, shownFirst = "shown_first", prompt, judgement, score, choice, matchedBy = "matched_by", problem
        }
    }

    public struct BattleRecord: Encodable, Sendable {
        public var turn: Int
        public var opponent: String
        /// From this model's side: win, tie, loss, or unparsed.
        public var outcome: String
        public var consistent: Bool?
        public var judgements: [Judgement]
    }

    public var task: String
    public var docIndex: Int
    public var doc: Doc
    public var model: String
    public var turns: [String]
    public var references: [String]?
    public var category: String?
    public var answerRequests: [GenerationRequest]
    public var answers: [GenerationResponse]
    public var judgements: [Judgement]?
    public var battles: [BattleRecord]?
    public var scores: [SampleRecord.Scored]

    enum CodingKeys: String, CodingKey {
        case task, docIndex = "doc_index", doc, model, turns, references, category
        case answerRequests = "answer_requests", answers, judgements, battles, scores
    }
}
