import EvalCore
import Foundation
import Testing

/// Every task file under tasks/ loads, renders every doc, and builds the prompts its README promises.
@Suite struct ShippedTasksTests {
    static let tasksFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tasks").path

    @Test func everyShippedTaskValidates() throws {
        let found = TaskLoader.discover(directory: Self.tasksFolder)
        #expect(found.count >= 5)
        for (path, result) in found {
            let file = try result.get()
            let prepared: [PreparedTask]
            // Tasks on data from scripts/fetch-data (MT-Bench) are checked once it has been fetched.
            do { prepared = try EvaluationRunner.prepare(file.tasks.map { ($0, 1) }, options: RunOptions()) } catch is DatasetNotFetched { continue }
            #expect(prepared.allSatisfy { !$0.instances.isEmpty }, "\(path)")
        }
    }

    @Test func judgeTasksReadTurnsReferencesAndCategories() throws {
        let single = try TaskLoader.loadTask(path: Self.tasksFolder + "/judge/single.yaml")
        let questions = try EvaluationRunner.prepare([(single, 1)], options: RunOptions())[0].instances.compactMap(\.judge)
        #expect(questions.count == 6)
        #expect(questions[0].turns == ["Write a four-line poem about a storm at sea.", "Now rewrite it so that every line ends with the same word."])
        #expect(questions[0].category == "writing" && questions[0].references == nil)
        let reference = try TaskLoader.loadTask(path: Self.tasksFolder + "/judge/reference.yaml")
        let withReferences = try EvaluationRunner.prepare([(reference, 1)], options: RunOptions())[0].instances.compactMap(\.judge)
        #expect(withReferences[0].references == ["12 / 3 = 4, so the water is gone after 4 weeks.", "They lose 3 - 1 = 2 barrels a week, so it lasts 12 / 2 = 6 weeks."])
    }

    static let mtBenchFetched = FileManager.default.fileExists(atPath: tasksFolder + "/../data/mt-bench/mt_bench.jsonl")

    @Test(.enabled(if: mtBenchFetched, "run scripts/fetch-data mt-bench"))
    func mtBenchSplitsIntoGeneralAndReferenceQuestions() throws {
        guard case .group(let group) = try TaskLoader.load(path: Self.tasksFolder + "/judge/mt-bench.yaml") else {
            Issue.record("mt-bench.yaml is a group"); return
        }
        let prepared = try EvaluationRunner.prepare(group.tasks, options: RunOptions())
        #expect(prepared.map(\.instances.count) == [50, 30])
        #expect(prepared.allSatisfy { $0.instances.allSatisfy { $0.judge?.turns.count == 2 } })
        let first = try #require(prepared[1].instances.first?.judge)
        #expect(first.category == "reasoning" && first.references?.count == 2)
        #expect(first.turns[0].hasPrefix("Imagine you are participating in a race with a group of people."))
    }

    @Test func hellaSwagPromptIsBuiltAsLMEvalDoes() throws {
        let task = try TaskLoader.loadTask(path: Self.tasksFolder + "/hellaswag/hellaswag.yaml")
        let prepared = try EvaluationRunner.prepare([(task, 1)], options: RunOptions())
        let second = prepared[0].instances[1]
        // preprocess(activity_label + ": " + ctx_a + " " + ctx_b.capitalize())
        #expect(second.prompt == "Home and Garden: How to water a houseplant. Check the soil. Push a finger into the soil up to the first knuckle.")
        // lm-evaluation-harness keeps the space left where "[step]" was removed; so do we.
        #expect(second.choices[0] == " If the soil feels dry, water the plant until water drains from the bottom.")
        #expect(second.goldIndices == [0])
    }

    @Test func arcLabelsMayBeDigits() throws {
        let task = try TaskLoader.loadTask(path: Self.tasksFolder + "/arc/arc.yaml")
        let prepared = try EvaluationRunner.prepare([(task, 1)], options: RunOptions())
        #expect(prepared[0].instances.map(\.goldIndices) == [[0], [1], [2]])
        #expect(prepared[0].instances[2].choices.count == 3)
    }

    @Test func gsm8kFiltersAndExactMatchReadTheFinalNumber() throws {
        let task = try TaskLoader.loadTask(path: Self.tasksFolder + "/gsm8k/gsm8k.yaml")
        let prepared = try EvaluationRunner.prepare([(task, 1)], options: RunOptions())
        let instance = prepared[0].instances[0]
        let responses = DocResponses(generations: [GenerationResponse(
            text: " She has 12 - 2 = 10 apples.\n#### 10\n\n", tokenCount: 9, finishReason: "stop")])
        let scores = try DocScorer.score(task: task, instance: instance, responses: responses)
        #expect(scores.map(\.filter) == ["strict-match", "flexible-extract"])
        #expect(scores.map(\.answers) == [["10"], ["10"]])
        #expect(scores.allSatisfy { $0.metrics["exact_match"] == .value(1) })
        // Two examples (the first two docs other than this one) precede the question.
        #expect(instance.prompt.components(separatedBy: "#### ").count == 3)
    }

    @Test func sha256KnownVectors() {
        #expect(SHA256Hasher.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Hasher.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = String(repeating: "a", count: 1000)
        #expect(SHA256Hasher.hex(Data(long.utf8)) == SHA256Hasher.hex(long))
        #expect(SHA256Hasher.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
