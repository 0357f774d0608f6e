import Chess
import Testing

/// Draw rules and outcomes. Repetition expectations were cross-checked with python-chess
/// (`Board.is_repetition`), which also keys the en-passant square only when a capture is legal.
@Suite struct DrawRuleTests {
    /// White's c-pawn double push, then kings and knights shuffle back twice.
    static let shuffleAfterDoublePush = ["c2c4", "e8d7", "g1f3", "d7e8", "f3g1", "e8d7", "g1f3", "d7e8", "f3g1"]

    @Test func enPassantSquareCountsOnlyWhenCaptureIsLegal() throws {
        // A black pawn on d4 can take c3 en passant: the first position differs from its repeats.
        var withCapture = Game(startingPosition: try Position(fen: "4k3/8/8/8/3p4/8/2P5/4K1N1 w - - 0 1"))
        for uci in Self.shuffleAfterDoublePush { try withCapture.play(uci: uci) }
        #expect(withCapture.repetitionCount == 2)
        #expect(withCapture.claimableDraw == nil)

        // The black pawn on h4 cannot: the en-passant square in the FEN is ignored for repetition.
        var withoutCapture = Game(startingPosition: try Position(fen: "4k3/8/8/8/7p/8/2P5/4K1N1 w - - 0 1"))
        for uci in Self.shuffleAfterDoublePush { try withoutCapture.play(uci: uci) }
        #expect(withoutCapture.repetitionCount == 3)
        #expect(withoutCapture.claimableDraw == .threefoldRepetition)
    }

    @Test func pinnedEnPassantIsIllegalAndNotInTheKey() throws {
        // Taking c6 en passant would remove b5 and c5 from the fifth rank and expose Ka5 to Rh5.
        let pinned = try Position(fen: "8/8/8/KPp4r/8/8/8/7k w - c6 0 2")
        #expect(!pinned.legalMoves().map(\.uci).contains("b5c6"))
        #expect(Set(pinned.legalMoves().map(\.uci)) == ["a5a4", "a5a6", "a5b6", "b5b6"])
        #expect(!pinned.hasLegalEnPassant)
        let sameWithoutSquare = try Position(fen: "8/8/8/KPp4r/8/8/8/7k w - - 0 2")
        #expect(pinned.repetitionKey == sameWithoutSquare.repetitionKey)
        #expect(pinned != sameWithoutSquare)  // the positions themselves still differ (FEN field)

        // Without the rook the capture is legal and the key changes.
        let free = try Position(fen: "8/8/8/KPp5/8/8/8/7k w - c6 0 2")
        #expect(free.legalMoves().map(\.uci).contains("b5c6"))
        #expect(free.hasLegalEnPassant)
        #expect(free.repetitionKey != (try Position(fen: "8/8/8/KPp5/8/8/8/7k w - - 0 2")).repetitionKey)
    }

    @Test func threefoldIsClaimableAndFivefoldIsAutomatic() throws {
        var game = Game()
        let cycle = ["g1f3", "g8f6", "f3g1", "f6g8"]
        for uci in cycle + cycle.dropLast() { try game.play(uci: uci) }
        #expect(game.claimableDraw == nil)
        #expect(game.claimableDraw(byPlaying: try game.position.move(uci: "f6g8")) == .threefoldRepetition)
        #expect(game.claimableDraw(byPlaying: try game.position.move(uci: "e7e5")) == nil)
        try game.play(uci: "f6g8")
        #expect(game.repetitionCount == 3)
        #expect(game.claimableDraw == .threefoldRepetition)
        #expect(game.outcome == nil)

        var claimed = game
        #expect(try claimed.claimDraw() == Outcome(winner: nil, termination: .threefoldRepetition))
        #expect(claimed.result == .draw)
        #expect(throws: GameError.self) { try claimed.play(uci: "g1f3") }

        for uci in cycle { try game.play(uci: uci) }
        #expect(game.repetitionCount == 4)
        #expect(game.outcome == nil)
        for uci in cycle.dropLast() { try game.play(uci: uci) }
        #expect(game.outcome == nil)
        try game.play(uci: "f6g8")
        #expect(game.repetitionCount == 5)
        #expect(game.outcome == Outcome(winner: nil, termination: .fivefoldRepetition))
        #expect(game.claimableDraw == nil)

        game.undo()
        #expect(game.outcome == nil)
        #expect(game.repetitionCount == 4)
    }

    @Test func fiftyMovesIsClaimableAndSeventyFiveIsAutomatic() throws {
        var game = Game(startingPosition: try Position(fen: "8/8/8/4k3/8/8/8/R3K3 w - - 98 80"))
        try game.play(uci: "a1a2")
        #expect(game.claimableDraw == nil)
        #expect(game.claimableDraw(byPlaying: try game.position.move(uci: "e5e6")) == .fiftyMoves)
        try game.play(uci: "e5e6")
        #expect(game.position.halfmoveClock == 100)
        #expect(game.claimableDraw == .fiftyMoves)
        #expect(game.outcome == nil)

        var late = Game(startingPosition: try Position(fen: "8/8/8/4k3/8/8/8/R3K3 w - - 148 100"))
        try late.play(uci: "a1a2")
        #expect(late.outcome == nil)
        try late.play(uci: "e5e6")
        #expect(late.outcome == Outcome(winner: nil, termination: .seventyFiveMoves))
        #expect(throws: GameError.self) { try late.play(uci: "a2a3") }

        // A pawn move resets the clock; a checkmate on the 150th half-move stands.
        var reset = Game(startingPosition: try Position(fen: "4k3/8/8/8/8/8/4P3/R3K3 w - - 149 100"))
        try reset.play(uci: "e2e4")
        #expect(reset.position.halfmoveClock == 0)
        #expect(reset.outcome == nil)
        var mate = Game(startingPosition: try Position(fen: "6k1/5ppp/8/8/8/8/8/R5K1 w - - 149 90"))
        try mate.play(san: "Ra8#")
        #expect(mate.outcome == Outcome(winner: .white, termination: .checkmate))
    }

    @Test func noDrawToClaimThrows() {
        var game = Game()
        #expect(throws: GameError.self) { try game.claimDraw() }
    }

    static let materialCases: [(fen: String, insufficient: Bool)] = [
        ("4k3/8/8/8/8/8/8/4K3 w - - 0 1", true),      // K v K
        ("4k3/8/8/8/8/8/8/4KN2 w - - 0 1", true),     // K+N v K
        ("4k3/8/8/8/8/8/8/4KB2 w - - 0 1", true),     // K+B v K
        ("4kb2/8/8/8/8/8/8/4K3 w - - 0 1", true),     // K v K+B
        ("4kb2/8/8/8/8/8/8/2B1K3 w - - 0 1", true),   // K+B v K+B, both bishops on dark squares
        ("4k1b1/8/8/8/8/8/8/2B1K3 w - - 0 1", false), // opposite-coloured bishops
        ("4kn2/8/8/8/8/8/8/4KN2 w - - 0 1", false),   // K+N v K+N
        ("4kn2/8/8/8/8/8/8/4KB2 w - - 0 1", false),   // K+B v K+N
        ("4k3/8/8/8/8/8/8/3NKN2 w - - 0 1", false),   // K+N+N v K
        ("4k3/8/8/8/8/8/8/3BKN2 w - - 0 1", false),   // K+B+N v K
        ("4k3/8/8/8/8/8/4P3/4K3 w - - 0 1", false),   // pawn
        ("4k3/8/8/8/8/8/8/R3K3 w - - 0 1", false),    // rook
    ]

    @Test(arguments: materialCases.indices)
    func insufficientMaterial(_ index: Int) throws {
        let (fen, insufficient) = Self.materialCases[index]
        let position = try Position(fen: fen)
        #expect(position.isInsufficientMaterial == insufficient, "\(fen)")
        #expect((Game(startingPosition: position).outcome?.termination == .insufficientMaterial) == insufficient)
    }

    @Test func captureIntoInsufficientMaterialEndsTheGame() throws {
        var game = Game(startingPosition: try Position(fen: "4k3/8/8/8/8/8/3r4/3NK3 w - - 0 1"))
        try game.play(san: "Kxd2")
        #expect(game.outcome == Outcome(winner: nil, termination: .insufficientMaterial))
    }

    @Test func stalemate() throws {
        let position = try Position(fen: "7k/5Q2/6K1/8/8/8/8/8 b - - 0 1")
        #expect(position.isStalemate)
        #expect(!position.isCheckmate)
        #expect(position.legalMoves().isEmpty)
        var game = Game(startingPosition: position)
        #expect(game.outcome == Outcome(winner: nil, termination: .stalemate))
        #expect(game.result == .draw)
        #expect(throws: GameError.self) { try game.play(uci: "h8g8") }

        var toStalemate = Game(startingPosition: try Position(fen: "7k/8/6K1/8/8/8/8/5Q2 w - - 0 1"))
        try toStalemate.play(san: "Qf7")
        #expect(toStalemate.outcome?.termination == .stalemate)
    }

    @Test func externalEndings() throws {
        var game = Game()
        try game.play(uci: "e2e4")
        try game.end(Outcome(winner: .white, termination: .forfeit))
        #expect(game.result == .whiteWins)
        #expect(throws: GameError.self) { try game.end(Outcome(winner: nil, termination: .agreement)) }
    }
}
