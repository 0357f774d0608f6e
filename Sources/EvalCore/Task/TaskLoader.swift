import Foundation

/// Reads task and group files into specs, checking every key, type and reference before anything
/// runs. All problems found in one file are reported together.
public enum TaskLoader {
    static let taskKeys = [
        "name", "kind", "description", "version", "include", "dataset", "docs", "fields", "prompt", "choices",
        "choice_labels", "target", "target_delimiter", "unconditional_prompt", "text", "fewshot", "generation",
        "filters", "metrics", "metadata",
    ] + judgeTaskKeys
    static let groupKeys = ["name", "description", "tasks", "version", "metadata"]
    static let datasetKeys = ["path", "format", "split", "limit", "fetch"]
    static let fewshotKeys = ["n", "source", "split", "format", "sampler", "seed", "delimiter"]
    static let generationKeys = ["max_tokens", "stop", "temperature", "top_p", "seed", "samples"]

    /// Loads a task or group file.
    /// - Throws: `TaskFileError` / `TaskFileErrors` with file, line, column and key path.
    public static func load(path: String) throws -> TaskFile {
        let root = try YAMLNode.load(file: path)
        let mapping = try root.mapping()
        if mapping.has("tasks") { return .group(try loadGroup(mapping, file: path)) }
        if let kind = mapping["kind"], (try? kind.string()) == TaskKind.chess.rawValue {
            let name = (try? mapping["name"]?.string()) ?? nil
            return .chess(name: name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, file: path)
        }
        return .task(try loadTask(path: path))
    }

    /// Loads every task/group file below a folder (sorted by path), collecting errors per file.
    public static func discover(directory: String) -> [(path: String, result: Result<TaskFile, Error>)] {
        let root = URL(fileURLWithPath: directory).resolvingSymlinksInPath()
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var paths: [String] = []
        // Paths are reported under the folder as the user named it, not its resolved form.
        let prefix = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        for case let url as URL in enumerator where ["yaml", "yml"].contains(url.pathExtension) {
            let resolved = url.resolvingSymlinksInPath().path
            paths.append(resolved.hasPrefix(root.path + "/") ? prefix + resolved.dropFirst(root.path.count) : url.path)
        }
        return paths.sorted().map { path in (path, Result { try load(path: path) }) }
    }

    static func loadGroup(_ mapping: YAMLMapping, file: String) throws -> TaskGroupSpec {
        try mapping.checkKeys(allowed: groupKeys)
        let name = try mapping["name"]?.string() ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var tasks: [(TaskSpec, Double)] = []
        var errors: [Error] = []
        for item in try mapping.required("tasks").sequence() {
            do {
                var pathNode = item
                var weight = 1.0
                if case .mapping = item.node {
                    let entry = try item.mapping()
                    try entry.checkKeys(allowed: ["path", "weight"])
                    pathNode = try entry.required("path")
                    if let w = entry["weight"] {
                        weight = try w.double()
                        guard weight > 0 else { throw w.error("weight must be positive") }
                    }
                }
                let relative = try pathNode.string()
                let path = pathNode.baseDirectory.appendingPathComponent(relative).standardizedFileURL.path
                guard FileManager.default.fileExists(atPath: path) else { throw pathNode.error("no task file at '\(relative)'") }
                switch try load(path: path) {
                case .task(let task): tasks.append((task, weight))
                case .group(let group): tasks.append(contentsOf: group.tasks.map { ($0.task, $0.weight * weight) })
                case .chess: throw pathNode.error("chess tournaments cannot be part of a group; run them on their own")
                }
            } catch {
                errors.append(error)
            }
        }
        try throwCollected(errors)
        return TaskGroupSpec(name: name, file: file, tasks: tasks)
    }

    /// Reads a task file, following `include` chains (the including file's keys win).
    static func resolvedMapping(path: String, chain: [String] = []) throws -> YAMLMapping {
        let standardized = URL(fileURLWithPath: path).standardizedFileURL.path
        let mapping = try YAMLNode.load(file: path).mapping()
        guard let include = mapping["include"] else { return mapping }
        let relative = try include.string()
        let parentPath = include.baseDirectory.appendingPathComponent(relative).standardizedFileURL.path
        if chain.contains(parentPath) || parentPath == standardized {
            throw include.error("include cycle: \((chain + [standardized, parentPath]).joined(separator: " -> "))")
        }
        guard FileManager.default.fileExists(atPath: parentPath) else { throw include.error("no file to include at '\(relative)'") }
        let parent = try resolvedMapping(path: parentPath, chain: chain + [standardized])
        var merged = parent.overlaid(by: mapping)
        merged.entries.removeAll { $0.key == "include" }
        return merged
    }

    public static func loadTask(path: String) throws -> TaskSpec {
        let mapping = try resolvedMapping(path: path)
        var errors: [Error] = mapping.unknownKeys(allowed: taskKeys)
        func attempt<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }
        func attempt<T>(_ body: () throws -> T?) -> T? {
            do { return try body() } catch { errors.append(error); return nil }
        }

        let name = attempt { try mapping["name"]?.string() } ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let kindNode = attempt { try mapping.required("kind") }
        var kind: TaskKind? = nil
        if let kindNode, let raw = attempt({ try kindNode.string() }) {
            kind = TaskKind(rawValue: raw)
            if kind == nil {
                errors.append(kindNode.error("unknown kind '\(raw)'; expected one of \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))"
                    + Suggestion.didYouMean(raw, among: TaskKind.allCases.map(\.rawValue))))
            }
        }
        let version = attempt { try mapping["version"]?.string() } ?? "0"
        let description = attempt { try mapping["description"]?.string() }

        let dataset = attempt { try parseDataset(mapping) }
        var fields: [(String, PromptTemplate)] = []
        if let node = mapping["fields"], let fieldMap = attempt({ try node.mapping() }) {
            for entry in fieldMap.entries {
                if let template = attempt({ try template(entry.value) }) { fields.append((entry.key, template)) }
            }
        }
        let prompt = attempt { try mapping["prompt"].map(template) }
        let choices = attempt { try mapping["choices"].map(listTemplate) }
        let choiceLabels = attempt { try mapping["choice_labels"].map(listTemplate) }
        let target = attempt { try mapping["target"].map(listTemplate) }
        let text = attempt { try mapping["text"].map(template) }
        let targetDelimiter = attempt { try mapping["target_delimiter"]?.string() } ?? " "
        let unconditional = attempt { try mapping["unconditional_prompt"]?.string() } ?? "Answer:"
        let fewshot = attempt { try parseFewShot(mapping["fewshot"]) } ?? FewShotSpec()
        let generation = attempt { try parseGeneration(mapping["generation"]) } ?? GenerationSpec()
        let filters = attempt { try parseFilters(mapping["filters"]) } ?? [.identity]

        var metrics: [MetricSpec] = []
        var judge: JudgeSpec? = nil
        if let kind {
            // Required keys per kind.
            switch kind {
            case .multipleChoice:
                for key in ["prompt", "choices", "target"] where !mapping.has(key) {
                    errors.append(missing(key, in: mapping, because: "multiple_choice tasks need it"))
                }
            case .generation:
                for key in ["prompt", "target"] where !mapping.has(key) {
                    errors.append(missing(key, in: mapping, because: "generation tasks need it"))
                }
            case .perplexity:
                break
            case .judge:
                judge = attempt { try parseJudge(mapping, prompt: prompt, generation: generation) }
                if let node = mapping["metrics"] {
                    errors.append(node.error("judge tasks report the judge's scores (docs/judge.md); metrics do not apply"))
                }
            case .chess:
                errors.append(kindNode!.error("kind 'chess' is run by the arena; see docs/arena.md"))
            }
            if kind != .judge {
                for key in judgeTaskKeys { if let node = mapping[key] { errors.append(node.error("\(key) applies to judge tasks only")) } }
            }
            if kind != .judge, let parsed = attempt({ try parseMetrics(mapping["metrics"], kind: kind, generation: generation) }) { metrics = parsed }
            if kind != .generation, let node = mapping["filters"] {
                errors.append(node.error("filters apply to generation tasks only"))
            }
            if kind != .generation && kind != .judge, let node = mapping["generation"] {
                errors.append(node.error("generation settings apply to generation and judge tasks only"))
            }
        }

        try throwCollected(errors)
        guard let kind, let dataset else { throw TaskFileErrors(errors: []) }
        // The merged mapping (include applied), not the file's own text.
        let resolvedConfig = (try? JSONValue.object(Dictionary(uniqueKeysWithValues: mapping.entries.map { ($0.key, try $0.value.json()) }))) ?? .null
        return TaskSpec(
            name: name, kind: kind, description: description, version: version, file: path, dataset: dataset,
            fields: fields, prompt: prompt, choices: choices, choiceLabels: choiceLabels, target: target,
            targetDelimiter: targetDelimiter, unconditionalPrompt: unconditional, text: text, fewshot: fewshot,
            generation: generation, filters: filters, metrics: metrics, resolvedConfig: resolvedConfig,
            contentHash: SHA256Hasher.hex(JSONValue.encodeCompact(resolvedConfig)), judge: judge)
    }

    static func missing(_ key: String, in mapping: YAMLMapping, because reason: String) -> TaskFileError {
        TaskFileError(file: mapping.origin.file, line: mapping.origin.line, column: mapping.origin.column,
                      keyPath: key, message: "missing required key '\(key)' (\(reason))")
    }

    static func throwCollected(_ errors: [Error]) throws {
        guard !errors.isEmpty else { return }
        var flat: [TaskFileError] = []
        for error in errors {
            if let e = error as? TaskFileError { flat.append(e) }
            else if let e = error as? TaskFileErrors { flat.append(contentsOf: e.errors) }
            else { throw error }
        }
        if flat.count == 1 { throw flat[0] }
        throw TaskFileErrors(errors: flat)
    }

    static func template(_ node: YAMLNode) throws -> PromptTemplate {
        let source = try node.string()
        do {
            return try PromptTemplate(source)
        } catch let error as TemplateError {
            // A template's own line/column, placed inside the file when the template is on one line.
            if case .syntax(let line, let column, let reason) = error {
                let fileLine = (node.line ?? 1) + line - 1
                let fileColumn = line == 1 ? (node.column ?? 1) + column - 1 : column
                throw TaskFileError(file: node.file, line: fileLine, column: fileColumn, keyPath: node.keyPath,
                                    message: "template syntax error: \(reason)")
            }
            throw node.error("\(error)")
        }
    }

    /// `choices`, `choice_labels` and `target` accept a template, a bare field name (`endings`,
    /// `choices.text`), or a list of templates (one per item).
    static func listTemplate(_ node: YAMLNode) throws -> PromptTemplate {
        if case .sequence = node.node {
            let items = try node.sequence()
            guard !items.isEmpty else { throw node.error("the list is empty") }
            // A list of templates becomes one template rendering a JSON list marker per item.
            let parts = try items.map { try template($0).source }
            return try PromptTemplate(ListTemplateEncoding.encode(parts))
        }
        let source = try node.string()
        let isBareField = !source.isEmpty && source.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            && node.node.scalar?.style == .plain
        return try template(YAMLNode(node: isBareField ? .scalar(.init("{{\(source)}}")) : node.node, file: node.file, keyPath: node.keyPath))
    }

    static func parseDataset(_ mapping: YAMLMapping) throws -> DatasetSpec {
        if let docsNode = mapping["docs"] {
            if mapping.has("dataset"), let d = try mapping["dataset"]?.mapping(), d.has("path") {
                throw docsNode.error("give either inline docs or dataset.path, not both")
            }
            let items = try docsNode.sequence()
            guard !items.isEmpty else { throw docsNode.error("docs is empty") }
            let docs: [Doc] = try items.map { item in
                guard case .object(let object) = try item.json() else { throw item.error("each doc must be a mapping") }
                return object
            }
            let limit = try mapping["dataset"]?.mapping()["limit"]?.int()
            return DatasetSpec(source: .inline(docs), limit: limit)
        }
        let node = try mapping.required("dataset")
        let dataset = try node.mapping()
        try dataset.checkKeys(allowed: datasetKeys)
        let pathNode = try dataset.required("path")
        let relative = try pathNode.string()
        let url = pathNode.baseDirectory.appendingPathComponent(relative).standardizedFileURL
        let format = try dataset["format"].map { formatNode -> DatasetFormat in
            let raw = try formatNode.string()
            guard let format = DatasetFormat(rawValue: raw) else {
                throw formatNode.error("unknown format '\(raw)'; expected jsonl, json or csv")
            }
            return format
        }
        if format == nil && DatasetFormat.inferred(from: url) == nil {
            throw pathNode.error("cannot infer the format of '\(relative)' from its extension; set dataset.format (jsonl, json, csv)")
        }
        let fetch = try dataset["fetch"]?.string()
        if !FileManager.default.fileExists(atPath: url.path) && fetch == nil {
            throw pathNode.error("no dataset file at '\(relative)' (resolved to \(url.path))")
        }
        let limit = try dataset["limit"].map { limitNode -> Int in
            let value = try limitNode.int()
            guard value > 0 else { throw limitNode.error("limit must be positive") }
            return value
        }
        return DatasetSpec(source: .file(url, format: format, split: try dataset["split"]?.string()), limit: limit, fetch: fetch)
    }

    static func parseFewShot(_ node: YAMLNode?) throws -> FewShotSpec {
        var spec = FewShotSpec()
        guard let node else { return spec }
        let mapping = try node.mapping()
        try mapping.checkKeys(allowed: fewshotKeys)
        if let n = mapping["n"] {
            spec.n = try n.int()
            guard spec.n >= 0 else { throw n.error("n must be 0 or more") }
        }
        if let sampler = mapping["sampler"] {
            let raw = try sampler.string()
            guard let value = FewShotSpec.Sampler(rawValue: raw) else {
                throw sampler.error("unknown sampler '\(raw)'; expected random or first")
            }
            spec.sampler = value
        }
        if let seed = mapping["seed"] { spec.seed = UInt64(truncatingIfNeeded: try seed.int()) }
        if let delimiter = mapping["delimiter"] { spec.delimiter = try delimiter.string() }
        if let source = mapping["source"] {
            let raw = try source.string()
            if raw != "self" && raw != "same" {
                let url = source.baseDirectory.appendingPathComponent(raw).standardizedFileURL
                guard FileManager.default.fileExists(atPath: url.path) else { throw source.error("no few-shot file at '\(raw)'") }
                let format = try mapping["format"].map { f -> DatasetFormat in
                    guard let value = DatasetFormat(rawValue: try f.string()) else { throw f.error("unknown format; expected jsonl, json or csv") }
                    return value
                }
                spec.source = .file(url, format: format, split: try mapping["split"]?.string())
            }
        }
        return spec
    }

    static func parseGeneration(_ node: YAMLNode?) throws -> GenerationSpec {
        var spec = GenerationSpec()
        guard let node else { return spec }
        let mapping = try node.mapping()
        try mapping.checkKeys(allowed: generationKeys)
        if let v = mapping["max_tokens"] {
            spec.maxTokens = try v.int()
            guard spec.maxTokens > 0 else { throw v.error("max_tokens must be positive") }
        }
        if let v = mapping["stop"] { spec.stop = try v.stringOrList() }
        if let v = mapping["temperature"] {
            spec.temperature = try v.double()
            guard spec.temperature >= 0 else { throw v.error("temperature must be 0 or more") }
        }
        if let v = mapping["top_p"] {
            let p = try v.double()
            guard p > 0 && p <= 1 else { throw v.error("top_p must be in (0, 1]") }
            spec.topP = p
        }
        if let v = mapping["seed"] { spec.seed = UInt64(truncatingIfNeeded: try v.int()) }
        if let v = mapping["samples"] {
            spec.samples = try v.int()
            guard spec.samples >= 1 else { throw v.error("samples must be at least 1") }
        }
        return spec
    }
}

/// How a YAML list of templates is stored as one template: each item rendered, wrapped in the
/// list marker, so `renderList` returns one string per item.
enum ListTemplateEncoding {
    static let prefix = "\u{1}ITEMS\u{1}"
    static let separator = "\u{1}ITEM\u{1}"
    static func encode(_ parts: [String]) -> String {
        prefix + parts.joined(separator: separator)
    }
}
