import Arena
import Chess
import Testing

@Suite struct OpeningsTests {

    @Test func fenAndPGNOpeningsStartTheGamesAndAreWrittenToPGN() async throws {
        // Black to move in a position with few pieces, so the SetUp/FEN tags and "1..." matter.
        let fen = "4k3/8/8/8/8/8/4P3/4K2R b K - 0 1"
        var config = TournamentConfig(players: [PlayerSpec(name: "a", spec: "random"), PlayerSpec(name: "b", spec: "random")])
        config.gamesPerPairing = 4
        config.openings = .fens([fen, Position.standardFEN])
        config.maxPlies = 40
        config.bootstrapResamples = 0
        let result = try await Tournament(config: config) { spec in throw TournamentConfigError(keyPath: "", message: "no model \(spec)") }.run()
        #expect(result.games.map { $0.game.startingPosition.fen } == [fen, fen, Position.standardFEN, Position.standardFEN])
        let read = try PGN.read(result.pgn)
        #expect(read[0][tag: "FEN"] == fen && read[0][tag: "SetUp"] == "1")
        #expect(read[2][tag: "FEN"] == nil)
        for (record, game) in zip(result.games, read) {
            #expect(game.game.moves == record.game.moves && game.result == record.result)
        }

        config.openings = .pgn(["1. e4 c5 2. Nf3"])
        let sicilian = try await Tournament(config: config) { spec in throw TournamentConfigError(keyPath: "", message: "no model \(spec)") }.run()
        for record in sicilian.games {
            #expect(record.openingPlies == 3)
            #expect(Array(record.game.sanMoves.prefix(3)) == ["e4", "c5", "Nf3"])
            // The opening's moves are nobody's: each side played its own moves after ply 3.
            #expect(record.movesPlayed(by: .white) + record.movesPlayed(by: .black) == record.game.plyCount - 3)
        }
    }

    @Test(.enabled(if: stockfishPath != nil, "Stockfish is not installed"))
    func stockfishPlaysFromAFENOpening() async throws {
        // White to mate in one (Ra8#): the engine must have been given the FEN, not startpos.
        let game = Game(startingPosition: try Position(fen: "6k1/5ppp/8/8/8/8/8/R3K3 w Q - 0 1"))
        let player = try UCIEnginePlayer(spec: "stockfish:depth=4")
        let answer = await player.move(for: game)
        await player.finish()
        #expect(answer == .move(try game.position.move(san: "Ra8#")))
    }
}
