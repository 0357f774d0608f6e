import Arena
import Chess
import Testing

@Suite struct TournamentTests {
    static func randomConfig(concurrency: Int = 2) -> TournamentConfig {
        var config = TournamentConfig(players: [PlayerSpec(name: "r1", spec: "random"), PlayerSpec(name: "r2", spec: "random"),
                                                PlayerSpec(name: "r3", spec: "random")])
        config.gamesPerPairing = 4
        config.openings = .randomPlies(4)
        config.maxPlies = 80
        config.seed = 11
        config.concurrency = concurrency
        config.bootstrapResamples = 50
        return config
    }

    static func tournament(_ config: TournamentConfig) throws -> Tournament {
        try Tournament(config: config) { spec in throw TournamentConfigError(keyPath: "players", message: "no model \(spec)") }
    }

    @Test func randomRoundRobinWritesPGNOurReaderReadsBack() async throws {
        let result = try await Self.tournament(Self.randomConfig()).run()
        #expect(result.games.count == 12)  // 3 pairings × 4 games
        let read = try PGN.read(result.pgn)
        #expect(read.count == 12)
        for (record, game) in zip(result.games, read) {
            #expect(game.result == record.result)
            #expect(game.result != .ongoing)
            #expect(game[tag: "White"] == record.white)
            #expect(game[tag: "Termination"] == record.termination.rawValue)
            #expect(game[tag: "WhiteIllegalMoves"] == "0")
            #expect(game.game.moves == record.game.moves)
            #expect(record.game.plyCount <= 80)
        }
        // Colours alternate within a pairing and openings come in colour-swapped pairs.
        #expect(result.games[0].white == "r1" && result.games[1].white == "r2")
        #expect(result.games[0].game.moves.prefix(4) == result.games[1].game.moves.prefix(4))
        #expect(result.games[0].game.moves.prefix(4) != result.games[2].game.moves.prefix(4))
        // Standings add up: every game gives out one point.
        let points = result.standings.map(\.score).reduce(0, +)
        #expect(points == 12)
        #expect(result.standings.allSatisfy { $0.games == 8 && $0.illegalAttempts == 0 && $0.forfeits == 0 })
        #expect(result.markdownTable().contains("| r1 |"))
    }

    @Test func sameSeedSameGamesWhateverTheConcurrency() async throws {
        let serial = try await Self.tournament(Self.randomConfig(concurrency: 1)).run()
        let parallel = try await Self.tournament(Self.randomConfig(concurrency: 3)).run()
        #expect(serial.pgn == parallel.pgn)
        var other = Self.randomConfig()
        other.seed = 12
        let different = try await Self.tournament(other).run()
        #expect(different.pgn != serial.pgn)
    }

    @Test func resumeSkipsFinishedGames() async throws {
        let config = Self.randomConfig()
        let full = try await Self.tournament(config).run()
        // The games file holds the first five games; only the other seven are played again.
        let gamesFile = GameRecord.pgn(Array(full.games.prefix(5)))
        let finished = try GameRecord.read(pgn: gamesFile)
        #expect(finished.map(\.id) == full.games.prefix(5).map(\.id))
        let made = Counter()
        let players = config.players.map { spec in
            PlayerEntry(name: spec.name, spec: spec.spec) { context in
                made.increment()
                return RandomPlayer(name: spec.name, seed: context.seed)
            }
        }
        let played = Counter()
        let resumed = try await Tournament(config: config, players: players).run(finished: finished) { _, _, _ in played.increment() }
        #expect(played.value == 7)
        #expect(made.value == 14)  // two players per replayed game
        #expect(resumed.pgn == full.pgn)
    }

    @Test func gauntletPairsCandidatesWithAnchorsOnly() async throws {
        var config = Self.randomConfig()
        config.schedule = .gauntlet
        config.anchors = [AnchorSpec(player: "r3", elo: 1500)]
        config.gamesPerPairing = 2
        let tournament = try Self.tournament(config)
        #expect(tournament.schedule.map { "\($0.id.playerA)-\($0.id.playerB)" } == ["r1-r3", "r1-r3", "r2-r3", "r2-r3"])
        let result = try await tournament.run()
        if let ratings = result.ratings {
            #expect(abs((ratings.rating(of: "r3")?.rating ?? 0) - 1500) < 1e-6)
        } else {
            Issue.record("ratings failed: \(result.ratingError ?? "?")")
        }
    }

    @Test func materialAdjudicationAtThePlyLimit() async throws {
        var config = Self.randomConfig()
        config.players = [PlayerSpec(spec: "random"), PlayerSpec(name: "other", spec: "random")]
        config.gamesPerPairing = 6
        config.maxPlies = 30
        config.adjudication = .material(threshold: 1)
        let result = try await Self.tournament(config).run()
        for record in result.games where record.termination == .adjudication {
            let balance = record.finalMaterialBalance
            let expected: GameResult = balance >= 1 ? .whiteWins : balance <= -1 ? .blackWins : .draw
            #expect(record.result == expected)
            #expect(record.reason != nil)
        }
        #expect(result.games.contains { $0.termination == .adjudication })
    }
}

/// A thread-safe counter for closures the tournament calls from several tasks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

import Foundation

@Suite struct CancellationTests {
    @Test func cancelledRunRecordsNoUnfinishedGame() async throws {
        // The engine thinks for 30 s and its reply timeout is longer; the run is cancelled while it
        // thinks. Were cancellation ignored, the engine's exit after 30 s would end the game as a
        // recorded forfeit, so `recorded == 0` proves the run stopped without a time bound (a loaded
        // machine can delay the test itself by tens of seconds).
        let path = try FakeEngine.write(name: "slow-engine", onGo: "exec sleep 30")
        var config = TournamentConfig(players: [PlayerSpec(name: "slow", spec: "uci:path=\(path),timeout=600000"), PlayerSpec(name: "random", spec: "random")])
        config.gamesPerPairing = 2
        let recorded = Counter()
        let task = Task {
            try await Tournament(config: config) { _ in throw TournamentConfigError(keyPath: "", message: "no models") }
                .run { _, _, _ in recorded.increment() }
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let outcome = await task.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(recorded.value == 0)
    }
}
