import Chess
import SeededRandom

/// Plays a uniformly random legal move, drawn from a seeded `Xoshiro256`, so a game between
/// random players is the same every time for the same seeds.
public final class RandomPlayer: ChessPlayer {
    public let name: String
    private let state: Locked<(generator: Xoshiro256, counters: PlayerCounters)>

    /// - Parameters:
    ///   - name: the name in PGN and standings.
    ///   - seed: seeds the generator; each move draws one number.
    public init(name: String = "random", seed: UInt64) {
        self.name = name
        self.state = Locked((Xoshiro256(seed: seed), PlayerCounters()))
    }

    public var counters: PlayerCounters { state.current.counters }

    public func move(for game: Game) async -> PlayerMove {
        // legalMoves() order is fixed by the move generator, so the pick is reproducible.
        let moves = game.position.legalMoves()
        return state.withLock { state in
            let answer: PlayerMove = moves.isEmpty
                ? .forfeit("no legal move in position \(game.position.fen)")
                : .move(moves[state.generator.nextInt(below: moves.count)])
            state.counters.record(answer)
            return answer
        }
    }
}
