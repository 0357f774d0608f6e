import Chess
import Testing

@Suite struct PGNTests {
    @Test func writesSevenTagRosterTerminationAndMovetext() throws {
        var game = Game()
        for san in ["f3", "e5", "g4", "Qh4#"] { try game.play(san: san) }
        let text = PGN.write(game, tags: [PGNTag("White", "Alpha"), PGNTag("Black", "Beta"), PGNTag("Event", "Test \"quoted\""),
                                          PGNTag("Opening", "Fool's mate")])
        #expect(text == """
            [Event "Test \\"quoted\\""]
            [Site "?"]
            [Date "????.??.??"]
            [Round "?"]
            [White "Alpha"]
            [Black "Beta"]
            [Result "0-1"]
            [Termination "checkmate"]
            [Opening "Fool's mate"]

            1. f3 e5 2. g4 Qh4# 0-1

            """)
        let parsed = try PGN.read(text, sanMode: .strict)
        #expect(parsed.count == 1)
        #expect(parsed[0][tag: "Event"] == "Test \"quoted\"")
        #expect(parsed[0][tag: "Opening"] == "Fool's mate")
        #expect(parsed[0].result == .blackWins)
        #expect(parsed[0].game.outcome?.termination == .checkmate)
    }

    @Test func nonStandardStartWritesSetUpAndBlackMoveNumber() throws {
        let start = try Position(fen: "4k3/8/8/8/8/8/4P3/4K3 b - - 0 30")
        var game = Game(startingPosition: start)
        for san in ["Kd7", "e4", "Ke6"] { try game.play(san: san) }
        let text = PGN.write(game)
        #expect(text.contains("[SetUp \"1\"]\n[FEN \"4k3/8/8/8/8/8/4P3/4K3 b - - 0 30\"]\n"))
        #expect(text.hasSuffix("\n30... Kd7 31. e4 Ke6 *\n"))
        let parsed = try PGN.read(text)
        #expect(parsed[0].game.startingPosition == start)
        #expect(parsed[0].game.position == game.position)
        #expect(parsed[0].result == .ongoing)
    }

    @Test func longGameWrapsAtEightyColumnsAndRoundTrips() throws {
        let game = Game.randomOpening(plies: 150, seed: 2024)
        let tags = [PGNTag("Event", "Wrap test"), PGNTag("Round", "3"), PGNTag("Annotator", "EvalKit")]
        let text = PGN.write(game, tags: tags)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(lines.contains { $0.count > 72 })  // lines are filled, not broken early
        let parsed = try PGN.read(text, sanMode: .strict)
        #expect(parsed.count == 1)
        #expect(parsed[0].game.moves == game.moves)
        #expect(parsed[0][tag: "Annotator"] == "EvalKit")
        #expect(parsed[0][tag: "Round"] == "3")
        #expect(parsed[0].tags.prefix(7).map(\.name) == PGN.sevenTagRoster)
    }

    @Test func readsCommentsNAGsVariationsAndSeveralGames() throws {
        let text = """
            % escape line, ignored
            [Event "First"]
            [Site "Here"]
            [Result "1-0"]

            1.e4 {King's pawn} e5 $1 2. Nf3 (2. f4 exf4 (2... d5 {counter} 3. exd5) 3. Nf3) 2... Nc6!? ; line comment (
            3. Bb5 a6 $2 4. Ba4 {a comment
            over two lines} 4... Nf6 5. O-O 1-0

            [Event "Second"]
            [SetUp "1"]
            [FEN "4k3/8/8/8/8/8/8/4K2R w K - 0 1"]

            1. 0-0 Kd7 2. Rf7+ *
            """
        let games = try PGN.read(text)
        #expect(games.count == 2)
        #expect(games[0][tag: "Site"] == "Here")
        #expect(games[0].result == .whiteWins)
        #expect(games[0].game.sanMoves == ["e4", "e5", "Nf3", "Nc6", "Bb5", "a6", "Ba4", "Nf6", "O-O"])
        #expect(games[0].game.position.fen == "r1bqkb1r/1ppp1ppp/p1n2n2/4p3/B3P3/5N2/PPPP1PPP/RNBQ1RK1 b kq - 3 5")
        #expect(games[1][tag: "Event"] == "Second")
        #expect(games[1].game.sanMoves == ["O-O", "Kd7", "Rf7+"])
        #expect(games[1].result == .ongoing)
    }

    @Test func gameWithoutResultTokenEndsAtNextTags() throws {
        let games = try PGN.read("[Event \"A\"]\n1. e4 e5\n[Event \"B\"]\n1. d4 1/2-1/2\n")
        #expect(games.map { $0.game.plyCount } == [2, 1])
        #expect(games[1].result == .draw)
    }

    @Test func errorNamesGameAndMove() {
        let text = """
            [Event "Good"]
            1. e4 e5 1-0

            [Event "Bad"]
            1. e4 e5 2. Nf3 Nc6
            3. Qxf7 Nf6 0-1
            """
        do {
            _ = try PGN.read(text)
            Issue.record("accepted an illegal move")
        } catch {
            #expect(error.gameNumber == 2)
            #expect(error.move == "3. Qxf7")
            #expect(error.line == 6)
            #expect(error.event == "Bad")
            #expect(error.description.hasPrefix("PGN game 2 (\"Bad\"), line 6, move 3. Qxf7: illegal move 'Qxf7'"))
        }
    }

    @Test func syntaxErrors() {
        for (text, fragment) in [("[Event \"x]\n", "not closed"), ("1. e4 {open comment", "never closed"),
                                 ("1. e4 (1. d4", "never closed"), ("1. e4 )", "without a matching"),
                                 ("[Event x]\n", "quoted value"), ("[FEN \"bad\"]\n1. e4 *", "FEN tag")] {
            do {
                _ = try PGN.read(text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.message.contains(fragment), "\(error)")
            }
        }
    }

    @Test func strictModeRejectsNonStandardSAN() {
        #expect(throws: PGNError.self) { try PGN.read("1. e2e4 e5 *", sanMode: .strict) }
        #expect(throws: Never.self) { try PGN.read("1. e2e4 e5 *", sanMode: .lenient) }
    }
}
