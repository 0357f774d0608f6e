import Chess
import SeededRandom

/// Openings turned into starting games, checked once before the tournament starts.
struct OpeningBook: Sendable {
    struct Failure: Error {
        var message: String
    }

    let openings: Openings
    /// Parsed FEN or PGN openings; empty for `standard` and `randomPlies`.
    private let games: [Game]

    init(_ openings: Openings) throws(Failure) {
        self.openings = openings
        switch openings {
        case .standard:
            games = []
        case .randomPlies(let plies):
            guard plies >= 0 else { throw Failure(message: "random_plies must be 0 or more, got \(plies)") }
            games = []
        case .fens(let fens):
            guard !fens.isEmpty else { throw Failure(message: "fen: the list is empty") }
            var parsed: [Game] = []
            for (index, fen) in fens.enumerated() {
                do {
                    parsed.append(Game(startingPosition: try Position(fen: fen)))
                } catch {
                    throw Failure(message: "fen[\(index)]: \(error)")
                }
            }
            games = parsed
        case .pgn(let texts):
            guard !texts.isEmpty else { throw Failure(message: "pgn: the list is empty") }
            var parsed: [Game] = []
            for (index, text) in texts.enumerated() {
                do {
                    let read = try PGN.read(text)
                    guard read.count == 1 else { throw Failure(message: "pgn[\(index)]: expected one game, found \(read.count)") }
                    guard read[0].game.outcome == nil else { throw Failure(message: "pgn[\(index)]: the opening already ends the game") }
                    parsed.append(read[0].game)
                } catch let error as Failure {
                    throw error
                } catch {
                    throw Failure(message: "pgn[\(index)]: \(error)")
                }
            }
            games = parsed
        }
    }

    /// The starting game of opening number `k` (games 2k and 2k+1 of every pairing).
    func opening(_ k: Int, tournamentSeed: UInt64) -> Game {
        switch openings {
        case .standard:
            return Game()
        case .randomPlies(let plies):
            return Game.randomOpening(plies: plies, seed: SeedMixer.mix(tournamentSeed, 0x6F70_656E, UInt64(k)))
        case .fens, .pgn:
            return games[k % games.count]
        }
    }
}

/// Stable seeds from names and numbers (FNV-1a for text, splitmix64 finalisation to mix), so a
/// game's seed does not depend on the order of players in the file or on the run.
enum SeedMixer {
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    static func mix(_ values: UInt64...) -> UInt64 {
        var state: UInt64 = 0
        for value in values {
            state = splitmix(state ^ value)
        }
        return state
    }

    private static func splitmix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
