import Foundation
import Yams

/// Decodes a YAML configuration file (training configs, leaderboard boards, model registries)
/// into a `Decodable` type with the same error quality as task files: unknown keys with a
/// suggestion, and type errors with file:line:column and the key path.
public enum ConfigFile {
    /// - Parameters:
    ///   - allowedKeys: the top-level keys the type reads; others are errors.
    public static func decode<T: Decodable>(_ type: T.Type, path: String, allowedKeys: [String]) throws -> T {
        let root = try YAMLNode.load(file: path)
        let mapping = try root.mapping()
        try mapping.checkKeys(allowed: allowedKeys)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        do {
            return try YAMLDecoder().decode(T.self, from: text)
        } catch let error as DecodingError {
            throw located(error, root: root)
        }
    }

    static func located(_ error: DecodingError, root: YAMLNode) -> TaskFileError {
        let (path, message): ([CodingKey], String)
        switch error {
        case .typeMismatch(let type, let context): (path, message) = (context.codingPath, "expected \(describe(type))")
        case .valueNotFound(let type, let context): (path, message) = (context.codingPath, "expected \(describe(type)), found nothing")
        case .keyNotFound(let key, let context): (path, message) = (context.codingPath + [key], "missing required key '\(key.stringValue)'")
        case .dataCorrupted(let context): (path, message) = (context.codingPath, context.debugDescription)
        @unknown default: (path, message) = ([], "\(error)")
        }
        // The deepest node the path reaches gives the location.
        var node = root
        var keyPath: [String] = []
        for key in path {
            if let index = key.intValue, case .sequence(let sequence) = node.node, sequence.indices.contains(index) {
                node = YAMLNode(node: sequence[index], file: root.file, keyPath: node.keyPath + "[\(index)]")
                keyPath.append("[\(index)]")
            } else if case .mapping = node.node, let child = (try? node.mapping())?[key.stringValue] {
                node = child
                keyPath.append(key.stringValue)
            } else {
                keyPath.append(key.stringValue)
                break
            }
        }
        let joined = keyPath.reduce("") { $0.isEmpty || $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
        return TaskFileError(file: root.file, line: node.line, column: node.column, keyPath: joined, message: message)
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Int64.Type: return "a whole number"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default: return "\(type)"
        }
    }
}
