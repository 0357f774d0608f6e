import Chess
import Testing

@Suite struct FENTests {
    static let roundTripFENs = [
        Position.standardFEN,
        "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1",
        "8/2p5/3p4/KP5r/1R3p1k/8/4P1P1/8 w - - 0 1",
        "rnbq1k1r/pp1Pbppp/2p5/8/2B5/8/PPP1NnPP/RNBQK2R w KQ - 1 8",
        "rnbqkbnr/pp1ppppp/8/2p5/4P3/8/PPPP1PPP/RNBQKBNR w KQkq c6 0 2",
        "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1",
        "4k3/8/8/8/8/8/8/4K2R b K - 57 101",
    ]

    @Test(arguments: roundTripFENs)
    func roundTrip(_ fen: String) throws {
        #expect(try Position(fen: fen).fen == fen)
    }

    @Test func surroundingWhitespaceIsIgnored() throws {
        #expect(try Position(fen: "  \(Position.standardFEN)\n").fen == Position.standardFEN)
    }

    @Test func writesEnPassantSquareAfterEveryDoublePush() throws {
        var position = Position.standard
        position.make(try position.move(uci: "e2e4"))
        #expect(position.fen == "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1")
        #expect(position.enPassantSquare == Square("e3"))
        #expect(!position.hasLegalEnPassant)
    }

    static let invalid: [(fen: String, field: FENError.Field)] = [
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0", .whole),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR  w KQkq - 0 1", .whole),
        ("rnbqkbnr/pppppppp/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", .placement),
        ("rnbqkbnr/ppppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", .placement),
        ("rnbqkbnr/pppppppp/8/8/8/7/PPPPPPPP/RNBQKBNR w KQkq - 0 1", .placement),
        ("rnbqkbnr/pppppppp/44/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1", .placement),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNX w KQkq - 0 1", .placement),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKKNR w kq - 0 1", .placement),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQ1BNR w kq - 0 1", .placement),
        ("Pnbqkbnr/pppppppp/8/8/8/8/1PPPPPPP/RNBQKBNR w Kkq - 0 1", .placement),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x KQkq - 0 1", .sideToMove),
        ("4k3/4R3/8/8/8/8/8/4K3 w - - 0 1", .sideToMove),  // black in check with white to move
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkqK - 0 1", .castling),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w QKkq - 0 1", .castling),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBN1 w KQkq - 0 1", .castling),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkx - 0 1", .castling),
        ("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e4 0 1", .enPassant),
        ("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e6 0 1", .enPassant),
        ("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq d3 0 1", .enPassant),
        ("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e9 0 1", .enPassant),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - -1 1", .halfmoveClock),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - x 1", .halfmoveClock),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 0", .fullmoveNumber),
        ("rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 one", .fullmoveNumber),
    ]

    @Test(arguments: invalid.indices)
    func rejectsInvalidFieldWithItsName(_ index: Int) {
        let (fen, field) = Self.invalid[index]
        do {
            _ = try Position(fen: fen)
            Issue.record("accepted invalid FEN \(fen)")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.description.contains(field.rawValue))
        }
    }

    @Test func errorMessageSaysWhatIsWrong() {
        #expect(throws: FENError.self) { try Position(fen: "8/8/8/8/8/8/8/8 w - - 0 1") }
        do {
            _ = try Position(fen: "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 0")
        } catch {
            #expect(error.description == "invalid FEN 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 0': fullmove number (field 6): '0' must be a positive integer")
        }
    }

    @Test func boardAccessAndPlacement() throws {
        var position = Position.standard
        #expect(position[Square("e1")!] == Piece(.white, .king))
        #expect(position[Square("d8")!] == Piece(.black, .queen))
        #expect(position[Square("e4")!] == nil)
        position.place(Piece(.white, .queen), at: Square("e4")!)
        position.place(nil, at: Square("d1")!)
        #expect(position.fen == "rnbqkbnr/pppppppp/8/8/4Q3/8/PPPPPPPP/RNB1KBNR w KQkq - 0 1")
        #expect(position.squares(of: Piece(.white, .rook)).map(\.name) == ["a1", "h1"])
    }
}
