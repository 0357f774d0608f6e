import Engine
import Tokenizers

/// What a token-level caller (the OpenAI-compatible server) needs beyond the `LanguageModel` calls:
/// the engine model, its tokenizer and how a sequence starts. A caller using these must serialize
/// its own calls to `causalModel`; the `LanguageModel` calls of this object keep their own lock.
extension EngineLanguageModel {
    /// The model the engine runs.
    public var causalModel: any CausalLanguageModel { model }
    /// The checkpoint's tokenizer.
    public var modelTokenizer: any Tokenizer { tokenizer }
    /// Whether every sequence starts with BOS (Gemma and Llama; not GPT-2).
    public var startsWithBOS: Bool { prependBOS }
    /// The token standing for an empty prompt: BOS when the model uses one, else end-of-text.
    public var emptyPromptToken: Int? { prefixToken }
    /// Token ids of a text as the model is fed it (BOS first when the model uses one).
    public func promptTokens(_ text: String) -> [Int] { encode(text) }
    /// Tokens at which generation stops: end-of-text and the chat template's end-of-turn token.
    public var endOfGenerationTokens: Set<Int> { endOfGenerationTokenIDs }
}
