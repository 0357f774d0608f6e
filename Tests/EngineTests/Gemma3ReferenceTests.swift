import Engine
import Foundation
import Testing

/// Gemma 3 270M (Q4_K_M GGUF from scripts/fetch-models) against an independent numpy forward pass.
///
/// `Fixtures/gemma3-270m-reference.json` was written by `scripts/gemma-reference.py`: the `gguf`
/// package dequantises the same file and a float64 numpy implementation of Gemma 3 computes each
/// token's log-probability (see the file's `source`). The test feeds the stored ids, so it checks the
/// model alone. Skipped when the GGUF is not in the cache (`EVALKIT_GEMMA_GGUF` overrides the path).
@Suite struct Gemma3ReferenceTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            let text: String
            let ids: [Int]
            let scoredFrom: Int
            let logProbabilities: [Double]
            enum CodingKeys: String, CodingKey { case text, ids, scoredFrom = "scored_from", logProbabilities = "log_probabilities" }
        }
        let source: String
        let cases: [Case]
    }

    static var modelURL: URL {
        if let path = ProcessInfo.processInfo.environment["EVALKIT_GEMMA_GGUF"] { return URL(fileURLWithPath: path) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/evalkit/models/gemma-3-270m-q4_k_m.gguf")
    }
    static var modelPresent: Bool { FileManager.default.fileExists(atPath: modelURL.path) }

    /// Loaded once for every test of the suite (loading dequantises ~100M weights, slow in debug builds).
    static let sharedModel: Result<DecoderModel, any Error> = Result { try DecoderModel.load(contentsOf: modelURL) }

    static func reference() throws -> Reference {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtures.appendingPathComponent("gemma3-270m-reference.json")))
    }

    @Test(.enabled(if: modelPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func perTokenLogProbabilitiesMatchNumpy() throws {
        let model = try Self.sharedModel.get()
        #expect(model.configuration.architecture == "gemma3")
        #expect(model.configuration.layers.filter { $0.slidingWindow == nil }.count == 3)
        var worst = 0.0
        for item in try Self.reference().cases {
            let values = try model.tokenLogProbabilities(tokens: item.ids, scoredFrom: item.scoredFrom)
            #expect(values.count == item.logProbabilities.count)
            for (ours, theirs) in zip(values, item.logProbabilities) { worst = max(worst, abs(ours - theirs)) }
        }
        print("Gemma 3 270M vs numpy: max |Δ log p| per token \(worst)")
        #expect(worst <= 2e-3, "max |Δ log p| per token \(worst)")
    }

    @Test(.enabled(if: modelPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func prefixSharingAgreesAndIsBatchIndependent() throws {
        let model = try Self.sharedModel.get()
        let item = try Self.reference().cases[2]
        let context = Array(item.ids.prefix(8))
        let continuations = [Array(item.ids[8..<9]), Array(item.ids[8..<14]), Array(item.ids[9..<11])]
        let shared = try model.scoreContinuations(context: context, continuations: continuations)
        let unshared = try model.scoreContinuations(context: context, continuations: continuations, prefixSharing: false)
        // Passes of at most 32 rows compute each row on its own: shared or not, the same bits.
        for (a, b) in zip(shared, unshared) { #expect(a.logProbability == b.logProbability) }
        // Alone or with others, in any order: the same bits.
        let alone = try model.scoreContinuations(context: context, continuations: [continuations[1]])
        let reversed = try model.scoreContinuations(context: context, continuations: continuations.reversed())
        #expect(alone[0] == shared[1])
        #expect(reversed[1] == shared[1])
        // Continuation token k's log-probability equals the rolling path's for the same position.
        let rolling = try model.tokenLogProbabilities(tokens: context + continuations[1], scoredFrom: context.count - 1)
        #expect(rolling.reduce(0, +) == shared[1].logProbability)
    }

    @Test(.enabled(if: modelPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func greedyGenerationFollowsTheScores() throws {
        let model = try Self.sharedModel.get()
        let prompt = try Self.reference().cases[0].ids
        let generated = try model.generate(prompt: prompt, maxTokens: 4, sampling: .greedy) { _ in true }
        #expect(generated.count == 4)
        // Each greedy token is the argmax given everything before it.
        let scores = try model.scoreContinuations(context: prompt, continuations: [generated])
        #expect(scores[0].isGreedy)
    }

    /// Not a check: `scripts/check-llamacpp-parity` runs this with EVALKIT_GEMMA_PARITY=<in.json>:<out.json>
    /// to get the engine's per-token log-probabilities and choice log-likelihoods for llama.cpp's ids.
    @Test(.enabled(if: modelPresent && ProcessInfo.processInfo.environment["EVALKIT_GEMMA_PARITY"] != nil))
    func writeParityScores() throws {
        struct Request: Decodable {
            struct Item: Decodable { let context: [Int]; let continuations: [[Int]] }
            let texts: [[Int]]
            let items: [Item]
        }
        struct Answer: Encodable {
            let tokenLogProbabilities: [[Double]]
            let choiceLogLikelihoods: [[Double]]
            enum CodingKeys: String, CodingKey { case tokenLogProbabilities = "token_log_probabilities", choiceLogLikelihoods = "choice_log_likelihoods" }
        }
        let paths = try #require(ProcessInfo.processInfo.environment["EVALKIT_GEMMA_PARITY"]).split(separator: ":").map(String.init)
        try #require(paths.count == 2, "EVALKIT_GEMMA_PARITY=<in.json>:<out.json>")
        let request = try JSONDecoder().decode(Request.self, from: Data(contentsOf: URL(fileURLWithPath: paths[0])))
        let model = try Self.sharedModel.get()
        let answer = Answer(
            tokenLogProbabilities: try request.texts.map { try model.tokenLogProbabilities(tokens: $0, scoredFrom: 0) },
            choiceLogLikelihoods: try request.items.map { item in
                try model.scoreContinuations(context: item.context, continuations: item.continuations).map(\.logProbability)
            })
        try JSONEncoder().encode(answer).write(to: URL(fileURLWithPath: paths[1]))
    }
}
