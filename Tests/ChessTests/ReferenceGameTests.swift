import Chess
import Foundation
import Testing

/// Replays seeded random games recorded with python-chess (Fixtures/python-chess-reference.json,
/// written by scripts/chess-reference.py) and compares, ply by ply, SAN, FEN, check, legal move
/// count, draw claims and the final outcome; then reads python-chess's PGN of each game.
@Suite struct ReferenceGameTests {
    struct Ply: Decodable, Sendable {
        var uci: String
        var san: String
        var fen: String
        var check: Bool
        var legal: Int
        var claimThreefold: Bool
        var claimFifty: Bool
    }

    struct ReferenceGame: Decodable, Sendable, CustomTestStringConvertible {
        var start: String
        var plies: [Ply]
        var result: String
        var termination: String?
        var pgn: String
        var testDescription: String { "\(start) (\(plies.count) plies)" }
    }

    struct ReferenceFile: Decodable {
        var source: String
        var games: [ReferenceGame]
    }

    static func load() throws -> ReferenceFile {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: directory.appendingPathComponent("python-chess-reference.json"))
        return try JSONDecoder().decode(ReferenceFile.self, from: data)
    }

    static let games: [ReferenceGame] = (try? load().games) ?? []

    /// python-chess `Termination` names for ours.
    static let terminationNames: [Termination: String] = [
        .checkmate: "CHECKMATE", .stalemate: "STALEMATE", .insufficientMaterial: "INSUFFICIENT_MATERIAL",
        .seventyFiveMoves: "SEVENTYFIVE_MOVES", .fivefoldRepetition: "FIVEFOLD_REPETITION",
    ]

    @Test func fixtureHasGames() throws {
        let file = try Self.load()
        #expect(file.games.count == 40)
        #expect(file.source.hasPrefix("python-chess"))
    }

    @Test(arguments: games)
    func replayMatchesPythonChess(_ reference: ReferenceGame) throws {
        var game = Game(startingPosition: try Position(fen: reference.start))
        for (index, ply) in reference.plies.enumerated() {
            let position = game.position
            let move = try position.move(uci: ply.uci)
            #expect(position.san(move) == ply.san, "ply \(index + 1) in \(position.fen)")
            #expect(try position.move(san: ply.san) == move, "strict SAN \(ply.san)")
            try game.play(move)
            #expect(game.position.fen == ply.fen, "ply \(index + 1) \(ply.san)")
            #expect(game.position.isCheck == ply.check)
            #expect(game.position.legalMoves().count == ply.legal, "legal moves after \(ply.san) in \(ply.fen)")
            if game.outcome == nil {
                #expect((game.repetitionCount >= 3) == ply.claimThreefold, "threefold after ply \(index + 1)")
                #expect((game.position.halfmoveClock >= 100) == ply.claimFifty, "fifty after ply \(index + 1)")
                if ply.claimThreefold { #expect(game.claimableDraw == .threefoldRepetition) }
            }
        }
        #expect(game.result.rawValue == reference.result)
        #expect(game.outcome.flatMap { Self.terminationNames[$0.termination] } == reference.termination)
    }

    @Test(arguments: games)
    func readsPythonChessPGN(_ reference: ReferenceGame) throws {
        let parsed = try PGN.read(reference.pgn, sanMode: .strict)
        try #require(parsed.count == 1)
        let game = parsed[0].game
        #expect(game.moves.map(\.uci) == reference.plies.map(\.uci))
        #expect(parsed[0].result.rawValue == reference.result)
        #expect(game.startingPosition.fen == (try Position(fen: reference.start)).fen)

        // Our writer, read back, gives the same game.
        let rewritten = PGN.write(game, tags: parsed[0].tags)
        let reread = try PGN.read(rewritten, sanMode: .strict)
        #expect(reread.first?.game.moves == game.moves)
        #expect(rewritten.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }
}
