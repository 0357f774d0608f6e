import Chess

/// What a player answers when asked for a move: a legal move, or a forfeit with the reason.
public enum PlayerDecision: Sendable, Equatable {
    /// A move legal in the position the player was asked about.
    case move(Move)
    /// The player gives up the game (no legal move produced, engine crashed, model failed, ...).
    case forfeit(reason: String)
}

/// A player's answer for one position, with the illegal or unreadable attempts made on the way.
public struct PlayerMove: Sendable, Equatable {
    public var decision: PlayerDecision
    /// Replies that were not a legal move before this answer (0 for a clean move).
    public var illegalAttempts: Int

    public init(_ decision: PlayerDecision, illegalAttempts: Int = 0) {
        self.decision = decision
        self.illegalAttempts = illegalAttempts
    }

    public static func move(_ move: Move, illegalAttempts: Int = 0) -> PlayerMove {
        PlayerMove(.move(move), illegalAttempts: illegalAttempts)
    }

    public static func forfeit(_ reason: String, illegalAttempts: Int = 0) -> PlayerMove {
        PlayerMove(.forfeit(reason: reason), illegalAttempts: illegalAttempts)
    }
}

/// Counters a player keeps over every position it was asked about.
public struct PlayerCounters: Sendable, Equatable {
    /// Positions asked about.
    public var positions = 0
    /// Legal moves returned.
    public var moves = 0
    /// Illegal or unreadable replies (each retry that failed counts once).
    public var illegalAttempts = 0
    /// Forfeits returned.
    public var forfeits = 0

    public init() {}

    mutating func record(_ answer: PlayerMove) {
        positions += 1
        illegalAttempts += answer.illegalAttempts
        switch answer.decision {
        case .move: moves += 1
        case .forfeit: forfeits += 1
        }
    }
}

/// Something that plays chess: asked for a move in a game, it returns one or forfeits.
///
/// A player instance plays one game at a time (the tournament makes one per game through
/// `PlayerEntry.makePlayer`), so implementations may keep per-game state such as an engine
/// process. Implementations never throw: every failure becomes a forfeit with its reason, so one
/// broken player ends its own game and never the tournament.
public protocol ChessPlayer: AnyObject, Sendable {
    /// The name written to PGN and standings.
    var name: String { get }

    /// Chooses a move for the side to move in `game` (whose outcome is nil).
    /// - Parameter game: the game so far, with its starting position and every move played.
    /// - Returns: a legal move in `game.position`, or a forfeit with the reason.
    func move(for game: Game) async -> PlayerMove

    /// Counters over every call to `move(for:)` on this instance.
    var counters: PlayerCounters { get }

    /// Releases resources held for the game (an engine process); called once when the game ends.
    /// The default does nothing.
    func finish() async
}

extension ChessPlayer {
    public func finish() async {}
}
