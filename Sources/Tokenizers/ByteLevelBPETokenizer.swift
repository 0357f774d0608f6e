import Foundation

/// GPT-2's byte-level BPE tokenizer: added tokens are split out first, the rest is pre-tokenised with
/// GPT-2's pattern (or Llama 3's / Qwen 2's), each piece's UTF-8 bytes become byte tokens, and merges
/// apply by rank.
///
/// Immutable after init (the per-word cache is internally locked), hence `Sendable`.
public final class ByteLevelBPETokenizer: Tokenizer {
    /// Token strings by id: model tokens in the byte-level alphabet (`Ġhello`), added tokens verbatim.
    public let vocabulary: [String]
    /// Merges in rank order, as token strings.
    public let merges: [(String, String)]
    /// Added tokens (special or not), in id order.
    public let addedTokens: [AddedToken]
    /// Whether a space is put before text that does not start with one (`add_prefix_space` of the
    /// ByteLevel pre-tokenizer; false for GPT-2).
    public let addsPrefixSpace: Bool
    /// Ids put before / after every encoded text (a `TemplateProcessing` post-processor); empty for GPT-2.
    public let prefixTokenIDs: [Int]
    public let suffixTokenIDs: [Int]
    /// How text is cut into pieces before merging.
    public let preTokenizerPattern: PreTokenizerPattern
    /// Whether a piece that is itself a vocabulary token is output whole, without merging
    /// (`ignore_merges` of Llama 3's tokenizer.json).
    public let ignoresMerges: Bool
    /// Whether text is put in Unicode NFC before pre-tokenisation (Qwen 2's `normalizer`).
    public let normalizesToNFC: Bool

    /// Keyed by exact bytes (Swift's String equality would merge canonically equivalent tokens).
    let tokenIDs: [ExactString: Int]
    /// Bytes each id decodes to.
    let tokenBytes: [[UInt8]]
    let mergeTable: BPEMergeTable
    let addedTokenMatcher: AddedTokenMatcher
    let cache = WordCache()
    /// Only written back by `tokenizerJSON()`; no effect on ids.
    let trimOffsets: Bool

    /// From raw vocab + merges (e.g. GGUF's `tokenizer.ggml.tokens` / `tokenizer.ggml.merges`).
    /// - Parameters:
    ///   - vocabulary: token strings by id, in the byte-level alphabet; must contain all 256 single-byte tokens.
    ///   - merges: pairs of vocabulary tokens in rank order; each concatenation must be in the vocabulary.
    ///   - specialTokens: content → id; an id inside `vocabulary` must hold the same string, ids past its
    ///     end extend it and must leave no gap.
    public convenience init(vocabulary: [String], merges: [(String, String)], specialTokens: [String: Int]) throws {
        let added = specialTokens.map { AddedToken(id: $0.value, content: $0.key, isSpecial: true) }
        try self.init(vocabulary: vocabulary, merges: merges, addedTokens: added, source: nil)
    }

    /// From raw vocab + merges with another pre-tokenizer, e.g. a GGUF `gpt2`-type model whose
    /// `tokenizer.ggml.pre` is "llama-bpe" (`PreTokenizerPattern(ggufPreTokenizer:)`).
    /// - Parameters:
    ///   - ignoreMerges: output a piece that is itself a token whole (Llama 3).
    ///   - normalizeToNFC: put text in NFC first (Qwen 2).
    public convenience init(vocabulary: [String], merges: [(String, String)], specialTokens: [String: Int],
                            preTokenizer: PreTokenizerPattern, ignoreMerges: Bool = false, normalizeToNFC: Bool = false) throws {
        let added = specialTokens.map { AddedToken(id: $0.value, content: $0.key, isSpecial: true) }
        try self.init(vocabulary: vocabulary, merges: merges, addedTokens: added, preTokenizerPattern: preTokenizer,
                      ignoresMerges: ignoreMerges, normalizesToNFC: normalizeToNFC, source: nil)
    }

    /// Splits merge lines such as GGUF's `tokenizer.ggml.merges` ("Ġ t") into pairs.
    /// - Throws: `TokenizerError` naming `tokenizer.ggml.merges[i]` for a line that is not two tokens
    ///   separated by one space.
    public static func mergePairs(fromLines lines: [String]) throws -> [(String, String)] {
        try lines.enumerated().map { index, line in
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw TokenizerError(key: "tokenizer.ggml.merges[\(index)]", "'\(line)' is not two tokens separated by one space")
            }
            return (String(parts[0]), String(parts[1]))
        }
    }

    /// The designated initialiser: every other one ends here.
    /// - Parameter source: file name for error messages, and the key prefix the inputs came from.
    init(vocabulary modelVocabulary: [String], merges: [(String, String)], addedTokens: [AddedToken],
         addsPrefixSpace: Bool = false, trimOffsets: Bool = true,
         prefixTokenIDs: [Int] = [], suffixTokenIDs: [Int] = [],
         preTokenizerPattern: PreTokenizerPattern = .gpt2, ignoresMerges: Bool = false, normalizesToNFC: Bool = false,
         source: String?) throws {
        var vocabulary = modelVocabulary
        let added = addedTokens.sorted { $0.id < $1.id }
        for token in added {
            guard token.id >= 0 else {
                throw TokenizerError(file: source, key: "added_tokens", "token '\(token.content)' has negative id \(token.id)")
            }
            if token.id < vocabulary.count {
                guard ExactString(vocabulary[token.id]) == ExactString(token.content) else {
                    throw TokenizerError(file: source, key: "added_tokens",
                                         "token '\(token.content)' has id \(token.id), which the vocabulary gives to '\(vocabulary[token.id])'")
                }
            } else if token.id == vocabulary.count {
                vocabulary.append(token.content)
            } else {
                throw TokenizerError(file: source, key: "added_tokens",
                                     "token '\(token.content)' has id \(token.id) but the vocabulary ends at \(vocabulary.count - 1); ids must be contiguous")
            }
        }
        var tokenIDs: [ExactString: Int] = [:]
        tokenIDs.reserveCapacity(vocabulary.count)
        for (id, token) in vocabulary.enumerated() {
            // A duplicate keeps its first id (GGUF vocabularies may repeat padding entries).
            if tokenIDs[ExactString(token)] == nil { tokenIDs[ExactString(token)] = id }
        }
        var byteTokenIDs = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let token = String(ByteLevelAlphabet.scalarForByte[byte])
            guard let id = tokenIDs[ExactString(token)] else {
                throw TokenizerError(file: source, key: "model.vocab",
                                     "the byte token '\(token)' (byte 0x\(String(byte, radix: 16))) is missing; byte-level BPE needs all 256")
            }
            byteTokenIDs[byte] = Int32(id)
        }
        var mergeIDs: [(Int32, Int32, Int32)] = []
        mergeIDs.reserveCapacity(merges.count)
        for (index, merge) in merges.enumerated() {
            guard let left = tokenIDs[ExactString(merge.0)], let right = tokenIDs[ExactString(merge.1)] else {
                let missing = tokenIDs[ExactString(merge.0)] == nil ? merge.0 : merge.1
                throw TokenizerError(file: source, key: "model.merges[\(index)]", "token '\(missing)' of merge '\(merge.0) \(merge.1)' is not in the vocabulary")
            }
            guard let merged = tokenIDs[ExactString(merge.0 + merge.1)] else {
                throw TokenizerError(file: source, key: "model.merges[\(index)]", "the merged token '\(merge.0 + merge.1)' is not in the vocabulary")
            }
            mergeIDs.append((Int32(left), Int32(right), Int32(merged)))
        }
        for id in prefixTokenIDs + suffixTokenIDs where !(0..<vocabulary.count).contains(id) {
            throw TokenizerError(file: source, key: "post_processor", "token id \(id) is outside the vocabulary (size \(vocabulary.count))")
        }
        self.vocabulary = vocabulary
        self.merges = merges
        self.addedTokens = added
        self.addsPrefixSpace = addsPrefixSpace
        self.trimOffsets = trimOffsets
        self.prefixTokenIDs = prefixTokenIDs
        self.suffixTokenIDs = suffixTokenIDs
        self.preTokenizerPattern = preTokenizerPattern
        self.ignoresMerges = ignoresMerges
        self.normalizesToNFC = normalizesToNFC
        self.tokenIDs = tokenIDs
        // Decoding follows Hugging Face's ByteLevel decoder: a token whose every scalar is in the byte
        // alphabet decodes to those bytes, any other token to its own UTF-8.
        self.tokenBytes = vocabulary.map { ByteLevelAlphabet.decode($0) ?? Array($0.utf8) }
        self.mergeTable = BPEMergeTable(merges: mergeIDs, byteTokenIDs: byteTokenIDs)
        self.addedTokenMatcher = AddedTokenMatcher(added)
    }

    // MARK: Tokenizer

    public var vocabularySize: Int { vocabulary.count }

    /// `<|endoftext|>` if present, else `<|end_of_text|>`, `</s>` or `<eos>`.
    public var endOfTextTokenID: Int? {
        for name in ["<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>"] {
            if let id = tokenIDs[ExactString(name)] { return id }
        }
        return nil
    }

    /// `<|begin_of_text|>`, `<|startoftext|>`, `<s>` or `<bos>` if present; otherwise the end-of-text
    /// token, which GPT-2 uses as its BOS (`bos_token` in its tokenizer_config.json). Never added by `encode`.
    public var beginningOfTextTokenID: Int? {
        for name in ["<|begin_of_text|>", "<|startoftext|>", "<s>", "<bos>"] {
            if let id = tokenIDs[ExactString(name)] { return id }
        }
        return endOfTextTokenID
    }

    public func tokenString(_ id: Int) -> String? {
        vocabulary.indices.contains(id) ? vocabulary[id] : nil
    }

    /// The id of a token string (byte-level alphabet for model tokens), nil if absent.
    public func tokenID(_ token: String) -> Int? { tokenIDs[ExactString(token)] }

    /// The raw bytes a token stands for (for streaming: a token may end inside a UTF-8 character).
    public func tokenBytes(_ id: Int) -> [UInt8]? {
        tokenBytes.indices.contains(id) ? tokenBytes[id] : nil
    }

    public func encode(_ text: String) -> [Int] {
        var output = prefixTokenIDs
        output.reserveCapacity(text.utf8.count / 3 + prefixTokenIDs.count + suffixTokenIDs.count)
        var text = text
        text.withUTF8 { bytes in
            var segmentStart = 0
            addedTokenMatcher.forEachMatch(in: bytes, range: 0..<bytes.count) { match, id in
                encodeOrdinaryText(bytes, range: segmentStart..<match.lowerBound, into: &output)
                output.append(id)
                segmentStart = match.upperBound
            }
            encodeOrdinaryText(bytes, range: segmentStart..<bytes.count, into: &output)
        }
        output += suffixTokenIDs
        return output
    }

    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids where tokenBytes.indices.contains(id) {
            bytes += tokenBytes[id]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Encoding internals

    /// Text between added tokens: pre-tokenise, then BPE each piece (through the cache).
    private func encodeOrdinaryText(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, into output: inout [Int]) {
        if range.isEmpty { return }
        if normalizesToNFC, !bytes[range].allSatisfy({ $0 < 0x80 }) {
            // ASCII is already NFC; anything else goes through Foundation's canonical composition.
            let segment = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            var normalized = Array(segment.precomposedStringWithCanonicalMapping.utf8)
            if addsPrefixSpace && normalized.first != 0x20 { normalized.insert(0x20, at: 0) }
            normalized.withUnsafeBufferPointer { encodePieces($0, range: 0..<$0.count, into: &output) }
            return
        }
        if addsPrefixSpace && bytes[range.lowerBound] != 0x20 {
            var spaced: [UInt8] = [0x20]
            spaced += bytes[range]
            spaced.withUnsafeBufferPointer { spacedBytes in
                encodePieces(spacedBytes, range: 0..<spacedBytes.count, into: &output)
            }
        } else {
            encodePieces(bytes, range: range, into: &output)
        }
    }

    private func encodePieces(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, into output: inout [Int]) {
        let byteTokenIDs = mergeTable.byteTokenIDs
        preTokenizerPattern.split(bytes, range: range) { piece in
            if piece.count == 1 {
                output.append(Int(byteTokenIDs[Int(bytes[piece.lowerBound])]))
                return
            }
            let pieceBytes = UnsafeBufferPointer(rebasing: bytes[piece])
            let word = String(decoding: pieceBytes, as: UTF8.self)
            if let cached = cache.value(for: word) {
                for id in cached { output.append(Int(id)) }
                return
            }
            var ids: [Int32]
            if ignoresMerges, let whole = tokenIDs[ExactString(ByteLevelAlphabet.encode(pieceBytes))] {
                ids = [Int32(whole)]
            } else {
                ids = mergeTable.encodeWord(pieceBytes)
            }
            // Long pieces (runs of spaces, base64 blobs) rarely repeat: keep them out of the cache.
            if piece.count <= 64 { cache.insert(ids, for: word) }
            for id in ids { output.append(Int(id)) }
        }
    }
}
