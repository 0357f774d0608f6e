import EvalMetrics

/// One graded answer (`single`, `reference`): a model's reply to one turn and the judge's call.
public struct GradedAnswer: Sendable {
    public var instance: Int
    /// 0-based.
    public var turn: Int
    public var model: String
    public var call: JudgeCall
    /// The score read from the judgement; nil when none could be read.
    public var score: Double? {
        if case .score(let value)? = call.reading.verdict { return value }
        return nil
    }
}

/// Who won a battle, after both orders were judged.
public enum BattleOutcome: String, Sendable, Codable {
    /// The first model of the pair (`modelA`) won in both orders.
    case modelA = "model_a"
    case modelB = "model_b"
    /// Both orders said tie, or the orders disagreed.
    case tie
    /// At least one of the two judgements has no readable verdict.
    case unparsed
}

/// A pair of models on one turn of one question, judged twice: `first` shows `modelA` as
/// assistant A, `second` shows `modelB` as assistant A.
public struct Battle: Sendable {
    public var instance: Int
    public var turn: Int
    public var modelA: String
    public var modelB: String
    public var first: JudgeCall
    public var second: JudgeCall
    public var outcome: BattleOutcome
    /// Whether the two orders agreed; nil when a verdict is missing.
    public var consistent: Bool?

    /// `modelA`'s score: 1 win, 0.5 tie, 0 loss; nil when unparsed.
    public var scoreA: Double? {
        switch outcome {
        case .modelA: return 1
        case .modelB: return 0
        case .tie: return 0.5
        case .unparsed: return nil
        }
    }
}

/// How the two orders of a battle combine.
public enum PositionSwap {
    /// `first` is the verdict with model A shown first, `second` with model B shown first (so
    /// its `A` means model B). Agreeing verdicts stand; disagreeing ones are a tie and an
    /// inconsistency; a missing verdict leaves the battle unparsed.
    public static func combine(first: PairwiseChoice?, second: PairwiseChoice?) -> (outcome: BattleOutcome, consistent: Bool?) {
        guard let first, let second else { return (.unparsed, nil) }
        let firstOutcome = outcome(first, aIs: .modelA)
        let secondOutcome = outcome(second, aIs: .modelB)
        return firstOutcome == secondOutcome ? (firstOutcome, true) : (.tie, false)
    }

    static func outcome(_ choice: PairwiseChoice, aIs shownFirst: BattleOutcome) -> BattleOutcome {
        switch choice {
        case .tie: return .tie
        case .a: return shownFirst
        case .b: return shownFirst == .modelA ? .modelB : .modelA
        }
    }
}

/// A mean score with its standard error over a group of graded answers.
public struct ScoreSummary: Sendable, Codable, Equatable {
    /// `all`, `turn 2`, or a category.
    public var label: String
    public var mean: Double
    public var stderr: Double
    /// Answers with a score.
    public var n: Int
    /// Answers whose judgement had no readable score.
    public var unparsed: Int

    static func of(_ label: String, _ graded: [GradedAnswer]) -> ScoreSummary {
        let scores = graded.compactMap(\.score)
        let estimate = Statistics.meanWithStderr(scores)
        return ScoreSummary(label: label, mean: estimate.value, stderr: estimate.stderr, n: scores.count,
                            unparsed: graded.count - scores.count)
    }
}

/// One model's scores in `single` or `reference` mode.
public struct SingleSummary: Sendable, Codable, Equatable {
    public var model: String
    public var overall: ScoreSummary
    public var turns: [ScoreSummary]
    public var categories: [ScoreSummary]
    /// Mean length of the graded answers in characters (judges tend to favour long answers).
    public var meanAnswerCharacters: Double
}

/// One model's line in the pairwise standings.
public struct PairwiseStanding: Sendable, Codable, Equatable {
    public var model: String
    /// Battles with a verdict (wins + ties + losses).
    public var battles: Int
    public var wins: Int
    public var ties: Int
    public var losses: Int
    /// Battles without a verdict (a judgement of either order unreadable).
    public var unparsed: Int
    /// wins / battles.
    public var winRate: Double
    /// (wins + ties / 2) / battles.
    public var adjustedWinRate: Double
    /// Bradley–Terry rating (Elo scale, mean 1000) and its bootstrap 95% interval.
    public var rating: Double?
    public var ratingLow: Double?
    public var ratingHigh: Double?
    public var meanAnswerCharacters: Double
}

/// Standings, ratings and the judge's reliability in `pairwise` mode.
public struct PairwiseSummary: Sendable, Codable, Equatable {
    /// Best rating first (adjusted win rate when there are no ratings).
    public var standings: [PairwiseStanding]
    public var battles: Int
    /// Battles whose two judgements both have a verdict.
    public var bothParsed: Int
    /// Of those, the battles whose two orders agreed.
    public var consistent: Int
    /// consistent / bothParsed (nan when none).
    public var consistencyRate: Double
    /// Of the readable judgements that named a winner, the share naming the answer shown first.
    public var firstShownRate: Double
    /// Why there are no ratings, when the fit failed.
    public var ratingError: String?
    public var bootstrapResamples: Int
    public var failedResamples: Int
}

enum JudgeAggregation {
    static func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : Statistics.mean(values) }

    static func single(model: String, graded: [GradedAnswer], categories: [String?], answers: [[String]]) -> SingleSummary {
        let mine = graded.filter { $0.model == model }
        let turnNumbers = Array(Set(mine.map(\.turn))).sorted()
        var categoryOrder: [String] = []
        for case let category? in categories where !categoryOrder.contains(category) { categoryOrder.append(category) }
        return SingleSummary(
            model: model, overall: .of("all", mine),
            turns: turnNumbers.map { turn in .of("turn \(turn + 1)", mine.filter { $0.turn == turn }) },
            categories: categoryOrder.map { category in .of(category, mine.filter { categories[$0.instance] == category }) },
            meanAnswerCharacters: mean(mine.map { Double(answers[$0.instance][$0.turn].count) }))
    }

    /// - Parameters:
    ///   - graded: per model, the (instance, turn) pairs it was judged on, for answer lengths.
    static func pairwise(models: [String], battles: [Battle], answerLengths: [String: [Double]],
                         resamples: Int, seed: UInt64) -> PairwiseSummary {
        var standings = models.map { model -> PairwiseStanding in
            var standing = PairwiseStanding(model: model, battles: 0, wins: 0, ties: 0, losses: 0, unparsed: 0, winRate: .nan,
                                            adjustedWinRate: .nan, rating: nil, ratingLow: nil, ratingHigh: nil,
                                            meanAnswerCharacters: mean(answerLengths[model] ?? []))
            for battle in battles where battle.modelA == model || battle.modelB == model {
                guard let scoreA = battle.scoreA else { standing.unparsed += 1; continue }
                let score = battle.modelA == model ? scoreA : 1 - scoreA
                standing.battles += 1
                if score == 1 { standing.wins += 1 } else if score == 0 { standing.losses += 1 } else { standing.ties += 1 }
            }
            if standing.battles > 0 {
                standing.winRate = Double(standing.wins) / Double(standing.battles)
                standing.adjustedWinRate = (Double(standing.wins) + 0.5 * Double(standing.ties)) / Double(standing.battles)
            }
            return standing
        }
        let games = battles.compactMap { battle in battle.scoreA.map { PairwiseGame(playerA: battle.modelA, playerB: battle.modelB, scoreA: $0) } }
        var ratingError: String?
        var failed = 0
        do {
            let options = BradleyTerryOptions(regularization: 0.01)
            var intervals: [(player: String, rating: Double, low: Double?, high: Double?)]
            if resamples > 0 {
                let fit = try BradleyTerry.bootstrap(games: games, anchor: .mean(1000), options: options, resamples: resamples, seed: seed)
                intervals = fit.intervals.map { ($0.player, $0.rating, $0.low, $0.high) }
                failed = fit.failedResamples
            } else {
                let fit = try BradleyTerry.fit(games: games, anchor: .mean(1000), options: options)
                intervals = zip(fit.players, fit.ratings).map { ($0, $1, nil, nil) }
            }
            for interval in intervals {
                guard let index = standings.firstIndex(where: { $0.model == interval.player }) else { continue }
                standings[index].rating = interval.rating
                standings[index].ratingLow = interval.low
                standings[index].ratingHigh = interval.high
            }
        } catch {
            ratingError = "\(error)"
        }
        standings.sort { a, b in
            if let ra = a.rating, let rb = b.rating, ra != rb { return ra > rb }
            let wa = a.adjustedWinRate.isNaN ? -1 : a.adjustedWinRate, wb = b.adjustedWinRate.isNaN ? -1 : b.adjustedWinRate
            if wa != wb { return wa > wb }
            return a.model < b.model
        }
        let bothParsed = battles.filter { $0.consistent != nil }
        let consistent = bothParsed.filter { $0.consistent == true }.count
        let choices = battles.flatMap { [$0.first, $0.second] }.compactMap { call -> PairwiseChoice? in
            if case .choice(let choice)? = call.reading.verdict, choice != .tie { return choice }
            return nil
        }
        return PairwiseSummary(
            standings: standings, battles: battles.count, bothParsed: bothParsed.count, consistent: consistent,
            consistencyRate: bothParsed.isEmpty ? .nan : Double(consistent) / Double(bothParsed.count),
            firstShownRate: choices.isEmpty ? .nan : Double(choices.filter { $0 == .a }.count) / Double(choices.count),
            ratingError: ratingError, bootstrapResamples: resamples, failedResamples: failed)
    }
}

/// One judge task's outcome: every model's answers, every judgement, and the summaries.
public struct JudgeTaskRun: Sendable {
    public let prepared: PreparedTask
    public let judge: ModelIdentity
    public let models: [ModelIdentity]
    /// Per model (in `models` order), one conversation per instance.
    public let conversations: [[Conversation]]
    /// `single` and `reference` mode.
    public let graded: [GradedAnswer]
    /// `pairwise` mode.
    public let battles: [Battle]
    /// `single` and `reference`: one per model, in `models` order.
    public let singleSummaries: [SingleSummary]
    public let pairwise: PairwiseSummary?

    public var spec: JudgeSpec? { prepared.task.judge }

    /// Judgements sent, and those without a readable verdict.
    public var judgementCount: Int { graded.count + 2 * battles.count }
    public var unparsedCount: Int {
        graded.filter { $0.call.reading.verdict == nil }.count
            + battles.reduce(0) { $0 + ($1.first.reading.verdict == nil ? 1 : 0) + ($1.second.reading.verdict == nil ? 1 : 0) }
    }

    init(plan: JudgePlan, calls: [JudgeCall], judge: ModelIdentity, options: RunOptions) {
        prepared = plan.prepared
        self.judge = judge
        models = plan.answers.map(\.model)
        conversations = plan.conversations
        let names = models.map(\.name)
        var graded: [GradedAnswer] = []
        var battles: [Battle] = []
        if plan.spec.mode == .pairwise {
            // Jobs come in pairs: (a, b) then (b, a) for the same instance and turn.
            var index = 0
            while index + 1 < plan.jobs.count {
                let job = plan.jobs[index]
                let (first, second) = (calls[index], calls[index + 1])
                func choice(_ call: JudgeCall) -> PairwiseChoice? {
                    if case .choice(let value)? = call.reading.verdict { return value }
                    return nil
                }
                let combined = PositionSwap.combine(first: choice(first), second: choice(second))
                battles.append(Battle(instance: job.instance, turn: job.turn, modelA: names[job.model],
                                      modelB: names[job.opponent ?? job.model], first: first, second: second,
                                      outcome: combined.outcome, consistent: combined.consistent))
                index += 2
            }
        } else {
            graded = zip(plan.jobs, calls).map { job, call in
                GradedAnswer(instance: job.instance, turn: job.turn, model: names[job.model], call: call)
            }
        }
        self.graded = graded
        self.battles = battles
        let answers = plan.conversations.map { $0.map(\.answers) }
        if plan.spec.mode == .pairwise {
            var lengths: [String: [Double]] = [:]
            for (m, name) in names.enumerated() {
                for (i, instance) in plan.prepared.instances.enumerated() {
                    for turn in plan.spec.gradedTurns.indices(turnCount: instance.judge?.turns.count ?? 0) {
                        lengths[name, default: []].append(Double(answers[m][i][turn].count))
                    }
                }
            }
            singleSummaries = []
            pairwise = JudgeAggregation.pairwise(models: names, battles: battles, answerLengths: lengths,
                                                 resamples: options.bootstrapResamples, seed: options.seed)
        } else {
            let categories = plan.prepared.instances.map { $0.judge?.category }
            singleSummaries = names.enumerated().map { m, name in
                JudgeAggregation.single(model: name, graded: graded, categories: categories, answers: answers[m])
            }
            pairwise = nil
        }
    }
}

// snake_case keys in results.json, as the rest of the file.
extension ScoreSummary {
    enum CodingKeys: String, CodingKey { case label, mean, stderr, n, unparsed }
}

extension SingleSummary {
    enum CodingKeys: String, CodingKey { case model, overall, turns, categories, meanAnswerCharacters = "mean_answer_characters" }
}

extension PairwiseStanding {
    enum CodingKeys: String, CodingKey {
        case model, battles, wins, ties, losses, unparsed, winRate = "win_rate", adjustedWinRate = "adjusted_win_rate"
        case rating, ratingLow = "rating_low", ratingHigh = "rating_high", meanAnswerCharacters = "mean_answer_characters"
    }
}

extension PairwiseSummary {
    enum CodingKeys: String, CodingKey {
        case standings, battles, bothParsed = "both_parsed", consistent, consistencyRate = "consistency_rate"
        case firstShownRate = "first_shown_rate", ratingError = "rating_error", bootstrapResamples = "bootstrap_resamples"
        case failedResamples = "failed_resamples"
    }
}
