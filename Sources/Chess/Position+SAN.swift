/// How strictly SAN text is read; see `Position.move(san:mode:)`.
public enum SANMode: String, Sendable, Hashable {
    /// Only the exact standard string, as `Position.san(_:)` writes it (`Nbd7`, `exd8=Q+`, `O-O#`).
    case strict
    /// Common variants too; see `Position.move(san:mode:)` and docs/chess.md.
    case lenient
}

extension Position {
    /// Standard Algebraic Notation of a legal move: piece letter (none for pawns), the least
    /// disambiguation needed (origin file, else rank, else both), `x` for captures (a pawn capture
    /// starts with its origin file), the destination, `=Q` for promotion, `O-O` / `O-O-O` for
    /// castling, then `+` for check or `#` for checkmate.
    /// - Parameter move: must be legal in this position; otherwise the text describes the move as
    ///   if it were, without check markers being meaningful.
    public func san(_ move: Move) -> String {
        var moves: [Move] = []
        moves.reserveCapacity(64)
        generateLegalMoves(into: &moves)
        return san(move, legalMoves: moves)
    }

    func san(_ move: Move, legalMoves: [Move]) -> String {
        var text = sanWithoutSuffix(move, legalMoves: legalMoves)
        let after = making(move)
        if after.isCheck { text += after.hasLegalMoves ? "+" : "#" }
        return text
    }

    private func sanWithoutSuffix(_ move: Move, legalMoves: [Move]) -> String {
        let from = move.fromIndex, to = move.toIndex
        guard let moving = kind(at: from) else { return move.uci }
        if moving == .king && (to &- from == 2 || from &- to == 2) {
            return to > from ? "O-O" : "O-O-O"
        }
        let target = Square(unchecked: to)
        let isCapture = occupied & bit(to) != 0 || (moving == .pawn && to == enPassantIndex && (to - from) % 8 != 0)
        var text = ""
        if moving == .pawn {
            if isCapture { text.append(Square(unchecked: from).fileCharacter); text += "x" }
            text += target.name
            if let promotion = move.promotion { text += "=" + String(promotion.letter) }
            return text
        }
        text.append(moving.letter)
        if moving != .king {
            // Other pieces of the same kind that could also go to `to`.
            let rivals = legalMoves.filter { $0.toIndex == to && $0.fromIndex != from && kind(at: $0.fromIndex) == moving }
            if !rivals.isEmpty {
                let origin = Square(unchecked: from)
                if !rivals.contains(where: { $0.fromIndex & 7 == from & 7 }) {
                    text.append(origin.fileCharacter)
                } else if !rivals.contains(where: { $0.fromIndex >> 3 == from >> 3 }) {
                    text.append(origin.rankCharacter)
                } else {
                    text += origin.name
                }
            }
        }
        if isCapture { text += "x" }
        text += target.name
        return text
    }

    /// Reads a move in SAN and returns the legal move it names.
    ///
    /// `.strict` accepts exactly the string `san(_:)` writes for one of the legal moves.
    /// `.lenient` also accepts (see docs/chess.md for the full list):
    /// - surrounding whitespace and trailing annotations: any of `+ # ! ?` in any order, and `e.p.`;
    ///   check markers are not verified;
    /// - a missing or superfluous `x`, `:` for `x`, and `-` between squares;
    /// - castling as `O-O`, `0-0`, `o-o` (and the queenside forms);
    /// - long algebraic notation with or without piece letter: `e2e4`, `Ng1-f3`, `e7e8q`, `Ng1xf3`;
    /// - promotion without `=` (`e8Q`), or in brackets or lower case (`e8=q`, `e8(Q)`);
    /// - over-specified origins (`Ngf3` when `Nf3` suffices);
    /// - lower-case piece letters (`nf3`, `qxd7`); a lower-case `b` is read as the b-file first
    ///   (as standard SAN means it: `bxc4`), and as a bishop only if no b-pawn move fits (`bc4`).
    /// A pawn move without an origin file must be a straight push, so `d5` never means `exd5`;
    /// a promotion piece is never guessed.
    /// - Throws: `MoveParseError` whose kind says whether the text is unparseable, names no legal
    ///   move (illegal), or names several (ambiguous).
    public func move(san text: String, mode: SANMode = .strict) throws(MoveParseError) -> Move {
        var moves: [Move] = []
        moves.reserveCapacity(64)
        generateLegalMoves(into: &moves)
        switch mode {
        case .strict:
            for move in moves where san(move, legalMoves: moves) == text { return move }
            // Say why: a lenient reading tells a non-standard spelling from an illegal move.
            let move = try lenientMove(text, legalMoves: moves)
            throw MoveParseError(input: text, kind: .unparseable,
                                 detail: "not standard SAN; the standard form is '\(san(move, legalMoves: moves))'", fen: fen)
        case .lenient:
            return try lenientMove(text, legalMoves: moves)
        }
    }
}
