import Foundation

/// A SentencePiece BPE tokenizer as stored in GGUF files with `tokenizer.ggml.model = llama`
/// (Llama 1/2, Mistral, Gemma — Gemma 3 included).
///
/// Encoding: user-defined tokens are cut out first (leftmost-longest); the rest has spaces replaced
/// by "▁" (with one "▁" put in front of the whole text when `addSpacePrefix`), is split into Unicode
/// scalars, and adjacent symbols are merged highest score first (leftmost on ties) while their
/// concatenation is a vocabulary piece — llama.cpp's SPM algorithm, a priority queue of bigrams.
/// Symbols that are not pieces fall back to `<0xNN>` byte tokens, or the unknown token.
/// Immutable after init, hence `Sendable`.
public final class SentencePieceTokenizer: Tokenizer {
    /// GGUF `tokenizer.ggml.token_type` values (SentencePiece's piece types).
    public enum TokenType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// Pieces by id, "▁" standing for a space.
    public let tokens: [String]
    public let scores: [Float]
    public let tokenTypes: [TokenType]
    public let bosTokenID: Int?
    public let eosTokenID: Int?
    public let unknownTokenID: Int?
    public let paddingTokenID: Int?
    /// Whether `encode` puts BOS first (GGUF `tokenizer.ggml.add_bos_token`).
    public let addsBOS: Bool
    /// Whether `encode` puts EOS last (GGUF `tokenizer.ggml.add_eos_token`).
    public let addsEOS: Bool
    /// Whether a "▁" goes before the text (SentencePiece `add_dummy_prefix`, GGUF
    /// `tokenizer.ggml.add_space_prefix`; true for Llama, false for Gemma).
    public let addsSpacePrefix: Bool
    /// Where that "▁" goes when the text holds added tokens (`SpacePrefixRule`).
    public let spacePrefixRule: SpacePrefixRule

    /// Where the space prefix goes. The readers of SentencePiece models (the `sentencepiece` library,
    /// llama.cpp) and of their Hugging Face conversions (tokenizer.json) differ around added tokens.
    public enum SpacePrefixRule: Sendable, Equatable {
        /// SentencePiece / llama.cpp: before each stretch of text between control tokens; user-defined
        /// tokens are cut out after it.
        case sentencePiece
        /// Hugging Face's legacy Llama tokenizer.json (normalizer `Prepend("▁")`): added tokens of either
        /// kind cut the text, and every stretch between them gets its own "▁".
        case everyStretch
        /// Hugging Face's `Metaspace` pre-tokenizer with `prepend_scheme: "first"`: added tokens cut the
        /// text; only a stretch at the very start gets "▁", and not when it starts with a space.
        case firstStretchUnlessSpace
    }

    /// Pieces that merges may form (normal, user-defined and unused), by exact bytes.
    let mergeablePieces: PieceTable
    /// Whether any piece is unused: only then must merges be remembered for resegmentation.
    let hasUnusedPieces: Bool
    /// `byteTokenIDs[b]` is the id of `<0xNN>` for byte b, or -1.
    let byteTokenIDs: [Int32]
    let userDefinedMatcher: AddedTokenMatcher
    let controlMatcher: AddedTokenMatcher
    /// User-defined and control tokens together (the Hugging Face rules cut at both).
    let addedMatcher: AddedTokenMatcher

    /// The sentence-piece code for U+2581 LOWER ONE EIGHTH BLOCK, which stands for a space.
    static let spaceMarker = "\u{2581}"

    /// - Parameters:
    ///   - tokens: pieces by id (GGUF `tokenizer.ggml.tokens`).
    ///   - scores: merge priority per piece, higher merges first (`tokenizer.ggml.scores`).
    ///   - tokenTypes: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte (`tokenizer.ggml.token_type`).
    ///   - bosTokenID, eosTokenID, unknownTokenID, paddingTokenID: special ids, nil if the model has none.
    ///   - addBOS / addEOS: put BOS / EOS around every encoded text.
    ///   - addSpacePrefix: put "▁" before the text.
    ///   - spacePrefixRule: where, when the text holds added tokens (SentencePiece's rule unless the
    ///     model comes from a Hugging Face tokenizer.json).
    /// - Throws: `TokenizerError` naming the GGUF key whose array is inconsistent.
    public init(tokens: [String], scores: [Float], tokenTypes: [Int32],
                bosTokenID: Int?, eosTokenID: Int?, unknownTokenID: Int?, paddingTokenID: Int? = nil,
                addBOS: Bool, addEOS: Bool = false, addSpacePrefix: Bool, spacePrefixRule: SpacePrefixRule = .sentencePiece) throws {
        guard !tokens.isEmpty else { throw TokenizerError(key: "tokenizer.ggml.tokens", "the vocabulary is empty") }
        guard scores.count == tokens.count else {
            throw TokenizerError(key: "tokenizer.ggml.scores", "has \(scores.count) entries for \(tokens.count) tokens")
        }
        guard tokenTypes.count == tokens.count else {
            throw TokenizerError(key: "tokenizer.ggml.token_type", "has \(tokenTypes.count) entries for \(tokens.count) tokens")
        }
        var types: [TokenType] = []
        types.reserveCapacity(tokens.count)
        for (id, raw) in tokenTypes.enumerated() {
            guard let type = TokenType(rawValue: raw) else {
                throw TokenizerError(key: "tokenizer.ggml.token_type[\(id)]", "type \(raw) of token '\(tokens[id])' is not one of 1–6")
            }
            types.append(type)
        }
        let specials: [(String, Int?)] = [("tokenizer.ggml.bos_token_id", bosTokenID), ("tokenizer.ggml.eos_token_id", eosTokenID),
                                         ("tokenizer.ggml.unknown_token_id", unknownTokenID), ("tokenizer.ggml.padding_token_id", paddingTokenID)]
        for (key, id) in specials {
            if let id, !tokens.indices.contains(id) {
                throw TokenizerError(key: key, "id \(id) is outside the vocabulary (size \(tokens.count))")
            }
        }
        if addBOS && bosTokenID == nil {
            throw TokenizerError(key: "tokenizer.ggml.add_bos_token", "BOS is to be added but there is no BOS id")
        }
        if addEOS && eosTokenID == nil {
            throw TokenizerError(key: "tokenizer.ggml.add_eos_token", "EOS is to be added but there is no EOS id")
        }
        var mergeable: [(String, Int32)] = []
        mergeable.reserveCapacity(tokens.count)
        var byteIDs = [Int32](repeating: -1, count: 256)
        var userDefined: [AddedToken] = []
        var control: [AddedToken] = []
        for (id, token) in tokens.enumerated() {
            switch types[id] {
            case .normal, .userDefined, .unused:
                // A repeated piece keeps its first id (PieceTable), as SentencePiece and llama.cpp do.
                mergeable.append((token, Int32(id)))
                if types[id] == .userDefined, !token.isEmpty { userDefined.append(AddedToken(id: id, content: token, isSpecial: false)) }
            case .byte:
                guard let byte = Self.byteValue(of: token) else {
                    throw TokenizerError(key: "tokenizer.ggml.tokens[\(id)]", "byte token '\(token)' is not of the form <0xNN>")
                }
                if byteIDs[Int(byte)] < 0 { byteIDs[Int(byte)] = Int32(id) }
            case .control:
                if !token.isEmpty { control.append(AddedToken(id: id, content: token, isSpecial: true)) }
            case .unknown:
                break
            }
        }
        self.tokens = tokens
        self.scores = scores
        self.tokenTypes = types
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.unknownTokenID = unknownTokenID ?? types.firstIndex(of: .unknown)
        self.paddingTokenID = paddingTokenID
        self.addsBOS = addBOS
        self.addsEOS = addEOS
        self.addsSpacePrefix = addSpacePrefix
        self.spacePrefixRule = spacePrefixRule
        self.mergeablePieces = PieceTable(mergeable)
        self.hasUnusedPieces = types.contains(.unused)
        self.byteTokenIDs = byteIDs
        self.userDefinedMatcher = AddedTokenMatcher(userDefined)
        self.controlMatcher = AddedTokenMatcher(control)
        self.addedMatcher = AddedTokenMatcher(userDefined + control)
    }

    /// The byte of a `<0xNN>` piece.
    static func byteValue(of token: String) -> UInt8? {
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, token.hasPrefix("<0x"), token.hasSuffix(">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    // MARK: Tokenizer

    public var vocabularySize: Int { tokens.count }
    public var endOfTextTokenID: Int? { eosTokenID }
    public var beginningOfTextTokenID: Int? { bosTokenID }

    public func tokenString(_ id: Int) -> String? {
        tokens.indices.contains(id) ? tokens[id] : nil
    }

    /// Ids for `text`, with BOS/EOS as configured. Control tokens written in the text (`<start_of_turn>`,
    /// `</s>`) become their ids, as Hugging Face's tokenizers and llama.cpp's server do, so chat
    /// templates work; use `encode(_:addingSpecialTokens:parsingControlTokens:)` to keep them as text
    /// (the `sentencepiece` library's behaviour).
    public func encode(_ text: String) -> [Int] {
        encode(text, addingSpecialTokens: true, parsingControlTokens: true)
    }

    /// - Parameters:
    ///   - addingSpecialTokens: add BOS/EOS as `addsBOS`/`addsEOS` say.
    ///   - parsingControlTokens: match control tokens (`<start_of_turn>`, `</s>`) written in `text`, as
    ///     llama.cpp's `parse_special`; each stretch of text between them is encoded as a text of its own
    ///     (with its own dummy prefix). User-defined tokens are always matched.
    public func encode(_ text: String, addingSpecialTokens: Bool, parsingControlTokens: Bool) -> [Int] {
        var output: [Int] = []
        if addingSpecialTokens, addsBOS, let bosTokenID { output.append(bosTokenID) }
        encodeText(text, parsingControlTokens: parsingControlTokens, into: &output)
        if addingSpecialTokens, addsEOS, let eosTokenID { output.append(eosTokenID) }
        return output
    }

    /// The UTF-8 bytes one token contributes to decoded text ("▁" as a space, `<0xNN>` as its byte,
    /// control and unknown tokens as nothing), for streaming; nil if out of range.
    public func tokenBytes(_ id: Int) -> [UInt8]? {
        guard tokens.indices.contains(id) else { return nil }
        switch tokenTypes[id] {
        case .normal, .userDefined, .unused:
            return Array(tokens[id].replacingOccurrences(of: Self.spaceMarker, with: " ").utf8)
        case .byte:
            return Self.byteValue(of: tokens[id]).map { [$0] } ?? []
        case .control, .unknown:
            return []
        }
    }

    /// SentencePiece's decoding: pieces joined with "▁" as spaces, byte tokens gathered into UTF-8
    /// (invalid sequences become U+FFFD), control tokens dropped, the unknown token as " ⁇ ", and
    /// the space of the dummy prefix removed from the first piece when `addsSpacePrefix`.
    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        var isFirstPiece = true
        for id in ids where tokens.indices.contains(id) {
            switch tokenTypes[id] {
            case .control:
                continue
            case .unknown:
                bytes += Array(" \u{2047} ".utf8)
            case .byte:
                if let byte = Self.byteValue(of: tokens[id]) { bytes.append(byte) }
            case .normal, .userDefined, .unused:
                var piece = tokens[id]
                if isFirstPiece, addsSpacePrefix, piece.unicodeScalars.first == "\u{2581}" {
                    piece.unicodeScalars.removeFirst()
                }
                bytes += Array(piece.replacingOccurrences(of: Self.spaceMarker, with: " ").utf8)
            }
            isFirstPiece = false
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
