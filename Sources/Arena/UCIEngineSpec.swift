import Foundation

/// A spec string for a UCI engine player that could not be read.
public struct UCIEngineSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var spec: String
    public var message: String

    public init(spec: String, message: String) {
        self.spec = spec
        self.message = message
    }

    public var description: String { "engine spec '\(spec)': \(message)" }
}

/// How to start and drive a UCI engine, parsed from a spec string such as
/// `stockfish:skill=3,movetime=50`, `stockfish:elo=1400,depth=8` or
/// `uci:path=/opt/engines/lc0,nodes=200`.
///
/// Keys (all optional except `path` for `uci:`):
/// `path` (executable), `skill` (Skill Level 0–20), `elo` (sets UCI_LimitStrength and UCI_Elo),
/// `depth` (plies), `movetime` (milliseconds), `nodes`, `threads` (default 1), `hash` (MB, default 16),
/// `timeout` (milliseconds to wait for any engine reply beyond the search limit, default 10000).
/// Without `depth`, `movetime` or `nodes` the engine searches `movetime=100`.
public struct UCIEngineSpec: Sendable, Equatable {
    /// `stockfish`, or `uci` for an engine named by `path`.
    public var engine: String
    /// Executable path as given; `nil` means look `engine` up on PATH and in /usr/games.
    public var path: String?
    public var skillLevel: Int?
    public var elo: Int?
    public var depth: Int?
    /// Search time per move, in milliseconds.
    public var movetime: Int?
    public var nodes: Int?
    public var threads: Int = 1
    /// Hash table size in MB.
    public var hash: Int = 16
    /// Extra milliseconds allowed for each reply beyond the search limit before the engine is
    /// declared hung.
    public var timeout: Int = 10_000

    static let keys = ["path", "skill", "elo", "depth", "movetime", "nodes", "threads", "hash", "timeout"]

    /// True when `spec` names an engine (`stockfish` or `uci`, alone or followed by `:` options).
    public static func isEngineSpec(_ spec: String) -> Bool {
        let head = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return head == "stockfish" || head == "uci"
    }

    /// Parses a spec; see the type's documentation for the keys.
    /// - Throws: `UCIEngineSpecError` naming the bad part and what is accepted.
    public init(parsing spec: String) throws(UCIEngineSpecError) {
        func fail(_ message: String) -> UCIEngineSpecError { UCIEngineSpecError(spec: spec, message: message) }
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        engine = String(parts[0])
        guard engine == "stockfish" || engine == "uci" else {
            throw fail("unknown engine '\(engine)'; expected 'stockfish' or 'uci' (with path=...)")
        }
        if parts.count == 2 {
            for item in parts[1].split(separator: ",", omittingEmptySubsequences: true) {
                let pair = item.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { throw fail("'\(item)' is not key=value") }
                let key = pair[0].trimmingCharacters(in: .whitespaces)
                let value = pair[1].trimmingCharacters(in: .whitespaces)
                if key == "path" {
                    path = value
                    continue
                }
                guard UCIEngineSpec.keys.contains(key) else {
                    throw fail("unknown key '\(key)'; expected one of \(UCIEngineSpec.keys.joined(separator: ", "))")
                }
                guard let number = Int(value) else { throw fail("\(key) must be a whole number, got '\(value)'") }
                switch key {
                case "skill":
                    guard (0...20).contains(number) else { throw fail("skill must be 0...20, got \(number)") }
                    skillLevel = number
                case "elo":
                    guard number > 0 else { throw fail("elo must be positive, got \(number)") }
                    elo = number
                case "depth":
                    guard number >= 1 else { throw fail("depth must be at least 1, got \(number)") }
                    depth = number
                case "movetime":
                    guard number >= 1 else { throw fail("movetime (ms) must be at least 1, got \(number)") }
                    movetime = number
                case "nodes":
                    guard number >= 1 else { throw fail("nodes must be at least 1, got \(number)") }
                    nodes = number
                case "threads":
                    guard number >= 1 else { throw fail("threads must be at least 1, got \(number)") }
                    threads = number
                case "hash":
                    guard number >= 1 else { throw fail("hash (MB) must be at least 1, got \(number)") }
                    hash = number
                default:
                    guard number >= 1 else { throw fail("timeout (ms) must be at least 1, got \(number)") }
                    timeout = number
                }
            }
        }
        if engine == "uci" && path == nil { throw fail("a 'uci' engine needs path=/path/to/engine") }
        if depth == nil && movetime == nil && nodes == nil { movetime = 100 }
    }

    /// The `go` command for one move.
    var goCommand: String {
        var command = "go"
        if let depth { command += " depth \(depth)" }
        if let nodes { command += " nodes \(nodes)" }
        if let movetime { command += " movetime \(movetime)" }
        return command
    }

    /// How long to wait for `bestmove`: the search time plus the reply timeout; a depth- or
    /// node-limited search gets the reply timeout six times over.
    var bestMoveTimeout: Duration {
        if let movetime, depth == nil, nodes == nil { return .milliseconds(movetime + timeout) }
        return .milliseconds((movetime ?? 0) + 6 * timeout)
    }

    /// The executable to start.
    /// - Throws: `UCIEngineSpecError` when it cannot be found or is not executable.
    public func resolvedExecutable(environmentPath: String? = ProcessInfo.processInfo.environment["PATH"]) throws(UCIEngineSpecError) -> String {
        let manager = FileManager.default
        if let path {
            guard manager.isExecutableFile(atPath: path) else {
                throw UCIEngineSpecError(spec: engine, message: "no executable file at '\(path)'")
            }
            return path
        }
        let folders = (environmentPath ?? "").split(separator: ":").map(String.init) + ["/usr/games", "/usr/local/bin", "/usr/bin"]
        for folder in folders where !folder.isEmpty {
            let candidate = folder + "/" + engine
            if manager.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw UCIEngineSpecError(spec: engine, message: "'\(engine)' not found on PATH or in /usr/games; install it (Debian: apt-get install stockfish) or give path=...")
    }
}
