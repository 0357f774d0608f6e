import Foundation
import Testing
import Tokenizers

/// tokenizer.json reading, writing and error reporting.
@Suite struct TokenizerJSONTests {
    /// The fixture as a mutable JSON object.
    func fixtureObject() throws -> [String: Any] {
        let data = try Fixtures.data("bpe-trained-tokenizer.json")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func load(_ object: [String: Any]) throws -> ByteLevelBPETokenizer {
        try ByteLevelBPETokenizer(tokenizerJSON: try JSONSerialization.data(withJSONObject: object))
    }

    /// The error thrown while loading `object`, or nil.
    func loadError(_ object: [String: Any]) throws -> TokenizerError? {
        do {
            _ = try load(object)
            return nil
        } catch let error as TokenizerError {
            return error
        }
    }

    func edit(_ change: (inout [String: Any]) -> Void) throws -> [String: Any] {
        var object = try fixtureObject()
        change(&object)
        return object
    }

    func editModel(_ change: (inout [String: Any]) -> Void) throws -> [String: Any] {
        try edit { object in
            var model = object["model"] as? [String: Any] ?? [:]
            change(&model)
            object["model"] = model
        }
    }

    @Test func writeThenReadGivesTheSameTokenizer() throws {
        let original = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("tokenizer.json")
        try original.write(to: url)
        try original.write(to: url)  // replacing an existing file
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["tokenizer.json"])
        let reloaded = try ByteLevelBPETokenizer(contentsOf: url)
        #expect(reloaded.vocabulary == original.vocabulary)
        #expect(reloaded.merges.map { $0.0 + " " + $0.1 } == original.merges.map { $0.0 + " " + $0.1 })
        #expect(reloaded.addedTokens == original.addedTokens)
        #expect(try reloaded.tokenizerJSON() == (try original.tokenizerJSON()))
        let text = "Round trip: the tokenizer's output\tis stable 123 🙂"
        #expect(reloaded.encode(text) == original.encode(text))
    }

    @Test func acceptsMergesAsPairs() throws {
        let object = try editModel { model in
            let merges = model["merges"] as? [String] ?? []
            model["merges"] = merges.map { $0.split(separator: " ").map(String.init) }
        }
        let pairs = try load(object)
        let strings = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        #expect(pairs.merges.count == strings.merges.count)
        let text = "The quick brown fox doesn't mind."
        #expect(pairs.encode(text) == strings.encode(text))
    }

    @Test func truncatedOrCorruptJSONNamesTheFile() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("broken-tokenizer.json")
        let data = try Fixtures.data("bpe-trained-tokenizer.json")
        for broken in [data.prefix(data.count / 2), Data("{\"model\": [1, 2,, 3]}".utf8), Data(), Data([0xFF, 0xFE, 0x00])] {
            try broken.write(to: url)
            do {
                _ = try ByteLevelBPETokenizer(contentsOf: url)
                Issue.record("loading \(broken.count) broken bytes should fail")
            } catch let error as TokenizerError {
                #expect(error.file == url.path)
                #expect(error.description.contains("broken-tokenizer.json"))
            }
        }
        do {
            _ = try ByteLevelBPETokenizer(contentsOf: folder.appendingPathComponent("missing.json"))
            Issue.record("a missing file should fail")
        } catch let error as TokenizerError {
            #expect(error.description.contains("missing.json"))
        }
        #expect(throws: TokenizerError.self) { try ByteLevelBPETokenizer(tokenizerJSON: Data("[1, 2]".utf8)) }
    }

    @Test func missingOrMalformedKeysAreNamed() throws {
        let cases: [(String, [String: Any])] = [
            ("model", try edit { $0["model"] = nil }),
            ("model.vocab", try editModel { $0["vocab"] = nil }),
            ("model.merges", try editModel { $0["merges"] = nil }),
            ("model.merges", try editModel { $0["merges"] = "a b" }),
            ("model.merges[2]", try editModel { model in
                var merges = model["merges"] as? [Any] ?? []
                merges[2] = "nospace"
                model["merges"] = merges
            }),
            ("model.merges[1]", try editModel { model in
                var merges = model["merges"] as? [Any] ?? []
                merges[1] = "Ġ notInVocabulary"
                model["merges"] = merges
            }),
            ("model.vocab", try editModel { model in
                var vocab = model["vocab"] as? [String: Any] ?? [:]
                vocab["extra"] = 5000  // leaves a gap
                model["vocab"] = vocab
            }),
            ("model.vocab", try editModel { model in
                var vocab = model["vocab"] as? [String: Any] ?? [:]
                vocab["Ġ"] = nil  // a missing byte token
                vocab["<replacement>"] = 220
                model["vocab"] = vocab
            }),
            ("model.type", try editModel { $0["type"] = "Unigram" }),
            ("pre_tokenizer.type", try edit { $0["pre_tokenizer"] = ["type": "Metaspace", "replacement": "▁"] }),
            ("pre_tokenizer.use_regex", try edit { $0["pre_tokenizer"] = ["type": "ByteLevel", "use_regex": false] }),
            ("pre_tokenizer.add_prefix_space", try edit { $0["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": "yes"] }),
            ("pre_tokenizer", try edit { $0["pre_tokenizer"] = NSNull() }),
            ("pre_tokenizer.add_prefix_space", try edit { $0["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": 1] }),
            ("model.vocab", try editModel { model in
                var vocab = model["vocab"] as? [String: Any] ?? [:]
                vocab["Ġ"] = 220.5
                model["vocab"] = vocab
            }),
            ("model.vocab", try editModel { model in
                var vocab = model["vocab"] as? [String: Any] ?? [:]
                vocab["Ġ"] = "220"
                model["vocab"] = vocab
            }),
            ("model.merges[0]", try editModel { $0["merges"] = [["Ġ"]] }),
            ("normalizer", try edit { $0["normalizer"] = ["type": "NFKC"] }),
            ("decoder.type", try edit { $0["decoder"] = ["type": "WordPiece"] }),
            ("added_tokens[0].content", try edit { $0["added_tokens"] = [["id": 399, "special": true]] }),
            ("added_tokens", try edit { $0["added_tokens"] = [["id": 900, "content": "<far>", "special": true]] }),
            ("post_processor.type", try edit { $0["post_processor"] = ["type": "BertProcessing"] }),
        ]
        for (key, object) in cases {
            let error = try #require(try loadError(object), "expected an error for \(key)")
            #expect(error.key == key, "\(error)")
            #expect(error.description.contains(key))
        }
    }

    @Test func addPrefixSpaceTreatsTextAsSpaced() throws {
        let plain = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        let prefixed = try load(try edit {
            $0["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
        })
        #expect(prefixed.addsPrefixSpace)
        #expect(prefixed.encode("the fox") == plain.encode(" the fox"))
        #expect(prefixed.encode(" the fox") == plain.encode(" the fox"))
        #expect(prefixed.encode("a<|endoftext|>b") == plain.encode(" a<|endoftext|> b"))
    }

    @Test func templateProcessingAddsItsSpecialTokens() throws {
        let object = try edit { object in
            object["post_processor"] = [
                "type": "TemplateProcessing",
                "single": [["SpecialToken": ["id": "<|endoftext|>", "type_id": 0]], ["Sequence": ["id": "A", "type_id": 0]]],
                "pair": [["Sequence": ["id": "A", "type_id": 0]], ["Sequence": ["id": "B", "type_id": 1]]],
                "special_tokens": ["<|endoftext|>": ["id": "<|endoftext|>", "ids": [399], "tokens": ["<|endoftext|>"]]],
            ]
        }
        let tokenizer = try load(object)
        let plain = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        #expect(tokenizer.encode("the fox") == [399] + plain.encode("the fox"))
        let reloaded = try ByteLevelBPETokenizer(tokenizerJSON: try tokenizer.tokenizerJSON())
        #expect(reloaded.prefixTokenIDs == [399])
    }

    @Test func buildsFromRawVocabularyAndMerges() throws {
        let bytes = ByteLevelAlphabet.orderedBytes.map { String(ByteLevelAlphabet.scalarForByte[Int($0)]) }
        let vocabulary = bytes + ["he", "Ġhe", "<|endoftext|>"]
        let merges = try ByteLevelBPETokenizer.mergePairs(fromLines: ["h e", "Ġ he"])
        #expect(throws: TokenizerError.self) { try ByteLevelBPETokenizer.mergePairs(fromLines: ["h e", "Ġhe"]) }
        let tokenizer = try ByteLevelBPETokenizer(vocabulary: vocabulary, merges: merges,
                                                  specialTokens: ["<|endoftext|>": 258])
        #expect(tokenizer.encode("he he<|endoftext|>") == [256, 257, 258])
        #expect(tokenizer.decode([256, 257, 258]) == "he he<|endoftext|>")
        #expect(tokenizer.endOfTextTokenID == 258)
        // The special token may also extend the vocabulary.
        let extended = try ByteLevelBPETokenizer(vocabulary: Array(vocabulary.dropLast()), merges: [("h", "e")],
                                                 specialTokens: ["<|endoftext|>": 258])
        #expect(extended.vocabularySize == 259)
        #expect(throws: TokenizerError.self) {
            try ByteLevelBPETokenizer(vocabulary: vocabulary, merges: [("h", "x")], specialTokens: [:])
        }
        #expect(throws: TokenizerError.self) {
            try ByteLevelBPETokenizer(vocabulary: vocabulary, merges: [], specialTokens: ["<|endoftext|>": 100])
        }
        #expect(throws: TokenizerError.self) {
            try ByteLevelBPETokenizer(vocabulary: Array(bytes.dropFirst()), merges: [], specialTokens: [:])
        }
    }

    /// Added tokens match leftmost first, then longest; thousands of tokens sharing a prefix are fine.
    @Test func addedTokensMatchLeftmostLongest() throws {
        let bytes = ByteLevelAlphabet.orderedBytes.map { String(ByteLevelAlphabet.scalarForByte[Int($0)]) }
        var specials = ["<ab>": 256, "<abc>": 257, "c>x": 258]
        for index in 0..<3000 { specials["<unused\(index)>"] = 259 + index }
        let tokenizer = try ByteLevelBPETokenizer(vocabulary: bytes, merges: [], specialTokens: specials)
        let text = "<abc>x<ab>c>x<unused2999><unused12>"
        #expect(tokenizer.encode(text) == [257, tokenizer.encode("x")[0], 256, 258, 3258, 271])
        #expect(tokenizer.decode(tokenizer.encode(text)) == text)
        #expect(tokenizer.encode("<unused3000>").count > 1)
    }

    @Test func writtenFileLoadsWithTheExpectedSchema() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: try tokenizer.tokenizerJSON()) as? [String: Any])
        #expect(object["version"] as? String == "1.0")
        #expect(object["normalizer"] is NSNull)
        let preTokenizer = try #require(object["pre_tokenizer"] as? [String: Any])
        #expect(preTokenizer["type"] as? String == "ByteLevel")
        #expect(preTokenizer["add_prefix_space"] as? Bool == false)
        #expect(preTokenizer["use_regex"] as? Bool == true)
        let model = try #require(object["model"] as? [String: Any])
        #expect(model["type"] as? String == "BPE")
        #expect((model["vocab"] as? [String: Any])?.count == 400)
        #expect((model["merges"] as? [Any])?.count == 143)
        let added = try #require(object["added_tokens"] as? [[String: Any]])
        #expect(added.first?["content"] as? String == "<|endoftext|>")
        #expect(added.first?["id"] as? Int == 399)
    }
}
