import EvalCore
import Foundation
import Yams

/// Named models from a `models.yaml` file: remote endpoints, so a run can say `--model openai:NAME`
/// (or just `NAME`), and local model files (`path:`, a GGUF file), so `--model NAME` loads the file.
///
/// ```yaml
/// models:
///   - name: local-gpt2
///     base_url: http://127.0.0.1:8000/v1
///     model: gpt2
///     api: completions          # or chat
///     api_key_env: VLLM_API_KEY # the variable's name, never the key
///     concurrency: 8
///     timeout: 60               # seconds per request
///     max_retries: 3
///     context_length: 1024
///     prompts_per_request: 8    # log-likelihood prompts per request (1: no prompt lists)
///     headers: {X-Team: evals}
///   - name: gemma-3-270m          # a local file; relative paths are relative to models.yaml
///     path: ~/.cache/evalkit/models/gemma-3-270m-q4_k_m.gguf
/// ```
/// An entry has either `path` (and nothing else but `name`, `context_length` and `chat_template`) or `base_url` + `model`.
/// Unknown keys, wrong types and duplicate names are errors naming `file:line`.
public struct ModelRegistry: Sendable {
    public let entries: [OpenAIEndpoint]
    /// Entries naming a local model file.
    public let files: [LocalModelFile]

    /// A registry entry naming a local model file (`path:`).
    public struct LocalModelFile: Sendable, Equatable {
        public let name: String
        /// Absolute; `~` expanded, relative paths resolved against the registry file's folder.
        public let url: URL
        /// Caps the context length (`context_length:`), nil for the engine's default.
        public var contextLength: Int?
        /// The chat template (`chat_template:`, docs/chat-templates.md), nil to recognise the file's.
        public var chatTemplate: ChatTemplate?

        public init(name: String, url: URL, contextLength: Int?, chatTemplate: ChatTemplate? = nil) {
            self.name = name
            self.url = url
            self.contextLength = contextLength
            self.chatTemplate = chatTemplate
        }
    }

    public init(entries: [OpenAIEndpoint], files: [LocalModelFile] = []) {
        self.entries = entries
        self.files = files
    }

    /// The local-file entry called `name`, if any.
    public func file(named name: String) -> LocalModelFile? { files.first { $0.name == name } }

    /// Models every installation knows without a models.yaml: `gemma-3-270m`, the Gemma 3 270M
    /// Q4_K_M GGUF that scripts/fetch-models puts in `${EVALKIT_CACHE:-~/.cache/evalkit}/models/`.
    /// An entry of the same name in models.yaml takes precedence.
    public static func builtInFiles(environment: [String: String] = ProcessInfo.processInfo.environment) -> [LocalModelFile] {
        let cache = environment["EVALKIT_CACHE"].flatMap { $0.isEmpty ? nil : ($0 as NSString).expandingTildeInPath }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/evalkit").path
        return [LocalModelFile(name: "gemma-3-270m", url: URL(fileURLWithPath: cache).appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf"),
                               contextLength: nil)]
    }

    /// The entry called `name`, or an error listing the names there are.
    public func endpoint(named name: String) throws -> OpenAIEndpoint {
        if let entry = entries.first(where: { $0.name == name }) { return entry }
        let known = entries.map(\.name).joined(separator: ", ")
        throw RemoteModelSpecError("no model named '\(name)' in models.yaml (known: \(known.isEmpty ? "none" : known))")
    }

    /// `$EVALKIT_MODELS` when set, else `models.yaml` in the current folder.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["EVALKIT_MODELS"], !path.isEmpty {
            return URL(fileURLWithPath: (path as NSString).expandingTildeInPath)
        }
        return URL(fileURLWithPath: "models.yaml")
    }

    public static func load(from url: URL) throws -> ModelRegistry {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw RemoteModelSpecError("\(url.path): cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: url.path)
    }

    static let entryKeys = ["name", "base_url", "model", "api", "api_key_env", "concurrency", "timeout",
                            "max_retries", "headers", "context_length", "prompts_per_request", "path", "chat_template"]

    /// Parses the text of a models.yaml; `file` is used in error messages.
    public static func parse(_ text: String, file: String) throws -> ModelRegistry {
        func fail(_ node: Node?, _ message: String) -> RemoteModelSpecError {
            let line = node?.mark.map { ":\($0.line)" } ?? ""
            return RemoteModelSpecError("\(file)\(line): \(message)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw RemoteModelSpecError("\(file): malformed YAML: \(error)")
        }
        guard let root, case .mapping(let top) = root else {
            throw fail(root, "expected a mapping with a 'models' list")
        }
        var list: Node?
        for (key, value) in top {
            guard key.string == "models" else { throw fail(key, "unknown key '\(key.string ?? "?")'; the file holds one key, 'models'") }
            list = value
        }
        guard let list, case .sequence(let items) = list else { throw fail(list ?? root, "'models' must be a list of entries") }

        var entries: [OpenAIEndpoint] = []
        var files: [LocalModelFile] = []
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        for item in items {
            guard case .mapping(let mapping) = item else { throw fail(item, "each model entry must be a mapping") }
            var fields: [String: Node] = [:]
            for (key, value) in mapping {
                guard let name = key.string, entryKeys.contains(name) else {
                    throw fail(key, "unknown key '\(key.string ?? "?")' in a model entry; known keys: \(entryKeys.joined(separator: ", "))")
                }
                guard fields[name] == nil else { throw fail(key, "duplicate key '\(name)'") }
                fields[name] = value
            }
            func string(_ key: String) throws -> String? {
                guard let node = fields[key] else { return nil }
                guard case .scalar(let scalar) = node else { throw fail(node, "'\(key)' must be a string") }
                return scalar.string
            }
            func integer(_ key: String) throws -> Int? {
                guard let node = fields[key] else { return nil }
                guard let value = node.int else { throw fail(node, "'\(key)' must be an integer, got '\(node.string ?? "?")'") }
                return value
            }
            func required(_ key: String) throws -> String {
                guard let value = try string(key), !value.isEmpty else { throw fail(item, "model entry lacks '\(key)'\(key == "base_url" ? " (an endpoint has base_url and model; a model file has path)" : "")") }
                return value
            }
            if let path = try string("path") {
                let name = try required("name")
                if let extra = fields.keys.sorted().first(where: { !["name", "path", "context_length", "chat_template"].contains($0) }) {
                    throw fail(fields[extra], "'\(extra)' does not apply to a model file entry (path:); it takes name, path, context_length and chat_template")
                }
                var chatTemplate: ChatTemplate?
                if let value = try string("chat_template") {
                    guard let template = ChatTemplate(rawValue: value) else { throw fail(fields["chat_template"], "'chat_template' must be one of \(ChatTemplate.names), got '\(value)'") }
                    chatTemplate = template
                }
                guard !path.isEmpty else { throw fail(fields["path"], "'path' is empty") }
                let expanded = (path as NSString).expandingTildeInPath
                let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : folder.appendingPathComponent(expanded)
                if let length = try integer("context_length"), length <= 0 { throw fail(fields["context_length"], "'context_length' must be positive") }
                if files.contains(where: { $0.name == name }) || entries.contains(where: { $0.name == name }) { throw fail(item, "duplicate model name '\(name)'") }
                files.append(LocalModelFile(name: name, url: url.standardizedFileURL, contextLength: try integer("context_length"),
                                            chatTemplate: chatTemplate))
                continue
            }
            var entry = OpenAIEndpoint(name: try required("name"), baseURL: try required("base_url"), model: try required("model"))
            if let style = try string("api") {
                guard let api = OpenAIAPIStyle(rawValue: style) else { throw fail(fields["api"], "'api' must be completions or chat, got '\(style)'") }
                entry.api = api
            }
            entry.apiKeyEnvironmentVariable = try string("api_key_env")
            if let value = try integer("concurrency") { entry.concurrency = value }
            if let value = try integer("max_retries") { entry.maxRetries = value }
            if let value = try integer("context_length") { entry.contextLength = value }
            if let value = try integer("prompts_per_request") { entry.promptsPerRequest = value }
            if let node = fields["timeout"] {
                guard let seconds = node.float else { throw fail(node, "'timeout' must be seconds, got '\(node.string ?? "?")'") }
                entry.timeout = seconds
            }
            if let node = fields["headers"] {
                guard case .mapping(let headers) = node else { throw fail(node, "'headers' must be a mapping of header name to value") }
                for (key, value) in headers {
                    guard let name = key.string, let text = value.string else { throw fail(key, "header names and values must be strings") }
                    entry.headers[name] = text
                }
            }
            if entries.contains(where: { $0.name == entry.name }) || files.contains(where: { $0.name == entry.name }) { throw fail(item, "duplicate model name '\(entry.name)'") }
            entries.append(try entry.validated(origin: "\(file)\(item.mark.map { ":\($0.line)" } ?? "") (model '\(entry.name)')"))
        }
        return ModelRegistry(entries: entries, files: files)
    }
}
