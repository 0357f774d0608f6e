import EvalCore
import Foundation

/// Turns what the user typed (task files, group files, folders, or task names found under
/// `tasks/`) into task specs.
enum TaskPaths {
    static func resolve(_ argument: String, searchDirectory: String = "tasks") throws -> String {
        if FileManager.default.fileExists(atPath: argument) { return argument }
        for candidate in ["\(searchDirectory)/\(argument).yaml", "\(searchDirectory)/\(argument).yml"]
        where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        // A task name: the `name` of a task file somewhere under the search folder.
        for (path, result) in TaskLoader.discover(directory: searchDirectory) {
            if case .success(let file) = result, file.tasks.contains(where: { $0.name == argument }) || URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent == argument {
                return path
            }
        }
        throw UsageError("no task file or task named '\(argument)' (looked for the path, and for a task of that name under \(searchDirectory)/)")
    }

    /// Loads tasks (groups expanded) with their weights and the groups they came from.
    static func load(_ arguments: [String]) throws -> (tasks: [(task: TaskSpec, weight: Double)], groups: [TaskGroupSpec]) {
        var tasks: [(TaskSpec, Double)] = []
        var groups: [TaskGroupSpec] = []
        var errors: [TaskFileError] = []
        for argument in arguments {
            let path = try resolve(argument)
            do {
                switch try TaskLoader.load(path: path) {
                case .task(let task): tasks.append((task, 1))
                case .chess:
                    throw UsageError("\(path) is a chess tournament; `eval run` plays it with the --model players")
                case .group(let group):
                    groups.append(group)
                    tasks.append(contentsOf: group.tasks)
                }
            } catch let error as TaskFileError {
                errors.append(error)
            } catch let error as TaskFileErrors {
                errors.append(contentsOf: error.errors)
            }
        }
        if errors.count == 1 { throw errors[0] }
        if !errors.isEmpty { throw TaskFileErrors(errors: errors) }
        var seen = Set<String>()
        for (task, _) in tasks where !seen.insert(task.name).inserted {
            throw UsageError("task '\(task.name)' is given twice (task names must be unique in one run)")
        }
        return (tasks, groups)
    }
}
