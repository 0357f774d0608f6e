import Chess
import SeededRandom
import Testing

/// UCI text, special moves, castling rights, material and seeded random plies.
@Suite struct MoveTests {
    static let kiwipete = "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1"

    @Test func uciRoundTripForEveryLegalMove() throws {
        for fen in [Self.kiwipete, "r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1", "4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2"] {
            let position = try Position(fen: fen)
            for move in position.legalMoves() {
                #expect(try Move(uci: move.uci) == move)
                #expect(try position.move(uci: move.uci) == move)
            }
        }
        let promotions = try Position(fen: "r3k3/1P6/8/8/8/8/8/4K3 w - - 0 1").legalMoves().map(\.uci).filter { $0.hasPrefix("b7a8") }
        #expect(promotions.sorted() == ["b7a8b", "b7a8n", "b7a8q", "b7a8r"])
        #expect(try Position(fen: Self.kiwipete).move(uci: "e1g1").uci == "e1g1")
        #expect(try Move(uci: "e7e8Q").promotion == .queen)
    }

    @Test func uciErrors() {
        for (text, kind) in [("e2e9", MoveParseError.Kind.unparseable), ("e2", .unparseable), ("e7e8k", .unparseable),
                             ("0000", .unparseable), ("e2e5", .illegal), ("e1g1", .illegal)] {
            do {
                _ = try Position.standard.move(uci: text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.kind == kind, "\(text): \(error)")
            }
        }
    }

    @Test func castlingRightsLostWhenRookCapturedOnHomeSquare() throws {
        var position = try Position(fen: "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1")
        position.make(try position.move(san: "Rxa8+"))
        #expect(position.fen == "R3k2r/8/8/8/8/8/8/4K2R b Kk - 0 1")
        #expect(position.castlingRights == [.whiteKingside, .blackKingside])
        position.make(try position.move(san: "Ke7"))
        #expect(position.castlingRights == [.whiteKingside])
        position.make(try position.move(san: "O-O"))
        #expect(position.fen == "R6r/4k3/8/8/8/8/8/5RK1 b - - 2 2")
    }

    @Test func castlingThroughAttackedSquareIsIllegal() throws {
        // The black rook on f8 attacks f1, which the king must cross for O-O; O-O-O is fine.
        let position = try Position(fen: "4kr2/8/8/8/8/8/8/R3K2R w KQ - 0 1")
        let moves = Set(position.legalMoves().map(\.uci))
        #expect(!moves.contains("e1g1"))
        #expect(moves.contains("e1c1"))
        // In check: no castling at all.
        let checked = try Position(fen: "4k3/8/8/8/8/8/4r3/R3K2R w KQ - 0 1")
        #expect(checked.isCheck)
        #expect(!checked.legalMoves().contains { $0.uci == "e1g1" || $0.uci == "e1c1" })
    }

    @Test func enPassantCaptureRemovesThePawn() throws {
        var position = try Position(fen: "4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2")
        position.make(try position.move(san: "exd6"))
        #expect(position.fen == "4k3/8/3P4/8/8/8/8/4K3 b - - 0 2")
    }

    @Test func materialBalance() throws {
        #expect(Position.standard.materialBalance == 0)
        #expect(Position.standard.material(of: .white) == 39)
        #expect(try Position(fen: "4k3/8/8/8/8/8/8/QR2K3 w - - 0 1").materialBalance == 14)
        #expect(try Position(fen: "rnb1k3/8/8/8/8/8/8/4K1N1 w - - 0 1").materialBalance == -8)
    }

    @Test func checkDetection() throws {
        let position = try Position(fen: "4k3/8/8/8/8/8/4r3/R3K2R w KQ - 0 1")
        #expect(position.isCheck)
        #expect(position.checkers == [Square("e2")!])
        #expect(!Position.standard.isCheck)
        #expect(Position.standard.isAttacked(Square("f3")!, by: .white))
        #expect(!Position.standard.isAttacked(Square("e4")!, by: .white))
    }

    @Test func copyMakeLeavesTheOriginalUntouched() throws {
        let before = try Position(fen: Self.kiwipete)
        for move in before.legalMoves() {
            let after = before.making(move)
            #expect(after != before)
            #expect(after.sideToMove == .black)
        }
        #expect(before.fen == Self.kiwipete)
        var position = before
        #expect(throws: IllegalMoveError.self) { try position.play(Move(from: Square("a1")!, to: Square("a8")!)) }
        #expect(position == before)
    }

    @Test func seededRandomPliesAreReproducible() {
        let first = Game.randomOpening(plies: 12, seed: 7)
        let second = Game.randomOpening(plies: 12, seed: 7)
        let other = Game.randomOpening(plies: 12, seed: 8)
        #expect(first.plyCount == 12)
        #expect(first.moves == second.moves)
        #expect(first.moves != other.moves)
        var generator = Xoshiro256(seed: 7)
        var game = Game()
        #expect(game.playRandomPlies(12, using: &generator) == first.moves)
    }

    @Test func randomPliesStopWhenTheGameEnds() throws {
        // Only king moves remain after the capture; K v K ends the game at once.
        var generator = Xoshiro256(seed: 1)
        var game = Game(startingPosition: try Position(fen: "8/8/8/8/8/8/8/k1K5 w - - 0 1"))
        #expect(game.outcome?.termination == .insufficientMaterial)
        #expect(game.playRandomPlies(10, using: &generator).isEmpty)
    }
}
