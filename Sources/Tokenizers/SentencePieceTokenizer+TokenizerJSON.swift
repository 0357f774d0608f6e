import Foundation

/// Reading a SentencePiece BPE model from a Hugging Face tokenizer.json, as transformers' LlamaConverter
/// writes Llama 1/2's, Mistral's and similar `tokenizer.model` files: a BPE model with `byte_fallback`
/// over "▁"-escaped text.
extension SentencePieceTokenizer {
    /// Whether `tokenizerJSON` holds such a model (a BPE model with `byte_fallback`), so that
    /// `init(tokenizerJSON:source:)` rather than the byte-level reader applies.
    public static func isSentencePieceTokenizerJSON(_ data: Data) -> Bool {
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let model = root["model"] as? [String: Any] else { return false }
        return model["type"] as? String == "BPE" && (model["byte_fallback"] as? Bool ?? false)
    }

    /// Accepted: `model` BPE with `byte_fallback` true, `fuse_unk` any, no subword prefix/suffix; either
    /// `normalizer` Sequence[Prepend("▁"), Replace(" ", "▁")] (or just the Replace: no space prefix) with
    /// no `pre_tokenizer` (the legacy form), or no normalizer and a `Metaspace` pre-tokenizer
    /// (replacement "▁", `prepend_scheme` "first" or "never", `split` false). Merges become piece
    /// scores (a piece's first merge rank, earlier is higher), which SentencePiece's merge order then
    /// follows; `<0xNN>` pieces are byte tokens; added tokens are control (special) or user-defined
    /// pieces, the `unk_token` the unknown piece. Nothing is added around the text (BOS is the
    /// caller's: `HuggingFaceTokenizer` reads it from the post-processor and tokenizer_config.json).
    /// - Throws: `TokenizerError` naming the key that is missing, malformed or unsupported.
    public convenience init(tokenizerJSON data: Data, source: String = "<tokenizer.json data>") throws {
        try self.init(root: try JSONFields.parse(data, source: source))
    }

    /// The tokenizer and its post-processor's prefix ids (`postProcessorPrefix`) from one parse of
    /// the file; nil when it is not a SentencePiece-style model (`isSentencePieceTokenizerJSON`).
    public static func read(tokenizerJSON data: Data, source: String) throws -> (tokenizer: SentencePieceTokenizer, postProcessorPrefix: [Int])? {
        let root = try JSONFields.parse(data, source: source)
        guard let model = try? root.requiredObject("model"), (try? model.optionalString("type")) == "BPE",
              (try? model.bool("byte_fallback", default: false)) == true else { return nil }
        let prefix = try root.optionalObject("post_processor").map { try ByteLevelBPETokenizer.readPostProcessor($0).prefix } ?? []
        return (try SentencePieceTokenizer(root: root), prefix)
    }

    private convenience init(root: JSONFields) throws {
        let source = root.source
        let model = try root.requiredObject("model")
        guard try model.requiredString("type") == "BPE" else { throw model.error("type", "expected \"BPE\"") }
        guard try model.bool("byte_fallback", default: false) else {
            throw model.error("byte_fallback", "expected true for a SentencePiece-style model")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = try model.optionalString(key), !affix.isEmpty {
                throw model.error(key, "'\(affix)' is not supported; expected null or \"\"")
            }
        }
        var tokens = try ByteLevelBPETokenizer.readVocabulary(model)
        let merges = try ByteLevelBPETokenizer.readMerges(model)
        let added = try ByteLevelBPETokenizer.readAddedTokens(root)
        for token in added where token.id >= tokens.count {
            // Added tokens past the model's vocabulary extend it (ids must follow on without gaps).
            guard token.id == tokens.count else {
                throw root.error("added_tokens", "token '\(token.content)' has id \(token.id); the vocabulary ends at \(tokens.count - 1)")
            }
            tokens.append(token.content)
        }
        for token in added where tokens[token.id] != token.content {
            throw root.error("added_tokens", "token '\(token.content)' has id \(token.id), which the vocabulary gives to '\(tokens[token.id])'")
        }

        // Scores: a piece's first merge rank, negated (rank 0 merges first); pieces no merge forms lowest.
        var ids: [String: Int] = [:]
        for (id, token) in tokens.enumerated() where ids[token] == nil { ids[token] = id }
        let unformed = -Float(merges.count + 1)
        var scores = [Float](repeating: unformed, count: tokens.count)
        var formed = [Bool](repeating: false, count: tokens.count)
        for (rank, merge) in merges.enumerated() {
            guard ids[merge.0] != nil, ids[merge.1] != nil else {
                throw model.error("merges[\(rank)]", "'\(merge.0)' or '\(merge.1)' is not in the vocabulary")
            }
            guard let id = ids[merge.0 + merge.1] else {
                throw model.error("merges[\(rank)]", "'\(merge.0 + merge.1)' (the merged piece) is not in the vocabulary")
            }
            if !formed[id] {
                formed[id] = true
                scores[id] = -Float(rank)
            }
        }

        // Types: byte pieces, the unknown piece, added tokens (special: control; else user-defined), the rest normal.
        let unknownID = try model.optionalString("unk_token").map { name -> Int in
            guard let id = ids[name] else { throw model.error("unk_token", "'\(name)' is not in the vocabulary") }
            return id
        }
        var types = [Int32](repeating: TokenType.normal.rawValue, count: tokens.count)
        for (id, token) in tokens.enumerated() where Self.byteValue(of: token) != nil { types[id] = TokenType.byte.rawValue }
        for token in added { types[token.id] = token.isSpecial ? TokenType.control.rawValue : TokenType.userDefined.rawValue }
        if let unknownID { types[unknownID] = TokenType.unknown.rawValue }

        let (addSpacePrefix, rule) = try Self.readSpacePrefix(root)
        func special(_ names: [String]) -> Int? {
            added.first { names.contains($0.content) }?.id ?? names.lazy.compactMap { ids[$0] }.first
        }
        do {
            try self.init(tokens: tokens, scores: scores, tokenTypes: types, bosTokenID: special(["<s>", "<bos>"]),
                          eosTokenID: special(["</s>", "<eos>"]), unknownTokenID: unknownID, addBOS: false,
                          addSpacePrefix: addSpacePrefix, spacePrefixRule: rule)
        } catch var error as TokenizerError {
            error.file = source
            throw error
        }
    }

    /// The space prefix from the normalizer (legacy form) or the Metaspace pre-tokenizer.
    private static func readSpacePrefix(_ root: JSONFields) throws -> (Bool, SpacePrefixRule) {
        if let normalizer = try root.optionalObject("normalizer") {
            if let preTokenizer = try root.optionalObject("pre_tokenizer") {
                throw preTokenizer.error("type", "a pre-tokenizer beside a normalizer is not supported for SentencePiece-style BPE")
            }
            var steps: [JSONFields] = [normalizer]
            if try normalizer.requiredString("type") == "Sequence" {
                steps = try normalizer.requiredArray("normalizers").enumerated().map { index, item in
                    guard let object = item as? [String: Any] else { throw normalizer.error("normalizers[\(index)]", "expected a JSON object") }
                    return JSONFields(object: object, path: normalizer.keyPath("normalizers[\(index)]"), source: normalizer.source)
                }
            }
            var prepends = false, replaces = false
            for step in steps {
                switch try step.requiredString("type") {
                case "Prepend" where try step.requiredString("prepend") == spaceMarker && !replaces && !prepends:
                    prepends = true
                case "Replace" where !replaces:
                    let pattern = try step.requiredObject("pattern")
                    guard try pattern.optionalString("String") == " ", try step.requiredString("content") == spaceMarker else {
                        throw step.error("pattern", "only Replace(\" \", \"▁\") is supported")
                    }
                    replaces = true
                default:
                    throw step.error("type", "expected Prepend(\"▁\") then Replace(\" \", \"▁\") (Llama's tokenizer.json)")
                }
            }
            guard replaces else { throw normalizer.error("type", "expected a Replace(\" \", \"▁\") normalizer") }
            return (prepends, .everyStretch)
        }
        guard let preTokenizer = try root.optionalObject("pre_tokenizer") else {
            throw root.error("normalizer", "missing: expected Prepend/Replace normalizers or a Metaspace pre-tokenizer")
        }
        guard try preTokenizer.requiredString("type") == "Metaspace" else {
            throw preTokenizer.error("type", "expected \"Metaspace\" for SentencePiece-style BPE")
        }
        guard try preTokenizer.requiredString("replacement") == spaceMarker else {
            throw preTokenizer.error("replacement", "expected \"▁\"")
        }
        guard !(try preTokenizer.bool("split", default: true)) else {
            throw preTokenizer.error("split", "only split = false is supported (the text is one piece sequence)")
        }
        switch try preTokenizer.optionalString("prepend_scheme") ?? "always" {
        case "first": return (true, .firstStretchUnlessSpace)
        case "never": return (false, .firstStretchUnlessSpace)
        case let scheme: throw preTokenizer.error("prepend_scheme", "'\(scheme)' is not supported; expected \"first\" or \"never\"")
        }
    }
}
