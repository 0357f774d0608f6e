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
/// - a checkpoint folder (holds `config.json`): that checkpoint;
/// - a training run folder (holds `step-NNNNNN/` checkpoints): every checkpoint, in step order;
/// - `openai:MODEL@URL[,options]`, or a name from models.yaml: an OpenAI-compatible endpoint
///   (docs/remote-models.md);
/// - a path ending in `.gguf`, a models.yaml entry with `path:`, or the built-in `gemma-3-270m`:
///   a GGUF model run by the built-in engine;
/// - a folder with a Llama-family config.json and safetensors (Hugging Face layout): run by the engine.
/// A local model's spec may end in options that override its entry's settings: `,context_length=N`
/// (GGUF) and `,chat_template=NAME` (GGUF and Hugging Face folders; docs/chat-templates.md).
public enum ModelResolver {
    public static func resolve(_ spec: String) throws -> [ResolvedModel] {
        let registryURL = ModelRegistry.defaultURL()
        let registry = FileManager.default.fileExists(atPath: registryURL.path) ? try ModelRegistry.load(from: registryURL) : nil
        if OpenAIEndpoint.isRemoteSpec(spec) || (registry.map { (try? $0.endpoint(named: spec)) != nil } ?? false) {
            let endpoint = try OpenAIEndpoint.resolve(spec: spec, registry: registry)
            return [ResolvedModel(name: endpoint.name, step: nil) { try OpenAICompatibleModel(endpoint: endpoint) }]
        }
        let (base, options) = try splitLocalOptions(spec)
        if let local = registry?.file(named: base) {
            return [try gguf(options.applied(to: local), missing: "named in \(registryURL.path)")]
        }
        if let local = ModelRegistry.builtInFiles().first(where: { $0.name == base }) {
            return [try gguf(options.applied(to: local), missing: "not downloaded: run scripts/fetch-models")]
        }
        if base.hasSuffix(".gguf") {
            let url = URL(fileURLWithPath: base)
            guard FileManager.default.fileExists(atPath: url.path) else { throw ModelError("no GGUF file at '\(url.path)'") }
            return [try gguf(options.applied(to: .init(name: url.deletingPathExtension().lastPathComponent, url: url, contextLength: nil)))]
        }
        let url = URL(fileURLWithPath: base)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError("no model at '\(base)': give a checkpoint folder (config.json, model.safetensors, tokenizer.json) or a training run folder (runs/<name>)")
        }
        guard isDirectory.boolValue else {
            throw ModelError("'\(base)' is a file; give a checkpoint folder or a training run folder")
        }
        if DecoderModel.isHuggingFaceDecoderFolder(url) {
            guard options.contextLength == nil else {
                throw ModelError("'\(spec)': ,context_length= applies to GGUF models; a Hugging Face folder takes ,chat_template=")
            }
            return [ResolvedModel(name: url.lastPathComponent, step: nil) {
                try EngineLanguageModel(huggingFaceFolderAt: url, name: url.lastPathComponent, chatTemplate: options.chatTemplate)
            }]
        }
        guard options.isEmpty else {
            throw ModelError("'\(spec)': ,context_length= and ,chat_template= apply to GGUF models and Hugging Face Llama folders, not to GPT-2 checkpoints or runs")
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) {
            return [checkpoint(url, step: nil)]
        }
        let steps = RunCheckpoints.checkpoints(in: url)
        guard !steps.isEmpty else {
            throw ModelError("'\(base)' holds neither config.json (a checkpoint) nor step-NNNNNN/ checkpoints (a training run)")
        }
        return steps.map { checkpoint($0.url, step: $0.step) }
    }

    /// Settings given after a local model's name or path.
    struct LocalOptions {
        var contextLength: Int?
        var chatTemplate: ChatTemplate?
        var isEmpty: Bool { contextLength == nil && chatTemplate == nil }

        func applied(to file: ModelRegistry.LocalModelFile) -> ModelRegistry.LocalModelFile {
            var file = file
            if let contextLength { file.contextLength = contextLength }
            if let chatTemplate { file.chatTemplate = chatTemplate }
            return file
        }
    }

    /// Splits `NAME,key=value,…` into the name and its options. A spec that exists as a path, or
    /// whose text after the first comma is not `key=value` pairs, is all name.
    static func splitLocalOptions(_ spec: String) throws -> (String, LocalOptions) {
        guard let comma = spec.firstIndex(of: ","), !FileManager.default.fileExists(atPath: spec) else { return (spec, LocalOptions()) }
        let pairs = spec[spec.index(after: comma)...].split(separator: ",", omittingEmptySubsequences: false)
        guard pairs.allSatisfy({ $0.contains("=") }) else { return (spec, LocalOptions()) }
        var options = LocalOptions()
        for pair in pairs {
            let key = String(pair.prefix { $0 != "=" }), value = String(pair.drop { $0 != "=" }.dropFirst())
            switch key {
            case "context_length":
                guard let length = Int(value), length > 0 else { throw ModelError("'\(spec)': context_length must be a positive integer, got '\(value)'") }
                options.contextLength = length
            case "chat_template":
                guard let template = ChatTemplate(rawValue: value) else {
                    throw ModelError("'\(spec)': chat_template must be one of \(ChatTemplate.names), got '\(value)'")
                }
                options.chatTemplate = template
            default:
                throw ModelError("'\(spec)': unknown option '\(key)' (a local model takes context_length= and chat_template=)")
            }
        }
        return (String(spec[..<comma]), options)
    }

    /// A GGUF file; `missing` says why a named model's file may be absent (e.g. run scripts/fetch-models).
    static func gguf(_ file: ModelRegistry.LocalModelFile, missing: String = "") throws -> ResolvedModel {
        guard FileManager.default.fileExists(atPath: file.url.path) else {
            throw ModelError("model '\(file.name)': \(file.url.path) does not exist (\(missing))")
        }
        return ResolvedModel(name: file.name, step: nil) {
            try EngineLanguageModel(ggufAt: file.url, name: file.name,
                                    maximumContextLength: file.contextLength ?? DecoderModel.defaultMaximumContextLength,
                                    chatTemplate: file.chatTemplate)
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
