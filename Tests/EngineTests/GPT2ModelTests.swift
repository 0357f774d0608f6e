import Engine
import Foundation
import Testing

/// Tiny model used by most engine tests: 2 layers, width 16, 2 heads, vocab 64, ctx 16.
func tinyConfiguration(vocabularySize: Int = 64, positions: Int = 16) -> GPT2Configuration {
    GPT2Configuration(layerCount: 2, headCount: 2, width: 16, positionCount: positions, vocabularySize: vocabularySize)
}

@Suite struct GPT2ModelTests {
    @Test func configurationValidationNamesTheProblem() throws {
        var bad = tinyConfiguration()
        bad.headCount = 3
        #expect(throws: GPT2ConfigurationError.headsDoNotDivideWidth(heads: 3, width: 16)) { try bad.validate() }
        bad = tinyConfiguration()
        bad.layerCount = 0
        #expect(throws: GPT2ConfigurationError.notPositive(key: "n_layer", value: 0)) { try GPT2Model(configuration: bad, seed: 1) }
    }

    @Test func configurationUsesHuggingFaceKeys() throws {
        let json = #"{"n_layer":2,"n_head":2,"n_embd":16,"n_ctx":32,"vocab_size":64,"model_type":"gpt2","activation_function":"gelu_new","eos_token_id":0}"#
        let config = try JSONDecoder().decode(GPT2Configuration.self, from: Data(json.utf8))
        #expect(config.positionCount == 32)
        #expect(config.eosTokenID == 0)
        #expect(config.layerNormEpsilon == 1e-5)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any]
        #expect(encoded?["n_positions"] as? Int == 32)
        #expect(encoded?["architectures"] as? [String] == ["GPT2LMHeadModel"])
        #expect(encoded?["model_type"] as? String == "gpt2")
        let variant = #"{"n_layer":2,"n_head":2,"n_embd":16,"n_positions":32,"vocab_size":64,"scale_attn_by_inverse_layer_idx":true}"#
        #expect(throws: GPT2ConfigurationError.unsupported(key: "scale_attn_by_inverse_layer_idx", value: "true", expected: "false")) {
            try JSONDecoder().decode(GPT2Configuration.self, from: Data(variant.utf8))
        }
        let exact = #"{"n_layer":2,"n_head":2,"n_embd":16,"n_positions":32,"vocab_size":64,"activation_function":"gelu"}"#
        #expect(throws: GPT2ConfigurationError.self) { try JSONDecoder().decode(GPT2Configuration.self, from: Data(exact.utf8)).validate() }
    }

    @Test func layoutNamesAndInitialisation() throws {
        let model = try GPT2Model(configuration: tinyConfiguration(), seed: 7)
        // 64·16 + 16·16 + 2·(12·16² + 13·16) + 2·16
        #expect(model.parameterCount == 64 * 16 + 16 * 16 + 2 * (12 * 16 * 16 + 13 * 16) + 2 * 16)
        #expect(model.layout.tensor(named: "h.1.attn.c_attn.weight")?.shape == [16, 48])
        #expect(model.values(of: "h.0.ln_1.weight") == [Float](repeating: 1, count: 16))
        #expect(model.values(of: "h.0.mlp.c_fc.bias") == [Float](repeating: 0, count: 64))
        let wte = try #require(model.values(of: "wte.weight"))
        let std = (wte.reduce(0) { $0 + Double($1) * Double($1) } / Double(wte.count)).squareRoot()
        #expect(abs(std - 0.02) < 0.002)
        let projection = try #require(model.values(of: "h.0.mlp.c_proj.weight"))
        let projectionStd = (projection.reduce(0) { $0 + Double($1) * Double($1) } / Double(projection.count)).squareRoot()
        #expect(abs(projectionStd - 0.01) < 0.001)  // 0.02 / √(2·2)
        let view = try #require(model.layout.view("ln_f.bias", in: model.parameters))
        view[3] = 0.5  // views alias the flat buffer
        #expect(model.values(of: "ln_f.bias")?[3] == 0.5)
        view[3] = 0
        let again = try GPT2Model(configuration: tinyConfiguration(), seed: 7)
        #expect(again.parameters.array == model.parameters.array)
    }

    /// Whole-model gradient check: every tensor gets up to 6 probed entries; the relative error of
    /// the probed gradient vector must stay below 1e-2 (Float32 forward, step 2e-3).
    @Test func fullModelGradientMatchesFiniteDifferences() throws {
        let model = try GPT2Model(configuration: tinyConfiguration(), seed: 3)
        // Weights 4x the 0.02 init so every path carries a visible gradient.
        for i in 0..<model.parameters.count { model.parameters.pointer[i] *= 4 }
        let graph = try GPT2TrainingGraph(model: model, batchSize: 2, sequenceLength: 8)
        let inputs = (0..<16).map { ($0 * 37 + 5) % 64 }, targets = (0..<16).map { ($0 * 11 + 3) % 64 }
        graph.zeroGradients()
        _ = try graph.forward(inputs: inputs, targets: targets)
        try graph.backward()
        var analytic: [Float] = [], numerical: [Double] = []
        for tensor in model.layout.tensors {
            for k in 0..<min(6, tensor.count) {
                let index = tensor.offset + (k * 7919) % tensor.count
                let original = model.parameters.pointer[index]
                let step: Float = 2e-3
                model.parameters.pointer[index] = original + step
                let up = Double(try graph.forward(inputs: inputs, targets: targets))
                model.parameters.pointer[index] = original - step
                let down = Double(try graph.forward(inputs: inputs, targets: targets))
                model.parameters.pointer[index] = original
                analytic.append(graph.gradients.pointer[index])
                numerical.append((up - down) / (2 * Double(step)))
            }
        }
        let error = GradientCheck.relativeError(analytic, numerical)
        #expect(error < 1e-2, "relative gradient error \(error)")
    }

    @Test func forwardRejectsOutOfRangeTokens() throws {
        let model = try GPT2Model(configuration: tinyConfiguration(), seed: 1)
        let graph = try GPT2TrainingGraph(model: model, batchSize: 1, sequenceLength: 4)
        #expect(throws: EngineError.self) { try graph.forward(inputs: [1, 2, 64, 3], targets: nil) }
    }
}
