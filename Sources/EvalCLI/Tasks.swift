import ArgumentParser
import EvalCore
import Foundation

extension Eval {
    struct Tasks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, validate and preview task files.",
            subcommands: [List.self, Validate.self, Show.self]
        )
    }
}

extension Eval.Tasks {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tasks under a folder: name, kind, version, doc count.")

        @Argument(help: ArgumentHelp("Folder to search (default: tasks).", valueName: "dir"))
        var directory: String = "tasks"

        func run() throws {
            guard FileManager.default.fileExists(atPath: directory) else { throw UsageError("no folder '\(directory)'") }
            var rows: [[String]] = []
            var failures = 0
            for (path, result) in TaskLoader.discover(directory: directory) {
                switch result {
                case .success(.task(let task)):
                    let docs: String
                    do { docs = String(try RequestBuilder.loadDocs(task).count) } catch is DatasetNotFetched { docs = "not fetched" } catch { docs = "error" }
                    rows.append([task.name, task.kind.rawValue, task.version, docs, path])
                case .success(.chess(let name, _)):
                    rows.append([name, "chess", "-", "-", path])
                case .success(.group(let group)):
                    rows.append([group.name, "group", "-", String(group.tasks.count) + " tasks", path])
                case .failure:
                    failures += 1
                    rows.append(["(invalid)", "-", "-", "-", path])
                }
            }
            print(MarkdownTable.table(header: ["Name", "Kind", "Version", "Docs", "File"], rows: rows,
                                      rightAligned: [false, false, false, true, false]), terminator: "")
            if failures > 0 {
                FileHandle.standardError.write(Data("\(failures) file(s) invalid: run `eval tasks validate \(directory)` for details\n".utf8))
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check task files: keys, types, templates, datasets, every doc's rendering. Exit 2 on any error.")

        @Argument(help: ArgumentHelp("Task files, group files or folders.", valueName: "path"))
        var paths: [String]

        func run() throws {
            var files: [String] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw UsageError("no file or folder '\(path)'")
                }
                if isDirectory.boolValue {
                    files += TaskLoader.discover(directory: path).map(\.path)
                } else {
                    files.append(path)
                }
            }
            var errorCount = 0
            for file in files {
                do {
                    let loaded = try TaskLoader.load(path: file)
                    if case .chess = loaded {
                        let players = try ChessRun.validate(path: file)
                        print("ok      \(file) (chess, \(players) players besides --model)")
                        continue
                    }
                    let prepared = try EvaluationRunner.prepare(loaded.tasks.map { ($0, 1) }, options: RunOptions())
                    let docs = prepared.map(\.instances.count).reduce(0, +)
                    print("ok      \(file) (\(prepared.count) task\(prepared.count == 1 ? "" : "s"), \(docs) docs)")
                } catch let error as DatasetNotFetched {
                    print("skipped \(file) (data not fetched: run scripts/fetch-data \(error.fetch))")
                } catch let error as TaskFileErrors {
                    errorCount += error.errors.count
                    print("invalid \(file)")
                    for e in error.errors { FileHandle.standardError.write(Data("error: \(e)\n".utf8)) }
                } catch {
                    errorCount += 1
                    print("invalid \(file)")
                    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                }
            }
            if errorCount > 0 {
                FileHandle.standardError.write(Data("\(errorCount) error(s) in \(files.count) file(s)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the first rendered requests of a task exactly as the model receives them.")

        @Argument(help: ArgumentHelp("A task file or task name.", valueName: "task"))
        var task: String

        @Option(name: .shortAndLong, help: ArgumentHelp("How many docs to show.", valueName: "n"))
        var n: Int = 3

        @Option(name: .long, help: ArgumentHelp("Few-shot examples, overriding the task's fewshot.n.", valueName: "k"))
        var fewshot: Int?

        func run() throws {
            let (tasks, _) = try TaskPaths.load([task])
            let options = RunOptions(limit: n, limitFirst: true, fewshot: fewshot)
            for prepared in try EvaluationRunner.prepare(tasks, options: options) {
                print(RequestPreview.render(prepared))
            }
        }
    }
}

/// Text form of the requests of a prepared task; strings are shown between ⟦ ⟧ so leading and
/// trailing spaces and newlines are visible.
enum RequestPreview {
    static func render(_ prepared: PreparedTask) -> String {
        var out = "# \(prepared.task.name) (\(prepared.task.kind.rawValue), \(prepared.fewshot)-shot, \(prepared.totalDocs) docs)\n"
        for instance in prepared.instances {
            out += "\n## doc \(instance.docIndex)\n"
            if !instance.logLikelihoodRequests.isEmpty {
                out += "context:\n⟦\(instance.logLikelihoodRequests[0].context)⟧\n"
                for (i, request) in instance.logLikelihoodRequests.enumerated() {
                    let mark = instance.goldIndices.contains(i) ? "  (gold)" : ""
                    out += "continuation \(i): ⟦\(request.continuation)⟧\(mark)\n"
                }
                for (i, request) in instance.unconditionalRequests.enumerated() {
                    out += "unconditional \(i): ⟦\(request.context)⟧ + ⟦\(request.continuation)⟧\n"
                }
            }
            if let first = instance.generationRequests.first {
                if case .text(let prompt) = first.prompt { out += "prompt:\n⟦\(prompt)⟧\n" }
                out += "max_tokens: \(first.maxTokens), stop: \(first.stop), temperature: \(first.temperature), samples: \(instance.generationRequests.count)\n"
                out += "references: \(instance.references)\n"
            }
            if let question = instance.judge {
                for (turn, text) in question.turns.enumerated() {
                    out += "turn \(turn + 1):\n⟦\(text)⟧\n"
                    if let reference = question.references?[turn] { out += "reference \(turn + 1):\n⟦\(reference)⟧\n" }
                }
                if let category = question.category { out += "category: \(category)\n" }
            }
            if let rolling = instance.rollingRequest {
                out += "text (rolling log-likelihood):\n⟦\(rolling.text)⟧\n"
            }
        }
        return out
    }
}
