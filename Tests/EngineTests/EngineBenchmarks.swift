import Engine
import Foundation
import Testing

/// Speed measurements on the 10M-parameter reference model (n_layer 6, n_embd 384, n_head 6,
/// ctx 256, vocab 4096). Off by default; run in release:
///
///     ENGINE_BENCHMARK=1 swift test -c release --filter EngineBenchmarks
///
/// Prints training tokens/s and FLOP/s (nanoGPT's 6N + 12LTC count), scoring latency with and
/// without prefix sharing, and greedy generation speed. docs/engine.md records the results.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ENGINE_BENCHMARK"] != nil), .serialized)
struct EngineBenchmarks {
    static let configuration = GPT2Configuration(layerCount: 6, headCount: 6, width: 384, positionCount: 256, vocabularySize: 4096)
    static let tokens = (0..<200_000).map { ($0 * 7919 + $0 / 13) % 4096 }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    @Test func sgemmPeak() {
        let n = 1024
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        for i in 0..<(n * n) {
            a.pointer[i] = Float(i % 7) * 0.01
            b.pointer[i] = Float(i % 5) * 0.01
        }
        func multiply() { BLAS.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, beta: 0, c: c.pointer, ldc: n) }
        multiply()
        let elapsed = Self.seconds { for _ in 0..<20 { multiply() } }
        print(String(format: "[engine-bench] sgemm 1024^3 with %d OpenBLAS threads: %.1f GFLOP/s", BLAS.threadCount, 20 * 2 * pow(Double(n), 3) / elapsed / 1e9))
    }

    /// The ~1M-parameter demo shape (training/demo.yaml: 4 layers, width 128, context 128, vocabulary 2048).
    static let smallConfiguration = GPT2Configuration(layerCount: 4, headCount: 4, width: 128, positionCount: 128, vocabularySize: 2048)

    /// Times `steps` training steps after one warm-up step; prints tokens/s and model FLOP/s.
    static func measureTraining(_ configuration: GPT2Configuration, batchSize: Int, sequenceLength: Int, steps: Int) throws {
        let model = try GPT2Model(configuration: configuration, seed: 1)
        let tokens = Self.tokens.map { $0 % configuration.vocabularySize }
        let trainer = try Trainer(model: model, trainingTokens: tokens,
                                  configuration: TrainerConfiguration(batchSize: batchSize, sequenceLength: sequenceLength, seed: 42))
        _ = try trainer.step()
        let elapsed = try Self.seconds { for _ in 0..<steps { _ = try trainer.step() } }
        let tokensPerSecond = Double(steps * batchSize * sequenceLength) / elapsed
        let flops = model.trainingFLOPsPerToken(sequenceLength: sequenceLength) * tokensPerSecond
        print(String(format: "[engine-bench] training B=%d T=%d, %d parameters: %.0f tokens/s, %.1f GFLOP/s",
                     batchSize, sequenceLength, model.parameterCount, tokensPerSecond, flops / 1e9))
        #expect(tokensPerSecond > 0)
    }

    @Test func smallModelTrainingThroughput() throws {
        try Self.measureTraining(Self.smallConfiguration, batchSize: 16, sequenceLength: 128, steps: 10)
    }

    @Test func trainingThroughput() throws {
        try Self.measureTraining(Self.configuration, batchSize: 8, sequenceLength: 256, steps: 5)
    }

    @Test func scoringAndGeneration() throws {
        let model = try GPT2Model(configuration: Self.configuration, seed: 1)
        let context = Array(Self.tokens[0..<200])
        let continuations = [[5], [7, 9], Array(Self.tokens[400..<430]), Array(Self.tokens[500..<520])]
        let requests = 10
        var results: [Bool: [ContinuationScore]] = [:]
        for sharing in [true, false] {
            let elapsed = try Self.seconds {
                for _ in 0..<requests { results[sharing] = try model.scoreContinuations(context: context, continuations: continuations, prefixSharing: sharing) }
            }
            print(String(format: "[engine-bench] scoring context 200 + continuations 1/2/30/20 tokens, sharing %@: %.1f ms/request", "\(sharing)", elapsed / Double(requests) * 1000))
        }
        let shared = try #require(results[true]), unshared = try #require(results[false])
        let difference = zip(shared, unshared).map { abs($0.logProbability - $1.logProbability) }.max() ?? 0
        print(String(format: "[engine-bench] max |shared - unshared| log-likelihood: %.2e", difference))
        #expect(difference < 1e-5)
        for (i, continuation) in continuations.enumerated() {
            #expect(try model.scoreContinuations(context: context, continuations: [continuation])[0] == shared[i])
        }
        let elapsed = try Self.seconds { _ = try model.generate(prompt: context, maxTokens: 50, sampling: .greedy) { _ in true } }
        print(String(format: "[engine-bench] greedy generation after a 200-token prompt: %.1f tokens/s", 50 / elapsed))
    }
}
