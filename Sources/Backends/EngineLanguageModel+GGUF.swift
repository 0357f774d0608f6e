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
    ///     file (about a second in release for 253 MB). A chat template other than `plain` is appended
    ///   (`:chat_template=gemma`), since it changes what chat prompts generate.
    ///   - chatTemplate: the chat template (models.yaml `chat_template:`); nil recognises it from the
    ///     file's `tokenizer.chat_template` (docs/chat-templates.md): none → `plain`; a template EvalKit
    ///     does not recognise → `plain`, with a warning on standard error saying how to choose one.
    public convenience init(ggufAt url: URL, name: String? = nil, maximumContextLength: Int = DecoderModel.defaultMaximumContextLength,
                            contentHash: String? = nil, chatTemplate: ChatTemplate? = nil) throws {
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
        let displayName = name ?? url.deletingPathExtension().lastPathComponent
        let template = chatTemplate ?? Self.chatTemplate(recognizing: tokenizer.chatTemplate, model: displayName, file: url)
        var hash = contentHash ?? (try? Data(contentsOf: url, options: .alwaysMapped)).map(SHA256Hasher.hex) ?? "unknown"
        if template != .plain { hash += ":chat_template=\(template.rawValue)" }
        try self.init(model: model, tokenizer: tokenizer.tokenizer,
                      identity: ModelIdentity(name: displayName, backend: "engine", contentHash: hash), prependBOS: tokenizer.addsBOS,
                      chatTemplate: template)
    }

    /// The built-in template for a file's Jinja `tokenizer.chat_template`; `plain` (with a warning on
    /// standard error) when the family is not one EvalKit renders.
    static func chatTemplate(recognizing jinja: String?, model: String, file: URL) -> ChatTemplate {
        switch ChatTemplate.recognize(jinja: jinja) {
        case .absent:
            return .plain
        case .recognized(let template):
            return template
        case .unrecognized(let excerpt):
            let warning = "warning: model '\(model)' (\(file.path)): its tokenizer.chat_template (\"\(excerpt)\") is not one EvalKit recognises; chats are rendered with the plain template (Role: content). To use the model's format, set chat_template: \(ChatTemplate.names) on its models.yaml entry, or append ,chat_template=NAME to the model spec.\n"
            FileHandle.standardError.write(Data(warning.utf8))
            return .plain
        }
    }
}
