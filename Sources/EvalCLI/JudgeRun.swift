import Backends
import EvalCore
import Foundation

/// `eval run` on `kind: judge` tasks: every `--model` answers every question turn by turn, then
/// the judge (`--judge`, else the task's `judge.model`) grades the answers. Each answering model
/// gets a results folder (results.json, samples.jsonl) as in any run; pairwise tasks also write
/// `<output-dir>/<task>-judge/standings.md` for a leaderboard's `ratings:` list. See docs/judge.md.
enum JudgeRun {
    /// Whether every task a task argument names is a judge task (nil when it cannot be loaded:
    /// the ordinary path reports the error).
    static func isJudgeArgument(_ argument: String) throws -> Bool? {
        guard let (tasks, _) = try? TaskPaths.load([argument]), !tasks.isEmpty else { return nil }
        let judged = tasks.filter { $0.task.kind == .judge }.count
        if judged == 0 { return false }
        if judged == tasks.count { return true }
        throw UsageError("\(argument) mixes judge tasks with other kinds; run them as separate arguments")
    }

    static func run(arguments: [String], models specs: [String], judgeOverride: String?, options: RunOptions,
                    outputDir: String, wrap: @escaping (any LanguageModel) throws -> any LanguageModel) async throws {
        let started = Date()
        let (taskList, groups) = try TaskPaths.load(arguments)
        let prepared = try EvaluationRunner.prepare(taskList, options: options)
        // Judges are resolved (not loaded) before any model runs, so a missing one fails early.
        var judgeSpecs: [String] = []
        for item in prepared {
            guard let spec = judgeOverride ?? item.task.judge?.model else {
                throw UsageError("task '\(item.task.name)' needs a judge model: give --judge SPEC or set judge.model in \(item.task.file)")
            }
            if !judgeSpecs.contains(spec) { judgeSpecs.append(spec) }
        }
        var judges: [String: ResolvedModel] = [:]
        for spec in judgeSpecs {
            let resolved: [ResolvedModel]
            do { resolved = try ModelResolver.resolve(spec) } catch { throw UsageError("judge '\(spec)': \(error)") }
            guard resolved.count == 1, let only = resolved.first else {
                throw UsageError("judge '\(spec)' names \(resolved.count) models; a judge is one checkpoint or endpoint")
            }
            judges[spec] = only
        }
        guard !specs.isEmpty else { throw UsageError("give the answering model(s) with --model") }
        var models: [ResolvedModel] = []
        for spec in specs {
            do { models += try ModelResolver.resolve(spec) } catch { throw UsageError("--model: \(error)") }
        }
        let prepareSeconds = Date().timeIntervalSince(started)

        let answerStarted = Date()
        var answers: [JudgeAnswers] = []
        for resolved in models {
            let model: any LanguageModel
            do { model = try wrap(resolved.load()) } catch { throw UsageError("--model \(resolved.name): \(error)") }
            answers.append(try await JudgeRunner.answer(prepared, model: model, options: options))
        }
        var runs: [JudgeTaskRun] = []
        for spec in judgeSpecs {
            guard let resolved = judges[spec] else { continue }
            let judge: any LanguageModel
            do { judge = try wrap(resolved.load()) } catch { throw UsageError("judge \(resolved.name): \(error)") }
            let tasks = prepared.filter { (judgeOverride ?? $0.task.judge?.model) == spec }
            runs += try await JudgeRunner.judge(tasks, answers: answers, judge: judge, options: options)
        }
        // Task order as given, whichever judge graded them.
        runs.sort { a, b in
            (prepared.firstIndex { $0.task.name == a.prepared.task.name } ?? 0) < (prepared.firstIndex { $0.task.name == b.prepared.task.name } ?? 0)
        }
        let modelSeconds = Date().timeIntervalSince(answerStarted)

        for run in runs {
            print(JudgeReport.markdown(run))
            if run.pairwise != nil {
                let folder = URL(fileURLWithPath: outputDir).appendingPathComponent("\(run.prepared.task.name)-judge")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let file = folder.appendingPathComponent("standings.md")
                try JudgeReport.standingsMarkdown(run).write(to: file, atomically: true, encoding: .utf8)
                FileHandle.standardError.write(Data("standings: \(file.path)\n".utf8))
            }
        }
        for answer in answers {
            let name = answer.model.name
            let results = RunResults(
                runID: ResultsWriter.makeRunID(model: name, task: groups.first?.name ?? taskList.map(\.task.name).joined(separator: "+")),
                createdAt: ISO8601DateFormatter().string(from: Date()), evalkitVersion: EvalKitVersion.string,
                gitRevision: EvalKitVersion.gitRevision(), model: answer.model, modelCapabilities: answer.capabilities,
                options: options,
                tasks: runs.map { run in
                    let task = run.prepared.task
                    return RunResults.TaskResult(
                        name: task.name, kind: task.kind.rawValue, version: task.version, contentHash: task.contentHash,
                        file: task.file, fewshot: 0, fewshotSeed: task.fewshot.seed, docsEvaluated: run.prepared.instances.count,
                        docsTotal: run.prepared.totalDocs, metrics: run.metrics(for: name), config: task.resolvedConfig,
                        judge: run.summary(for: name))
                },
                groups: groups.map(EvaluationSession.groupResult),
                timings: .init(prepareSeconds: prepareSeconds, modelSeconds: modelSeconds, totalSeconds: prepareSeconds + modelSeconds))
            var samples = Data()
            let encoder = ResultsWriter.lineEncoder()
            for run in runs {
                for record in run.sampleRecords(for: name) {
                    samples.append(try encoder.encode(record))
                    samples.append(UInt8(ascii: "\n"))
                }
            }
            let folder = try ResultsWriter.write(results: results, samples: samples, to: URL(fileURLWithPath: outputDir))
            FileHandle.standardError.write(Data("results: \(folder.path)/results.json\n".utf8))
        }
    }
}
