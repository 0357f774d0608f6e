/// Why `Game` refused a move.
public enum GameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The move is not legal in the current position.
    case illegalMove(IllegalMoveError)
    /// The move text could not be read or matched (SAN or UCI).
    case invalidMoveText(MoveParseError)
    /// The game has already ended; no further moves are accepted.
    case gameOver(Outcome)
    /// A draw was claimed but none is claimable now.
    case noClaimableDraw(fen: String)

    public var description: String {
        switch self {
        case .illegalMove(let error): "\(error)"
        case .invalidMoveText(let error): "\(error)"
        case .gameOver(let outcome): "the game is over: \(outcome)"
        case .noClaimableDraw(let fen): "no draw can be claimed in position \(fen) (needs threefold repetition or 100 half-moves)"
        }
    }
}

/// A game from a starting position: the moves played, every position reached (for the
/// repetition rules and for undo), and the outcome once the game ends.
///
/// Endings imposed by the rules (checkmate, stalemate, insufficient material, seventy-five-move
/// rule, fivefold repetition) are detected after every move and end the game at once. Draws that
/// must be claimed (fifty-move rule, threefold repetition) are reported by `claimableDraw` and
/// end the game only through `claimDraw()`. Other endings (resignation, forfeit, adjudication,
/// agreement) are set from outside with `end(_:)`.
public struct Game: Sendable {
    /// The position before the first move.
    public let startingPosition: Position
    /// The current position.
    public private(set) var position: Position
    /// The moves played so far.
    public private(set) var moves: [Move] = []
    /// Positions before each move (`history[i]` is the position `moves[i]` was played in).
    public private(set) var history: [Position] = []
    /// How the game ended, or `nil` while it goes on.
    public private(set) var outcome: Outcome?

    private var keys: [RepetitionKey]
    private var repetitionCounts: [RepetitionKey: Int] = [:]

    public init(startingPosition: Position = .standard) {
        self.startingPosition = startingPosition
        self.position = startingPosition
        let key = startingPosition.repetitionKey
        keys = [key]
        repetitionCounts[key] = 1
        outcome = Game.automaticOutcome(position: startingPosition, repetitions: 1)
    }

    /// How often the current position has occurred in this game, counting now.
    public var repetitionCount: Int { repetitionCounts[keys[keys.count - 1], default: 0] }

    /// The result token: the outcome's result, or `*` while the game goes on.
    public var result: GameResult { outcome?.result ?? .ongoing }

    /// Number of half-moves played.
    public var plyCount: Int { moves.count }

    /// Plays a legal move.
    /// - Throws: `GameError.gameOver` after the game ended, `.illegalMove` for an illegal move.
    public mutating func play(_ move: Move) throws(GameError) {
        if let outcome { throw .gameOver(outcome) }
        guard position.isLegal(move) else { throw .illegalMove(IllegalMoveError(move: move, fen: position.fen)) }
        apply(move)
    }

    /// Reads SAN (see `Position.move(san:mode:)`) and plays it; returns the move.
    @discardableResult
    public mutating func play(san text: String, mode: SANMode = .strict) throws(GameError) -> Move {
        if let outcome { throw .gameOver(outcome) }
        let move: Move
        do { move = try position.move(san: text, mode: mode) } catch { throw .invalidMoveText(error) }
        apply(move)
        return move
    }

    /// Reads a UCI move (`e2e4`, `e7e8q`, `e1g1`) and plays it; returns the move.
    @discardableResult
    public mutating func play(uci text: String) throws(GameError) -> Move {
        if let outcome { throw .gameOver(outcome) }
        let move: Move
        do { move = try position.move(uci: text) } catch { throw .invalidMoveText(error) }
        apply(move)
        return move
    }

    private mutating func apply(_ move: Move) {
        history.append(position)
        moves.append(move)
        position.make(move)
        let key = position.repetitionKey
        keys.append(key)
        let count = repetitionCounts[key, default: 0] + 1
        repetitionCounts[key] = count
        outcome = Game.automaticOutcome(position: position, repetitions: count)
    }

    /// Takes back the last move (and any outcome reached by or after it); returns it, or `nil`
    /// at the start of the game.
    @discardableResult
    public mutating func undo() -> Move? {
        guard let move = moves.popLast(), let previous = history.popLast() else { return nil }
        let key = keys.removeLast()
        repetitionCounts[key, default: 1] -= 1
        position = previous
        outcome = Game.automaticOutcome(position: position, repetitions: repetitionCount)
        return move
    }

    /// The ending the rules impose on `position`, if any. Checkmate is tested first, so a mate
    /// delivered on the 150th half-move or with a fifth repetition stands as checkmate; then
    /// insufficient material, stalemate, the seventy-five-move rule, fivefold repetition.
    static func automaticOutcome(position: Position, repetitions: Int) -> Outcome? {
        let hasMoves = position.hasLegalMoves
        if !hasMoves && position.isCheck { return Outcome(winner: position.sideToMove.opponent, termination: .checkmate) }
        // Insufficient material before stalemate (as python-chess orders them), so K+B v K
        // with the lone king stalemated reports the material.
        if position.isInsufficientMaterial { return Outcome(winner: nil, termination: .insufficientMaterial) }
        if !hasMoves { return Outcome(winner: nil, termination: .stalemate) }
        if position.halfmoveClock >= 150 { return Outcome(winner: nil, termination: .seventyFiveMoves) }
        if repetitions >= 5 { return Outcome(winner: nil, termination: .fivefoldRepetition) }
        return nil
    }

    /// The draw the player to move could claim now, if any: threefold repetition (the current
    /// position has occurred at least three times) or the fifty-move rule (100 half-moves
    /// without capture or pawn move). `nil` after the game has ended. Repetition is reported
    /// first when both apply.
    public var claimableDraw: Termination? {
        guard outcome == nil else { return nil }
        if repetitionCount >= 3 { return .threefoldRepetition }
        if position.halfmoveClock >= 100 { return .fiftyMoves }
        return nil
    }

    /// The draw the player to move could claim by announcing `move` (FIDE 9.2.1.1 and 9.3.1):
    /// the position after it would occur for the third time, or it would make 100 half-moves
    /// without capture or pawn move. `nil` if neither, if `move` is illegal, or after the end.
    public func claimableDraw(byPlaying move: Move) -> Termination? {
        guard outcome == nil, position.isLegal(move) else { return nil }
        let after = position.making(move)
        if repetitionCounts[after.repetitionKey, default: 0] + 1 >= 3 { return .threefoldRepetition }
        if after.halfmoveClock >= 100 { return .fiftyMoves }
        return nil
    }

    /// Ends the game as a draw by the claimable rule that applies; returns the outcome.
    /// - Throws: `GameError.noClaimableDraw` when neither rule applies, `.gameOver` if already ended.
    @discardableResult
    public mutating func claimDraw() throws(GameError) -> Outcome {
        if let outcome { throw .gameOver(outcome) }
        guard let termination = claimableDraw else { throw .noClaimableDraw(fen: position.fen) }
        let outcome = Outcome(winner: nil, termination: termination)
        self.outcome = outcome
        return outcome
    }

    /// Ends the game from outside the rules of play (resignation, forfeit, adjudication,
    /// agreement). Replaces no earlier outcome.
    /// - Throws: `GameError.gameOver` if the game has already ended.
    public mutating func end(_ outcome: Outcome) throws(GameError) {
        if let existing = self.outcome { throw .gameOver(existing) }
        self.outcome = outcome
    }

    /// SAN of every move played, in order.
    public var sanMoves: [String] {
        zip(history, moves).map { $0.san($1) }
    }
}
