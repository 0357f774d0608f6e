import ArgumentParser
import Backends
import Dispatch
import Engine
import EvalCore
import Foundation

extension Eval {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a training run's checkpoints as training writes them, updating the progression.",
            discussion: """
                Polls runs/<name>/ for new complete checkpoints, evaluates each on the tasks, prints its scores
                and rewrites <output-dir>/<name>-watch/ (progression.md, progression.json, SVG charts). Stops when
                the run's final/ checkpoint has been evaluated, with --once, or on Ctrl-C.
                """
        )

        @Argument(help: ArgumentHelp("The training run folder (runs/<name>).", valueName: "run"))
        var run: String

        @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Task or group files (or task names under tasks/).", valueName: "task"))
        var tasks: [String]

        @OptionGroup var selection: SelectionOptions

        @Option(name: .long, help: ArgumentHelp("Seconds between looks for new checkpoints.", valueName: "s"))
        var interval: Double = 30

        @Flag(name: .long, help: "Evaluate the checkpoints present now, then exit.")
        var once = false

        @Option(name: .long, help: ArgumentHelp("Requests sent to the model per call.", valueName: "n"))
        var batchSize: Int = 32

        @Option(name: .long, help: ArgumentHelp("Response cache path (default under ${EVALKIT_CACHE:-~/.cache/evalkit}).", valueName: "path"))
        var cache: String?

        @Flag(name: .long, help: "Do not use the response cache.")
        var noCache = false

        @Option(name: .long, help: ArgumentHelp("Folder that receives results.", valueName: "dir"))
        var outputDir: String = "results"

        func validate() throws {
            if interval <= 0 { throw ValidationError("--interval must be positive") }
            if tasks.isEmpty { throw ValidationError("give at least one task with --tasks") }
        }

        mutating func run() async throws {
            let runFolder = URL(fileURLWithPath: run)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: runFolder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw UsageError("no training run folder at '\(run)'")
            }
            let cachePath = cache, noCache = self.noCache
            let session = try EvaluationSession(
                taskArguments: tasks, options: selection.runOptions(batchSize: batchSize, quiet: true), outputDirectory: outputDir,
                wrap: { model in
                    if noCache { return model }
                    let cache = try ResponseCache(url: cachePath.map { URL(fileURLWithPath: $0) } ?? ResponseCache.defaultURL())
                    return CachedLanguageModel(wrapping: model, cache: cache)
                })
            let stop = CancellationFlag()
            signal(SIGINT, SIG_IGN)
            let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            interrupt.setEventHandler { stop.cancel() }
            interrupt.resume()
            defer { interrupt.cancel() }

            var progression = Progression()
            var evaluated = Set<Int>()
            let watchFolder = "\(runFolder.lastPathComponent)-watch"
            FileHandle.standardError.write(Data("watching \(run) every \(Int(interval))s (Ctrl-C to stop)\n".utf8))
            while !stop.isCancelled {
                for checkpoint in RunCheckpoints.checkpoints(in: runFolder) where !evaluated.contains(checkpoint.step) {
                    if stop.isCancelled { break }
                    let resolved = ResolvedModel.checkpoint(checkpoint.url, step: checkpoint.step)
                    let (results, _) = try await session.evaluate(resolved)
                    evaluated.insert(checkpoint.step)
                    progression.points.append(.init(step: checkpoint.step, results: results))
                    progression.points.sort { $0.step < $1.step }
                    let summary = results.tasks.flatMap { task in
                        task.metrics.prefix(1).map { "\(task.name) \($0.metric) \(MarkdownTable.format($0.value)) ± \(MarkdownTable.format($0.stderr))" }
                    }.joined(separator: "; ")
                    print("step \(checkpoint.step): \(summary)")
                    let folder = try ProgressionWriter.write(progression, series: run, to: URL(fileURLWithPath: outputDir), folderName: watchFolder)
                    FileHandle.standardError.write(Data("progression: \(folder.path)/progression.md\n".utf8))
                }
                let finished = RunCheckpoints.finalStep(in: runFolder).map(evaluated.contains) ?? false
                if once || finished { break }
                let deadline = Date().addingTimeInterval(interval)
                while Date() < deadline && !stop.isCancelled { try await Task.sleep(nanoseconds: 200_000_000) }
            }
            if !progression.points.isEmpty {
                print("\n## Progression (\(run))\n")
                print(progression.markdown())
            }
        }
    }
}
