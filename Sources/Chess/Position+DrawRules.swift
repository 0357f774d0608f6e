/// What makes two positions "the same" for the repetition rules (FIDE Laws 9.2.3): the same
/// pieces on the same squares, the same side to move, the same castling rights, and the same
/// en-passant possibility. The en-passant square is part of the key only when an en-passant
/// capture is actually legal; after a double push that no pawn can capture (or whose capture
/// would expose the king) the position repeats one without the square.
///
/// An exact value, not a hash, so two different positions can never be confused.
public struct RepetitionKey: Sendable, Hashable {
    let pieceBoards: [Bitboard]
    let sideToMove: Color
    let castlingRights: CastlingRights
    /// -1 when no en-passant capture is legal.
    let enPassantIndex: Int8
}

extension Position {
    /// True if the side to move has a legal en-passant capture right now.
    public var hasLegalEnPassant: Bool {
        guard enPassantIndex >= 0 else { return false }
        let us = sideToMove
        let ownKing = kings & pieces(us)
        guard ownKing != 0 else { return false }
        var capturers = AttackTables.pawn(us.opponent, enPassantIndex) & pawns & pieces(us)
        while capturers != 0 {
            let from = capturers.lowestSquareIndex
            capturers &= capturers &- 1
            if isLegalEnPassant(from: from, kingSquare: ownKing.lowestSquareIndex) { return true }
        }
        return false
    }

    /// The key under which this position counts for threefold and fivefold repetition.
    public var repetitionKey: RepetitionKey {
        RepetitionKey(
            pieceBoards: [pawns, knights, bishops, rooks, queens, kings, whitePieces, blackPieces],
            sideToMove: sideToMove,
            castlingRights: castlingRights,
            enPassantIndex: hasLegalEnPassant ? Int8(enPassantIndex) : -1
        )
    }

    /// True if the side to move is checkmated.
    public var isCheckmate: Bool { isCheck && !hasLegalMoves }

    /// True if the side to move has no legal move and is not in check.
    public var isStalemate: Bool { !isCheck && !hasLegalMoves }

    /// True if neither side can ever checkmate, by the material rule used here: no pawns, rooks or
    /// queens, and either at most one knight or bishop on the whole board (K v K, K+N v K,
    /// K+B v K) or only bishops, all on squares of one colour (which includes K+B v K+B with
    /// same-coloured bishops). Other dead positions (e.g. blocked pawn chains) are not detected.
    public var isInsufficientMaterial: Bool {
        if pawns | rooks | queens != 0 { return false }
        let minors = knights | bishops
        if minors.nonzeroBitCount <= 1 { return true }
        if knights != 0 { return false }
        return bishops & darkSquares == 0 || bishops & ~darkSquares == 0
    }
}
