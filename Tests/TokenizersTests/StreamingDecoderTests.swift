import Foundation
import Testing
import Tokenizers

@Suite struct StreamingDecoderTests {
    let texts = ["Hello 🙂 東京は日本の首都です。 héllo naïve 👨‍👩‍👧!", "ÿþ\u{10FFFF} x", "", "plain ascii"]

    func streamed(_ ids: [Int], _ decoder: inout StreamingDecoder) -> [String] {
        var pieces = ids.map { decoder.append($0) }
        pieces.append(decoder.finish())
        return pieces
    }

    @Test func byteLevelStreamingJoinsToTheFullDecode() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        for text in texts {
            let ids = tokenizer.encode(text)
            var decoder = StreamingDecoder(tokenizer: tokenizer)
            let pieces = streamed(ids, &decoder)
            #expect(pieces.joined() == text)
            #expect(!pieces.joined().unicodeScalars.contains("\u{FFFD}"))
        }
        // An emoji split over byte tokens appears only when its last byte arrives.
        let emoji = tokenizer.encode("🙂")
        #expect(emoji.count > 1)
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        let pieces = emoji.map { decoder.append($0) }
        let early = pieces.dropLast().filter { !$0.isEmpty }
        #expect(early.isEmpty)
        #expect(pieces.last == "🙂")
    }

    @Test func sentencePieceStreamingMatchesDecode() throws {
        let model = try Fixtures.decode(SentencePieceModelFixture.self, "spm-model.json")
        let tokenizer = try model.tokenizer(addBOS: true)
        for text in texts {
            let ids = tokenizer.encode(text)
            var decoder = StreamingDecoder(tokenizer: tokenizer, removingLeadingSpace: tokenizer.addsSpacePrefix)
            #expect(streamed(ids, &decoder).joined() == tokenizer.decode(ids))
        }
    }

    @Test func truncatedCharacterIsReleasedByFinish() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        let ids = tokenizer.encode("🙂")
        var decoder = StreamingDecoder(tokenizer: tokenizer)
        #expect(decoder.append(ids[0]) == "")
        #expect(decoder.finish() == "\u{FFFD}")
        #expect(decoder.finish() == "")
        #expect(decoder.append(-5) == "")
    }
}
