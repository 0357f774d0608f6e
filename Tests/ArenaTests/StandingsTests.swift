import Arena
import Chess
import Testing

@Suite struct StandingsTests {
    @Test func standingsCountResultsMovesMaterialAndIllegalReplies() throws {
        var capture = Game()
        for san in ["e4", "d5", "exd5"] { try capture.play(san: san) }  // white a pawn up after 3 plies
        let first = GameRecord(id: GameID(playerA: "A", playerB: "B", index: 0, seed: 1), white: "A", black: "B", game: capture,
                               result: .whiteWins, termination: .forfeit, reason: "black forfeits: test", whiteIllegalAttempts: 1,
                               blackIllegalAttempts: 3, openingPlies: 1, event: "t")
        let second = GameRecord(id: GameID(playerA: "A", playerB: "B", index: 1, seed: 2), white: "B", black: "A", game: Game(),
                                result: .draw, termination: .adjudication, reason: "draw", whiteIllegalAttempts: 0,
                                blackIllegalAttempts: 0, openingPlies: 0, event: "t")
        var config = TournamentConfig(players: [PlayerSpec(name: "A", spec: "random"), PlayerSpec(name: "B", spec: "random")])
        config.bootstrapResamples = 0
        config.ratingRegularization = 0
        let result = TournamentResult(config: config, games: [first, second])
        let a = try #require(result.standings.first { $0.player == "A" })
        let b = try #require(result.standings.first { $0.player == "B" })
        #expect((a.wins, a.draws, a.losses, a.score) == (1, 1, 0, 1.5))
        #expect((b.wins, b.draws, b.losses, b.score, b.forfeits) == (0, 1, 1, 0.5, 1))
        // Opening ply 1 (e4) is not A's move: A played exd5 only, B played d5.
        #expect(a.movesPlayed == 1 && b.movesPlayed == 1)
        #expect(a.illegalPerThousandMoves == 1000 && b.illegalPerThousandMoves == 1500)  // 1/1 and 3/(1 + 1 forfeit)
        #expect(a.averageGameLength == 1.5 && a.averageFinalMaterial == 0.5 && b.averageFinalMaterial == -0.5)
        // 1.5 of 2: R_A − R_B = 400·log10(3) around a mean of 1000.
        let gap = (a.rating ?? 0) - (b.rating ?? 0)
        #expect(abs(gap - 190.848501887865) < 1e-6)
        let table = result.markdownTable()
        #expect(table.contains("| 1 | A | 1095 | – | 2 | 1 | 1 | 0 | 1.5 | 1000.0 | 0 | 1.5 | 0.5 |"))
        #expect(table.contains("| 2 | B | 905 | – | 2 | 0 | 1 | 1 | 0.5 | 1500.0 | 1 | 1.5 | -0.5 |"))
        // The PGN round-trips through GameRecord.read with every field the standings use.
        let back = try GameRecord.read(pgn: result.pgn)
        #expect(back.map(\.id) == [first.id, second.id])
        #expect(back[0].reason == "black forfeits: test" && back[0].blackIllegalAttempts == 3 && back[0].openingPlies == 1)
        #expect(back[0].termination == .forfeit && back[1].result == .draw && back[0].game.moves == capture.moves)
    }
}
