import Foundation

/// Reading Hugging Face `tokenizer.json` (schema 1.0) for byte-level BPE models such as GPT-2's.
extension ByteLevelBPETokenizer {
    /// Hugging Face tokenizer.json (model.type == "BPE", ByteLevel pre-tokenizer/decoder), as written by GPT-2's tokenizer.json.
    ///
    /// Accepted: `normalizer` null or NFC; `pre_tokenizer` ByteLevel with `use_regex` true (any
    /// `add_prefix_space`), or a Sequence of a Split with Llama 3's or Qwen 2's pattern (`Isolated`)
    /// and a ByteLevel with `use_regex` false; `post_processor` null, ByteLevel, TemplateProcessing (its
    /// single-sequence special tokens are added around every encoded text) or a Sequence of those;
    /// `decoder` null or ByteLevel; `model.ignore_merges`; merges as `"a b"` strings or `["a", "b"]` pairs.
    /// - Throws: `TokenizerError` naming the key that is missing, malformed or unsupported.
    public convenience init(tokenizerJSON data: Data) throws {
        try self.init(tokenizerJSON: data, source: "<tokenizer.json data>")
    }

    /// Reads a tokenizer.json file.
    public convenience init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError(file: url.path, "cannot read the file: \(error.localizedDescription)")
        }
        try self.init(tokenizerJSON: data, source: url.path)
    }

    /// Reads tokenizer.json bytes, naming `source` (a path) in errors.
    public convenience init(tokenizerJSON data: Data, source: String) throws {
        let root = try JSONFields.parse(data, source: source)
        let model = try root.requiredObject("model")
        if let type = try model.optionalString("type"), type != "BPE" {
            throw model.error("type", "model type '\(type)' is not supported; expected \"BPE\"")
        }
        if try model.bool("byte_fallback", default: false) {
            throw model.error("byte_fallback", "byte_fallback is not supported for byte-level BPE (every byte already has a token)")
        }
        let ignoresMerges = try model.bool("ignore_merges", default: false)
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = try model.optionalString(key), !affix.isEmpty {
                throw model.error(key, "'\(affix)' is not supported; expected null or \"\"")
            }
        }
        let vocabulary = try Self.readVocabulary(model)
        let merges = try Self.readMerges(model)

        var normalizesToNFC = false
        if let normalizer = try root.optionalObject("normalizer") {
            let type = (try? normalizer.requiredString("type")) ?? "?"
            guard type == "NFC" else {
                throw root.error("normalizer", "normalizer '\(type)' is not supported; expected null or NFC")
            }
            normalizesToNFC = true
        }
        guard let preTokenizer = try root.optionalObject("pre_tokenizer") else {
            throw root.error("pre_tokenizer", "missing or null; byte-level BPE needs a ByteLevel pre-tokenizer")
        }
        let (pattern, byteLevel) = try Self.readPreTokenizer(preTokenizer)
        let addsPrefixSpace = try byteLevel.bool("add_prefix_space", default: false)
        let trimOffsets = try byteLevel.bool("trim_offsets", default: true)
        if let decoder = try root.optionalObject("decoder") {
            let type = try decoder.requiredString("type")
            guard type == "ByteLevel" else {
                throw decoder.error("type", "decoder '\(type)' is not supported; expected \"ByteLevel\"")
            }
        }
        let addedTokens = try Self.readAddedTokens(root)
        var prefix: [Int] = []
        var suffix: [Int] = []
        if let postProcessor = try root.optionalObject("post_processor") {
            (prefix, suffix) = try Self.readPostProcessor(postProcessor)
        }
        try self.init(vocabulary: vocabulary, merges: merges, addedTokens: addedTokens,
                      addsPrefixSpace: addsPrefixSpace, trimOffsets: trimOffsets,
                      prefixTokenIDs: prefix, suffixTokenIDs: suffix, preTokenizerPattern: pattern,
                      ignoresMerges: ignoresMerges, normalizesToNFC: normalizesToNFC, source: source)
    }

    /// The pattern and the ByteLevel step of `pre_tokenizer`: either ByteLevel(use_regex: true) alone
    /// (GPT-2), or Sequence[Split(known pattern, Isolated), ByteLevel(use_regex: false)].
    private static func readPreTokenizer(_ preTokenizer: JSONFields) throws -> (PreTokenizerPattern, JSONFields) {
        let type = try preTokenizer.requiredString("type")
        if type == "ByteLevel" {
            guard try preTokenizer.bool("use_regex", default: true) else {
                throw preTokenizer.error("use_regex", "a lone ByteLevel pre-tokenizer needs use_regex = true (GPT-2's pattern)")
            }
            return (.gpt2, preTokenizer)
        }
        guard type == "Sequence" else {
            throw preTokenizer.error("type", "pre-tokenizer '\(type)' is not supported; expected ByteLevel or Sequence[Split, ByteLevel]")
        }
        let steps = try preTokenizer.requiredArray("pretokenizers")
        guard steps.count == 2, let splitObject = steps[0] as? [String: Any], let byteLevelObject = steps[1] as? [String: Any] else {
            throw preTokenizer.error("pretokenizers", "expected exactly [Split, ByteLevel]")
        }
        let split = JSONFields(object: splitObject, path: preTokenizer.keyPath("pretokenizers[0]"), source: preTokenizer.source)
        let byteLevel = JSONFields(object: byteLevelObject, path: preTokenizer.keyPath("pretokenizers[1]"), source: preTokenizer.source)
        guard try split.requiredString("type") == "Split" else { throw split.error("type", "expected \"Split\"") }
        guard try byteLevel.requiredString("type") == "ByteLevel" else { throw byteLevel.error("type", "expected \"ByteLevel\"") }
        guard !(try byteLevel.bool("use_regex", default: true)) else {
            throw byteLevel.error("use_regex", "expected false after a Split (the pattern would apply twice)")
        }
        let behavior = try split.requiredString("behavior")
        guard behavior == "Isolated", !(try split.bool("invert", default: false)) else {
            throw split.error("behavior", "only behavior \"Isolated\" without invert is supported, not '\(behavior)'")
        }
        let patternObject = try split.requiredObject("pattern")
        let regex = try patternObject.requiredString("Regex")
        guard let pattern = PreTokenizerPattern.allCases.first(where: { $0.regex == regex }) else {
            throw patternObject.error("Regex", "pattern \(regex.debugDescription) is not one of the implemented ones (GPT-2, Llama 3, Qwen 2)")
        }
        return (pattern, byteLevel)
    }

    /// `model.vocab` (token → id) as an array by id; ids must be exactly 0..<count.
    static func readVocabulary(_ model: JSONFields) throws -> [String] {
        guard let raw = model.object["vocab"] else { throw model.error("vocab", "missing key") }
        guard let entries = raw as? [String: Any] else { throw model.error("vocab", "expected a JSON object of token → id") }
        var vocabulary = [String?](repeating: nil, count: entries.count)
        for (token, value) in entries {
            guard let id = JSONFields.integer(value) else {
                throw model.error("vocab", "the id of token '\(token)' is not an integer")
            }
            guard vocabulary.indices.contains(id) else {
                throw model.error("vocab", "token '\(token)' has id \(id); ids must be 0..<\(entries.count) with no gaps")
            }
            if let other = vocabulary[id] {
                throw model.error("vocab", "tokens '\(other)' and '\(token)' share id \(id)")
            }
            vocabulary[id] = token
        }
        // Every slot is filled: count ids, all distinct, all in range.
        return vocabulary.map { $0 ?? "" }
    }

    /// `model.merges`, each either "left right" or ["left", "right"].
    static func readMerges(_ model: JSONFields) throws -> [(String, String)] {
        let raw = try model.requiredArray("merges")
        var merges: [(String, String)] = []
        merges.reserveCapacity(raw.count)
        for (index, entry) in raw.enumerated() {
            if let line = entry as? String {
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw model.error("merges[\(index)]", "'\(line)' is not two tokens separated by one space")
                }
                merges.append((String(parts[0]), String(parts[1])))
            } else if let pair = entry as? [Any], pair.count == 2, let left = pair[0] as? String, let right = pair[1] as? String {
                merges.append((left, right))
            } else {
                throw model.error("merges[\(index)]", "expected \"left right\" or [\"left\", \"right\"]")
            }
        }
        return merges
    }

    static func readAddedTokens(_ root: JSONFields) throws -> [AddedToken] {
        if root.isNull("added_tokens") { return [] }
        let raw = try root.requiredArray("added_tokens")
        return try raw.enumerated().map { index, entry in
            guard let object = entry as? [String: Any] else {
                throw root.error("added_tokens[\(index)]", "expected a JSON object")
            }
            let fields = JSONFields(object: object, path: root.keyPath("added_tokens[\(index)]"), source: root.source)
            let content = try fields.requiredString("content")
            guard !content.isEmpty else { throw fields.error("content", "an added token cannot be empty") }
            return AddedToken(id: try fields.requiredInt("id"), content: content,
                              isSpecial: try fields.bool("special", default: true))
        }
    }

    /// Ids put before and after the sequence by a TemplateProcessing post-processor ("single" template).
    static func readPostProcessor(_ processor: JSONFields) throws -> (prefix: [Int], suffix: [Int]) {
        let type = try processor.requiredString("type")
        switch type {
        case "ByteLevel":
            return ([], [])
        case "Sequence":
            var prefix: [Int] = []
            var suffix: [Int] = []
            for (index, item) in try processor.requiredArray("processors").enumerated() {
                guard let object = item as? [String: Any] else { throw processor.error("processors[\(index)]", "expected a JSON object") }
                let step = try readPostProcessor(JSONFields(object: object, path: processor.keyPath("processors[\(index)]"), source: processor.source))
                prefix += step.prefix
                suffix += step.suffix
            }
            return (prefix, suffix)
        case "TemplateProcessing":
            let single = try processor.requiredArray("single")
            let specials = try processor.requiredObject("special_tokens")
            var prefix: [Int] = []
            var suffix: [Int] = []
            var seenSequence = false
            for (index, item) in single.enumerated() {
                let key = "single[\(index)]"
                guard let entry = item as? [String: Any] else { throw processor.error(key, "expected a JSON object") }
                if entry["Sequence"] != nil {
                    seenSequence = true
                } else if let special = entry["SpecialToken"] as? [String: Any], let name = special["id"] as? String {
                    let definition = try specials.requiredObject(name)
                    let ids = try definition.requiredArray("ids").enumerated().map { offset, value in
                        guard let id = JSONFields.integer(value) else { throw definition.error("ids[\(offset)]", "expected an integer") }
                        return id
                    }
                    if seenSequence { suffix += ids } else { prefix += ids }
                } else {
                    throw processor.error(key, "expected {\"Sequence\": …} or {\"SpecialToken\": {\"id\": …}}")
                }
            }
            return (prefix, suffix)
        default:
            throw processor.error("type", "post-processor '\(type)' is not supported; expected ByteLevel or TemplateProcessing")
        }
    }
}
