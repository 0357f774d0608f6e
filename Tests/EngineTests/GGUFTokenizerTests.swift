import Engine
import Foundation
import ModelFormats
import Testing
import Tokenizers

/// The tokenizer built from the Gemma 3 270M GGUF's metadata against llama.cpp's tokenizer.
///
/// `Fixtures/gemma3-tokenizer-reference.json` was written by `scripts/gemma-tokenizer-reference.py`
/// (llama-cpp-python, `Llama(vocab_only=True).tokenize`). Skipped when the GGUF is absent.
@Suite struct GGUFTokenizerTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            let text: String
            let ids: [Int]
            let idsControlAsText: [Int]
            enum CodingKeys: String, CodingKey { case text, ids, idsControlAsText = "ids_control_as_text" }
        }
        let source: String
        let cases: [Case]
    }

    @Test(.enabled(if: Gemma3ReferenceTests.modelPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func gemmaTokenizerMatchesLlamaCpp() throws {
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let url = fixtures.appendingPathComponent("gemma3-tokenizer-reference.json")
        try #require(FileManager.default.fileExists(atPath: url.path), "run scripts/gemma-tokenizer-reference.py")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let loaded = try GGUFTokenizer(file: GGUFFile(contentsOf: Gemma3ReferenceTests.modelURL))
        #expect(loaded.addsBOS)
        #expect(loaded.bosTokenID == 2)
        let tokenizer = try #require(loaded.tokenizer as? SentencePieceTokenizer)
        for item in reference.cases {
            #expect(tokenizer.encode(item.text) == item.ids, "\(item.text.debugDescription)")
            #expect(tokenizer.encode(item.text, addingSpecialTokens: true, parsingControlTokens: false) == item.idsControlAsText,
                    "control tokens as text: \(item.text.debugDescription)")
        }
    }
}
