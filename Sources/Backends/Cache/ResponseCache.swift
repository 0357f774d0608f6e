import EvalCore
import Foundation

/// A persistent store of model responses, keyed by what determines them: the model's content
/// hash, the request kind and the request itself (generation parameters included).
///
/// One SQLite file in WAL mode with a single table `responses(key, kind, model, response, created)`;
/// the value is the response's JSON. Every `store` is its own committed transaction, so a run killed
/// with `kill -9` keeps every answer it had received. Safe to share between tasks (a lock serialises
/// the connection) and between processes (SQLite's file locks, 10 s busy timeout).
public final class ResponseCache: @unchecked Sendable {
    /// Request kinds, part of every key.
    public enum Kind: String, Sendable, CaseIterable {
        case logLikelihood = "loglikelihood"
        case rollingLogLikelihood = "loglikelihood_rolling"
        case generation = "generate"
    }

    public let url: URL
    private let connection: SQLiteConnection
    private let lock = NSLock()

    /// `${EVALKIT_CACHE:-~/.cache/evalkit}/responses.sqlite`.
    public static func defaultURL(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let folder: URL
        if let configured = environment["EVALKIT_CACHE"], !configured.isEmpty {
            folder = URL(fileURLWithPath: (configured as NSString).expandingTildeInPath, isDirectory: true)
        } else {
            folder = FileManager.default.homeDirectoryForCurrentUser
                .appendingPathComponent(".cache/evalkit", isDirectory: true)
        }
        return folder.appendingPathComponent("responses.sqlite")
    }

    /// Opens (creating when absent) the cache file at `url`, creating its folder.
    /// - Throws: `ResponseCacheError` naming the file when it cannot be opened or is not a cache.
    public init(url: URL = ResponseCache.defaultURL()) throws {
        self.url = url
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ResponseCacheError(path: url.path, message: "cannot create folder \(folder.path): \(error.localizedDescription)")
        }
        connection = try SQLiteConnection(path: url.path)
        // journal_mode is the first statement that reads the file: a corrupt file fails here.
        _ = try connection.queryText("PRAGMA journal_mode=WAL", [])
        try connection.execute("PRAGMA synchronous=NORMAL")
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS responses (
                key TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                model TEXT NOT NULL,
                response TEXT NOT NULL,
                created REAL NOT NULL
            ) WITHOUT ROWID
            """)
        // A file that is a database but not ours (a table of that name with other columns).
        let columns = try connection.queryInt("SELECT count(*) FROM pragma_table_info('responses') WHERE name IN ('key','kind','model','response','created')")
        guard columns == 5 else {
            throw ResponseCacheError(path: url.path, message: "holds a 'responses' table that is not an EvalKit response cache")
        }
    }

    /// The cache key: sha256 of the model's content hash, the kind and the request's canonical JSON
    /// (keys sorted, so the same request always gives the same bytes).
    public static func key<Request: Encodable>(model: ModelIdentity, kind: Kind, request: Request) throws -> String {
        var hasher = SHA256Hasher()
        hasher.update(model.contentHash)
        hasher.update([0])
        hasher.update(kind.rawValue)
        hasher.update([0])
        hasher.update(try canonicalJSON(request))
        return hasher.finalizeHex()
    }

    static func canonicalJSON<Value: Encodable>(_ value: Value) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// The stored response for `key`, or nil. A stored value that no longer decodes counts as a miss.
    public func response<Response: Decodable>(forKey key: String, as type: Response.Type) throws -> Response? {
        let text = try lock.withLock { try connection.queryText("SELECT response FROM responses WHERE key = ?", [key]) }
        guard let text else { return nil }
        return try? JSONDecoder().decode(Response.self, from: Data(text.utf8))
    }

    /// Stores (replacing) one response and commits it before returning.
    public func store<Response: Encodable>(_ response: Response, forKey key: String, kind: Kind, model: ModelIdentity) throws {
        let json = String(decoding: try Self.canonicalJSON(response), as: UTF8.self)
        try lock.withLock {
            try connection.run("INSERT OR REPLACE INTO responses (key, kind, model, response, created) VALUES (?, ?, ?, ?, ?)",
                               [key, kind.rawValue, model.contentHash, json], Date().timeIntervalSince1970)
        }
    }

    /// Number of stored responses (all models and kinds).
    public func count() throws -> Int {
        try lock.withLock { try connection.queryInt("SELECT count(*) FROM responses") }
    }

    /// Removes every response of the model with this content hash; returns how many were removed.
    @discardableResult
    public func removeResponses(ofModelWithContentHash hash: String) throws -> Int {
        try lock.withLock {
            let before = try connection.queryInt("SELECT count(*) FROM responses WHERE model = ?", [hash])
            try connection.run("DELETE FROM responses WHERE model = ?", [hash])
            return before
        }
    }
}
