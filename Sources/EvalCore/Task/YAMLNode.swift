import Foundation
import Yams

/// A YAML value with where it came from (file, line, column, key path), so every error can say
/// exactly where it is. Values from an `include`d file keep that file as their origin.
struct YAMLNode {
    let node: Node
    let file: String
    let keyPath: String

    var line: Int? { node.mark?.line }
    var column: Int? { node.mark?.column }

    func error(_ message: String) -> TaskFileError {
        TaskFileError(file: file, line: line, column: column, keyPath: keyPath, message: message)
    }

    /// The folder relative paths in this value are resolved against.
    var baseDirectory: URL { URL(fileURLWithPath: file).deletingLastPathComponent() }

    /// Parses a file into its root node.
    static func load(file: String) throws -> YAMLNode {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TaskFileError(file: file, line: nil, column: nil, keyPath: "",
                                message: FileManager.default.fileExists(atPath: file) ? "cannot read the file" : "no such file")
        }
        return try parse(text, file: file)
    }

    static func parse(_ text: String, file: String) throws -> YAMLNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw TaskFileError(file: file, line: nil, column: nil, keyPath: "", message: "the file is empty")
            }
            return YAMLNode(node: node, file: file, keyPath: "")
        } catch let error as TaskFileError {
            throw error
        } catch let error as YamlError {
            throw yamlError(error, file: file)
        } catch {
            throw TaskFileError(file: file, line: nil, column: nil, keyPath: "", message: "malformed YAML: \(error)")
        }
    }

    private static func yamlError(_ error: YamlError, file: String) -> TaskFileError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return TaskFileError(file: file, line: mark.line, column: mark.column, keyPath: "", message: "malformed YAML: \(detail)")
        case .composer(let context, let problem, let mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            return TaskFileError(file: file, line: mark.line, column: mark.column, keyPath: "", message: "malformed YAML: \(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let mark = context.mark
            return TaskFileError(file: file, line: mark.line, column: mark.column, keyPath: "",
                                 message: "duplicate key(s) \(duplicates.joined(separator: ", ")) in one mapping")
        default:
            return TaskFileError(file: file, line: nil, column: nil, keyPath: "", message: "malformed YAML: \(error)")
        }
    }

    func child(_ key: String, _ node: Node) -> YAMLNode {
        YAMLNode(node: node, file: file, keyPath: keyPath.isEmpty ? key : "\(keyPath).\(key)")
    }

    // MARK: Typed reads

    var isNull: Bool { if case .scalar(let s) = node { return s.tag == .implicit && (s.string == "null" || s.string == "~" || s.string.isEmpty) && s.style == .plain } else { return false } }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a string, found \(kindName)") }
        return scalar.string
    }

    func int() throws -> Int {
        guard case .scalar = node, let value = node.int else { throw error("expected a whole number, found \(describe)") }
        return value
    }

    func double() throws -> Double {
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init) else {
            throw error("expected a number, found \(describe)")
        }
        return value
    }

    func bool() throws -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error("expected true or false, found \(describe)") }
        return value
    }

    func sequence() throws -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(kindName)") }
        return sequence.enumerated().map { index, item in
            YAMLNode(node: item, file: file, keyPath: "\(keyPath)[\(index)]")
        }
    }

    func stringOrList() throws -> [String] {
        if case .sequence = node { return try sequence().map { try $0.string() } }
        return [try string()]
    }

    func mapping() throws -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping of keys to values, found \(kindName)") }
        var entries: [YAMLMapping.Entry] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw YAMLNode(node: key, file: file, keyPath: keyPath).error("keys must be strings")
            }
            entries.append(.init(key: name, keyNode: YAMLNode(node: key, file: file, keyPath: keyPath), value: child(name, value)))
        }
        return YAMLMapping(entries: entries, origin: self)
    }

    /// The value converted to JSON (for inline docs, map filters and the resolved config).
    func json() throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if isNull { return .null }
            if scalar.style == .plain {
                if let b = node.bool { return .bool(b) }
                if let i = node.int { return .number(Double(i)) }
                if let f = node.float { return .number(f) }
            }
            return .string(scalar.string)
        case .sequence: return .array(try sequence().map { try $0.json() })
        case .mapping: return .object(Dictionary(uniqueKeysWithValues: try mapping().entries.map { ($0.key, try $0.value.json()) }))
        case .alias: throw error("YAML aliases are not supported here")
        }
    }

    var kindName: String {
        switch node {
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    var describe: String {
        if case .scalar(let s) = node { return "'\(s.string)'" }
        return kindName
    }
}

/// A YAML mapping whose keys are checked against a schema.
struct YAMLMapping {
    struct Entry {
        let key: String
        let keyNode: YAMLNode
        let value: YAMLNode
    }

    var entries: [Entry]
    let origin: YAMLNode

    subscript(key: String) -> YAMLNode? { entries.last(where: { $0.key == key })?.value }

    func has(_ key: String) -> Bool { self[key] != nil }

    func required(_ key: String) throws -> YAMLNode {
        guard let value = self[key] else {
            throw TaskFileError(file: origin.file, line: origin.line, column: origin.column,
                                keyPath: origin.keyPath.isEmpty ? key : "\(origin.keyPath).\(key)",
                                message: "missing required key '\(key)'")
        }
        return value
    }

    /// Errors for keys outside `allowed`, each with a suggestion.
    func unknownKeys(allowed: [String]) -> [TaskFileError] {
        entries.filter { !allowed.contains($0.key) }.map { entry in
            let path = origin.keyPath.isEmpty ? entry.key : "\(origin.keyPath).\(entry.key)"
            return TaskFileError(file: entry.keyNode.file, line: entry.keyNode.line, column: entry.keyNode.column,
                                 keyPath: path,
                                 message: "unknown key '\(entry.key)'" + Suggestion.didYouMean(entry.key, among: allowed))
        }
    }

    func checkKeys(allowed: [String]) throws {
        let errors = unknownKeys(allowed: allowed)
        if let first = errors.first { throw errors.count == 1 ? first as Error : TaskFileErrors(errors: errors) as Error }
    }

    /// `self` with `other`'s entries laid over it (used by `include`: the including file wins).
    func overlaid(by other: YAMLMapping) -> YAMLMapping {
        var merged = entries.filter { entry in !other.has(entry.key) }
        merged.append(contentsOf: other.entries)
        return YAMLMapping(entries: merged, origin: other.origin)
    }
}
