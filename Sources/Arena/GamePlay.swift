import Chess

/// Plays one game between two player instances from a starting game (the opening).
///
/// The arbiter claims claimable draws (threefold repetition, fifty-move rule) as soon as they
/// arise, so games between weak players do not run on to the automatic limits. At `maxPlies`
/// (counting the opening) the game is adjudicated. A forfeit loses the game for the side that
/// forfeited. Both players' `finish()` is called at the end.
enum GamePlay {
    struct Played {
        var game: Game
        var reason: String?
        var illegalAttempts: [Color: Int]
        /// The task was cancelled before the game ended; the game is incomplete.
        var cancelled = false
    }

    static func play(white: any ChessPlayer, black: any ChessPlayer, opening: Game, maxPlies: Int,
                     adjudication: Adjudication) async -> Played {
        var game = opening
        var reason: String?
        var illegal: [Color: Int] = [.white: 0, .black: 0]
        while game.outcome == nil {
            if game.claimableDraw != nil {
                _ = try? game.claimDraw()
                break
            }
            if game.plyCount >= maxPlies {
                let (outcome, detail) = adjudicate(game.position, adjudication: adjudication, maxPlies: maxPlies)
                try? game.end(outcome)
                reason = detail
                break
            }
            if Task.isCancelled {
                await white.finish()
                await black.finish()
                return Played(game: game, reason: nil, illegalAttempts: illegal, cancelled: true)
            }
            let side = game.position.sideToMove
            let player = side == .white ? white : black
            let answer = await player.move(for: game)
            illegal[side, default: 0] += answer.illegalAttempts
            switch answer.decision {
            case .move(let move):
                guard game.position.isLegal(move) else {
                    // A player implementation broke its contract; treat it like any illegal move.
                    illegal[side, default: 0] += 1
                    reason = "\(player.name) (\(side)) returned the illegal move \(move.uci) in \(game.position.fen)"
                    try? game.end(Outcome(winner: side.opponent, termination: .forfeit))
                    break
                }
                try? game.play(move)
            case .forfeit(let why):
                reason = "\(side) forfeits: \(why)"
                try? game.end(Outcome(winner: side.opponent, termination: .forfeit))
            }
        }
        await white.finish()
        await black.finish()
        // A forfeit caused by cancellation (an engine wait or model call cut short) is not a result.
        return Played(game: game, reason: reason, illegalAttempts: illegal, cancelled: Task.isCancelled)
    }

    static func adjudicate(_ position: Position, adjudication: Adjudication, maxPlies: Int) -> (Outcome, String) {
        let balance = position.materialBalance
        switch adjudication {
        case .draw:
            return (Outcome(winner: nil, termination: .adjudication), "draw at the \(maxPlies)-ply limit (material \(balance >= 0 ? "+" : "")\(balance) for white)")
        case .material(let threshold):
            if abs(balance) >= threshold {
                let winner: Color = balance > 0 ? .white : .black
                return (Outcome(winner: winner, termination: .adjudication),
                        "\(winner) wins on material at the \(maxPlies)-ply limit (\(abs(balance)) ≥ \(threshold))")
            }
            return (Outcome(winner: nil, termination: .adjudication),
                    "draw at the \(maxPlies)-ply limit (material difference \(abs(balance)) < \(threshold))")
        }
    }
}
