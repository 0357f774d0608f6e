/// A game result as the PGN result token writes it.
public enum GameResult: String, Sendable, Hashable, CaseIterable {
    case whiteWins = "1-0"
    case blackWins = "0-1"
    case draw = "1/2-1/2"
    /// Game still going, or result unknown.
    case ongoing = "*"

    /// The result in which `color` wins.
    public static func win(for color: Color) -> GameResult { color == .white ? .whiteWins : .blackWins }

    /// Points scored by `color`: 1, 0.5 or 0; `nil` while ongoing.
    public func score(for color: Color) -> Double? {
        switch self {
        case .whiteWins: color == .white ? 1 : 0
        case .blackWins: color == .black ? 1 : 0
        case .draw: 0.5
        case .ongoing: nil
        }
    }
}

/// Why a game ended.
public enum Termination: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    // Decided by the rules, automatically.
    case checkmate
    case stalemate
    case insufficientMaterial = "insufficient material"
    /// 150 half-moves without capture or pawn move: automatic draw (FIDE 9.6.2).
    case seventyFiveMoves = "seventy-five-move rule"
    /// The same position for the fifth time: automatic draw (FIDE 9.6.1).
    case fivefoldRepetition = "fivefold repetition"
    // Draws that must be claimed (see `Game.claimableDraw`).
    /// 100 half-moves without capture or pawn move.
    case fiftyMoves = "fifty-move rule"
    /// The same position for the third time.
    case threefoldRepetition = "threefold repetition"
    // Ended from outside the rules of play (by a player, an arbiter or a harness).
    case resignation
    case agreement = "draw by agreement"
    /// A player forfeited, e.g. by failing to produce a legal move.
    case forfeit
    /// A harness or arbiter decided the game, e.g. at a move limit.
    case adjudication

    public var description: String { rawValue }

    /// True for the endings the rules impose without anyone claiming them.
    public var isAutomatic: Bool {
        switch self {
        case .checkmate, .stalemate, .insufficientMaterial, .seventyFiveMoves, .fivefoldRepetition: true
        default: false
        }
    }

}

/// How a finished game ended: who won (nil for a draw) and why.
public struct Outcome: Sendable, Hashable, CustomStringConvertible {
    public var winner: Color?
    public var termination: Termination

    public init(winner: Color?, termination: Termination) {
        self.winner = winner
        self.termination = termination
    }

    public var result: GameResult {
        guard let winner else { return .draw }
        return .win(for: winner)
    }

    public var description: String {
        guard let winner else { return "draw (\(termination))" }
        return "\(winner) wins (\(termination))"
    }
}
