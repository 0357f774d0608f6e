import Foundation

/// What a task asks of a model and how its answers are scored.
public enum TaskKind: String, Sendable, Codable, CaseIterable {
    case multipleChoice = "multiple_choice"
    case generation
    case perplexity
    /// Open-ended answers graded by a judge model (docs/judge.md).
    case judge
    case chess

    /// Kinds `eval run` can execute in this version (chess runs through the Arena target).
    public var isRunnable: Bool { self != .chess }
}

/// A fully resolved task file (includes applied, templates parsed, metrics checked).
public struct TaskSpec: Sendable {
    public var name: String
    public var kind: TaskKind
    public var description: String?
    public var version: String
    /// The task file the spec was read from.
    public var file: String
    public var dataset: DatasetSpec
    public var fields: [(name: String, template: PromptTemplate)]
    public var prompt: PromptTemplate?
    public var choices: PromptTemplate?
    /// A field (or template) holding the label of each choice; a target equal to a label picks that choice.
    public var choiceLabels: PromptTemplate?
    public var target: PromptTemplate?
    public var targetDelimiter: String
    public var unconditionalPrompt: String
    /// For perplexity tasks: the text scored (default: the `text` field).
    public var text: PromptTemplate?
    public var fewshot: FewShotSpec
    public var generation: GenerationSpec
    public var filters: [FilterPipeline]
    public var metrics: [MetricSpec]
    /// `kind: judge`: the questions' turns, references and the judge's settings.
    public var judge: JudgeSpec?
    /// The task as resolved (include applied), for results.json.
    public var resolvedConfig: JSONValue
    /// SHA-256 of the resolved config, so results say exactly which task definition produced them.
    public var contentHash: String

    public init(name: String, kind: TaskKind, description: String?, version: String, file: String, dataset: DatasetSpec,
                fields: [(name: String, template: PromptTemplate)], prompt: PromptTemplate?, choices: PromptTemplate?,
                choiceLabels: PromptTemplate?, target: PromptTemplate?, targetDelimiter: String, unconditionalPrompt: String,
                text: PromptTemplate?, fewshot: FewShotSpec, generation: GenerationSpec, filters: [FilterPipeline],
                metrics: [MetricSpec], resolvedConfig: JSONValue, contentHash: String, judge: JudgeSpec? = nil) {
        self.name = name
        self.kind = kind
        self.description = description
        self.version = version
        self.file = file
        self.dataset = dataset
        self.fields = fields
        self.prompt = prompt
        self.choices = choices
        self.choiceLabels = choiceLabels
        self.target = target
        self.targetDelimiter = targetDelimiter
        self.unconditionalPrompt = unconditionalPrompt
        self.text = text
        self.fewshot = fewshot
        self.generation = generation
        self.filters = filters
        self.metrics = metrics
        self.judge = judge
        self.resolvedConfig = resolvedConfig
        self.contentHash = contentHash
    }
}

public struct DatasetSpec: Sendable {
    public enum Source: Sendable {
        case file(URL, format: DatasetFormat?, split: String?)
        case inline([Doc])
    }
    public var source: Source
    public var limit: Int?
    /// `dataset.fetch`: the data set `scripts/fetch-data NAME` installs at `path`; until it has
    /// run, loading the docs throws `DatasetNotFetched` instead of the file being an error.
    public var fetch: String?
    public init(source: Source, limit: Int?, fetch: String? = nil) {
        self.source = source
        self.limit = limit
        self.fetch = fetch
    }
}

public struct FewShotSpec: Sendable {
    public enum Sampler: String, Sendable, CaseIterable { case random, first }
    public enum Source: Sendable {
        /// The task's own dataset (the doc being asked is never its own example).
        case sameDataset
        case file(URL, format: DatasetFormat?, split: String?)
    }
    public var n: Int = 0
    public var source: Source = .sameDataset
    public var sampler: Sampler = .random
    public var seed: UInt64 = 1234
    public var delimiter: String = "\n\n"
    public init() {}
}

public struct GenerationSpec: Sendable {
    public var maxTokens: Int = 256
    public var stop: [String] = []
    public var temperature: Double = 0
    public var topP: Double? = nil
    public var seed: UInt64 = 1234
    public var samples: Int = 1
    public init() {}
}

/// A metric as the task file names it, with its options.
public struct MetricSpec: Sendable, Hashable {
    public var name: String
    public var options: [String: JSONValue]
    /// The key used in results ("exact_match", or "pass_at_k@5" style when options change meaning).
    public var key: String
    public init(name: String, options: [String: JSONValue], key: String) {
        self.name = name
        self.options = options
        self.key = key
    }
}

/// A group file: several tasks run together, with optional weights for the average.
public struct TaskGroupSpec: Sendable {
    public var name: String
    public var file: String
    public var tasks: [(task: TaskSpec, weight: Double)]
}

/// What a task or group file holds.
public enum TaskFile: Sendable {
    case task(TaskSpec)
    case group(TaskGroupSpec)
    /// A `kind: chess` tournament file; its keys are read and checked by the Arena target.
    case chess(name: String, file: String)

    public var tasks: [TaskSpec] {
        switch self {
        case .task(let task): return [task]
        case .group(let group): return group.tasks.map(\.task)
        case .chess: return []
        }
    }
}
