import EvalCore
import Foundation
import Yams

/// Reading board files. Errors are `TaskFileError`s (file:line:column, key path, message), the same
/// error type task files use, so the CLI reports them the same way (exit 2).
extension BoardSpec {
    static let topLevelKeys = ["title", "results", "tasks", "aliases", "columns", "sort", "progression", "ratings", "notes"]
    static let taskKeys = ["name", "metric", "filter", "display", "weight", "chance"]
    static let progressionKeys = ["run", "last_k"]

    /// Loads a board file.
    /// - Throws: `TaskFileError` for a missing file, malformed YAML, an unknown key or a wrong type.
    public static func load(path: String) throws -> BoardSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TaskFileError(file: path, line: nil, column: nil, keyPath: "",
                                message: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses board YAML; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> BoardSpec {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw TaskFileError(file: file, line: nil, column: nil, keyPath: "", message: "the file is empty")
            }
            root = node
        } catch let error as TaskFileError {
            throw error
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw TaskFileError(file: file, line: nil, column: nil, keyPath: "", message: "malformed YAML: \(error)")
        }
        let reader = BoardNode(node: root, file: file, keyPath: "")
        var spec = BoardSpec()
        for (key, value) in try reader.mapping(allowed: topLevelKeys) {
            switch key {
            case "title": spec.title = try value.string()
            case "results": spec.results = try value.strings()
            case "tasks": spec.tasks = try value.sequence().map(parseTask)
            case "aliases":
                for (model, alias) in try value.mapping(allowed: nil) { spec.aliases[model] = try alias.string() }
            case "columns": spec.columns = try value.strings()
            case "sort":
                let name = try value.string()
                switch name {
                case "average": spec.sort = .average
                case "weighted_average": spec.sort = .weightedAverage
                default: spec.sort = .task(name)
                }
            case "progression":
                var run: String?
                var lastK = 3
                for (progressionKey, item) in try value.mapping(allowed: progressionKeys) {
                    if progressionKey == "run" { run = try item.string() }
                    if progressionKey == "last_k" {
                        lastK = try item.int()
                        guard lastK >= 1 else { throw item.error("last_k must be at least 1, got \(lastK)") }
                    }
                }
                guard let run, !run.isEmpty else { throw value.error("progression needs 'run' (the checkpoint run name before '@')") }
                spec.progression = Progression(run: run, lastK: lastK)
            case "ratings": spec.ratings = try value.strings()
            case "notes": spec.notes = try value.string()
            default: break
            }
        }
        let known = Set(spec.tasks.map(\.name))
        if !spec.tasks.isEmpty {
            for (index, column) in spec.columns.enumerated() where !known.contains(column) {
                throw TaskFileError(file: file, line: nil, column: nil, keyPath: "columns[\(index)]",
                                    message: "'\(column)' is not one of the board's tasks (\(spec.tasks.map(\.name).joined(separator: ", ")))")
            }
        }
        if case .task(let name) = spec.sort, !spec.tasks.isEmpty, !known.contains(name) {
            throw TaskFileError(file: file, line: nil, column: nil, keyPath: "sort",
                                message: "sort must be 'average', 'weighted_average' or a task of the board, got '\(name)'")
        }
        return spec
    }

    /// A Yams error as a located file error.
    private static func yamlError(_ error: YamlError, file: String) -> TaskFileError {
        func located(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> TaskFileError {
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return TaskFileError(file: file, line: mark.line, column: mark.column, keyPath: "", message: "malformed YAML: \(detail)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return located(problem, context, mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return TaskFileError(file: file, line: context.mark.line, column: context.mark.column, keyPath: "",
                                 message: "duplicate key(s) \(duplicates.joined(separator: ", ")) in one mapping")
        default:
            return TaskFileError(file: file, line: nil, column: nil, keyPath: "", message: "malformed YAML: \(error)")
        }
    }

    private static func parseTask(_ node: BoardNode) throws -> TaskColumn {
        if case .scalar = node.node { return TaskColumn(name: try node.string()) }
        var column = TaskColumn(name: "")
        for (key, value) in try node.mapping(allowed: taskKeys) {
            switch key {
            case "name": column.name = try value.string()
            case "metric": column.metric = try value.string()
            case "filter": column.filter = try value.string()
            case "display": column.display = try value.string()
            case "weight":
                let weight = try value.double()
                guard weight >= 0 else { throw value.error("weight must be ≥ 0, got \(weight)") }
                column.weight = weight
            case "chance":
                let chance = try value.double()
                guard chance.isFinite else { throw value.error("chance must be a finite number") }
                column.chance = chance
            default: break
            }
        }
        guard !column.name.isEmpty else { throw node.error("a task needs 'name'") }
        return column
    }
}

/// A YAML node with its file and key path, for errors that say where.
struct BoardNode {
    let node: Node
    let file: String
    let keyPath: String

    func error(_ message: String) -> TaskFileError {
        TaskFileError(file: file, line: node.mark?.line, column: node.mark?.column, keyPath: keyPath, message: message)
    }

    var kindName: String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string, found \(kindName)") }
        return scalar.string
    }

    func int() throws -> Int {
        guard case .scalar = node, let value = node.int else { throw error("expected a whole number, found \(kindName) '\(node.string ?? "")'") }
        return value
    }

    func double() throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
            throw error("expected a number, found \(kindName) '\(node.string ?? "")'")
        }
        return value
    }

    func sequence() throws -> [BoardNode] {
        guard case .sequence(let items) = node else { throw error("expected a list, found \(kindName)") }
        return items.enumerated().map { BoardNode(node: $1, file: file, keyPath: "\(keyPath)[\($0)]") }
    }

    func strings() throws -> [String] {
        if case .scalar = node { return [try string()] }
        return try sequence().map { try $0.string() }
    }

    /// The mapping's entries in file order; `allowed` (when given) rejects other keys with a suggestion.
    func mapping(allowed: [String]?) throws -> [(String, BoardNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, found \(kindName)") }
        var entries: [(String, BoardNode)] = []
        for (keyNode, value) in mapping {
            let keyReader = BoardNode(node: keyNode, file: file, keyPath: keyPath)
            let key = try keyReader.string()
            let path = keyPath.isEmpty ? key : "\(keyPath).\(key)"
            if let allowed, !allowed.contains(key) {
                throw TaskFileError(file: file, line: keyNode.mark?.line, column: keyNode.mark?.column, keyPath: path,
                                    message: "unknown key '\(key)'; expected one of: \(allowed.joined(separator: ", "))")
            }
            entries.append((key, BoardNode(node: value, file: file, keyPath: path)))
        }
        return entries
    }
}
