import Engine
import EvalCore
import Foundation

extension EngineLanguageModel {
    /// GGUF models run with llama.cpp's roundings unless told otherwise (`numerics=exact`), so
    /// their scores agree with llama.cpp's on the same file (docs/engine.md, "Numerics").
    public static let defaultGGUFNumerics = DecoderNumerics.llamaCPP

    /// Loads a GGUF model (`llama` or `gemma3` architecture) with the tokenizer stored in the same file.
    ///
    /// BOS: when the file says `tokenizer.ggml.add_bos_token` (Gemma and Llama do), every scored,
    /// rolling or generated sequence starts with BOS — the context of a log-likelihood request, the
    /// first window of a rolling request, a prompt — exactly once; the tokenizer itself adds nothing.
    /// Gemma's scores without BOS are far off (the model was never trained without it).
    /// - Parameters:
    ///   - name: the model's name in results (default: the file name without `.gguf`).
    ///   - maximumContextLength: caps the context length the file declares (see `DecoderModel.defaultMaximumContextLength`).
    ///   - numerics: exact Float activations, or llama.cpp's roundings (`DecoderNumerics`).
    ///   - contentHash: the identity's hash (response-cache key); nil computes the SHA-256 of the whole
    ///     file (about a second in release for 253 MB). A numerics other than exact is part of the identity.
    public convenience init(ggufAt url: URL, name: String? = nil, maximumContextLength: Int = DecoderModel.defaultMaximumContextLength,
                            numerics: DecoderNumerics = defaultGGUFNumerics, contentHash: String? = nil) throws {
        let model: DecoderModel
        let tokenizer: GGUFTokenizer
        do {
            (model, tokenizer) = try DecoderModel.loadWithTokenizer(contentsOf: url, maximumContextLength: maximumContextLength, numerics: numerics)
        } catch {
            throw ModelError("cannot load GGUF model \(url.path): \(error)")
        }
        guard tokenizer.tokenizer.vocabularySize <= model.vocabularySize else {
            throw ModelError("\(url.path): the tokenizer has \(tokenizer.tokenizer.vocabularySize) tokens but token_embd.weight has \(model.vocabularySize) rows")
        }
        let fileHash = contentHash ?? (try? Data(contentsOf: url, options: .alwaysMapped)).map(SHA256Hasher.hex) ?? "unknown"
        let hash = numerics == .exact ? fileHash : "\(fileHash)+numerics=\(numerics.rawValue)"
        let displayName = name ?? url.deletingPathExtension().lastPathComponent
        self.init(model: model, tokenizer: tokenizer.tokenizer,
                  identity: ModelIdentity(name: displayName, backend: "engine", contentHash: hash), prependBOS: tokenizer.addsBOS)
    }
}
