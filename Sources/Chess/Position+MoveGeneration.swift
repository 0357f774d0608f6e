extension Position {
    /// All legal moves of the side to move, in generation order (king, knights, sliders, pawns,
    /// en passant, castling). Empty on checkmate or stalemate, and for a side without a king
    /// (a hand-built position; FEN reading rejects such positions).
    public func legalMoves() -> [Move] {
        var moves: [Move] = []
        moves.reserveCapacity(64)
        generateLegalMoves(into: &moves)
        return moves
    }

    /// True if the side to move has at least one legal move.
    public var hasLegalMoves: Bool {
        var moves: [Move] = []
        generateLegalMoves(into: &moves)
        return !moves.isEmpty
    }

    /// True if `move` is legal here.
    public func isLegal(_ move: Move) -> Bool {
        legalMoves().contains(move)
    }

    /// Appends the legal moves to `moves`. Fully legal generation (no make-and-test except for
    /// en passant): pieces pinned to the king move only along the pin line, and when in check
    /// every non-king move must capture the checker or block its line.
    func generateLegalMoves(into moves: inout [Move]) {
        let us = sideToMove, them = us.opponent
        let own = pieces(us), enemy = pieces(them), occupiedNow = occupied
        let ownKing = kings & own
        guard ownKing != 0 else { return }
        let kingSquare = ownKing.lowestSquareIndex

        // King moves: test each target with the king removed, so it cannot hide behind itself
        // from a slider that checks it along the line it is moving on.
        let withoutKing = occupiedNow ^ ownKing
        var targets = AttackTables.king(kingSquare) & ~own
        while targets != 0 {
            let to = targets.lowestSquareIndex
            targets &= targets &- 1
            if attackers(of: to, by: them, occupied: withoutKing) == 0 {
                moves.append(Move(from: kingSquare, to: to))
            }
        }

        let checkers = attackers(of: kingSquare, by: them, occupied: occupiedNow)
        if checkers.nonzeroBitCount > 1 { return }  // double check: only the king may move
        var evasionMask: Bitboard = ~0
        if checkers != 0 {
            let checker = checkers.lowestSquareIndex
            evasionMask = checkers | AttackTables.between(kingSquare, checker)
        }

        // Pinned pieces: own pieces alone between the king and an enemy slider on its line.
        var pinned: Bitboard = 0
        var snipers = ((AttackTables.rook(kingSquare, 0) & (rooks | queens))
            | (AttackTables.bishop(kingSquare, 0) & (bishops | queens))) & enemy
        while snipers != 0 {
            let sniper = snipers.lowestSquareIndex
            snipers &= snipers &- 1
            let blockers = AttackTables.between(kingSquare, sniper) & occupiedNow
            if blockers.nonzeroBitCount == 1 && blockers & own != 0 { pinned |= blockers }
        }

        let allowed = ~own & evasionMask
        var knightsToMove = knights & own & ~pinned  // a pinned knight can never move
        while knightsToMove != 0 {
            let from = knightsToMove.lowestSquareIndex
            knightsToMove &= knightsToMove &- 1
            appendMoves(from: from, targets: AttackTables.knight(from) & allowed, into: &moves)
        }
        var diagonalMovers = (bishops | queens) & own
        while diagonalMovers != 0 {
            let from = diagonalMovers.lowestSquareIndex
            diagonalMovers &= diagonalMovers &- 1
            var targets = AttackTables.bishop(from, occupiedNow) & allowed
            if pinned & bit(from) != 0 { targets &= AttackTables.line(kingSquare, from) }
            appendMoves(from: from, targets: targets, into: &moves)
        }
        var straightMovers = (rooks | queens) & own
        while straightMovers != 0 {
            let from = straightMovers.lowestSquareIndex
            straightMovers &= straightMovers &- 1
            var targets = AttackTables.rook(from, occupiedNow) & allowed
            if pinned & bit(from) != 0 { targets &= AttackTables.line(kingSquare, from) }
            appendMoves(from: from, targets: targets, into: &moves)
        }

        generatePawnMoves(kingSquare: kingSquare, pinned: pinned, evasionMask: evasionMask, into: &moves)
        if checkers == 0 { generateCastling(into: &moves) }
    }

    @inline(__always)
    private func appendMoves(from: Int, targets: Bitboard, into moves: inout [Move]) {
        var remaining = targets
        while remaining != 0 {
            moves.append(Move(from: from, to: remaining.lowestSquareIndex))
            remaining &= remaining &- 1
        }
    }

    private func generatePawnMoves(kingSquare: Int, pinned: Bitboard, evasionMask: Bitboard, into moves: inout [Move]) {
        let us = sideToMove
        let enemy = pieces(us.opponent), empty = ~occupied
        let forward = us == .white ? 8 : -8
        let startRank: Bitboard = us == .white ? 0xFF00 : 0xFF << 48
        let lastRank: Bitboard = us == .white ? rank8 : rank1
        var ownPawns = pawns & pieces(us)
        while ownPawns != 0 {
            let from = ownPawns.lowestSquareIndex
            ownPawns &= ownPawns &- 1
            var targets = AttackTables.pawn(us, from) & enemy
            let single = from &+ forward
            if empty & bit(single) != 0 {
                targets |= bit(single)
                let double = single &+ forward
                if startRank & bit(from) != 0 && empty & bit(double) != 0 { targets |= bit(double) }
            }
            targets &= evasionMask
            if pinned & bit(from) != 0 { targets &= AttackTables.line(kingSquare, from) }
            while targets != 0 {
                let to = targets.lowestSquareIndex
                targets &= targets &- 1
                if lastRank & bit(to) != 0 {
                    // Queen first: the usual order of engines and of python-chess.
                    moves.append(Move(from: from, to: to, promotionRaw: Int(PieceKind.queen.rawValue)))
                    moves.append(Move(from: from, to: to, promotionRaw: Int(PieceKind.rook.rawValue)))
                    moves.append(Move(from: from, to: to, promotionRaw: Int(PieceKind.bishop.rawValue)))
                    moves.append(Move(from: from, to: to, promotionRaw: Int(PieceKind.knight.rawValue)))
                } else {
                    moves.append(Move(from: from, to: to))
                }
            }
        }

        guard enPassantIndex >= 0 else { return }
        // Own pawns that attack the target square are those a pawn of the other colour on that
        // square would attack.
        var capturers = AttackTables.pawn(us.opponent, enPassantIndex) & pawns & pieces(us)
        while capturers != 0 {
            let from = capturers.lowestSquareIndex
            capturers &= capturers &- 1
            if isLegalEnPassant(from: from, kingSquare: kingSquare) {
                moves.append(Move(from: from, to: enPassantIndex))
            }
        }
    }

    /// En passant removes two pawns from one rank at once, which pin detection cannot see (the
    /// "horizontal pin"), so it is checked by playing it on a scratch occupancy.
    @inline(__always)
    func isLegalEnPassant(from: Int, kingSquare: Int) -> Bool {
        let us = sideToMove, them = us.opponent
        let capturedSquare = enPassantIndex &- (us == .white ? 8 : -8)
        guard capturedSquare >= 0, capturedSquare < 64,
              pawns & pieces(them) & bit(capturedSquare) != 0,
              occupied & bit(enPassantIndex) == 0 else { return false }
        let afterOccupied = (occupied ^ bit(from) ^ bit(capturedSquare)) | bit(enPassantIndex)
        let remainingEnemy = pieces(them) & ~bit(capturedSquare)
        let diagonal = (bishops | queens) & remainingEnemy
        let straight = (rooks | queens) & remainingEnemy
        if AttackTables.bishop(kingSquare, afterOccupied) & diagonal != 0 { return false }
        if AttackTables.rook(kingSquare, afterOccupied) & straight != 0 { return false }
        // Non-slider checkers are unaffected by the capture except the captured pawn itself.
        let others = (AttackTables.knight(kingSquare) & knights | AttackTables.pawn(us, kingSquare) & pawns) & remainingEnemy
        return others == 0
    }

    private func generateCastling(into moves: inout [Move]) {
        let us = sideToMove, them = us.opponent
        let rights: (king: CastlingRights, queen: CastlingRights) =
            us == .white ? (.whiteKingside, .whiteQueenside) : (.blackKingside, .blackQueenside)
        guard castlingRights.contains(rights.king) || castlingRights.contains(rights.queen) else { return }
        let base = us == .white ? 0 : 56
        let kingFrom = base + 4
        let ownRooks = rooks & pieces(us)
        guard kings & pieces(us) & bit(kingFrom) != 0 else { return }
        let occupiedNow = occupied
        if castlingRights.contains(rights.king), ownRooks & bit(base + 7) != 0,
           occupiedNow & (bit(base + 5) | bit(base + 6)) == 0,
           attackers(of: base + 5, by: them, occupied: occupiedNow) == 0,
           attackers(of: base + 6, by: them, occupied: occupiedNow) == 0 {
            moves.append(Move(from: kingFrom, to: base + 6))
        }
        if castlingRights.contains(rights.queen), ownRooks & bit(base) != 0,
           occupiedNow & (bit(base + 1) | bit(base + 2) | bit(base + 3)) == 0,
           attackers(of: base + 3, by: them, occupied: occupiedNow) == 0,
           attackers(of: base + 2, by: them, occupied: occupiedNow) == 0 {
            moves.append(Move(from: kingFrom, to: base + 2))
        }
    }
}
