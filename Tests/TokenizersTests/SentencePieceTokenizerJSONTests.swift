import Foundation
import Testing
import Tokenizers

/// Llama-2-style tokenizer.json files (SentencePiece BPE converted as transformers' LlamaConverter
/// converts it; scripts/llama2-tokenizer-reference.py) against Hugging Face `tokenizers`' own ids.
@Suite struct SentencePieceTokenizerJSONTests {
    struct Reference: Decodable {
        struct Case: Decodable { var text: String; var ids: [Int]; var decoded: String }
        var source: String
        var files: [String: [Case]]
    }

    /// Both forms: the legacy one (Prepend + Replace normalizers: every stretch between added tokens
    /// gets "▁") and the newer one (Metaspace, prepend_scheme "first"). The texts include added tokens
    /// (`<sep>` user-defined, `<s>` `</s>` special), runs of spaces, bytes with no piece (byte fallback).
    @Test(arguments: ["spm-llama2-tokenizer.json", "spm-llama2-metaspace-tokenizer.json"])
    func idsMatchHuggingFaceTokenizers(file: String) throws {
        let reference = try Fixtures.decode(Reference.self, "spm-llama2-reference.json")
        let cases = try #require(reference.files[file])
        #expect(cases.count > 40)
        let data = try Fixtures.data(file)
        #expect(SentencePieceTokenizer.isSentencePieceTokenizerJSON(data))
        let tokenizer = try SentencePieceTokenizer(tokenizerJSON: data, source: file)
        #expect(tokenizer.bosTokenID == 1 && tokenizer.eosTokenID == 2 && tokenizer.unknownTokenID == 0 && !tokenizer.addsBOS)
        for testCase in cases {
            #expect(tokenizer.encode(testCase.text) == testCase.ids, "ids for \(testCase.text.debugDescription)")
        }
    }

    /// The legacy form's pieces and the sentencepiece library's agree wherever the text has no added
    /// token (where the two readers differ by design, see `SpacePrefixRule`).
    @Test func withoutAddedTokensTheIdsAreSentencePieces() throws {
        let tokenizer = try SentencePieceTokenizer(tokenizerJSON: try Fixtures.data("spm-llama2-tokenizer.json"))
        let sentencePiece = try Fixtures.decode(ReferenceFile.self, "spm-reference.json")
        let plain = sentencePiece.cases.filter { !$0.text.contains("<") }
        #expect(plain.count > 40)
        for testCase in plain {
            #expect(tokenizer.encode(testCase.text) == testCase.ids, "ids for \(testCase.text.debugDescription)")
            #expect(tokenizer.decode(testCase.ids) == testCase.decoded, "decode of \(testCase.text.debugDescription)")
        }
    }

    @Test func unsupportedFilesNameTheKey() throws {
        let data = try Fixtures.data("spm-llama2-tokenizer.json")
        func edited(_ change: (inout [String: Any]) -> Void) throws -> Data {
            var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            change(&object)
            return try JSONSerialization.data(withJSONObject: object)
        }
        let cases: [((inout [String: Any]) -> Void, String)] = [
            ({ $0["normalizer"] = ["type": "NFKC"] }, "key 'normalizer.type': expected Prepend(\"▁\") then Replace"),
            ({ $0["normalizer"] = NSNull(); $0["pre_tokenizer"] = ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": false] },
             "key 'pre_tokenizer.prepend_scheme': 'always' is not supported"),
            ({ $0["normalizer"] = NSNull(); $0["pre_tokenizer"] = ["type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true] },
             "key 'pre_tokenizer.split': only split = false"),
            ({ var model = $0["model"] as! [String: Any]; model["merges"] = ["▁ zzz"]; $0["model"] = model },
             "key 'model.merges[0]': '▁' or 'zzz' is not in the vocabulary"),
        ]
        for (change, message) in cases {
            #expect { _ = try SentencePieceTokenizer(tokenizerJSON: try edited(change), source: "t.json") } throws: {
                "\($0)".contains(message) && "\($0)".contains("t.json")
            }
        }
    }
}
