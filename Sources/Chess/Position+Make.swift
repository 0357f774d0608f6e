/// A move that is not legal in the position it was played in.
public struct IllegalMoveError: Error, Sendable, Equatable, CustomStringConvertible {
    public var move: Move
    /// FEN of the position.
    public var fen: String

    public var description: String { "illegal move \(move.uci) in position \(fen)" }
}

extension Position {
    /// Plays `move`, which must come from `legalMoves()` of this position (not checked, for speed:
    /// a move that is not legal leaves an unspecified but memory-safe position). To undo, keep a
    /// copy of the position from before (copy-make). Use `play(_:)` for moves from outside.
    public mutating func make(_ move: Move) {
        let from = move.fromIndex, to = move.toIndex
        let us = sideToMove, them = us.opponent
        guard let moving = kind(at: from) else { return }
        halfmoveClock += 1
        if let captured = kind(at: to) {
            remove(them, captured, to)
            halfmoveClock = 0
        }
        remove(us, moving, from)
        if move.promotionRaw != 0, moving == .pawn, let promoted = PieceKind(rawValue: UInt8(move.promotionRaw)) {
            add(us, promoted, to)
        } else {
            add(us, moving, to)
        }

        var newEnPassant = -1
        if moving == .pawn {
            halfmoveClock = 0
            if to == enPassantIndex {
                let capturedSquare = to &- (us == .white ? 8 : -8)
                if pawns & pieces(them) & bit(capturedSquare) != 0 { remove(them, .pawn, capturedSquare) }
            }
            if to &- from == 16 || from &- to == 16 { newEnPassant = (from &+ to) >> 1 }
        } else if moving == .king, to &- from == 2 || from &- to == 2 {
            let base = from & ~7
            let (rookFrom, rookTo) = to > from ? (base + 7, base + 5) : (base, base + 3)
            if rooks & pieces(us) & bit(rookFrom) != 0 {
                remove(us, .rook, rookFrom)
                add(us, .rook, rookTo)
            }
        }
        if castlingRights.rawValue != 0 {
            castlingRights = CastlingRights(rawValue: castlingRights.rawValue & Position.castlingKeep(from) & Position.castlingKeep(to))
        }
        enPassantIndex = newEnPassant
        if us == .black { fullmoveNumber += 1 }
        sideToMove = them
    }

    /// Castling rights that survive a move touching `index`: moving the king from its home square
    /// loses both of its rights; a rook leaving or being captured on its corner loses one.
    @inline(__always)
    static func castlingKeep(_ index: Int) -> UInt8 {
        switch index {
        case 0: ~CastlingRights.whiteQueenside.rawValue
        case 4: ~(CastlingRights.whiteKingside.rawValue | CastlingRights.whiteQueenside.rawValue)
        case 7: ~CastlingRights.whiteKingside.rawValue
        case 56: ~CastlingRights.blackQueenside.rawValue
        case 60: ~(CastlingRights.blackKingside.rawValue | CastlingRights.blackQueenside.rawValue)
        case 63: ~CastlingRights.blackKingside.rawValue
        default: 0xFF
        }
    }

    /// The position after `move` (copy-make); `move` must be legal here, as for `make(_:)`.
    public func making(_ move: Move) -> Position {
        var copy = self
        copy.make(move)
        return copy
    }

    /// Plays `move` after checking that it is legal.
    /// - Throws: `IllegalMoveError` if it is not a legal move here.
    public mutating func play(_ move: Move) throws(IllegalMoveError) {
        guard isLegal(move) else { throw IllegalMoveError(move: move, fen: fen) }
        make(move)
    }

    /// The legal move with this UCI text (`e2e4`, `e7e8q`, castling as `e1g1`).
    /// - Throws: `MoveParseError` (unparseable or illegal).
    public func move(uci text: String) throws(MoveParseError) -> Move {
        let move = try Move(uci: text)
        guard isLegal(move) else {
            throw MoveParseError(input: text, kind: .illegal, detail: "\(move.uci) is not a legal move", fen: fen)
        }
        return move
    }
}
