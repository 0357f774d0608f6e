import EvalCore
import Foundation

/// One `results.json` found on disk, decoded.
public struct StoredRun: Sendable {
    /// The `results.json` file.
    public var resultsPath: String
    /// The run folder (holds `samples.jsonl` when the run wrote one).
    public var folder: String
    public var results: RunResults

    public init(resultsPath: String, results: RunResults) {
        self.resultsPath = resultsPath
        self.folder = URL(fileURLWithPath: resultsPath).deletingLastPathComponent().path
        self.results = results
    }

    /// `created_at` as a date (ISO 8601, with or without fractional seconds); nil when unparsable.
    public var createdDate: Date? { ResultStore.parseDate(results.createdAt) }
}

/// A file that was skipped, and why. Reading a store never stops at a bad file.
public struct StoreWarning: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// Why one `results.json` could not be read.
public struct ResultsReadError: Error, Sendable, CustomStringConvertible {
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Reads results folders: every `results.json` below the given folders, any schema version EvalKit wrote.
public enum ResultStore {
    /// The folder `eval run` writes to and `eval leaderboard` reads by default.
    public static let defaultDirectory = "results"

    /// Decoders by `schema_version`. A new schema adds an entry here that maps its files to
    /// today's `RunResults`, so old results stay readable forever.
    static let decoders: [Int: @Sendable (Data) throws -> RunResults] = [
        1: { data in try jsonDecoder().decode(RunResults.self, from: data) },
    ]

    /// The schema versions this build reads.
    public static var readableSchemaVersions: [Int] { decoders.keys.sorted() }

    /// A JSON decoder that accepts the "nan"/"inf"/"-inf" strings `ResultsWriter` writes for non-finite numbers.
    public static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    /// Scans folders recursively (following no hidden folders: `ResultsWriter` builds runs in
    /// hidden temporary folders) and decodes every `results.json`.
    /// - Parameter directories: folders, or `results.json` files, to read. A missing path is a warning.
    /// - Returns: the runs, sorted by path so output is stable, and one warning per skipped file.
    public static func scan(_ directories: [String]) -> (runs: [StoredRun], warnings: [StoreWarning]) {
        var warnings: [StoreWarning] = []
        let paths = resultFiles(in: directories, warnings: &warnings)
        // JSON decoding is nearly all the time for big stores: decode files on every core.
        let slots = ResultSlots(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let outcome: Result<StoredRun, ResultsReadError>
            do {
                outcome = .success(try read(path: paths[index]))
            } catch let error as ResultsReadError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(ResultsReadError(path: paths[index], reason: "\(error)"))
            }
            slots.set(index, outcome)
        }
        var runs: [StoredRun] = []
        for outcome in slots.values {
            switch outcome {
            case .success(let run): runs.append(run)
            case .failure(let error): warnings.append(StoreWarning(path: error.path, reason: error.reason))
            case nil: break
            }
        }
        return (runs, warnings)
    }

    /// One slot per file, filled from concurrent workers; the lock makes the writes safe.
    private final class ResultSlots: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [Result<StoredRun, ResultsReadError>?]
        init(count: Int) { storage = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<StoredRun, ResultsReadError>) {
            lock.lock()
            storage[index] = value
            lock.unlock()
        }
        var values: [Result<StoredRun, ResultsReadError>?] {
            lock.lock()
            defer { lock.unlock() }
            return storage
        }
    }

    /// The `results.json` paths under the given folders, sorted.
    static func resultFiles(in directories: [String], warnings: inout [StoreWarning]) -> [String] {
        let fileManager = FileManager.default
        var found: Set<String> = []
        for directory in directories {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: directory, isDirectory: &isDirectory) else {
                warnings.append(StoreWarning(path: directory, reason: "no such file or folder"))
                continue
            }
            if !isDirectory.boolValue {
                found.insert(directory)
                continue
            }
            let root = URL(fileURLWithPath: directory)
            guard let enumerator = fileManager.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey],
                                                          options: [.skipsHiddenFiles]) else {
                warnings.append(StoreWarning(path: directory, reason: "cannot list the folder"))
                continue
            }
            for case let url as URL in enumerator where url.lastPathComponent == "results.json" {
                // Keep the path as the caller spelled the root, so warnings and footnotes read naturally.
                guard url.path.hasPrefix(root.path + "/") else { found.insert(url.path); continue }
                let relative = url.path.dropFirst(root.path.count + 1)
                found.insert(directory.hasSuffix("/") ? directory + relative : directory + "/" + relative)
            }
        }
        return found.sorted()
    }

    /// Reads one `results.json`.
    /// - Throws: ``ResultsReadError`` saying what is wrong (unreadable, not JSON, unknown schema, missing key).
    public static func read(path: String) throws -> StoredRun {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ResultsReadError(path: path, reason: "cannot read the file")
        }
        return StoredRun(resultsPath: path, results: try decode(data, path: path))
    }

    /// Decodes `results.json` bytes with the decoder for their `schema_version`.
    public static func decode(_ data: Data, path: String) throws -> RunResults {
        struct VersionProbe: Decodable {
            let schemaVersion: Int?
            enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version" }
        }
        let probe: VersionProbe
        do {
            probe = try JSONDecoder().decode(VersionProbe.self, from: data)
        } catch {
            throw ResultsReadError(path: path, reason: data.isEmpty ? "the file is empty" : "not a JSON object (\(describe(error)))")
        }
        guard let version = probe.schemaVersion else {
            throw ResultsReadError(path: path, reason: "no schema_version: not an EvalKit results file")
        }
        guard let decoder = decoders[version] else {
            let known = readableSchemaVersions.map(String.init).joined(separator: ", ")
            throw ResultsReadError(path: path, reason: "schema_version \(version) is newer than this EvalKit reads (\(known)); upgrade EvalKit")
        }
        do {
            return try decoder(data)
        } catch {
            throw ResultsReadError(path: path, reason: "schema_version \(version): \(describe(error))")
        }
    }

    /// A one-line reason from a decoding error: what is wrong and at which key path.
    static func describe(_ error: Error) -> String {
        func path(_ keys: [CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the top level" : String(text.drop(while: { $0 == "." }))
        }
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "missing key '\(key.stringValue)'\(parent)"
        case .typeMismatch(let type, let context):
            return "wrong type at \(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "null at \(path(context.codingPath)): expected \(type)"
        case .dataCorrupted(let context):
            // Foundation puts the parser's message (e.g. "Unexpected end of file") in the underlying error's user info.
            let underlying = (context.underlyingError as NSError?).flatMap { $0.userInfo[NSDebugDescriptionErrorKey] as? String }
            let detail = underlying ?? context.debugDescription
            return "malformed JSON at \(path(context.codingPath))" + (detail.isEmpty ? "" : ": \(detail)")
        @unknown default:
            return "\(error)"
        }
    }

    static func parseDate(_ text: String) -> Date? {
        DateParser().parse(text)
    }

    /// ISO 8601 parsing with formatters made once: making a formatter costs far more than using it
    /// (it loads locale data), which matters when a board reads thousands of runs.
    struct DateParser {
        let plain = ISO8601DateFormatter()
        let fractional: ISO8601DateFormatter = {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter
        }()

        func parse(_ text: String) -> Date? {
            plain.date(from: text) ?? fractional.date(from: text)
        }
    }
}
