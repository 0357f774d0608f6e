import Engine
import EvalCore
import Foundation

extension EngineLanguageModel {
    /// Loads a GGUF model (`llama` or `gemma3` architecture) with the tokenizer stored in the same file.
    ///
    /// BOS: when the file says `tokenizer.ggml.add_bos_token` (Gemma and Llama do), every scored,
    /// rolling or generated sequence starts with BOS — the context of a log-likelihood request, the
    /// first window of a rolling request, a prompt — exactly once; the tokenizer itself adds nothing.
    /// Gemma's scores without BOS are far off (the model was never trained without it).
    /// - Parameters:
    ///   - name: the model's name in results (default: the file name without `.gguf`).
    ///   - maximumContextLength: caps the context length the file declares (see `DecoderModel.defaultMaximumContextLength`).
    ///   - contentHash: the identity's hash (response-cache key); nil computes the SHA-256 of the whole
    ///     file (about a second in release for 253 MB).
    public convenience init(ggufAt url: URL, name: String? = nil, maximumContextLength: Int = DecoderModel.defaultMaximumContextLength,
                            contentHash: String? = nil) throws {
        let model: DecoderModel
        let tokenizer: GGUFTokenizer
        do {
            (model, tokenizer) = try DecoderModel.loadWithTokenizer(contentsOf: url, maximumContextLength: maximumContextLength)
        } catch {
            throw ModelError("cannot load GGUF model \(url.path): \(error)")
        }
        guard tokenizer.tokenizer.vocabularySize <= model.vocabularySize else {
            throw ModelError("\(url.path): the tokenizer has \(tokenizer.tokenizer.vocabularySize) tokens but token_embd.weight has \(model.vocabularySize) rows")
        }
        let hash = contentHash ?? (try? Data(contentsOf: url, options: .alwaysMapped)).map(SHA256Hasher.hex) ?? "unknown"
        let displayName = name ?? url.deletingPathExtension().lastPathComponent
        self.init(model: model, tokenizer: tokenizer.tokenizer,
                  identity: ModelIdentity(name: displayName, backend: "engine", contentHash: hash), prependBOS: tokenizer.addsBOS)
    }
}
