import ModelFormats
import Tokenizers

/// The tokenizer a GGUF file carries in its `tokenizer.ggml.*` keys.
///
/// - `tokenizer.ggml.model = llama`: `SentencePieceTokenizer` (tokens, scores, token types, BOS/EOS/
///   unknown/padding ids, `add_space_prefix`, default true);
/// - `gpt2`: `ByteLevelBPETokenizer` (tokens, `merges`, control and user-defined tokens as added
///   tokens, the pre-tokenizer named by `tokenizer.ggml.pre`).
///
/// The tokenizer itself never adds BOS or EOS: `addsBOS` (`tokenizer.ggml.add_bos_token`; default true
/// for `llama`, false for `gpt2`, as llama.cpp) tells the caller to put `bosTokenID` first, which
/// `EngineLanguageModel` does explicitly for every scored or generated sequence.
public struct GGUFTokenizer: Sendable {
    public let tokenizer: any Tokenizer
    public let addsBOS: Bool
    public let bosTokenID: Int?
    public let eosTokenID: Int?
    /// The Jinja chat template of an instruction-tuned model (`tokenizer.chat_template`), nil when absent.
    public let chatTemplate: String?

    public static let supportedModels = ["llama", "gpt2"]

    public init(file: GGUFFile) throws {
        let path = file.url.path
        func wrap<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as TokenizerError {
                throw EngineError.file(path: path, message: error.key.map { "key '\($0)': \(error.message)" } ?? error.message)
            }
        }
        let model = try file.requiredString("tokenizer.ggml.model")
        let tokens = try file.requiredStrings("tokenizer.ggml.tokens")
        let bos = try file.optionalInt("tokenizer.ggml.bos_token_id")
        let eos = try file.optionalInt("tokenizer.ggml.eos_token_id")
        func flag(_ key: String, default value: Bool) throws -> Bool { file.metadata[key] == nil ? value : try file.requiredBool(key) }
        switch model {
        case "llama":
            let types = try file.requiredInts("tokenizer.ggml.token_type").map { Int32(truncatingIfNeeded: $0) }
            let scores = try file.requiredFloats("tokenizer.ggml.scores")
            let unknown = try file.optionalInt("tokenizer.ggml.unknown_token_id")
            let padding = try file.optionalInt("tokenizer.ggml.padding_token_id")
            let spacePrefix = try flag("tokenizer.ggml.add_space_prefix", default: true)
            tokenizer = try wrap {
                try SentencePieceTokenizer(tokens: tokens, scores: scores, tokenTypes: types, bosTokenID: bos, eosTokenID: eos,
                                           unknownTokenID: unknown, paddingTokenID: padding, addBOS: false, addEOS: false,
                                           addSpacePrefix: spacePrefix)
            }
            addsBOS = try flag("tokenizer.ggml.add_bos_token", default: true)
        case "gpt2":
            let merges = try wrap { try ByteLevelBPETokenizer.mergePairs(fromLines: try file.requiredStrings("tokenizer.ggml.merges")) }
            let types = try file.metadata["tokenizer.ggml.token_type"] == nil ? [] : file.requiredInts("tokenizer.ggml.token_type")
            var special: [String: Int] = [:]
            for (id, type) in types.enumerated() where type == 3 || type == 4 { special[tokens[id]] = id }
            let pre = file.metadata["tokenizer.ggml.pre"]?.string ?? "gpt-2"
            guard let pattern = PreTokenizerPattern(ggufPreTokenizer: pre) else {
                throw EngineError.file(path: path, message: "key 'tokenizer.ggml.pre': pre-tokenizer '\(pre)' is not supported")
            }
            let llama3 = ["llama-bpe", "llama3", "llama-v3", "falcon3", "pixtral"].contains(pre)
            tokenizer = try wrap {
                try ByteLevelBPETokenizer(vocabulary: tokens, merges: merges, specialTokens: special, preTokenizer: pattern,
                                          ignoreMerges: llama3, normalizeToNFC: pre.hasPrefix("qwen2") || pre == "deepseek-r1-qwen")
            }
            addsBOS = try flag("tokenizer.ggml.add_bos_token", default: false)
        default:
            throw EngineError.file(path: path, message: "key 'tokenizer.ggml.model': tokenizer '\(model)' is not supported; supported: \(Self.supportedModels.joined(separator: ", "))")
        }
        if addsBOS && bos == nil {
            throw EngineError.file(path: path, message: "key 'tokenizer.ggml.add_bos_token' is true but 'tokenizer.ggml.bos_token_id' is missing")
        }
        bosTokenID = bos
        eosTokenID = eos
        chatTemplate = file.metadata["tokenizer.chat_template"]?.string
    }
}
