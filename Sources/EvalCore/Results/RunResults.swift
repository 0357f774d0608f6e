import Foundation

/// What `results.json` holds. Schema versions are kept readable forever; see docs/results.md.
public struct RunResults: Codable, Sendable {
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var runID: String
    public var createdAt: String
    public var evalkitVersion: String
    public var gitRevision: String?
    public var model: ModelIdentity
    public var modelCapabilities: ModelCapabilities
    public var options: RunOptions
    public var tasks: [TaskResult]
    public var groups: [GroupResult]
    public var timings: Timings

    public init(schemaVersion: Int = RunResults.currentSchemaVersion, runID: String, createdAt: String, evalkitVersion: String,
                gitRevision: String?, model: ModelIdentity, modelCapabilities: ModelCapabilities, options: RunOptions,
                tasks: [TaskResult], groups: [GroupResult], timings: Timings) {
        self.schemaVersion = schemaVersion
        self.runID = runID
        self.createdAt = createdAt
        self.evalkitVersion = evalkitVersion
        self.gitRevision = gitRevision
        self.model = model
        self.modelCapabilities = modelCapabilities
        self.options = options
        self.tasks = tasks
        self.groups = groups
        self.timings = timings
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", runID = "run_id", createdAt = "created_at"
        case evalkitVersion = "evalkit_version", gitRevision = "git_revision", model
        case modelCapabilities = "model_capabilities", options, tasks, groups, timings
    }

    public struct TaskResult: Codable, Sendable {
        public var name: String
        public var kind: String
        public var version: String
        public var contentHash: String
        public var file: String
        public var fewshot: Int
        public var fewshotSeed: UInt64
        public var docsEvaluated: Int
        public var docsTotal: Int
        public var metrics: [MetricResult]
        public var config: JSONValue
        /// Judge tasks: the judge, unparseable judgements, per-turn/category scores or standings.
        public var judge: JudgeResultSummary?

        public init(name: String, kind: String, version: String, contentHash: String, file: String, fewshot: Int,
                    fewshotSeed: UInt64, docsEvaluated: Int, docsTotal: Int, metrics: [MetricResult], config: JSONValue,
                    judge: JudgeResultSummary? = nil) {
            self.name = name
            self.kind = kind
            self.version = version
            self.contentHash = contentHash
            self.file = file
            self.fewshot = fewshot
            self.fewshotSeed = fewshotSeed
            self.docsEvaluated = docsEvaluated
            self.docsTotal = docsTotal
            self.metrics = metrics
            self.config = config
            self.judge = judge
        }

        enum CodingKeys: String, CodingKey {
            case name, kind, version, contentHash = "content_hash", file, fewshot, fewshotSeed = "fewshot_seed"
            case docsEvaluated = "docs_evaluated", docsTotal = "docs_total", metrics, config, judge
        }
    }

    public struct GroupResult: Codable, Sendable {
        public var name: String
        public var file: String
        public var tasks: [String]
        public var weights: [Double]

        public init(name: String, file: String, tasks: [String], weights: [Double]) {
            self.name = name
            self.file = file
            self.tasks = tasks
            self.weights = weights
        }
    }

    public struct Timings: Codable, Sendable {
        public var prepareSeconds: Double
        public var modelSeconds: Double
        public var totalSeconds: Double

        public init(prepareSeconds: Double, modelSeconds: Double, totalSeconds: Double) {
            self.prepareSeconds = prepareSeconds
            self.modelSeconds = modelSeconds
            self.totalSeconds = totalSeconds
        }

        enum CodingKeys: String, CodingKey {
            case prepareSeconds = "prepare_seconds", modelSeconds = "model_seconds", totalSeconds = "total_seconds"
        }
    }
}

extension MetricResult {
    enum CodingKeys: String, CodingKey {
        case metric, filter, value, stderr, n, higherIsBetter = "higher_is_better", stderrMethod = "stderr_method"
    }
}

public enum EvalKitVersion {
    public static let string = "0.1.0"

    /// The git revision of the EvalKit checkout the running binary was built from, when known:
    /// `EVALKIT_GIT_REVISION`, else `git rev-parse HEAD` in the package folder the executable sits in.
    public static func gitRevision() -> String? {
        if let fromEnvironment = ProcessInfo.processInfo.environment["EVALKIT_GIT_REVISION"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { break }
            folder.deleteLastPathComponent()
        }
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder.path, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
