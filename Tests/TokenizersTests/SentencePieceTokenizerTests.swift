import Foundation
import Testing
import Tokenizers

/// The vocabulary of a tiny SentencePiece BPE model (scripts/tokenizer-reference.py).
struct SentencePieceModelFixture: Decodable {
    var source: String
    var tokens: [String]
    var scores: [Float]
    var token_types: [Int32]
    var unk_id: Int
    var bos_id: Int
    var eos_id: Int
    var pad_id: Int
    var add_space_prefix: Bool

    func tokenizer(addBOS: Bool = false, addEOS: Bool = false) throws -> SentencePieceTokenizer {
        try SentencePieceTokenizer(tokens: tokens, scores: scores, tokenTypes: token_types,
                                   bosTokenID: bos_id, eosTokenID: eos_id, unknownTokenID: unk_id,
                                   paddingTokenID: pad_id >= 0 ? pad_id : nil,
                                   addBOS: addBOS, addEOS: addEOS, addSpacePrefix: add_space_prefix)
    }
}

@Suite struct SentencePieceTokenizerTests {
    let model: SentencePieceModelFixture

    init() throws {
        model = try Fixtures.decode(SentencePieceModelFixture.self, "spm-model.json")
    }

    @Test func idsMatchSentencePiece() throws {
        let tokenizer = try model.tokenizer()
        let reference = try Fixtures.decode(ReferenceFile.self, "spm-reference.json")
        #expect(reference.cases.count > 40)
        for testCase in reference.cases {
            let ids = tokenizer.encode(testCase.text, addingSpecialTokens: false, parsingControlTokens: false)
            #expect(ids == testCase.ids, "ids for \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(testCase.ids) == testCase.decoded, "decode of \(testCase.text.debugDescription)")
        }
    }
}

@Suite struct SentencePieceBehaviourTests {
    /// Gemma-style: no dummy prefix.
    @Test func idsMatchSentencePieceWithoutSpacePrefix() throws {
        let model = try Fixtures.decode(SentencePieceModelFixture.self, "spm-no-prefix-model.json")
        #expect(model.add_space_prefix == false)
        let tokenizer = try model.tokenizer()
        let reference = try Fixtures.decode(ReferenceFile.self, "spm-no-prefix-reference.json")
        for testCase in reference.cases {
            let ids = tokenizer.encode(testCase.text, addingSpecialTokens: false, parsingControlTokens: false)
            #expect(ids == testCase.ids, "ids for \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(testCase.ids) == testCase.decoded, "decode of \(testCase.text.debugDescription)")
        }
    }

    @Test func addsBOSAndEOSOnlyWhenAsked() throws {
        let model = try Fixtures.decode(SentencePieceModelFixture.self, "spm-model.json")
        let plain = try model.tokenizer()
        let framed = try model.tokenizer(addBOS: true, addEOS: true)
        let body = plain.encode("the fox")
        #expect(!body.isEmpty)
        #expect(framed.encode("the fox") == [model.bos_id] + body + [model.eos_id])
        #expect(framed.encode("the fox", addingSpecialTokens: false, parsingControlTokens: false) == body)
        #expect(framed.beginningOfTextTokenID == 1)
        #expect(framed.endOfTextTokenID == 2)
        #expect(framed.decode(framed.encode("the fox")) == "the fox")
    }

    @Test func controlTokensAreParsedByDefault() throws {
        let model = try Fixtures.decode(SentencePieceModelFixture.self, "spm-model.json")
        let tokenizer = try model.tokenizer()
        #expect(!tokenizer.encode("a</s>b", addingSpecialTokens: false, parsingControlTokens: false).contains(2))
        let parsed = tokenizer.encode("a</s>b", addingSpecialTokens: false, parsingControlTokens: true)
        #expect(tokenizer.encode("a</s>b") == parsed)  // the default parses them
        // Each side is encoded as a text of its own, dummy prefix included (llama.cpp, Llama's chat code).
        #expect(parsed == tokenizer.encode("a", addingSpecialTokens: false, parsingControlTokens: true) + [2]
                + tokenizer.encode("b", addingSpecialTokens: false, parsingControlTokens: true))
        #expect(tokenizer.encode("</s>b", addingSpecialTokens: false, parsingControlTokens: true)
                == [2] + tokenizer.encode("b", addingSpecialTokens: false, parsingControlTokens: true))
        // Control tokens vanish from decoded text; the second segment's dummy prefix decodes as a space.
        #expect(tokenizer.decode(parsed) == "a b")
    }
}

/// Small hand-made vocabularies that pin down one rule each.
@Suite struct SentencePieceRuleTests {
    /// ids: 0 <unk>, 1 <s>, 2 </s>, 3 ▁, 4 a, 5 b, 6 c, 7 ab, 8 bc, 9 ▁ab, 10 <0x7A> ("z").
    func tokenizer(scores abScore: Float, _ bcScore: Float, abType: Int32 = 1, addSpacePrefix: Bool = false) throws -> SentencePieceTokenizer {
        let tokens = ["<unk>", "<s>", "</s>", "▁", "a", "b", "c", "ab", "bc", "▁ab", "<0x7A>"]
        let scores: [Float] = [0, 0, 0, -10, -20, -20, -20, abScore, bcScore, -0.1, 0]
        let types: [Int32] = [2, 3, 3, 1, 1, 1, 1, abType, 1, 1, 6]
        return try SentencePieceTokenizer(tokens: tokens, scores: scores, tokenTypes: types, bosTokenID: 1, eosTokenID: 2,
                                          unknownTokenID: 0, addBOS: false, addSpacePrefix: addSpacePrefix)
    }

    @Test func higherScoreMergesFirst() throws {
        #expect(try tokenizer(scores: -1, -0.5).encode("abc") == [4, 8])
        #expect(try tokenizer(scores: -0.5, -1).encode("abc") == [7, 6])
    }

    @Test func equalScoresMergeLeftmostFirst() throws {
        #expect(try tokenizer(scores: -1, -1).encode("abc") == [7, 6])
    }

    /// An unused piece may be formed on the way to a larger piece but is never output.
    @Test func unusedPiecesAreSplitBack() throws {
        #expect(try tokenizer(scores: -1, -5, abType: 5).encode("ab") == [4, 5])
        #expect(try tokenizer(scores: -1, -5, abType: 5, addSpacePrefix: true).encode("ab") == [9])
    }

    @Test func unknownCharactersUseBytesOrTheUnknownToken() throws {
        let tokenizer = try tokenizer(scores: -1, -1)
        #expect(tokenizer.encode("z") == [10])  // byte fallback
        #expect(tokenizer.encode("az!") == [4, 10, 0])  // "!" has no byte token
        #expect(tokenizer.decode([4, 10, 0]) == "az \u{2047} ")
    }

    @Test func spacesBecomeTheSpaceMarker() throws {
        let tokenizer = try tokenizer(scores: -1, -1)
        #expect(tokenizer.encode("a b") == [4, 3, 5])
        #expect(tokenizer.decode([4, 3, 5]) == "a b")
        #expect(tokenizer.tokenBytes(9) == Array(" ab".utf8))
        #expect(tokenizer.tokenBytes(10) == [0x7A])
        #expect(tokenizer.tokenBytes(1) == [])
        #expect(tokenizer.tokenBytes(11) == nil)
        #expect(tokenizer.tokenString(9) == "▁ab")
        #expect(tokenizer.encode("") == [])
    }

    @Test func inconsistentArraysAreRejectedWithTheirKey() {
        func error(_ build: () throws -> SentencePieceTokenizer) -> TokenizerError? {
            do { _ = try build(); return nil } catch let error as TokenizerError { return error } catch { return nil }
        }
        let mismatched = error {
            try SentencePieceTokenizer(tokens: ["a", "b"], scores: [0], tokenTypes: [1, 1], bosTokenID: nil, eosTokenID: nil,
                                       unknownTokenID: nil, addBOS: false, addSpacePrefix: true)
        }
        #expect(mismatched?.key == "tokenizer.ggml.scores")
        let badType = error {
            try SentencePieceTokenizer(tokens: ["a", "b"], scores: [0, 0], tokenTypes: [1, 9], bosTokenID: nil, eosTokenID: nil,
                                       unknownTokenID: nil, addBOS: false, addSpacePrefix: true)
        }
        #expect(badType?.key == "tokenizer.ggml.token_type[1]")
        let badByte = error {
            try SentencePieceTokenizer(tokens: ["a", "<0xZZ>"], scores: [0, 0], tokenTypes: [1, 6], bosTokenID: nil, eosTokenID: nil,
                                       unknownTokenID: nil, addBOS: false, addSpacePrefix: true)
        }
        #expect(badByte?.key == "tokenizer.ggml.tokens[1]")
        let badBOS = error {
            try SentencePieceTokenizer(tokens: ["a"], scores: [0], tokenTypes: [1], bosTokenID: 5, eosTokenID: nil,
                                       unknownTokenID: nil, addBOS: true, addSpacePrefix: true)
        }
        #expect(badBOS?.key == "tokenizer.ggml.bos_token_id")
        let empty = error {
            try SentencePieceTokenizer(tokens: [], scores: [], tokenTypes: [], bosTokenID: nil, eosTokenID: nil,
                                       unknownTokenID: nil, addBOS: false, addSpacePrefix: true)
        }
        #expect(empty?.key == "tokenizer.ggml.tokens")
    }
}
