import EvalCore
import Foundation

/// The fields of a JSON request body, read with errors that name the field and say what is accepted.
/// Unknown fields are ignored (clients send many optional ones, e.g. `user`).
struct RequestFields {
    let object: [String: JSONValue]

    init(body: Data) throws {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            throw APIError.badRequest("The request body is not valid JSON (\(body.isEmpty ? "it is empty" : "\(error)")); send a JSON object.")
        }
        guard case .object(let object) = value else {
            throw APIError.badRequest("The request body must be a JSON object.")
        }
        self.object = object
    }

    init(object: [String: JSONValue]) { self.object = object }

    /// The value of `key`, nil when absent or null.
    subscript(key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws -> String? {
        guard let value = self[key] else { return nil }
        guard case .string(let text) = value else { throw APIError.invalid(key, "expected a string, got \(Self.typeName(value))") }
        return text
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = self[key] else { return nil }
        guard case .bool(let flag) = value else { throw APIError.invalid(key, "expected true or false, got \(Self.typeName(value))") }
        return flag
    }

    func integer(_ key: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let value = self[key] else { return nil }
        guard let number = Self.integer(value) else { throw APIError.invalid(key, "expected an integer, got \(Self.describe(value))") }
        if let range, !range.contains(number) {
            throw APIError.invalid(key, "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
        }
        return number
    }

    func number(_ key: String, in range: ClosedRange<Double>? = nil, openBelow: Bool = false) throws -> Double? {
        guard let value = self[key] else { return nil }
        guard case .number(let number) = value, number.isFinite else { throw APIError.invalid(key, "expected a number, got \(Self.describe(value))") }
        if let range, !range.contains(number) || (openBelow && number == range.lowerBound) {
            throw APIError.invalid(key, "must be \(openBelow ? "greater than" : "at least") \(JSONValue.number(range.lowerBound).textValue) and at most \(JSONValue.number(range.upperBound).textValue), got \(value.textValue)")
        }
        return number
    }

    /// `stop`: a string or an array of strings (empty strings are ignored).
    func stopSequences(_ key: String = "stop") throws -> [String] {
        guard let value = self[key] else { return [] }
        switch value {
        case .string(let text): return text.isEmpty ? [] : [text]
        case .array(let items):
            return try items.enumerated().compactMap { index, item in
                guard case .string(let text) = item else { throw APIError.invalid("\(key)[\(index)]", "expected a string, got \(Self.typeName(item))") }
                return text.isEmpty ? nil : text
            }
        default: throw APIError.invalid(key, "expected a string or an array of strings, got \(Self.typeName(value))")
        }
    }

    static func integer(_ value: JSONValue) -> Int? {
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 9.0e15 else { return nil }
        return Int(number)
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    static func describe(_ value: JSONValue) -> String {
        if case .number = value { return value.textValue }
        return typeName(value)
    }
}
