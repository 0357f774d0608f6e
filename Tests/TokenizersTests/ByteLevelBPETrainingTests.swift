import Foundation
import Testing
import Tokenizers

@Suite struct ByteLevelBPETrainingTests {
    @Test func rejectsEmptyCorpusAndTinyVocabularies() {
        #expect(throws: TokenizerError.self) { try ByteLevelBPETokenizer.train(corpus: [], vocabularySize: 300) }
        #expect(throws: TokenizerError.self) { try ByteLevelBPETokenizer.train(corpus: ["", ""], vocabularySize: 300) }
        #expect(throws: TokenizerError.self) { try ByteLevelBPETokenizer.train(corpus: ["text"], vocabularySize: 256) }
        #expect(throws: TokenizerError.self) {
            try ByteLevelBPETokenizer.train(corpus: ["text"], vocabularySize: 257, specialTokens: ["<a>", "<b>"])
        }
        #expect(throws: TokenizerError.self) {
            try ByteLevelBPETokenizer.train(corpus: ["text"], vocabularySize: 300, specialTokens: ["<a>", "<a>"])
        }
        do {
            _ = try ByteLevelBPETokenizer.train(corpus: [], vocabularySize: 300)
        } catch {
            #expect("\(error)".contains("empty"))
        }
    }

    @Test func reachesTheRequestedVocabularySizeWithSpecialTokensLast() throws {
        let tokenizer = try ByteLevelBPETokenizer.train(corpus: try Fixtures.corpusLines(), vocabularySize: 300,
                                                        specialTokens: ["<|endoftext|>", "<|pad|>"])
        #expect(tokenizer.vocabularySize == 300)
        #expect(tokenizer.merges.count == 42)
        #expect(tokenizer.tokenString(298) == "<|endoftext|>")
        #expect(tokenizer.tokenString(299) == "<|pad|>")
        #expect(tokenizer.endOfTextTokenID == 298)
        // Byte tokens come first, in GPT-2's order: id 220 is the space, as in GPT-2.
        #expect(tokenizer.tokenString(220) == "Ġ")
        #expect(tokenizer.tokenString(0) == "!")
        #expect(tokenizer.encode("a<|pad|>b") == [tokenizer.encode("a")[0], 299, tokenizer.encode("b")[0]])
    }

    @Test func vocabularyOf257HasNoMerges() throws {
        let tokenizer = try ByteLevelBPETokenizer.train(corpus: ["aaaa bbbb"], vocabularySize: 257)
        #expect(tokenizer.merges.isEmpty)
        #expect(tokenizer.encode("ab") == [64, 65])
    }

    /// Ties go to the smallest (left id, right id): here every pair occurs once.
    @Test func tiesBreakBySmallestPairIDs() throws {
        let tokenizer = try ByteLevelBPETokenizer.train(corpus: ["ab cd"], vocabularySize: 1000)
        #expect(tokenizer.merges.map { "\($0.0) \($0.1)" } == ["a b", "c d", "Ġ cd"])
        // Stops early when no pair is left: 256 bytes + 3 merges + 1 special token.
        #expect(tokenizer.vocabularySize == 260)
        #expect(tokenizer.encode("ab cd") == [256, 258])
    }

    @Test func mostFrequentPairMergesFirst() throws {
        // Words: "xy" ×2 and " xy" ×2 give (x, y) 4 occurrences against (Ġ, x) 2.
        let tokenizer = try ByteLevelBPETokenizer.train(corpus: ["xy xy xy ab", "xy"], vocabularySize: 258)
        #expect(tokenizer.merges.first.map { "\($0.0) \($0.1)" } == "x y")
        // Words: " x" ×3 and " xy" give (Ġ, x) 4 occurrences against (x, y) 1.
        let spaced = try ByteLevelBPETokenizer.train(corpus: [" x x x xy"], vocabularySize: 258)
        #expect(spaced.merges.first.map { "\($0.0) \($0.1)" } == "Ġ x")
    }

    @Test func specialTokensInTheCorpusAreCutOut() throws {
        let tokenizer = try ByteLevelBPETokenizer.train(corpus: ["x<|endoftext|>y", "x<|endoftext|>y"], vocabularySize: 1000)
        #expect(tokenizer.merges.isEmpty)
        #expect(tokenizer.encode("x<|endoftext|>y") == [87, 256, 88])
    }

    @Test func trainingIsDeterministic() throws {
        let corpus = try Fixtures.corpusLines()
        let first = try ByteLevelBPETokenizer.train(corpus: corpus, vocabularySize: 350).tokenizerJSON()
        let second = try ByteLevelBPETokenizer.train(corpus: corpus.reversed(), vocabularySize: 350).tokenizerJSON()
        #expect(first == second)
    }

    @Test func roundTripsTextNeverSeenInTraining() throws {
        let tokenizer = try ByteLevelBPETokenizer.train(corpus: try Fixtures.corpusLines(), vocabularySize: 400)
        let texts = ["Ünïcödé ✓ 🚀🚀 \u{0}\u{7F} control\u{1B}[0m", "   \n\n\t\t  x", "Ωmega\u{2126}", "日本語のテキスト", ""]
        for text in texts {
            let ids = tokenizer.encode(text)
            #expect(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) })
            #expect(tokenizer.decode(ids) == text)
        }
    }

    /// One 120 KB piece (no spaces): the priority-queue merge path keeps this fast even in debug builds
    /// (milliseconds; a quadratic merge loop would take minutes). Speed is measured by scripts/bench,
    /// not asserted here.
    @Test func longPiecesEncodeAndRoundTrip() throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        let text = String(repeating: "thequickbrownfox", count: 7_500)
        let ids = tokenizer.encode(text)
        #expect(tokenizer.decode(ids) == text)
        #expect(ids.count < text.utf8.count * 9 / 10)  // merges applied (97,500 tokens for 120,000 bytes)
    }

    @Test func concurrentEncodingAgreesWithSerialEncoding() async throws {
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: try Fixtures.url("bpe-trained-tokenizer.json"))
        let lines = try Fixtures.corpusLines()
        let expected = lines.map { tokenizer.encode($0) }
        let results = await withTaskGroup(of: (Int, [Int]).self) { group in
            for _ in 0..<4 {
                for (index, line) in lines.enumerated() {
                    group.addTask { (index, tokenizer.encode(line)) }
                }
            }
            var collected: [(Int, [Int])] = []
            for await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == lines.count * 4)
        for (index, ids) in results { #expect(ids == expected[index]) }
    }
}

@Suite struct ByteLevelAlphabetTests {
    @Test func mapsAllBytesToDistinctPrintableScalars() {
        let scalars = ByteLevelAlphabet.scalarForByte
        #expect(Set(scalars).count == 256)
        #expect(scalars[0x20] == "Ġ")
        #expect(scalars[0x0A] == "Ċ")
        #expect(scalars[0x09] == "ĉ")
        #expect(scalars[Int(UInt8(ascii: "A"))] == "A")
        #expect(scalars[0xAD] == "Ń")
        #expect(ByteLevelAlphabet.orderedBytes.count == 256)
        #expect(ByteLevelAlphabet.orderedBytes[220] == 0x20)
        for byte in 0..<256 { #expect(ByteLevelAlphabet.byte(for: scalars[byte]) == UInt8(byte)) }
        #expect(ByteLevelAlphabet.decode("héllo") == nil || ByteLevelAlphabet.decode("héllo") == [0x68, 0xE9, 0x6C, 0x6C, 0x6F])
        #expect(ByteLevelAlphabet.decode("ĠĊ") == [0x20, 0x0A])
        #expect(ByteLevelAlphabet.decode("\u{4E00}") == nil)
    }
}
