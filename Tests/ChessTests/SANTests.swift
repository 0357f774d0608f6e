import Chess
import Testing

/// SAN writing for tricky cases (expected strings checked against python-chess 1.11.2) and
/// strict/lenient reading.
@Suite struct SANTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var fen: String
        var uci: String
        var san: String
        var testDescription: String { "\(uci) = \(san)" }
    }

    static let writeCases: [Case] = [
        Case(fen: "6k1/8/8/8/8/8/4K3/R6R w - - 0 1", uci: "a1d1", san: "Rad1"),          // by file
        Case(fen: "6k1/8/8/8/8/8/4K3/R6R w - - 0 1", uci: "h1d1", san: "Rhd1"),
        Case(fen: "7k/8/8/8/R7/8/8/R6K w - - 0 1", uci: "a1a3", san: "R1a3"),          // by rank
        Case(fen: "7k/8/8/8/R7/8/8/R6K w - - 0 1", uci: "a4a3", san: "R4a3"),
        Case(fen: "6k1/8/8/8/8/Q7/8/Q1Q4K w - - 0 1", uci: "a1b2", san: "Qa1b2"),      // by both
        Case(fen: "6k1/8/8/8/8/Q7/8/Q1Q4K w - - 0 1", uci: "a3b2", san: "Q3b2"),
        Case(fen: "6k1/8/8/8/8/Q7/8/Q1Q4K w - - 0 1", uci: "c1b2", san: "Qcb2"),
        Case(fen: "4k3/8/8/8/8/8/8/1N2KN1r w - - 0 1", uci: "b1d2", san: "Nd2"),       // rival is pinned
        Case(fen: "r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", uci: "b7a8q", san: "bxa8=Q+"),   // capture, promotion, check
        Case(fen: "r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", uci: "b7a8n", san: "bxa8=N"),
        Case(fen: "r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", uci: "b7b8r", san: "b8=R+"),
        Case(fen: "5k2/8/8/8/8/8/8/4K2R w K - 0 1", uci: "e1g1", san: "O-O+"),         // castling with check
        Case(fen: "r3k3/8/8/8/8/8/8/4K3 b q - 0 1", uci: "e8c8", san: "O-O-O"),
        Case(fen: "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1", uci: "a1a8", san: "Ra8#"),      // mate
        Case(fen: "4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2", uci: "e5d6", san: "exd6"),      // en passant
        Case(fen: "4k3/8/8/8/2p5/1P6/8/4KB2 w - - 0 1", uci: "f1c4", san: "Bxc4"),
        Case(fen: "4k3/8/8/8/2p5/1P6/8/4KB2 w - - 0 1", uci: "b3c4", san: "bxc4"),
    ]

    @Test(arguments: writeCases)
    func writesStandardSAN(_ testCase: Case) throws {
        let position = try Position(fen: testCase.fen)
        let move = try position.move(uci: testCase.uci)
        #expect(position.san(move) == testCase.san)
        #expect(try position.move(san: testCase.san, mode: .strict) == move)
        #expect(try position.move(san: testCase.san, mode: .lenient) == move)
    }

    @Test func foolsMateEndsInHash() throws {
        var game = Game()
        for san in ["f3", "e5", "g4", "Qh4#"] { try game.play(san: san) }
        #expect(game.sanMoves == ["f3", "e5", "g4", "Qh4#"])
        #expect(game.outcome == Outcome(winner: .black, termination: .checkmate))
    }

    static let lenientCases: [(fen: String, text: String, uci: String)] = [
        (Position.standardFEN, "e2e4", "e2e4"),
        (Position.standardFEN, "e2-e4", "e2e4"),
        (Position.standardFEN, "Ng1-f3", "g1f3"),
        (Position.standardFEN, "Ng1f3", "g1f3"),
        (Position.standardFEN, "Ngf3", "g1f3"),
        (Position.standardFEN, "nf3", "g1f3"),
        (Position.standardFEN, "Nxf3", "g1f3"),          // superfluous x
        (Position.standardFEN, "  e4!? ", "e2e4"),
        (Position.standardFEN, "Nf3+", "g1f3"),          // wrong check marker ignored
        (Position.standardFEN, "b4", "b2b4"),
        (Position.standardFEN, "Pe4", "e2e4"),
        ("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8=q", "b7b8q"),
        ("4k3/8/8/8/8/8/8/4K2R w K - 0 1", "0-0", "e1g1"),
        ("4k3/8/8/8/8/8/8/4K2R w K - 0 1", "o-o", "e1g1"),
        ("4k3/8/8/8/8/8/8/4K2R w K - 0 1", "e1g1", "e1g1"),
        ("4k3/8/8/8/8/8/8/R3K3 w Q - 0 1", "0-0-0", "e1c1"),
        ("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b7a8q", "b7a8q"),
        ("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "bxa8Q", "b7a8q"),
        ("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "ba8=n", "b7a8n"),
        ("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8(R)", "b7b8r"),
        ("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8=Q#", "b7b8q"),
        ("4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2", "ed6", "e5d6"),
        ("4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2", "exd6 e.p.", "e5d6"),
        ("4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2", "e5:d6", "e5d6"),
        ("4k3/8/8/8/2p5/1P6/8/4KB2 w - - 0 1", "Bc4", "f1c4"),  // missing x
        ("4k3/8/8/8/2p5/1P6/8/4KB2 w - - 0 1", "bxc4", "b3c4"),  // lower-case b: the b-file first
        ("4k3/8/8/8/2p5/1P6/8/4KB2 w - - 0 1", "bc4", "b3c4"),
        ("rnbqkbnr/pppp1ppp/8/4p3/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2", "bc4", "f1c4"),  // then a bishop
    ]

    @Test(arguments: lenientCases.indices)
    func lenientAccepts(_ index: Int) throws {
        let (fen, text, uci) = Self.lenientCases[index]
        let position = try Position(fen: fen)
        #expect(try position.move(san: text, mode: .lenient).uci == uci, "\(text)")
    }

    static let errorCases: [(fen: String, text: String, mode: SANMode, kind: MoveParseError.Kind)] = [
        (Position.standardFEN, "Zz9", .lenient, .unparseable),
        (Position.standardFEN, "", .lenient, .unparseable),
        (Position.standardFEN, "N", .strict, .unparseable),
        (Position.standardFEN, "Ng1f3", .strict, .unparseable),  // legal, but not standard SAN
        (Position.standardFEN, "Nf3+", .strict, .unparseable),
        (Position.standardFEN, "0-0", .strict, .illegal),        // castling not legal yet
        (Position.standardFEN, "e5", .lenient, .illegal),
        (Position.standardFEN, "Ke2", .strict, .illegal),
        ("rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq d6 0 2", "d5", .lenient, .illegal),  // never means exd5
        ("r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "b8", .lenient, .illegal),          // promotion piece missing
        ("4k3/8/8/8/8/8/8/N3K1N1 w - - 0 1", "Nd2", .lenient, .illegal),
        ("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "Nd2", .lenient, .ambiguous),
        ("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "Nd2", .strict, .ambiguous),
        ("4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1", "nd2", .lenient, .ambiguous),
    ]

    @Test(arguments: errorCases.indices)
    func errorsSayWhy(_ index: Int) throws {
        let (fen, text, mode, kind) = Self.errorCases[index]
        let position = try Position(fen: fen)
        do {
            let move = try position.move(san: text, mode: mode)
            Issue.record("'\(text)' (\(mode)) was read as \(move.uci)")
        } catch {
            #expect(error.kind == kind, "\(error)")
            #expect(error.input == text)
        }
    }

    @Test func strictErrorNamesTheStandardForm() throws {
        do {
            _ = try Position.standard.move(san: "Ng1-f3", mode: .strict)
            Issue.record("accepted")
        } catch {
            #expect(error.detail.contains("'Nf3'"))
        }
    }
}
