import Engine
import EvalCore
import Foundation

/// A model named on the command line, ready to load (loading is deferred so a checkpoint series
/// holds one model in memory at a time).
public struct ResolvedModel: Sendable {
    public let name: String
    /// Training step, for checkpoints of a run.
    public let step: Int?
    public let load: @Sendable () throws -> any LanguageModel

    public init(name: String, step: Int?, load: @escaping @Sendable () throws -> any LanguageModel) {
        self.name = name
        self.step = step
        self.load = load
    }

    /// A checkpoint folder of the built-in engine; `step` when it belongs to a training run.
    public static func checkpoint(_ url: URL, step: Int?) -> ResolvedModel { ModelResolver.checkpoint(url, step: step) }
}

/// Turns a `--model` spec into models. See docs/models.md.
///
/// - a checkpoint folder (holds `config.json`): that checkpoint (GPT-2 as `eval train` writes it, or a
///   Llama-family checkpoint in the Hugging Face layout when config.json's `model_type` is `llama`/`mistral`);
/// - a training run folder (holds `step-NNNNNN/` checkpoints): every checkpoint, in step order;
/// - `openai:MODEL@URL[,options]`, or a name from models.yaml: an OpenAI-compatible endpoint
///   (docs/remote-models.md);
/// - a path ending in `.gguf`, a models.yaml entry with `path:`, or the built-in `gemma-3-270m`:
///   a GGUF model run by the built-in engine.
/// A local model's spec may end in `,chat_template=NAME` (docs/chat-templates.md).
public enum ModelResolver {
    public static func resolve(_ fullSpec: String) throws -> [ResolvedModel] {
        let registryURL = ModelRegistry.defaultURL()
        let registry = FileManager.default.fileExists(atPath: registryURL.path) ? try ModelRegistry.load(from: registryURL) : nil
        let (spec, chatTemplate) = try splitChatTemplate(fullSpec)
        if OpenAIEndpoint.isRemoteSpec(spec) || (registry.map { (try? $0.endpoint(named: spec)) != nil } ?? false) {
            if chatTemplate != nil { throw ModelError("'\(fullSpec)': chat_template applies to models the engine runs, not to endpoints") }
            let endpoint = try OpenAIEndpoint.resolve(spec: spec, registry: registry)
            return [ResolvedModel(name: endpoint.name, step: nil) { try OpenAICompatibleModel(endpoint: endpoint) }]
        }
        if let local = registry?.file(named: spec) {
            return [try gguf(local.url, name: local.name, contextLength: local.contextLength, chatTemplate: chatTemplate ?? local.chatTemplate,
                             missing: "named in \(registryURL.path)")]
        }
        if let local = ModelRegistry.builtInFiles().first(where: { $0.name == spec }) {
            return [try gguf(local.url, name: local.name, contextLength: local.contextLength, chatTemplate: chatTemplate,
                             missing: "not downloaded: run scripts/fetch-models")]
        }
        if spec.hasSuffix(".gguf") {
            return [try gguf(URL(fileURLWithPath: spec), name: nil, contextLength: nil, chatTemplate: chatTemplate)]
        }
        let url = URL(fileURLWithPath: spec)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError("no model at '\(spec)': give a checkpoint folder (config.json, model.safetensors, tokenizer.json) or a training run folder (runs/<name>)")
        }
        guard isDirectory.boolValue else {
            throw ModelError("'\(spec)' is a file; give a checkpoint folder or a training run folder")
        }
        if DecoderModel.isHuggingFaceDecoderFolder(url) {
            return [ResolvedModel(name: url.lastPathComponent, step: nil) {
                try EngineLanguageModel(huggingFaceFolderAt: url, name: url.lastPathComponent, chatTemplate: chatTemplate)
            }]
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) {
            return [checkpoint(url, step: nil)]
        }
        let steps = RunCheckpoints.checkpoints(in: url)
        guard !steps.isEmpty else {
            throw ModelError("'\(spec)' holds neither config.json (a checkpoint) nor step-NNNNNN/ checkpoints (a training run)")
        }
        return steps.map { checkpoint($0.url, step: $0.step) }
    }

    /// `SPEC,chat_template=NAME` → (SPEC, the template); other specs unchanged. Endpoint specs keep
    /// their own options (`openai:…,api=chat`) and are not split.
    static func splitChatTemplate(_ spec: String) throws -> (spec: String, chatTemplate: ChatTemplate?) {
        guard !OpenAIEndpoint.isRemoteSpec(spec), let range = spec.range(of: ",chat_template=", options: .backwards) else { return (spec, nil) }
        let name = String(spec[range.upperBound...])
        guard let template = ChatTemplate(rawValue: name) else {
            throw ModelError("'\(spec)': chat_template must be one of \(ChatTemplate.names), got '\(name)'")
        }
        return (String(spec[..<range.lowerBound]), template)
    }

    /// A GGUF file; `missing` says why a named model's file may be absent (e.g. run scripts/fetch-models).
    static func gguf(_ url: URL, name: String?, contextLength: Int?, chatTemplate: ChatTemplate? = nil, missing: String = "") throws -> ResolvedModel {
        guard FileManager.default.fileExists(atPath: url.path) else {
            if let name { throw ModelError("model '\(name)': \(url.path) does not exist (\(missing))") }
            throw ModelError("no GGUF file at '\(url.path)'")
        }
        let modelName = name ?? url.deletingPathExtension().lastPathComponent
        return ResolvedModel(name: modelName, step: nil) {
            try EngineLanguageModel(ggufAt: url, name: modelName, maximumContextLength: contextLength ?? DecoderModel.defaultMaximumContextLength,
                                    chatTemplate: chatTemplate)
        }
    }

    static func checkpoint(_ url: URL, step: Int?) -> ResolvedModel {
        let name = step.map { "\(url.deletingLastPathComponent().lastPathComponent)@\($0)" } ?? url.lastPathComponent
        return ResolvedModel(name: name, step: step) {
            try EngineLanguageModel(checkpointAt: url, name: name)
        }
    }
}

/// The complete checkpoints of a training run, in step order: `step-NNNNNN/` folders, and `final/`
/// (at the step its training state records) when no step folder has that step. A folder that lacks
/// config.json (an interrupted write) is skipped.
public enum RunCheckpoints {
    public static func checkpoints(in run: URL) -> [(step: Int, url: URL)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: run.path) else { return [] }
        func complete(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) }
        var found: [(Int, URL)] = names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("step-"), let step = Int(name.dropFirst(5)) else { return nil }
            let url = run.appendingPathComponent(name)
            return complete(url) ? (step, url) : nil
        }
        let final = run.appendingPathComponent("final")
        if complete(final), let state = try? TrainingState.read(from: final), !found.contains(where: { $0.0 == state.step }) {
            found.append((state.step, final))
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// The step of the run's `final/` checkpoint, when training has finished.
    public static func finalStep(in run: URL) -> Int? {
        let final = run.appendingPathComponent("final")
        guard FileManager.default.fileExists(atPath: final.appendingPathComponent("config.json").path) else { return nil }
        return (try? TrainingState.read(from: final))?.step
    }
}
