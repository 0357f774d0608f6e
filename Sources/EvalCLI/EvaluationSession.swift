import Backends
import EvalCore
import Foundation

/// Tasks prepared once (every request built and checked), then evaluated on one model after
/// another: what `eval run` does per checkpoint and `eval watch` per new checkpoint.
struct EvaluationSession {
    let taskList: [(task: TaskSpec, weight: Double)]
    let groups: [TaskGroupSpec]
    let prepared: [PreparedTask]
    let options: RunOptions
    /// Wraps each loaded model (the response cache).
    let wrap: (any LanguageModel) throws -> any LanguageModel
    let outputDirectory: String
    let prepareSeconds: Double

    /// - Throws: task-file, dataset and doc errors (exit 2) before any model is loaded.
    init(taskArguments: [String], options: RunOptions, outputDirectory: String,
         wrap: @escaping (any LanguageModel) throws -> any LanguageModel) throws {
        let started = Date()
        (taskList, groups) = try TaskPaths.load(taskArguments)
        prepared = try EvaluationRunner.prepare(taskList, options: options)
        self.options = options
        self.wrap = wrap
        self.outputDirectory = outputDirectory
        prepareSeconds = Date().timeIntervalSince(started)
    }

    /// Loads the model, runs every task, writes results/<run-id>/.
    /// - Returns: the results (with the run id actually written) and their folder.
    func evaluate(_ resolved: ResolvedModel) async throws -> (RunResults, URL) {
        let model: any LanguageModel
        do { model = try wrap(resolved.load()) } catch { throw UsageError("--model \(resolved.name): \(error)") }
        let started = Date()
        let runs = try await EvaluationRunner(model: model, options: options).run(prepared)
        let modelSeconds = Date().timeIntervalSince(started)
        if let cached = model as? CachedLanguageModel {
            // What a re-run (after a crash or kill -9) did not have to recompute.
            let counts = cached.statistics
            FileHandle.standardError.write(Data("response cache: \(counts.hits) answers reused, \(counts.misses) computed\n".utf8))
        }
        var results = RunResults(
            runID: ResultsWriter.makeRunID(model: model.identity.name, task: groups.first?.name ?? taskList.map(\.task.name).joined(separator: "+")),
            createdAt: ISO8601DateFormatter().string(from: Date()),
            evalkitVersion: EvalKitVersion.string, gitRevision: EvalKitVersion.gitRevision(),
            model: model.identity, modelCapabilities: model.capabilities, options: options,
            tasks: runs.map(Self.taskResult), groups: groups.map(Self.groupResult),
            timings: .init(prepareSeconds: prepareSeconds, modelSeconds: modelSeconds, totalSeconds: prepareSeconds + modelSeconds))
        let folder = try ResultsWriter.write(results: results, runs: runs, to: URL(fileURLWithPath: outputDirectory))
        results.runID = folder.lastPathComponent
        return (results, folder)
    }

    static func taskResult(_ run: TaskRun) -> RunResults.TaskResult {
        let task = run.prepared.task
        return RunResults.TaskResult(
            name: task.name, kind: task.kind.rawValue, version: task.version, contentHash: task.contentHash,
            file: task.file, fewshot: run.prepared.fewshot, fewshotSeed: run.prepared.fewshotSeed,
            docsEvaluated: run.prepared.instances.count, docsTotal: run.prepared.totalDocs,
            metrics: run.metrics, config: task.resolvedConfig)
    }

    static func groupResult(_ group: TaskGroupSpec) -> RunResults.GroupResult {
        RunResults.GroupResult(name: group.name, file: group.file, tasks: group.tasks.map(\.task.name),
                               weights: group.tasks.map(\.weight))
    }
}
