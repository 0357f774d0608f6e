import Engine
import EvalCore
import Foundation

extension EngineLanguageModel {
    /// Loads a Llama-family checkpoint in the Hugging Face layout (config.json, model.safetensors or
    /// shards, tokenizer.json, optional tokenizer_config.json); see `DecoderModel.load(huggingFaceFolder:)`.
    ///
    /// BOS comes first when tokenizer_config.json's `add_bos_token` says so (else when tokenizer.json's
    /// post-processor adds it), as for GGUF files. The chat template is recognised from
    /// tokenizer_config.json's `chat_template` unless `chatTemplate` is given (docs/chat-templates.md).
    public convenience init(huggingFaceFolderAt url: URL, name: String, maximumContextLength: Int = DecoderModel.defaultMaximumContextLength,
                            chatTemplate: ChatTemplate? = nil) throws {
        let model: DecoderModel
        let tokenizer: HuggingFaceTokenizer
        do {
            model = try DecoderModel.load(huggingFaceFolder: url, maximumContextLength: maximumContextLength)
            tokenizer = try HuggingFaceTokenizer(folder: url)
        } catch {
            throw ModelError("cannot load checkpoint \(url.path): \(error)")
        }
        guard tokenizer.tokenizer.vocabularySize <= model.vocabularySize else {
            throw ModelError("\(url.path): the tokenizer has \(tokenizer.tokenizer.vocabularySize) tokens but config.json's vocab_size is \(model.vocabularySize)")
        }
        let template = chatTemplate ?? Self.chatTemplate(recognizing: tokenizer.chatTemplate, model: name, file: url)
        let hashes = try DecoderModel.huggingFaceWeightFiles(in: url).map { file in
            (try? Data(contentsOf: file, options: .alwaysMapped)).map(SHA256Hasher.hex) ?? "unknown"
        }
        var hash = hashes.count == 1 ? hashes[0] : SHA256Hasher.hex(Data(hashes.joined(separator: ",").utf8))
        if template != .plain { hash += ":chat_template=\(template.rawValue)" }
        try self.init(model: model, tokenizer: tokenizer.tokenizer, identity: ModelIdentity(name: name, backend: "engine", contentHash: hash),
                      prependBOS: tokenizer.addsBOS, chatTemplate: template)
    }
}
