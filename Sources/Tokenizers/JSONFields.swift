import Foundation

/// Typed access to a parsed JSON object (from `JSONSerialization`) with errors that name the file and key path.
struct JSONFields {
    let object: [String: Any]
    /// Key path of `object` itself, e.g. "model" ("" for the top level).
    let path: String
    let source: String

    /// Parses `data` as a JSON object.
    static func parse(_ data: Data, source: String) throws -> JSONFields {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let nsError = error as NSError
            let detail = (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
            throw TokenizerError(file: source, line: Self.lineNumber(in: detail),
                                 "not valid JSON (\(data.count) bytes; truncated or corrupt?): \(detail)")
        }
        guard let object = value as? [String: Any] else {
            throw TokenizerError(file: source, "the top level is not a JSON object")
        }
        return JSONFields(object: object, path: "", source: source)
    }

    /// Picks "line N" out of a parser message, if it has one.
    private static func lineNumber(in message: String) -> Int? {
        guard let range = message.range(of: "line ") else { return nil }
        let digits = message[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ message: String) -> TokenizerError {
        TokenizerError(file: source, key: keyPath(key), message)
    }

    /// True if the key is absent or JSON null.
    func isNull(_ key: String) -> Bool {
        guard let value = object[key] else { return true }
        return value is NSNull
    }

    func has(_ key: String) -> Bool { object[key] != nil }

    func requiredObject(_ key: String) throws -> JSONFields {
        guard let value = object[key] else { throw error(key, "missing key") }
        guard let dictionary = value as? [String: Any] else { throw error(key, "expected a JSON object") }
        return JSONFields(object: dictionary, path: keyPath(key), source: source)
    }

    /// nil if absent or null.
    func optionalObject(_ key: String) throws -> JSONFields? {
        if isNull(key) { return nil }
        return try requiredObject(key)
    }

    func requiredArray(_ key: String) throws -> [Any] {
        guard let value = object[key] else { throw error(key, "missing key") }
        guard let array = value as? [Any] else { throw error(key, "expected a JSON array") }
        return array
    }

    func requiredString(_ key: String) throws -> String {
        guard let value = object[key] else { throw error(key, "missing key") }
        guard let string = value as? String else { throw error(key, "expected a string") }
        return string
    }

    func optionalString(_ key: String) throws -> String? {
        if isNull(key) { return nil }
        return try requiredString(key)
    }

    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        if isNull(key) { return defaultValue }
        guard let number = object[key] as? NSNumber, Self.isBoolean(number) else { throw error(key, "expected true or false") }
        return number.boolValue
    }

    func requiredInt(_ key: String) throws -> Int {
        guard let value = object[key] else { throw error(key, "missing key") }
        guard let int = Self.integer(value) else { throw error(key, "expected an integer") }
        return int
    }

    /// An exact integer (rejects 1.5, true, strings).
    static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return number.intValue
    }

    static func isBoolean(_ number: NSNumber) -> Bool {
        // CFBoolean on Darwin; on Linux JSONSerialization yields Bool-backed NSNumbers with objCType "c".
        if let _ = number as? Bool, String(cString: number.objCType) == "c" { return true }
        return false
    }
}

/// Writes JSON text with a fixed key order (Hugging Face's), which `JSONSerialization` cannot.
enum JSONText {
    /// `string` as a JSON string literal: quotes, backslash and control characters escaped, the rest raw UTF-8.
    static func quoted(_ string: String) -> String {
        var result = "\""
        result.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result += "\""
        return result
    }
}
