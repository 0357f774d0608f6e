@testable import Engine
import Foundation
import ModelFormats
import Testing

/// Llama checkpoints in the Hugging Face layout (config.json + safetensors + tokenizer.json).
///
/// `Fixtures/tiny-hf-llama/` (random weights: width 32, 2 layers, 4 query heads over 2 key/value heads,
/// head dimension 8, vocabulary 266) and `Fixtures/tiny-hf-llama-reference.json` were written by
/// `scripts/hf-llama-reference.py`: the reference log-probabilities come from a float64 numpy forward
/// pass following transformers' modeling_llama.py (rotate-half RoPE, q/k unpermuted), with and
/// without Llama 3.1 `rope_scaling`.
@Suite struct HuggingFaceLlamaTests {
    struct Case: Decodable {
        var ids: [Int]
        var log_probabilities: [Double]
        var greedy: [Int]
    }
    struct Reference: Decodable {
        var cases: [Case]
        var llama3_rope_scaling_cases: [Case]
    }

    static var fixtures: URL { Bundle.module.url(forResource: "Fixtures", withExtension: nil)! }
    static var folder: URL { fixtures.appendingPathComponent("tiny-hf-llama") }
    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtures.appendingPathComponent("tiny-hf-llama-reference.json")))
    }

    /// A scratch copy of the fixture folder, removed by the caller.
    static func copy() throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("hf-llama-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: folder, to: copy)
        return copy
    }

    static func maxDifference(_ model: DecoderModel, _ cases: [Case]) throws -> Double {
        var worst = 0.0
        for item in cases {
            let values = try model.tokenLogProbabilities(tokens: item.ids, scoredFrom: 0)
            #expect(values.count == item.log_probabilities.count)
            for (a, b) in zip(values, item.log_probabilities) { worst = max(worst, abs(a - b)) }
        }
        return worst
    }

    @Test func logProbabilitiesMatchTheReference() throws {
        let model = try DecoderModel.load(huggingFaceFolder: Self.folder)
        #expect(model.configuration.architecture == "llama")
        #expect(model.configuration.keyValueHeadCount == 2 && model.configuration.headDimension == 8)
        #expect(model.contextLength == 64)
        let reference = try Self.reference()
        let worst = try Self.maxDifference(model, reference.cases)
        #expect(worst < 1e-4, "max difference \(worst)")
        // Greedy flags agree with the reference's argmax (one continuation per case: every token after BOS).
        for item in reference.cases {
            let greedy = zip(item.greedy, item.ids.dropFirst()).allSatisfy { $0 == $1 }
            let score = try model.scoreContinuations(context: [item.ids[0]], continuations: [Array(item.ids.dropFirst())])[0]
            #expect(score.isGreedy == greedy)
            #expect(abs(score.logProbability - item.log_probabilities.reduce(0, +)) < 1e-3)
        }
    }

    @Test func llama3RopeScalingMatchesTheReference() throws {
        let folder = try Self.copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.editConfig(folder) { $0["rope_scaling"] = ["rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                            "original_max_position_embeddings": 16] }
        let model = try DecoderModel.load(huggingFaceFolder: folder)
        let reference = try Self.reference()
        let worst = try Self.maxDifference(model, reference.llama3_rope_scaling_cases)
        #expect(worst < 1e-4, "max difference \(worst)")
        // The unscaled values are far from these: the scaling is applied, not ignored.
        #expect(try Self.maxDifference(model, reference.cases) > 0.5)
    }

    /// The fixture split into two shards with model.safetensors.index.json, the embedding as BF16.
    @Test func shardedCheckpointsLoadTheSameModel() throws {
        let folder = try Self.copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let single = try SafetensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        var map: [String: String] = [:]
        var shards: [[(name: String, shape: [Int], values: [Float])]] = [[], []]
        for name in single.tensorNames {
            let shard = name.hasPrefix("model.layers.1.") || name == "lm_head.weight" ? 1 : 0
            shards[shard].append((name, single.info(name)!.shape, try single.floats(name)))
            map[name] = "model-0000\(shard + 1)-of-00002.safetensors"
        }
        for (index, tensors) in shards.enumerated() {
            try SafetensorsWriter.write(tensors, to: folder.appendingPathComponent("model-0000\(index + 1)-of-00002.safetensors"))
        }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))
        try JSONSerialization.data(withJSONObject: ["metadata": [:] as [String: Any], "weight_map": map]).write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        let sharded = try DecoderModel.load(huggingFaceFolder: folder)
        let original = try DecoderModel.load(huggingFaceFolder: Self.folder)
        for item in try Self.reference().cases {
            #expect(try sharded.tokenLogProbabilities(tokens: item.ids, scoredFrom: 0) == original.tokenLogProbabilities(tokens: item.ids, scoredFrom: 0))
        }
        #expect(try DecoderModel.huggingFaceWeightFiles(in: folder).map(\.lastPathComponent) == ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"])
    }

    /// Real checkpoints are mostly BF16: the embedding and lm_head stay BF16 (`PackedMatrix`), the
    /// rest is widened. The same values stored as F32 give the same log-probabilities (up to the
    /// sgemm blocking of the two output-projection paths).
    @Test func bf16CheckpointsMatchTheirF32Widening() throws {
        let bf16 = try Self.copy(), widened = try Self.copy()
        defer { for folder in [bf16, widened] { try? FileManager.default.removeItem(at: folder) } }
        let url = Self.folder.appendingPathComponent("model.safetensors")
        let single = try SafetensorsFile(contentsOf: url)
        let tensors = try single.tensorNames.map { ($0, single.info($0)!.shape, try single.floats($0)) }
        try SafetensorsWriter.write(tensors, dtype: .bf16, to: bf16.appendingPathComponent("model.safetensors"))
        let rounded = try SafetensorsFile(contentsOf: bf16.appendingPathComponent("model.safetensors"))
        #expect(rounded.info("model.embed_tokens.weight")?.dtype == .bf16)
        try SafetensorsWriter.write(try rounded.tensorNames.map { ($0, rounded.info($0)!.shape, try rounded.floats($0)) },
                                    to: widened.appendingPathComponent("model.safetensors"))
        let a = try DecoderModel.load(huggingFaceFolder: bf16), b = try DecoderModel.load(huggingFaceFolder: widened)
        for item in try Self.reference().cases {
            for (x, y) in zip(try a.tokenLogProbabilities(tokens: item.ids, scoredFrom: 0), try b.tokenLogProbabilities(tokens: item.ids, scoredFrom: 0)) {
                #expect(abs(x - y) < 1e-5)
            }
        }
        // BF16 rounding moves the values away from the F32 reference, by a visible but bounded amount.
        let drift = try Self.maxDifference(a, try Self.reference().cases)
        #expect(drift > 1e-4 && drift < 1)
    }

    /// Hugging Face's rotate-half RoPE on unpermuted q equals llama.cpp's adjacent-pair RoPE on q
    /// permuted as the GGUF converter permutes it (per head, row 2i ← i and 2i+1 ← i + hd/2): the
    /// engine runs HF weights with `.halves` and GGUF weights with `.adjacent`.
    @Test func rotateHalfOnHuggingFaceWeightsEqualsAdjacentPairsOnConvertedWeights() {
        let heads = 2, hd = 8, rows = 3
        var q = (0..<(rows * heads * hd)).map { Float(sin(Double($0) * 0.7)) }
        // permuted[2i] = q[i], permuted[2i+1] = q[i + hd/2], per head.
        func permute(_ x: [Float]) -> [Float] {
            var out = x
            for block in stride(from: 0, to: x.count, by: hd) {
                for i in 0..<(hd / 2) {
                    out[block + 2 * i] = x[block + i]
                    out[block + 2 * i + 1] = x[block + i + hd / 2]
                }
            }
            return out
        }
        var converted = permute(q)
        let halves = RotaryEmbedding(rotatedDimensions: hd, base: 10_000, pairing: .halves)
        let adjacent = RotaryEmbedding(rotatedDimensions: hd, base: 10_000, pairing: .adjacent)
        q.withUnsafeMutableBufferPointer { halves.apply($0.baseAddress!, rows: rows, rowStride: heads * hd, heads: heads, headDimension: hd, table: halves.table(start: 5, count: rows)) }
        converted.withUnsafeMutableBufferPointer { adjacent.apply($0.baseAddress!, rows: rows, rowStride: heads * hd, heads: heads, headDimension: hd, table: adjacent.table(start: 5, count: rows)) }
        #expect(permute(q) == converted)
        // And the two pairings differ on the same vector, so the loader's choice matters.
        var same = Array(converted)
        same.withUnsafeMutableBufferPointer { halves.apply($0.baseAddress!, rows: rows, rowStride: heads * hd, heads: heads, headDimension: hd, table: halves.table(start: 5, count: rows)) }
        #expect(same != converted)
    }

    @Test func tokenizerDropsItsBOSPostProcessorAndReportsIt() throws {
        let tokenizer = try HuggingFaceTokenizer(folder: Self.folder)
        #expect(tokenizer.addsBOS)
        #expect(tokenizer.tokenizer.beginningOfTextTokenID == 264)
        // "Hello" + " world" with the merges l+l (259), Ġ+w (262), o+r (260); no BOS from the tokenizer.
        #expect(tokenizer.tokenizer.encode("Hello world") == [72, 101, 259, 111, 262, 260, 108, 100])
        #expect(tokenizer.chatTemplate == nil)
    }

    /// A Llama-2-style tokenizer.json (SentencePiece BPE with byte fallback, the legacy normalizers,
    /// a post-processor putting <s> first) in place of the byte-level one: 266 pieces — <unk>, <s>,
    /// </s>, the 256 byte pieces, "▁", "H", "e", "l", "o", "▁H", "ll" — and the merges "▁ H", "l l".
    @Test func sentencePieceTokenizerJSONServesTheCheckpoint() throws {
        let folder = try Self.copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        var vocabulary: [String: Int] = ["<unk>": 0, "<s>": 1, "</s>": 2]
        for byte in 0..<256 { vocabulary[String(format: "<0x%02X>", byte)] = 3 + byte }
        for (offset, piece) in ["▁", "H", "e", "l", "o", "▁H", "ll"].enumerated() { vocabulary[piece] = 259 + offset }
        let json: [String: Any] = [
            "version": "1.0",
            "added_tokens": [["id": 0, "content": "<unk>", "special": true], ["id": 1, "content": "<s>", "special": true],
                             ["id": 2, "content": "</s>", "special": true]],
            "normalizer": ["type": "Sequence", "normalizers": [["type": "Prepend", "prepend": "▁"],
                                                             ["type": "Replace", "pattern": ["String": " "], "content": "▁"]]],
            "pre_tokenizer": NSNull(),
            "post_processor": ["type": "TemplateProcessing", "single": [["SpecialToken": ["id": "<s>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                               "pair": [], "special_tokens": ["<s>": ["id": "<s>", "ids": [1], "tokens": ["<s>"]]]],
            "model": ["type": "BPE", "byte_fallback": true, "fuse_unk": true, "unk_token": "<unk>", "vocab": vocabulary, "merges": ["▁ H", "l l"]],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: folder.appendingPathComponent("tokenizer.json"))
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("tokenizer_config.json"))
        let tokenizer = try HuggingFaceTokenizer(folder: folder)
        #expect(tokenizer.addsBOS && tokenizer.tokenizer.beginningOfTextTokenID == 1)
        // "▁Hello▁world": ▁H, e, ll, o, ▁, then w, r, d as bytes (no pieces) and o, l as pieces.
        let ids = tokenizer.tokenizer.encode("Hello world")
        #expect(ids == [264, 261, 265, 263, 259, 3 + 0x77, 263, 3 + 0x72, 262, 3 + 0x64])
        #expect(tokenizer.tokenizer.decode(ids) == "Hello world")
        let model = try DecoderModel.load(huggingFaceFolder: folder)
        let scores = try model.scoreContinuations(context: [1] + ids.prefix(4), continuations: [Array(ids.suffix(6))])
        #expect(scores[0].logProbability.isFinite && scores[0].logProbability < 0)
        // A normalizer the reader does not know is named with the file.
        var broken = json
        broken["normalizer"] = ["type": "NFKC"]
        try JSONSerialization.data(withJSONObject: broken).write(to: folder.appendingPathComponent("tokenizer.json"))
        #expect { _ = try HuggingFaceTokenizer(folder: folder) } throws: { "\($0)".contains("tokenizer.json") && "\($0)".contains("normalizer") }
    }

    static func editConfig(_ folder: URL, _ change: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("config.json")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    @Test func badCheckpointsNameTheFileAndKeyOrTensor() throws {
        let configCases: [((inout [String: Any]) -> Void, String)] = [
            ({ $0["hidden_size"] = nil }, "config.json: key 'hidden_size': missing"),
            ({ $0["num_attention_heads"] = "four" }, "config.json: key 'num_attention_heads': expected a number"),
            ({ $0["intermediate_size"] = 40 }, "model.safetensors: tensor 'model.layers.0.mlp.gate_proj.weight': expected shape [40, 32] from config.json, found [48, 32]"),
            ({ $0["hidden_act"] = "gelu" }, "config.json: key 'hidden_act': 'gelu' is not supported"),
            ({ $0["rope_scaling"] = ["rope_type": "yarn", "factor": 4.0] }, "config.json: key 'rope_scaling.rope_type': 'yarn' is not supported; supported: default, linear, llama3"),
            ({ $0["num_key_value_heads"] = 3 }, "head_count 4 is not a multiple of head_count_kv 3"),
        ]
        for (change, message) in configCases {
            let folder = try Self.copy()
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.editConfig(folder, change)
            #expect { _ = try DecoderModel.load(huggingFaceFolder: folder) } throws: { "\($0)".contains(message) && "\($0)".contains(folder.path) }
        }
        // A tensor missing from model.safetensors.
        let folder = try Self.copy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        let kept = try file.tensorNames.filter { $0 != "model.layers.1.mlp.up_proj.weight" }.map { ($0, file.info($0)!.shape, try file.floats($0)) }
        try SafetensorsWriter.write(kept, to: url)
        #expect { _ = try DecoderModel.load(huggingFaceFolder: folder) } throws: {
            "\($0)" == "\(url.path): tensor 'model.layers.1.mlp.up_proj.weight': missing (a Llama-family checkpoint needs it)"
        }
        #expect(DecoderModel.isHuggingFaceDecoderFolder(Self.folder))
        #expect(!DecoderModel.isHuggingFaceDecoderFolder(Self.fixtures.appendingPathComponent("tiny-gpt2")))
    }
}
