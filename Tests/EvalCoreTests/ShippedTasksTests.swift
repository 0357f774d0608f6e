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
            let prepared = try EvaluationRunner.prepare(file.tasks.map { ($0, 1) }, options: RunOptions())
            #expect(prepared.allSatisfy { !$0.instances.isEmpty }, "\(path)")
        }
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
