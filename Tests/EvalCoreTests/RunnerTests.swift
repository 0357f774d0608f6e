import EvalCore
import EvalMetrics
import Foundation
import Testing

@Suite struct RunnerTests {
    func prepare(_ name: String, options: RunOptions = RunOptions()) throws -> [PreparedTask] {
        let loaded = try TaskLoader.load(path: Fixtures.path("tasks/\(name).yaml"))
        return try EvaluationRunner.prepare(loaded.tasks.map { ($0, 1) }, options: options)
    }

    func run(_ name: String, model: ScriptedModel = ScriptedModel(), options: RunOptions = RunOptions()) async throws -> [TaskRun] {
        let prepared = try prepare(name, options: options)
        return try await EvaluationRunner(model: model, options: options).run(prepared)
    }

    @Test func multipleChoicePicksThePreferredChoice() async throws {
        // The model prefers continuations containing "5": doc 0's gold ("5") wins, others lose
        // unless their gold contains 5 too.
        var model = ScriptedModel()
        model.preferred = "5"
        let runs = try await run("mc", model: model)
        let acc = try #require(runs[0].metrics.first { $0.metric == "acc" })
        #expect(acc.n == 6)
        #expect(runs[0].scores[0][0].predictedIndex == 1)
        // Hand check against the per-doc picks: mean of the per-doc acc values.
        let perDoc = runs[0].scores.map { score -> Double in
            if case .value(let v) = score[0].metrics["acc"]! { return v } else { return -1 }
        }
        #expect(acc.value == perDoc.reduce(0, +) / 6)
        let expectedStderr = (perDoc.map { ($0 - acc.value) * ($0 - acc.value) }.reduce(0, +) / 5).squareRoot() / 6.0.squareRoot()
        #expect(abs(acc.stderr - expectedStderr) < 1e-12)
    }

    @Test func requestsAreBuiltAsLMEvalDoes() throws {
        let prepared = try prepare("mc")
        let first = prepared[0].instances[0]
        #expect(first.prompt == "What is 2 + 3?\nAnswer:")
        #expect(first.logLikelihoodRequests.map(\.continuation) == [" 4", " 5", " 6", " 7"])
        #expect(first.goldIndices == [1])
        #expect(first.unconditionalRequests.map(\.context) == Array(repeating: "Answer:", count: 4))
    }

    @Test func scoresDoNotDependOnBatchSizeOrOrder() async throws {
        var reference: [MetricResult]? = nil
        for batch in [1, 3, 7, 1000] {
            let runs = try await run("mc", options: RunOptions(batchSize: batch))
            if let reference { #expect(runs[0].metrics == reference) } else { reference = runs[0].metrics }
        }
        let model = ScriptedModel()
        _ = try await run("mc", model: model, options: RunOptions(batchSize: 5))
        // 6 docs x 4 choices x (conditional + unconditional), deduplicated across docs.
        #expect(model.calls.batches.allSatisfy { $0 <= 5 })
    }

    @Test func identicalRequestsAreSentOnce() async throws {
        let model = ScriptedModel()
        _ = try await run("mc", model: model, options: RunOptions(batchSize: 1000))
        // Unconditional requests repeat across docs ("Answer:" + " 8" twice...): deduplicated.
        let prepared = try prepare("mc")
        let all = prepared[0].instances.flatMap { $0.logLikelihoodRequests + $0.unconditionalRequests }
        #expect(model.calls.batches.reduce(0, +) == Set(all).count)
        #expect(Set(all).count < all.count)
    }

    @Test func generationWithFiltersSamplesAndPassAtK() async throws {
        let runs = try await run("gen")
        let metrics = runs[0].metrics
        func value(_ metric: String, _ filter: String) -> Double? {
            metrics.first { $0.metric == metric && $0.filter == filter }?.value
        }
        // Sample seeds 1234, 1235, 1236: 1236 % 3 == 0... the scripted model errs when seed % 3 == 2 (seed 1235).
        #expect(value("exact_match", "strict") == 1)
        #expect(value("exact_match", "flexible") == 1)
        // 3 samples, 2 correct: pass@3 = 1; majority answer is right.
        #expect(value("pass_at_3", "flexible") == 1)
        #expect(value("maj_at_3", "flexible") == 1)
        let strictAnswers = runs[0].scores.map { $0.first { $0.filter == "strict" }!.answers[0] }
        let references = runs[0].prepared.instances.map(\.references)
        #expect(value("bleu", "strict") == CorpusMetrics.bleu(predictions: strictAnswers, references: references))
        #expect(runs[0].scores[0].first { $0.filter == "strict" }?.answers == ["5"])
        #expect(runs[0].scores[0].first { $0.filter == "flexible" }?.answers.count == 3)
    }

    @Test func fewShotIsSeededAndNeverTheDocItself() throws {
        let a = try prepare("gen")
        let b = try prepare("gen")
        #expect(a[0].instances.map(\.prompt) == b[0].instances.map(\.prompt))
        for instance in a[0].instances {
            let question = "What is \(instance.doc["a"]!.textValue) + \(instance.doc["b"]!.textValue)?"
            // The doc's own question appears once: at the end, not among the examples.
            #expect(instance.prompt.components(separatedBy: question).count == 2)
            #expect(instance.prompt.hasSuffix(question))
            #expect(instance.prompt.components(separatedBy: "\n\n").count == 3)
        }
        // Another seed gives other examples for at least one doc.
        let reseeded = try EvaluationRunner.prepare(
            [({ var t = a[0].task; t.fewshot.seed = 99; return t }(), 1)], options: RunOptions())
        #expect(reseeded[0].instances.map(\.prompt) != a[0].instances.map(\.prompt))
    }

    @Test func fewShotSelectionDoesNotDependOnLimit() throws {
        let all = try prepare("gen")
        let limited = try prepare("gen", options: RunOptions(limit: 2))
        for instance in limited[0].instances {
            let same = all[0].instances.first { $0.docIndex == instance.docIndex }
            #expect(same?.prompt == instance.prompt)
        }
    }

    @Test func perplexityIsCorpusLevel() async throws {
        let runs = try await run("ppl")
        let bpb = try #require(runs[0].metrics.first { $0.metric == "bits_per_byte" })
        // The scripted model gives 0.5 nats per byte: 0.5 / ln 2 bits.
        #expect(abs(bpb.value - 0.5 / log(2)) < 1e-12)
        let wordPPL = try #require(runs[0].metrics.first { $0.metric == "word_perplexity" })
        // 38 bytes over 10 words: exp(0.5 * 38 / 10).
        #expect(abs(wordPPL.value - exp(0.5 * 38 / 10)) < 1e-9)
    }

    @Test func includeAndGroups() throws {
        let child = try TaskLoader.loadTask(path: Fixtures.path("tasks/child.yaml"))
        #expect(child.name == "arith_mc_child")
        #expect(child.metrics.map(\.name) == ["acc"])
        #expect(child.prompt?.source == "What is {{a}} + {{b}}?\nAnswer:")
        #expect(child.version == "2")
        guard case .group(let group) = try TaskLoader.load(path: Fixtures.path("tasks/group.yaml")) else {
            Issue.record("expected a group"); return
        }
        #expect(group.tasks.map(\.task.name) == ["arith_mc", "tiny_ppl"])
        #expect(group.tasks.map(\.weight) == [1, 2])
        let prepared = try EvaluationRunner.prepare([(child, 1)], options: RunOptions())
        // One example, the first doc that is not the doc itself.
        #expect(prepared[0].instances[0].prompt == "What is 10 + 1?\nAnswer: 11\n\nWhat is 2 + 3?\nAnswer:")
    }

    @Test func capabilityCheckFailsBeforeAnyCall() async throws {
        var model = ScriptedModel()
        model.capabilities.canScoreLogLikelihoods = false
        let prepared = try prepare("mc")
        await #expect(throws: ModelError.self) { try await EvaluationRunner(model: model, options: RunOptions()).run(prepared) }
        #expect(model.calls.batches.isEmpty)
    }

    @Test func resultsFolderIsCompleteAndTableIsMarkdown() async throws {
        let runs = try await run("mc")
        let results = RunResults(
            schemaVersion: 1, runID: "test-run", createdAt: "now", evalkitVersion: "x", gitRevision: nil,
            model: ScriptedModel().identity, modelCapabilities: ScriptedModel().capabilities, options: RunOptions(),
            tasks: runs.map { run in
                .init(name: run.prepared.task.name, kind: "multiple_choice", version: run.prepared.task.version,
                      contentHash: run.prepared.task.contentHash, file: "f", fewshot: 0, fewshotSeed: 0,
                      docsEvaluated: 6, docsTotal: 6, metrics: run.metrics, config: run.prepared.task.resolvedConfig)
            }, groups: [], timings: .init(prepareSeconds: 0, modelSeconds: 0, totalSeconds: 0))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-results-\(UUID().uuidString)")
        let folder = try ResultsWriter.write(results: results, runs: runs, to: directory)
        let samples = try String(contentsOf: folder.appendingPathComponent("samples.jsonl"), encoding: .utf8)
        #expect(samples.split(separator: "\n").count == 6)
        let decoded = try JSONDecoder().decode(RunResults.self, from: Data(contentsOf: folder.appendingPathComponent("results.json")))
        #expect(decoded.tasks[0].metrics == runs[0].metrics)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["test-run"])
        let table = MarkdownTable.render(results)
        #expect(table.hasPrefix("| Task"))
        #expect(table.contains("| arith_mc | 2       |     0 | acc ↑"))
    }
}
