import CSQLite
import Foundation

/// A failure of the response cache's SQLite file, naming the file.
public struct ResponseCacheError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "response cache \(path): \(message)" }
}

/// The few SQLite C calls the cache needs. Not thread-safe by itself: `ResponseCache` serialises
/// every call behind its lock.
final class SQLiteConnection {
    let path: String
    private var handle: OpaquePointer?

    /// SQLite's destructor constant SQLITE_TRANSIENT (-1): SQLite copies bound text before returning.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        handle = db
        guard status == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(status)"
            sqlite3_close(db)
            handle = nil
            throw ResponseCacheError(path: path, message: "cannot open: \(message)")
        }
        // Another process (a second eval run) may hold the write lock for a moment.
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit { sqlite3_close(handle) }

    /// The error for a failed call: SQLITE_NOTADB / SQLITE_CORRUPT become "not a valid cache file".
    func failure(_ status: Int32, _ what: String) -> ResponseCacheError {
        let detail = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(status)"
        let primary = status & 0xff
        if primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT {
            return ResponseCacheError(path: path, message: "the file is corrupt or not an SQLite database (\(detail)); delete it or point --cache elsewhere")
        }
        return ResponseCacheError(path: path, message: "\(what) failed: \(detail)")
    }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw failure(status, sql) }
    }

    /// The single text column of the first row of `sql` with `arguments` bound in order, or nil.
    func queryText(_ sql: String, _ arguments: [String]) throws -> String? {
        let statement = try prepare(sql, arguments)
        defer { sqlite3_finalize(statement) }
        let status = sqlite3_step(statement)
        if status == SQLITE_DONE { return nil }
        guard status == SQLITE_ROW else { throw failure(status, sql) }
        guard let text = sqlite3_column_text(statement, 0) else { return nil }
        return String(cString: text)
    }

    /// The first column of the first row as an integer (0 when there is no row).
    func queryInt(_ sql: String, _ arguments: [String] = []) throws -> Int {
        let statement = try prepare(sql, arguments)
        defer { sqlite3_finalize(statement) }
        let status = sqlite3_step(statement)
        if status == SQLITE_DONE { return 0 }
        guard status == SQLITE_ROW else { throw failure(status, sql) }
        return Int(sqlite3_column_int64(statement, 0))
    }

    /// Runs one statement with `arguments` bound (strings or doubles).
    func run(_ sql: String, _ arguments: [String], _ number: Double? = nil) throws {
        let statement = try prepare(sql, arguments)
        defer { sqlite3_finalize(statement) }
        if let number { sqlite3_bind_double(statement, Int32(arguments.count + 1), number) }
        let status = sqlite3_step(statement)
        guard status == SQLITE_DONE else { throw failure(status, sql) }
    }

    private func prepare(_ sql: String, _ arguments: [String]) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard status == SQLITE_OK else {
            sqlite3_finalize(statement)
            throw failure(status, "preparing \(sql)")
        }
        for (index, argument) in arguments.enumerated() {
            sqlite3_bind_text(statement, Int32(index + 1), argument, -1, Self.transient)
        }
        return statement
    }
}
