import Foundation
import ModelFormats
import Testing

/// Opens the real Gemma 3 270M Q4_K_M file when `scripts/fetch-models` has fetched it
/// (`${EVALKIT_CACHE:-~/.cache/evalkit}/models/gemma-3-270m-q4_k_m.gguf`); skipped otherwise.
@Suite("GGUF: real Gemma 3 270M file")
struct GGUFRealModelTests {
    static let modelURL: URL = {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["EVALKIT_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/evalkit")
        return cache.appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf")
    }()

    static var modelExists: Bool { FileManager.default.fileExists(atPath: modelURL.path) }

    @Test("metadata, tensor table and a few dequantised rows", .enabled(if: modelExists))
    func realModel() throws {
        let file = try GGUFFile(contentsOf: Self.modelURL)
        #expect(file.version == 3)
        #expect(try file.requiredString("general.architecture") == "gemma3")
        #expect(try file.requiredInt("gemma3.block_count") == 18)
        #expect(try file.requiredInt("gemma3.embedding_length") == 640)
        #expect(try file.requiredInt("gemma3.attention.head_count") == 4)
        #expect(try file.requiredInt("gemma3.attention.head_count_kv") == 1)
        #expect(try file.requiredInt("gemma3.attention.key_length") == 256)
        let tokens = try file.requiredStrings("tokenizer.ggml.tokens")
        #expect(tokens.count == 262_144)
        #expect(Array(tokens.prefix(3)) == ["<pad>", "<eos>", "<bos>"])
        #expect(file.tensorInfos.count == 236)

        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.shape == [262_144, 640])
        #expect(embedding.type == .q8_0)
        let row = try file.dequantizeRow(2, of: "token_embd.weight")
        let finiteRow = row.allSatisfy { $0.isFinite }
        #expect(row.count == 640)
        #expect(finiteRow)
        #expect(row.contains { $0 != 0 })

        // One tensor of each type the file uses dequantises to finite values.
        for name in ["blk.0.attn_q.weight", "blk.0.attn_output.weight", "blk.0.ffn_down.weight", "blk.0.attn_v.weight", "blk.0.attn_norm.weight"] {
            let info = try #require(file.tensor(named: name))
            let values = try file.dequantizeRow(info.rowCount - 1, of: name)
            let finite = values.allSatisfy { $0.isFinite }
            #expect(finite, "\(name) \(info.type)")
        }
        let allSupported = file.tensorInfos.allSatisfy { $0.type.isDequantizable }
        #expect(allSupported)
    }
}
