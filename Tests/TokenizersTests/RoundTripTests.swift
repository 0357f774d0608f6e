import Foundation
import Testing
import Tokenizers

/// Many mixed strings, made by a fixed arithmetic walk over an alphabet of awkward characters
/// (no random generator: the cases are the same on every run).
enum MixedStrings {
    static let alphabet: [String] = [
        "a", "Z", "é", "e\u{301}", "ß", "ſ", "'", "'s", "'LL", " ", "  ", "\t", "\n", "\r\n", "\r", "\u{A0}", "\u{3000}",
        "0", "42", "12345", "½", "Ⅻ", ".", "!!", "?", "(", "<", "<|", "|>", "<sep>", "</s>", "<s>", "▁", "\u{2581}\u{2581}",
        "東", "京", "한", "ع", "न्", "🙂", "👍🏽", "👨‍👩‍👧", "\u{200B}", "\u{FEFF}", "\u{0}", "\u{7F}", "\u{10FFFF}", "Ω", "\u{2126}",
    ]

    static func make(count: Int) -> [String] {
        (0..<count).map { index in
            let length = (index * 37) % 23
            return (0..<length).map { position in alphabet[(index * 7919 + position * 104_729 + position * position * 31) % alphabet.count] }.joined()
        }
    }
}

@Suite struct RoundTripTests {
    @Test func byteLevelTokenizersRoundTripEveryString() throws {
        for name in ["bpe-trained-tokenizer.json", "bpe-llama3-tokenizer.json", "bpe-qwen2-tokenizer.json"] {
            let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url(name))
            for text in MixedStrings.make(count: 400) {
                var ids = tokenizer.encode(text)
                #expect(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) })
                ids.removeFirst(tokenizer.prefixTokenIDs.count)
                let decoded = tokenizer.decode(ids)
                if tokenizer.normalizesToNFC {
                    #expect(decoded == text, "\(name): \(text.debugDescription)")  // Swift == compares canonically
                } else {
                    #expect(Array(decoded.utf8) == Array(text.utf8), "\(name): \(text.debugDescription)")
                }
            }
        }
    }

    @Test func preTokenizerPiecesTileTheText() {
        for pattern in PreTokenizerPattern.allCases {
            for text in MixedStrings.make(count: 300) {
                let pieces = ByteLevelBPETokenizer.preTokenize(text, pattern: pattern)
                #expect(Array(pieces.joined().utf8) == Array(text.utf8))
                #expect(!pieces.contains(""))
            }
        }
    }

    @Test func sentencePieceRoundTripsEveryString() throws {
        for name in ["spm-model.json", "spm-no-prefix-model.json"] {
            let tokenizer = try Fixtures.decode(SentencePieceModelFixture.self, name).tokenizer(addBOS: true, addEOS: true)
            for text in MixedStrings.make(count: 400) {
                let ids = tokenizer.encode(text, addingSpecialTokens: true, parsingControlTokens: false)
                #expect(ids.first == tokenizer.bosTokenID && ids.last == tokenizer.eosTokenID)
                #expect(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) })
                // A "▁" written in the text is a space to SentencePiece, and decodes as one.
                let expected = text.replacingOccurrences(of: "\u{2581}", with: " ")
                #expect(Array(tokenizer.decode(ids).utf8) == Array(expected.utf8), "\(name): \(text.debugDescription)")
            }
        }
    }
}
