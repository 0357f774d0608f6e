import ArgumentParser
import Backends
import EvalCore
import Foundation

extension Eval {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a model on tasks and write results.",
            discussion: """
                Prints a Markdown table on stdout and writes results/<run-id>/results.json and samples.jsonl.
                A training run folder as --model evaluates every checkpoint in step order.
                Exit codes: 0 success, 1 run failure, 2 usage or validation error.
                """
        )

        @Argument(help: ArgumentHelp("Task or group files (or task names under tasks/).", valueName: "task"))
        var tasks: [String]

        @OptionGroup var modelOptions: ModelOptions
        @OptionGroup var selection: SelectionOptions

        @Option(name: .long, help: ArgumentHelp("Folder that receives results/<run-id>/.", valueName: "dir"))
        var outputDir: String = "results"

        @Flag(name: .long, help: "No progress bar on stderr.")
        var quiet = false

        mutating func run() async throws {
            let started = Date()
            let (taskList, groups) = try TaskPaths.load(tasks)
            let options = selection.runOptions(batchSize: modelOptions.batchSize, quiet: quiet)
            let prepared = try EvaluationRunner.prepare(taskList, options: options)
            let prepareSeconds = Date().timeIntervalSince(started)

            let models: [ResolvedModel]
            do { models = try ModelResolver.resolve(modelOptions.model) } catch { throw UsageError("--model: \(error)") }
            var progression = Progression()
            for (index, resolved) in models.enumerated() {
                let model: any LanguageModel
                do { model = try modelOptions.cached(resolved.load()) } catch { throw UsageError("--model \(resolved.name): \(error)") }
                let modelStart = Date()
                let runner = EvaluationRunner(model: model, options: options)
                let runs = try await runner.run(prepared)
                let modelSeconds = Date().timeIntervalSince(modelStart)
                let results = RunResults(
                    schemaVersion: RunResults.currentSchemaVersion,
                    runID: ResultsWriter.makeRunID(model: model.identity.name, task: groups.first?.name ?? taskList.map(\.task.name).joined(separator: "+")),
                    createdAt: ISO8601DateFormatter().string(from: Date()),
                    evalkitVersion: EvalKitVersion.string, gitRevision: EvalKitVersion.gitRevision(),
                    model: model.identity, modelCapabilities: model.capabilities, options: options,
                    tasks: runs.map(Self.taskResult), groups: groups.map(Self.groupResult),
                    timings: .init(prepareSeconds: prepareSeconds, modelSeconds: modelSeconds,
                                   totalSeconds: Date().timeIntervalSince(started)))
                let folder = try ResultsWriter.write(results: results, runs: runs, to: URL(fileURLWithPath: outputDir))
                if models.count > 1 { print("## \(model.identity.name)\(resolved.step.map { " (step \($0))" } ?? "")\n") }
                print(MarkdownTable.render(results))
                if !quiet || index == models.count - 1 {
                    FileHandle.standardError.write(Data("results: \(folder.path)/results.json\n".utf8))
                }
                if let step = resolved.step {
                    var written = results
                    written.runID = folder.lastPathComponent
                    progression.points.append(.init(step: step, results: written))
                }
            }
            if progression.points.count > 1 {
                let table = progression.markdown()
                print("## Progression (\(modelOptions.model))\n")
                print(table)
                let folder = try ProgressionWriter.write(progression, series: modelOptions.model, to: URL(fileURLWithPath: outputDir))
                FileHandle.standardError.write(Data("progression: \(folder.path)/progression.md\n".utf8))
            }
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
}
