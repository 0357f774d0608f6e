import Foundation
import Tokenizers

/// The tokenizer of a Hugging Face checkpoint folder: tokenizer.json — byte-level BPE (Llama 3, Qwen 2)
/// or SentencePiece-style BPE with `byte_fallback` (Llama 1/2, Mistral: `SentencePieceTokenizer`'s
/// tokenizer.json reader, with Hugging Face's rules for the space prefix) — and tokenizer_config.json
/// (`add_bos_token`, `chat_template`).
///
/// As with `GGUFTokenizer`, the tokenizer itself adds nothing: a `TemplateProcessing` post-processor
/// that puts BOS first (Llama 2's and 3's) is dropped from the tokenizer and reported as `addsBOS`, so
/// the caller puts BOS first exactly once.
public struct HuggingFaceTokenizer: Sendable {
    public let tokenizer: any Tokenizer
    public let addsBOS: Bool
    /// tokenizer_config.json's Jinja `chat_template`, nil when absent.
    public let chatTemplate: String?

    public init(folder: URL) throws {
        let url = folder.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw EngineError.file(path: url.path, message: "missing: the checkpoint needs its tokenizer (tokenizer.json: byte-level BPE or SentencePiece-style BPE)")
        }
        let settings = try Self.settings(folder: folder)
        chatTemplate = settings.chatTemplate
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EngineError.file(path: url.path, message: "cannot read the file: \(error.localizedDescription)")
        }
        let full: ByteLevelBPETokenizer
        do {
            if let (sentencePiece, prefix) = try SentencePieceTokenizer.read(tokenizerJSON: data, source: url.path) {
                tokenizer = sentencePiece
                addsBOS = settings.addBOSToken ?? (prefix.first.map { $0 == sentencePiece.bosTokenID } ?? false)
                if addsBOS && sentencePiece.bosTokenID == nil {
                    throw EngineError.file(path: url.path, message: "BOS is to be added but the vocabulary has no BOS token (<s>, <bos>)")
                }
                return
            }
            full = try ByteLevelBPETokenizer(tokenizerJSON: data, source: url.path)
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError.file(path: url.path, message: "\(error)")
        }
        var stripped = full
        if !full.prefixTokenIDs.isEmpty || !full.suffixTokenIDs.isEmpty {
            // The same file without its post-processor.
            guard var object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw EngineError.file(path: url.path, message: "not a JSON object")
            }
            object["post_processor"] = NSNull()
            do { stripped = try ByteLevelBPETokenizer(tokenizerJSON: try JSONSerialization.data(withJSONObject: object), source: url.path) } catch {
                throw EngineError.file(path: url.path, message: "\(error)")
            }
        }
        self.tokenizer = stripped
        let postProcessorAddsBOS = full.prefixTokenIDs.first.map { $0 == full.beginningOfTextTokenID } ?? false
        addsBOS = settings.addBOSToken ?? postProcessorAddsBOS
        if addsBOS && stripped.beginningOfTextTokenID == nil {
            throw EngineError.file(path: url.path, message: "BOS is to be added but the vocabulary has no BOS token (<|begin_of_text|>, <s>, <bos>)")
        }
    }

    /// tokenizer_config.json's `add_bos_token` and `chat_template` (a string, or a list of named
    /// templates of which `default` is taken); both nil without the file.
    static func settings(folder: URL) throws -> (addBOSToken: Bool?, chatTemplate: String?) {
        let url = folder.appendingPathComponent("tokenizer_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return (nil, nil) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any] else {
            throw EngineError.file(path: url.path, message: "not a JSON object")
        }
        var addBOS: Bool?
        if let value = object["add_bos_token"], !(value is NSNull) {
            guard let flag = value as? Bool else { throw EngineError.file(path: url.path, message: "key 'add_bos_token': expected true or false") }
            addBOS = flag
        }
        var template = object["chat_template"] as? String
        if let named = object["chat_template"] as? [[String: Any]] {
            template = named.first { $0["name"] as? String == "default" }?["template"] as? String
        }
        return (addBOS, template)
    }
}
