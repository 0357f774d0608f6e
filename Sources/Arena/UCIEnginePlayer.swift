import Chess
import Foundation

/// A UCI engine (Stockfish by default) run as a subprocess, one process per player instance,
/// i.e. per game.
///
/// The first `move(for:)` starts the handshake: `uci`/`uciok`, `setoption` (Threads, Hash,
/// Skill Level, UCI_LimitStrength and UCI_Elo as the spec asks), `isready`/`readyok`,
/// `ucinewgame`. Each move sends `position startpos|fen <fen> moves ...`, the spec's `go`
/// command, and reads `bestmove`. Every read has a timeout; an engine that hangs, crashes or
/// answers an illegal move forfeits the game with the reason, and every later request in the
/// same game forfeits at once.
public final class UCIEnginePlayer: ChessPlayer {
    // `state` is behind a lock; the process is used by one game at a time (the
    // ChessPlayer contract), so its commands never interleave.
    public let name: String
    public let spec: UCIEngineSpec
    private let engine: UCIEngineProcess
    private let state = Locked<(ready: Bool, failure: String?, counters: PlayerCounters)>((false, nil, PlayerCounters()))

    /// Starts the engine process (the UCI handshake waits for the first move).
    /// - Parameters:
    ///   - spec: a spec string such as `stockfish:skill=3,movetime=50` (see `UCIEngineSpec`).
    ///   - name: the name in PGN and standings; defaults to the spec string.
    /// - Throws: `UCIEngineSpecError` for a bad spec or missing executable, `UCIEngineError`
    ///   when the process cannot be started.
    public convenience init(spec: String, name: String? = nil) throws {
        try self.init(spec: UCIEngineSpec(parsing: spec), name: name ?? spec)
    }

    public init(spec: UCIEngineSpec, name: String) throws {
        self.name = name
        self.spec = spec
        self.engine = try UCIEngineProcess(executable: spec.resolvedExecutable())
    }

    public var counters: PlayerCounters { state.current.counters }

    public func move(for game: Game) async -> PlayerMove {
        let answer = await answer(for: game)
        state.withLock { $0.counters.record(answer) }
        return answer
    }

    private func answer(for game: Game) async -> PlayerMove {
        if let failure = state.current.failure { return .forfeit(failure) }
        do {
            if !state.current.ready {
                try await handshake()
                state.withLock { $0.ready = true }
            }
            try engine.send(positionCommand(game))
            try engine.send(spec.goCommand)
            let line = try await engine.waitForLine("bestmove", timeout: spec.bestMoveTimeout) { $0.hasPrefix("bestmove") }
            let fields = line.split(separator: " ")
            guard fields.count >= 2 else { return fail("engine sent '\(line)' without a move") }
            let text = String(fields[1])
            if text == "(none)" || text == "0000" {
                return fail("engine has no move in position \(game.position.fen)")
            }
            do {
                return .move(try game.position.move(uci: text))
            } catch {
                return fail("engine answered an illegal move: \(error)", illegalAttempts: 1)
            }
        } catch {
            return fail("\(error)")
        }
    }

    private func fail(_ reason: String, illegalAttempts: Int = 0) -> PlayerMove {
        let message = "\(name): \(reason)"
        state.withLock { $0.failure = message }
        return .forfeit(message, illegalAttempts: illegalAttempts)
    }

    private func handshake() async throws(UCIEngineError) {
        let reply = Duration.milliseconds(spec.timeout)
        try engine.send("uci")
        _ = try await engine.waitForLine("uciok", timeout: reply) { $0 == "uciok" }
        try engine.send("setoption name Threads value \(spec.threads)")
        try engine.send("setoption name Hash value \(spec.hash)")
        if let skill = spec.skillLevel { try engine.send("setoption name Skill Level value \(skill)") }
        if let elo = spec.elo {
            try engine.send("setoption name UCI_LimitStrength value true")
            try engine.send("setoption name UCI_Elo value \(elo)")
        }
        try engine.send("isready")
        _ = try await engine.waitForLine("readyok", timeout: reply) { $0 == "readyok" }
        try engine.send("ucinewgame")
        try engine.send("isready")
        _ = try await engine.waitForLine("readyok", timeout: reply) { $0 == "readyok" }
    }

    /// `position startpos moves e2e4 ...` or `position fen <fen> moves ...`.
    func positionCommand(_ game: Game) -> String {
        var command = game.startingPosition == .standard ? "position startpos" : "position fen \(game.startingPosition.fen)"
        if !game.moves.isEmpty { command += " moves " + game.moves.map(\.uci).joined(separator: " ") }
        return command
    }

    public func finish() async {
        await engine.shutdown()
    }
}
