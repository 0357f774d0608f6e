import EvalCore
import EvalMetrics
import Foundation
import Testing

/// Judge tasks end to end with test-double answerers and judges: loading, multi-turn answering,
/// judge prompts, verdicts, aggregation, ratings and the samples written.
@Suite struct JudgeRunnerTests {
    static func taskFile(_ yaml: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-judge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("task.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func prepare(_ yaml: String, options: RunOptions = RunOptions(quiet: true)) throws -> [PreparedTask] {
        let task = try TaskLoader.loadTask(path: try taskFile(yaml))
        return try EvaluationRunner.prepare([(task, 1)], options: options)
    }

    static let singleTask = """
        name: judged
        kind: judge
        docs:
          - {q: ["Question one, first turn", "Question one, second turn"], cat: x}
          - {q: ["Question two"], cat: y}
          - {q: ["Question three"], cat: x}
        turns: q
        category: "{{cat}}"
        judge:
          mode: single
          max_tokens: 64
        """

    /// 9 for first turns, 6 for second turns, no verdict for question three.
    static let singleJudge: @Sendable (String) -> String = { prompt in
        let reply = ScriptedJudge.section(prompt, from: "Assistant's reply:\n", to: "\n\nGive your assessment")
        if reply.contains("Question three") { return "I cannot decide on this one." }
        if prompt.contains("Review only the assistant's reply in turn 2") { return "Weaker follow-up.\nRating: [[6]]" }
        return "Accurate and to the point. [[9]]"
    }

    @Test func singleModeScoresPerModelTurnAndCategory() async throws {
        let prepared = try Self.prepare(Self.singleTask)
        let options = RunOptions(quiet: true)
        let answers = try await JudgeRunner.answer(prepared, model: EchoAnswerer(name: "alpha"), options: options)
        // Turn 2 sees the model's own first answer, as plain text (the double has no chat template).
        let second = try #require(answers.conversations["judged"]?[0].requests[1])
        #expect(second.prompt == .text("User: Question one, first turn\n\nAssistant: alpha answer to: Question one, first turn\n\nUser: Question one, second turn\n\nAssistant:"))

        let judge = ScriptedJudge(supportsChat: true, verdict: Self.singleJudge)
        let runs = try await JudgeRunner.judge(prepared, answers: [answers], judge: judge, options: options)
        let run = try #require(runs.first)
        // Four graded turns; the judge got system + user chat messages at temperature 0.
        #expect(judge.prompts.count == 4)
        guard case .chat(let messages) = judge.prompts[0] else { Issue.record("expected chat"); return }
        #expect(messages.map(\.role) == ["system", "user"])
        #expect(messages[0].content.contains("from 1 (worst) to 10 (best)"))

        let summary = try #require(run.singleSummaries.first)
        // Scores 9, 6, 9 and one unreadable: mean 8, sd √3, stderr √3/√3 = 1.
        #expect(summary.overall.mean == 8)
        #expect(abs(summary.overall.stderr - 1) < 1e-12)
        #expect(summary.overall.n == 3 && summary.overall.unparsed == 1)
        #expect(summary.turns.map(\.label) == ["turn 1", "turn 2"])
        #expect(summary.turns[0].mean == 9 && summary.turns[0].stderr == 0 && summary.turns[0].unparsed == 1)
        #expect(summary.turns[1].mean == 6 && summary.turns[1].n == 1)
        // Category x: 9 and 6 (sd 2.1213, stderr 1.5) and question three unreadable; y: 9.
        #expect(summary.categories.map(\.label) == ["x", "y"])
        #expect(summary.categories[0].mean == 7.5 && abs(summary.categories[0].stderr - 1.5) < 1e-12)
        #expect(summary.categories[0].unparsed == 1 && summary.categories[1].mean == 9)
        #expect(run.unparsedCount == 1 && run.judgementCount == 4)

        let metrics = run.metrics(for: "alpha")
        #expect(metrics.map { "\($0.metric)/\($0.filter)" } == ["score/none", "score/turn 1", "score/turn 2", "score/category x", "score/category y"])
        #expect(metrics[0].value == 8 && metrics[0].n == 3)

        // samples.jsonl keeps the judge prompt, the raw judgement and the verdict, unreadable ones too.
        let records = run.sampleRecords(for: "alpha")
        #expect(records.count == 3)
        let line = String(decoding: try ResultsWriter.lineEncoder().encode(records[2]), as: UTF8.self)
        #expect(line.contains(#""judgement":"I cannot decide on this one.""#))
        #expect(line.contains(#""problem":"no score found""#))
        #expect(line.contains(#""role":"system""#))
        let first = String(decoding: try ResultsWriter.lineEncoder().encode(records[0]), as: UTF8.self)
        #expect(first.contains(#""score":9"#) && first.contains(#""score":6"#) && first.contains(#""matched_by":"pattern""#))
        #expect(first.contains(#""metrics":{"score":7.5}"#))
    }

    @Test func multiTurnJudgePromptShowsTheConversation() async throws {
        let prepared = try Self.prepare(Self.singleTask)
        let options = RunOptions(quiet: true)
        let answers = try await JudgeRunner.answer(prepared, model: EchoAnswerer(name: "alpha", supportsChat: true), options: options)
        let judge = ScriptedJudge(supportsChat: false, verdict: Self.singleJudge)
        _ = try await JudgeRunner.judge(prepared, answers: [answers], judge: judge, options: options)
        let texts = judge.prompts.compactMap { prompt -> String? in if case .text(let t) = prompt { return t } else { return nil } }
        #expect(texts.count == 4)
        let secondTurn = try #require(texts.first { $0.contains("Review only the assistant's reply in turn 2") })
        // A judge without chat support gets the documented plain-text transcript.
        #expect(secondTurn.hasPrefix("System: You are asked to review an AI assistant's reply"))
        #expect(secondTurn.hasSuffix("Give your assessment, then the score from 1 to 10 as [[N]].\n\nAssistant:"))
        #expect(secondTurn.contains("""
            The conversation so far:
            User (turn 1): Question one, first turn
            Assistant (turn 1): alpha answer to: Question one, first turn

            Review only the assistant's reply in turn 2.

            Request:
            Question one, second turn

            Assistant's reply:
            alpha answer to: Question one, second turn
            """))
        #expect(!texts[0].contains("Reference answer"))
    }

    static let pairwiseTask = """
        name: battles
        kind: judge
        docs:
          - {q: "First question"}
          - {q: "Second question"}
        prompt: "{{q}}"
        judge: {mode: pairwise}
        """

    /// alpha beats beta in either order; beta vs gamma: always "A" (position bias);
    /// alpha vs gamma: tie, except no verdict when gamma is shown first on the second question.
    static let pairwiseJudge: @Sendable (String) -> String = { prompt in
        let a = ScriptedJudge.section(prompt, from: "Assistant A's reply:\n", to: "\n\n")
        let b = ScriptedJudge.section(prompt, from: "Assistant B's reply:\n", to: "\n\n")
        let shown = [a, b].map { $0.components(separatedBy: " ").first ?? "" }
        switch (shown[0], shown[1]) {
        case ("alpha", "beta"): return "A is more complete. [[A]]"
        case ("beta", "alpha"): return "After comparing both, the final verdict: Assistant B"
        case ("beta", "gamma"), ("gamma", "beta"): return "The first one reads better. [[A]]"
        case ("gamma", "alpha") where prompt.contains("Second question"): return "Both have merits."
        default: return "They are equally good. [[C]]"
        }
    }

    @Test func pairwiseStandingsConsistencyAndRatings() async throws {
        let prepared = try Self.prepare(Self.pairwiseTask)
        let options = RunOptions(seed: 7, bootstrapResamples: 200, quiet: true)
        var answers: [JudgeAnswers] = []
        for name in ["alpha", "beta", "gamma"] {
            answers.append(try await JudgeRunner.answer(prepared, model: EchoAnswerer(name: name), options: options))
        }
        let judge = ScriptedJudge(supportsChat: true, verdict: Self.pairwiseJudge)
        let run = try #require(try await JudgeRunner.judge(prepared, answers: answers, judge: judge, options: options).first)
        // 2 questions × 3 pairs × 2 orders.
        #expect(judge.prompts.count == 12)
        #expect(run.battles.count == 6)
        let pairwise = try #require(run.pairwise)
        let standings = Dictionary(uniqueKeysWithValues: pairwise.standings.map { ($0.model, $0) })
        let alpha = try #require(standings["alpha"]), beta = try #require(standings["beta"]), gamma = try #require(standings["gamma"])
        // alpha: 2 wins over beta, a tie and an unparsed battle with gamma.
        #expect((alpha.wins, alpha.ties, alpha.losses, alpha.unparsed, alpha.battles) == (2, 1, 0, 1, 3))
        #expect(abs(alpha.winRate - 2.0 / 3) < 1e-12 && abs(alpha.adjustedWinRate - 2.5 / 3) < 1e-12)
        // beta: two losses, two ties (the position-biased, inconsistent battles with gamma).
        #expect((beta.wins, beta.ties, beta.losses, beta.unparsed) == (0, 2, 2, 0))
        #expect(beta.winRate == 0 && beta.adjustedWinRate == 0.25)
        #expect((gamma.wins, gamma.ties, gamma.losses, gamma.unparsed) == (0, 3, 0, 1))
        #expect(gamma.adjustedWinRate == 0.5)
        // 5 battles with both verdicts, 3 of them consistent; 6 of 8 winner-naming verdicts chose A.
        #expect(pairwise.bothParsed == 5 && pairwise.consistent == 3 && pairwise.consistencyRate == 0.6)
        #expect(pairwise.firstShownRate == 0.75)
        #expect(run.unparsedCount == 1 && run.judgementCount == 12)

        // Ratings are the Bradley–Terry fit of the decided battles (draws half a win).
        let games = [PairwiseGame(playerA: "alpha", playerB: "beta", scoreA: 1), PairwiseGame(playerA: "alpha", playerB: "beta", scoreA: 1),
                     PairwiseGame(playerA: "alpha", playerB: "gamma", scoreA: 0.5),
                     PairwiseGame(playerA: "beta", playerB: "gamma", scoreA: 0.5), PairwiseGame(playerA: "beta", playerB: "gamma", scoreA: 0.5)]
        let fit = try BradleyTerry.fit(games: games, anchor: .mean(1000), options: BradleyTerryOptions(regularization: 0.01))
        for standing in pairwise.standings {
            let expected = try #require(fit.rating(of: standing.model))
            #expect(abs((standing.rating ?? .nan) - expected) < 1e-6)
            #expect((standing.ratingLow ?? .infinity) <= expected && expected <= (standing.ratingHigh ?? -.infinity))
        }
        #expect(pairwise.standings.map(\.model) == ["alpha", "gamma", "beta"])
        let same = try #require(try await JudgeRunner.judge(prepared, answers: answers, judge: judge, options: options).first?.pairwise)
        #expect(same == pairwise, "seeded bootstrap gives the same intervals")

        let metrics = run.metrics(for: "beta")
        #expect(metrics.map(\.metric) == ["adjusted_win_rate", "win_rate"])
        #expect(metrics[0].value == 0.25 && metrics[0].n == 4)
        let markdown = JudgeReport.standingsMarkdown(run)
        #expect(markdown.contains("  1 | alpha |"))
        #expect(markdown.contains("position consistency: 60.0% (3 of 5 battles with both verdicts)"))
        #expect(markdown.contains("unparseable judgements: 1 of 12"))
        let record = String(decoding: try ResultsWriter.lineEncoder().encode(run.sampleRecords(for: "gamma")[1]), as: UTF8.self)
        #expect(record.contains(#""outcome":"unparsed""#) && record.contains(#""judgement":"Both have merits.""#))
    }

    @Test func pairwiseNeedsTwoModels() async throws {
        let prepared = try Self.prepare(Self.pairwiseTask)
        let options = RunOptions(quiet: true)
        let answers = try await JudgeRunner.answer(prepared, model: EchoAnswerer(name: "alpha"), options: options)
        await #expect(throws: ModelError.self) {
            _ = try await JudgeRunner.judge(prepared, answers: [answers], judge: ScriptedJudge(supportsChat: true) { _ in "[[A]]" }, options: options)
        }
    }

    @Test func referenceModeShowsTheReferenceOfTheGradedTurn() async throws {
        let prepared = try Self.prepare("""
            name: with_reference
            kind: judge
            docs:
              - {q: ["What is 2 + 2?", "And times 3?"], ref: ["4", "12"]}
            turns: q
            reference: ref
            judge: {mode: reference, turn: last, scale: [0, 5]}
            """)
        let options = RunOptions(quiet: true)
        let answers = try await JudgeRunner.answer(prepared, model: EchoAnswerer(name: "alpha"), options: options)
        let judge = ScriptedJudge(supportsChat: true) { _ in "Matches the reference. Score: 5/5" }
        let run = try #require(try await JudgeRunner.judge(prepared, answers: [answers], judge: judge, options: options).first)
        #expect(judge.prompts.count == 1)
        guard case .chat(let messages) = judge.prompts[0] else { Issue.record("expected chat"); return }
        #expect(messages[0].content.contains("reference answer that is known to be correct"))
        #expect(messages[1].content.contains("Reference answer:\n12\n\nAssistant's reply:\nalpha answer to: And times 3?"))
        #expect(run.singleSummaries[0].overall.mean == 5)
    }

    @Test func taskFileErrorsNameTheKeyAndLine() throws {
        func errors(_ yaml: String) -> String {
            do { _ = try TaskLoader.loadTask(path: try Self.taskFile(yaml)); return "" } catch { return "\(error)" }
        }
        let base = "name: t\nkind: judge\ndocs:\n  - {q: x}\nprompt: \"{{q}}\"\n"
        #expect(errors(base + "judge:\n  mode: single\n  scael: [1, 5]\n").contains("task.yaml:8:3: judge.scael: unknown key 'scael' (did you mean 'scale'?)"))
        #expect(errors(base + "judge:\n  mode: pairwsie\n").contains("task.yaml:7:9: judge.mode: unknown mode 'pairwsie'; expected one of single, pairwise, reference (did you mean 'pairwise'?)"))
        #expect(errors(base + "judge:\n  temperature: 0.7\n").contains("judge.temperature: the judge always decodes at temperature 0"))
        #expect(errors(base + "judge: {mode: reference}\n").contains("missing required key 'reference'"))
        #expect(errors(base + "judge: {mode: pairwise, scale: [1, 10]}\n").contains("pairwise judgements have no scale"))
        #expect(errors(base + "judge: {scale: [10, 1]}\n").contains("must be below the second"))
        #expect(errors(base + "judge: {pattern: \"[[(\"}\n").contains("invalid regular expression"))
        #expect(errors(base + "judge: {user: \"{{#history}}\"}\n").contains("judge.user: template syntax error"))
        #expect(errors(base + "metrics: [acc]\n").contains("metrics do not apply"))
        #expect(errors("name: t\nkind: generation\ndocs:\n  - {q: x}\nprompt: q\ntarget: q\nturns: q\n").contains("turns applies to judge tasks only"))
        // The shorthand `judge: SPEC` names the judge model.
        let task = try TaskLoader.loadTask(path: try Self.taskFile(base + "judge: openai:gpt-4o@http://localhost:8000/v1\n"))
        #expect(task.judge?.model == "openai:gpt-4o@http://localhost:8000/v1" && task.judge?.mode == .single)
    }

    @Test func templateFieldsAndTurnCountsAreCheckedBeforeAnyModelRuns() throws {
        #expect(throws: DocError.self) {
            _ = try Self.prepare("name: t\nkind: judge\ndocs:\n  - {q: x}\nprompt: \"{{q}}\"\njudge:\n  user: \"{{answr}}\"\n")
        }
        do {
            _ = try Self.prepare("name: t\nkind: judge\ndocs:\n  - {q: [a]}\nturns: q\njudge: {turn: 2}\n")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("doc 0: judge.turn is 2 but the question has 1 turn(s)"))
        }
    }
}
