import Arena
import Chess
import Foundation
import Testing

@Suite struct UCIEnginePlayerTests {
    @Test func specsParseWithClearErrors() throws {
        let spec = try UCIEngineSpec(parsing: "stockfish:skill=3,movetime=50")
        #expect(spec.skillLevel == 3 && spec.movetime == 50 && spec.depth == nil && spec.threads == 1)
        let elo = try UCIEngineSpec(parsing: "stockfish:elo=1400,depth=8")
        #expect(elo.elo == 1400 && elo.depth == 8 && elo.movetime == nil)
        #expect(try UCIEngineSpec(parsing: "stockfish").movetime == 100)
        #expect(throws: UCIEngineSpecError(spec: "stockfish:skill=30", message: "skill must be 0...20, got 30")) {
            try UCIEngineSpec(parsing: "stockfish:skill=30")
        }
        #expect(throws: UCIEngineSpecError(spec: "stockfish:movetim=5",
                                           message: "unknown key 'movetim'; expected one of path, skill, elo, depth, movetime, nodes, threads, hash, timeout")) {
            try UCIEngineSpec(parsing: "stockfish:movetim=5")
        }
        #expect(throws: UCIEngineSpecError(spec: "stockfish:depth=x", message: "depth must be a whole number, got 'x'")) {
            try UCIEngineSpec(parsing: "stockfish:depth=x")
        }
        #expect(throws: UCIEngineSpecError(spec: "uci:movetime=5", message: "a 'uci' engine needs path=/path/to/engine")) {
            try UCIEngineSpec(parsing: "uci:movetime=5")
        }
        #expect(throws: UCIEngineSpecError.self) { try UCIEngineSpec(parsing: "uci:path=/nonexistent/engine").resolvedExecutable() }
    }

    @Test func engineThatExitsEndsTheGameWithAReason() async throws {
        let path = try FakeEngine.write(name: "crashing-engine", onGo: "exit 3")
        var config = TournamentConfig(players: [PlayerSpec(name: "crasher", spec: "uci:path=\(path),timeout=5000"), PlayerSpec(name: "random", spec: "random")])
        config.gamesPerPairing = 2
        config.bootstrapResamples = 0
        let result = try await Tournament(config: config) { _ in throw TournamentConfigError(keyPath: "", message: "no models") }.run()
        #expect(result.games.count == 2)
        for record in result.games {
            #expect(record.termination == .forfeit)
            #expect(record.result == .win(for: record.color(of: "random") ?? .white))
            #expect(record.reason?.contains("engine exited with status 3 while waiting for 'bestmove'") == true)
        }
    }

    @Test func engineThatHangsTimesOut() async throws {
        let path = try FakeEngine.write(name: "hanging-engine", onGo: "exec sleep 30")
        let player = try UCIEnginePlayer(spec: "uci:path=\(path),movetime=10,timeout=1000", name: "hang")
        let answer = await player.move(for: Game())
        await player.finish()
        // The reason names the 1 s timeout (an engine that exited after its 30 s sleep would read
        // "engine exited"); no wall-clock bound, which a loaded machine breaks.
        guard case .forfeit(let reason) = answer.decision else {
            Issue.record("expected a forfeit, got \(answer)")
            return
        }
        #expect(reason.contains("engine did not answer 'bestmove' within 1.0 s"))
        // Later requests in the same game forfeit at once.
        let again = await player.move(for: Game())
        #expect(again.decision == answer.decision)
    }

    @Test func engineAnsweringAnIllegalMoveForfeits() async throws {
        let path = try FakeEngine.write(name: "illegal-engine", onGo: "echo 'bestmove e2e5'")
        let player = try UCIEnginePlayer(spec: "uci:path=\(path)", name: "bad")
        let answer = await player.move(for: Game())
        await player.finish()
        #expect(answer.illegalAttempts == 1)
        guard case .forfeit(let reason) = answer.decision else {
            Issue.record("expected a forfeit")
            return
        }
        #expect(reason.contains("illegal move"))
    }

    @Test(.enabled(if: stockfishPath != nil, "Stockfish is not installed"))
    func stockfishBeatsRandom() async throws {
        var config = TournamentConfig(players: [PlayerSpec(name: "stockfish", spec: "stockfish:skill=0,movetime=10"),
                                                PlayerSpec(name: "random", spec: "random")])
        config.gamesPerPairing = 2
        config.maxPlies = 150
        config.adjudication = .material(threshold: 3)
        config.concurrency = 2
        config.bootstrapResamples = 0
        let result = try await Tournament(config: config) { _ in throw TournamentConfigError(keyPath: "", message: "no models") }.run()
        let stockfish = try #require(result.standings.first { $0.player == "stockfish" })
        // Skill 0 blunders on purpose, so a stalemate is possible; a loss is not.
        #expect(stockfish.score >= 1.5 && stockfish.losses == 0, "games: \(result.pgn)")
        #expect(stockfish.illegalAttempts == 0 && stockfish.forfeits == 0)
        #expect((result.ratings?.rating(of: "stockfish")?.rating ?? 0) > (result.ratings?.rating(of: "random")?.rating ?? 0))
    }
}
