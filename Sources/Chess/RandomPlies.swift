import SeededRandom

extension Game {
    /// Plays up to `plies` uniformly random legal moves (e.g. to make varied openings), stopping
    /// early if the game ends. Reproducible: each ply draws one number from `generator` and picks
    /// that index in `position.legalMoves()`, whose order is fixed by the move generator.
    /// - Returns: the moves played.
    @discardableResult
    public mutating func playRandomPlies(_ plies: Int, using generator: inout Xoshiro256) -> [Move] {
        var played: [Move] = []
        for _ in 0..<max(0, plies) {
            guard outcome == nil else { break }
            let moves = position.legalMoves()
            guard !moves.isEmpty else { break }
            let move = moves[generator.nextInt(below: moves.count)]
            do { try play(move) } catch { break }  // cannot happen: the move is legal and the game open
            played.append(move)
        }
        return played
    }

    /// A game of `plies` seeded random moves from `startingPosition` (fewer if it ends first).
    public static func randomOpening(plies: Int, seed: UInt64, from startingPosition: Position = .standard) -> Game {
        var generator = Xoshiro256(seed: seed)
        var game = Game(startingPosition: startingPosition)
        game.playRandomPlies(plies, using: &generator)
        return game
    }
}
