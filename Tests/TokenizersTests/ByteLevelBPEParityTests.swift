import Foundation
import Testing
import Tokenizers

/// Ids from Hugging Face `tokenizers` (scripts/tokenizer-reference.py) must match ours exactly.
@Suite struct ByteLevelBPEParityTests {
    @Test func selfTrainedTokenizerMatchesHuggingFace() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        let reference = try Fixtures.decode(ReferenceFile.self, "bpe-reference.json")
        #expect(reference.cases.count > 40)
        for testCase in reference.cases {
            let ids = tokenizer.encode(testCase.text)
            #expect(ids == testCase.ids, "ids for \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(ids) == testCase.text, "round trip of \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(testCase.ids) == testCase.decoded)
        }
    }

    @Test func preTokenizerPiecesMatchHuggingFace() throws {
        let reference = try Fixtures.decode(ReferenceFile.self, "bpe-reference.json")
        var checked = 0
        for testCase in reference.cases {
            guard let pieces = testCase.pieces else { continue }
            #expect(ByteLevelBPETokenizer.preTokenize(testCase.text) == pieces, "pieces of \(testCase.text.debugDescription)")
            checked += 1
        }
        #expect(checked > 30)
    }

    /// add_prefix_space = true and a TemplateProcessing post-processor that puts <|endoftext|> around each text.
    @Test func prefixSpaceAndTemplateMatchHuggingFace() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-prefix-template-tokenizer.json"))
        #expect(tokenizer.addsPrefixSpace)
        #expect(tokenizer.prefixTokenIDs == [399])
        #expect(tokenizer.suffixTokenIDs == [399])
        let reference = try Fixtures.decode(ReferenceFile.self, "bpe-prefix-template-reference.json")
        for testCase in reference.cases {
            #expect(tokenizer.encode(testCase.text) == testCase.ids, "ids for \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(testCase.ids) == testCase.decoded)
        }
    }

    /// GPT-2's real vocabulary (50,257 tokens, merges stored as [a, b] pairs).
    @Test func gpt2TokenizerMatchesHuggingFace() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("gpt2-tokenizer.json"))
        #expect(tokenizer.vocabularySize == 50257)
        #expect(tokenizer.endOfTextTokenID == 50256)
        #expect(tokenizer.beginningOfTextTokenID == 50256)
        #expect(tokenizer.encode("Hello world") == [15496, 995])
        #expect(tokenizer.tokenString(995) == "Ġworld")
        #expect(tokenizer.tokenString(50257) == nil)
        #expect(tokenizer.tokenString(-1) == nil)
        let reference = try Fixtures.decode(ReferenceFile.self, "gpt2-reference.json")
        for testCase in reference.cases {
            let ids = tokenizer.encode(testCase.text)
            #expect(ids == testCase.ids, "ids for \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(ids) == testCase.text, "round trip of \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(testCase.ids) == testCase.decoded)
        }
    }

    /// Training on the committed corpus must reproduce the committed tokenizer.json byte for byte.
    @Test func trainingReproducesTheFixture() throws {
        let trained = try ByteLevelBPETokenizer.train(corpus: try Fixtures.corpusLines(), vocabularySize: 400)
        let written = try trained.tokenizerJSON()
        let fixture = try Fixtures.data("bpe-trained-tokenizer.json")
        #expect(written == fixture)
    }

    /// Canonically equivalent but byte-different text must keep its own bytes (Swift String equality would merge them).
    @Test func canonicallyEquivalentTextKeepsItsBytes() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("gpt2-tokenizer.json"))
        let ohm = tokenizer.encode("\u{2126}")
        let omega = tokenizer.encode("\u{03A9}")
        #expect(ohm != omega)
        #expect(tokenizer.decode(ohm).unicodeScalars.first?.value == 0x2126)
        #expect(tokenizer.decode(omega).unicodeScalars.first?.value == 0x03A9)
    }
}

/// The same vocabulary with Llama 3's and Qwen 2's pre-tokenizers (Split + ByteLevel without regex).
@Suite struct SplitPatternParityTests {
    func check(_ name: String, pattern: PreTokenizerPattern) throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-\(name)-tokenizer.json"))
        #expect(tokenizer.preTokenizerPattern == pattern)
        let reference = try Fixtures.decode(ReferenceFile.self, "bpe-\(name)-reference.json")
        for testCase in reference.cases {
            #expect(tokenizer.encode(testCase.text) == testCase.ids, "ids for \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(testCase.ids) == testCase.decoded)
            if let pieces = testCase.pieces {
                #expect(ByteLevelBPETokenizer.preTokenize(testCase.text, pattern: pattern) == pieces,
                        "pieces of \(testCase.text.debugDescription)")
            }
        }
        // Written back and read again, the configuration survives.
        let reloaded = try ByteLevelBPETokenizer(tokenizerJSON: try tokenizer.tokenizerJSON())
        #expect(reloaded.preTokenizerPattern == pattern)
        #expect(reloaded.ignoresMerges == tokenizer.ignoresMerges)
        #expect(reloaded.normalizesToNFC == tokenizer.normalizesToNFC)
        #expect(reloaded.prefixTokenIDs == tokenizer.prefixTokenIDs)
    }

    /// Also ignore_merges and a Sequence[ByteLevel, TemplateProcessing] post-processor adding BOS.
    @Test func llama3MatchesHuggingFace() throws {
        try check("llama3", pattern: .llama3)
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-llama3-tokenizer.json"))
        #expect(tokenizer.ignoresMerges)
        #expect(tokenizer.prefixTokenIDs == [399])
    }

    /// Also an NFC normalizer.
    @Test func qwen2MatchesHuggingFace() throws {
        try check("qwen2", pattern: .qwen2)
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-qwen2-tokenizer.json"))
        #expect(tokenizer.normalizesToNFC)
        #expect(tokenizer.encode("e\u{301}") == tokenizer.encode("\u{E9}"))
    }

    @Test func ggufPreTokenizerNames() {
        #expect(PreTokenizerPattern(ggufPreTokenizer: "gpt-2") == .gpt2)
        #expect(PreTokenizerPattern(ggufPreTokenizer: "llama-bpe") == .llama3)
        #expect(PreTokenizerPattern(ggufPreTokenizer: "qwen2") == .qwen2)
        #expect(PreTokenizerPattern(ggufPreTokenizer: "no-such-model") == nil)
        #expect(PreTokenizerPattern.llama3.ignoresMergesInGGUF)
        #expect(!PreTokenizerPattern.qwen2.ignoresMergesInGGUF)
    }
}
