import Foundation

/// One row of a dataset: a JSON object.
public typealias Doc = [String: JSONValue]

/// The file formats a dataset can be read from.
public enum DatasetFormat: String, Sendable, CaseIterable, Codable {
    case jsonl, json, csv

    /// The format implied by a file's extension, if any.
    public static func inferred(from url: URL) -> DatasetFormat? {
        switch url.pathExtension.lowercased() {
        case "jsonl", "ndjson": return .jsonl
        case "json": return .json
        case "csv": return .csv
        default: return nil
        }
    }
}

/// A dataset problem, with the file and the row or line it concerns.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Reads dataset files into docs.
///
/// Splits: a JSON file whose top level is an object of arrays holds one split per key
/// (`{"train": [...], "test": [...]}`); in JSONL and CSV files a `split` column marks each row's
/// split. When a `split` is asked for, only those rows are returned; asking for a split of a file
/// that has none is an error, as is asking for a split that does not exist (the message lists the
/// splits that do).
public enum DatasetLoader {
    public static func load(url: URL, format explicitFormat: DatasetFormat? = nil, split: String? = nil) throws -> [Doc] {
        let name = url.path
        guard let format = explicitFormat ?? DatasetFormat.inferred(from: url) else {
            throw DatasetError(file: name, line: nil,
                message: "cannot infer the format from the extension '.\(url.pathExtension)'; use .jsonl, .json or .csv, or set dataset.format")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DatasetError(file: name, line: nil, message: "cannot read the dataset file: \(readableReason(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DatasetError(file: name, line: nil, message: "the file is not valid UTF-8")
        }
        let rows: [Doc]
        var splitsInFile: [String: [Doc]]? = nil
        switch format {
        case .jsonl: rows = try parseJSONLines(text, file: name)
        case .csv: rows = try CSVParser.parse(text, file: name)
        case .json:
            let value: JSONValue
            do {
                value = try JSONValue.parse(data)
            } catch {
                throw DatasetError(file: name, line: jsonErrorLine(error, in: text), message: "malformed JSON: \(jsonErrorReason(error))")
            }
            switch value {
            case .array(let items):
                rows = try items.enumerated().map { index, item in
                    guard let object = item.objectValue else {
                        throw DatasetError(file: name, line: nil, message: "item \(index) of the top-level array is not an object")
                    }
                    return object
                }
            case .object(let object) where !object.isEmpty && object.values.allSatisfy({ $0.arrayValue != nil }):
                var splits: [String: [Doc]] = [:]
                for (key, items) in object {
                    splits[key] = try (items.arrayValue ?? []).enumerated().map { index, item in
                        guard let row = item.objectValue else {
                            throw DatasetError(file: name, line: nil, message: "item \(index) of split '\(key)' is not an object")
                        }
                        return row
                    }
                }
                splitsInFile = splits
                rows = []
            default:
                throw DatasetError(file: name, line: nil,
                    message: "the top level must be an array of objects, or an object whose keys are splits holding arrays")
            }
        }
        if let splitsInFile {
            guard let split else {
                throw DatasetError(file: name, line: nil,
                    message: "the file holds several splits (\(splitsInFile.keys.sorted().joined(separator: ", "))); set dataset.split")
            }
            guard let chosen = splitsInFile[split] else {
                throw DatasetError(file: name, line: nil,
                    message: "no split '\(split)'; the file has \(splitsInFile.keys.sorted().joined(separator: ", "))")
            }
            return chosen
        }
        guard let split else { return rows }
        guard rows.contains(where: { $0["split"] != nil }) else {
            throw DatasetError(file: name, line: nil, message: "dataset.split is '\(split)' but the rows have no 'split' column")
        }
        let chosen = rows.filter { $0["split"]?.textValue == split }
        if chosen.isEmpty {
            let available = Set(rows.compactMap { $0["split"]?.textValue }).sorted()
            throw DatasetError(file: name, line: nil, message: "no rows in split '\(split)'; the file has \(available.joined(separator: ", "))")
        }
        return chosen
    }

    static func parseJSONLines(_ text: String, file: String) throws -> [Doc] {
        var docs: [Doc] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(Data(trimmed.utf8))
            } catch {
                throw DatasetError(file: file, line: lineNumber, message: "malformed JSON line: \(jsonErrorReason(error))")
            }
            guard let object = value.objectValue else {
                throw DatasetError(file: file, line: lineNumber, message: "each line must be a JSON object")
            }
            docs.append(object)
        }
        return docs
    }

    static func jsonErrorReason(_ error: Error) -> String {
        let nsError = error as NSError
        if let detail = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError as NSError?,
               let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail
            }
            return context.debugDescription
        }
        return "\(error)"
    }

    static func jsonErrorLine(_ error: Error, in text: String) -> Int? {
        // Foundation reports a character offset in the debug description on some platforms; when it
        // does not, the file is named without a line.
        let reason = jsonErrorReason(error)
        guard let range = reason.range(of: #"(character|offset) (\d+)"#, options: .regularExpression) else { return nil }
        let digits = reason[range].split(separator: " ").last.flatMap { Int($0) }
        guard let offset = digits else { return nil }
        return text.utf8.prefix(offset).reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    static func readableReason(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError || nsError.code == 260 {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}

/// RFC 4180 CSV: a header row, quoted fields with doubled quotes, CRLF or LF line ends. Values stay
/// strings (templates print them as they are; `target` reads an integer from a string).
enum CSVParser {
    static func parse(_ text: String, file: String) throws -> [Doc] {
        var records: [[String]] = []
        var recordLines: [Int] = []
        var field = ""
        var record: [String] = []
        var inQuotes = false
        var line = 1
        var recordStart = 1
        var fieldWasQuoted = false
        var iterator = Array(text.unicodeScalars)[...]
        while let c = iterator.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if iterator.first == "\"" { field.unicodeScalars.append("\""); iterator.removeFirst() }
                    else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                if field.isEmpty && !fieldWasQuoted { inQuotes = true; fieldWasQuoted = true }
                else { throw DatasetError(file: file, line: line, message: "a quote inside an unquoted field; quote the whole field and double inner quotes") }
            case ",":
                record.append(field); field = ""; fieldWasQuoted = false
            case "\r":
                continue
            case "\n":
                record.append(field); field = ""; fieldWasQuoted = false
                if !(record.count == 1 && record[0].isEmpty) { records.append(record); recordLines.append(recordStart) }
                record = []
                line += 1
                recordStart = line
            default:
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw DatasetError(file: file, line: recordStart, message: "a quoted field is never closed") }
        if !field.isEmpty || !record.isEmpty || fieldWasQuoted {
            record.append(field)
            records.append(record)
            recordLines.append(recordStart)
        }
        guard let header = records.first else { return [] }
        var docs: [Doc] = []
        for (index, values) in records.enumerated().dropFirst() {
            guard values.count == header.count else {
                throw DatasetError(file: file, line: recordLines[index],
                    message: "the row has \(values.count) fields but the header has \(header.count)")
            }
            var doc: Doc = [:]
            for (key, value) in zip(header, values) { doc[key] = .string(value) }
            docs.append(doc)
        }
        return docs
    }
}
