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

        @Option(name: .long, help: ArgumentHelp("The judge model of judge tasks (any --model spec); overrides the task's judge.model.", valueName: "spec"))
        var judge: String?

        mutating func run() async throws {
            let modelOptions = self.modelOptions
            let wrap: (any LanguageModel) throws -> any LanguageModel = { try modelOptions.cached($0) }
            let chessTasks = tasks.filter { ChessRun.isChessTask((try? TaskPaths.resolve($0)) ?? $0) }
            var judgeTasks: [String] = []
            var otherTasks: [String] = []
            for task in tasks where !chessTasks.contains(task) {
                if try JudgeRun.isJudgeArgument(task) == true { judgeTasks.append(task) } else { otherTasks.append(task) }
            }
            // Every non-chess task is checked (and its requests built) before anything runs.
            let session = otherTasks.isEmpty ? nil : try EvaluationSession(
                taskArguments: otherTasks, options: selection.runOptions(batchSize: modelOptions.batchSize, quiet: quiet),
                outputDirectory: outputDir, wrap: wrap)
            for task in chessTasks {
                try await ChessRun.run(path: try TaskPaths.resolve(task), models: modelOptions.model, outputDir: outputDir, quiet: quiet, wrap: wrap)
            }
            if !judgeTasks.isEmpty {
                try await JudgeRun.run(arguments: judgeTasks, models: modelOptions.model, judgeOverride: judge,
                                       options: selection.runOptions(batchSize: modelOptions.batchSize, quiet: quiet),
                                       outputDir: outputDir, wrap: wrap)
            }
            guard let session else { return }
            guard !modelOptions.model.isEmpty else { throw UsageError("give a model with --model") }
            var models: [ResolvedModel] = []
            for spec in modelOptions.model {
                do { models += try ModelResolver.resolve(spec) } catch { throw UsageError("--model: \(error)") }
            }
            var progression = Progression()
            for (index, resolved) in models.enumerated() {
                let (results, folder) = try await session.evaluate(resolved)
                if models.count > 1 { print("## \(results.model.name)\(resolved.step.map { " (step \($0))" } ?? "")\n") }
                print(MarkdownTable.render(results))
                if !quiet || index == models.count - 1 {
                    FileHandle.standardError.write(Data("results: \(folder.path)/results.json\n".utf8))
                }
                if let step = resolved.step { progression.points.append(.init(step: step, results: results)) }
            }
            if progression.points.count > 1 {
                print("## Progression (\(modelOptions.model.joined(separator: ", ")))\n")
                print(progression.markdown())
                let folder = try ProgressionWriter.write(progression, series: modelOptions.model[0], to: URL(fileURLWithPath: outputDir))
                FileHandle.standardError.write(Data("progression: \(folder.path)/progression.md\n".utf8))
            }
        }
    }
}
