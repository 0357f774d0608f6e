extension Position {
    /// The lenient SAN reader behind `move(san:mode: .lenient)`; the accepted forms are listed there.
    func lenientMove(_ input: String, legalMoves: [Move]) throws(MoveParseError) -> Move {
        func failure(_ kind: MoveParseError.Kind, _ detail: String) -> MoveParseError {
            MoveParseError(input: input, kind: kind, detail: detail, fen: fen)
        }
        var body = Array(input.trimmingWhitespace())
        if body.count >= 4 && String(body.suffix(4)) == "e.p." { body = Array(String(body.dropLast(4)).trimmingWhitespace()) }
        while let last = body.last, last == "+" || last == "#" || last == "!" || last == "?" { body.removeLast() }
        guard !body.isEmpty else { throw failure(.unparseable, "no move text") }

        // Castling, with letter O, digit zero or lower-case o.
        let castlingText = String(body.map { $0 == "0" || $0 == "o" ? "O" : $0 })
        if castlingText == "O-O" || castlingText == "O-O-O" {
            let kingside = castlingText == "O-O"
            let found = legalMoves.first { move in
                kind(at: move.fromIndex) == .king && (kingside ? move.toIndex == move.fromIndex + 2 : move.toIndex == move.fromIndex - 2)
            }
            guard let found else { throw failure(.illegal, "\(kingside ? "kingside" : "queenside") castling is not legal here") }
            return found
        }

        // Promotion suffix: "=Q", "(Q)", "/Q" or a bare letter after the last-rank digit.
        var promotion: PieceKind?
        if body.count >= 4, body[body.count - 1] == ")", body[body.count - 3] == "(" {
            guard let kind = Position.promotionKind(body[body.count - 2]) else {
                throw failure(.unparseable, "'\(body[body.count - 2])' is not a promotion piece (Q, R, B, N)")
            }
            promotion = kind
            body.removeLast(3)
        } else if body.count >= 3, let kind = Position.promotionKind(body[body.count - 1]),
                  body[body.count - 2] == "=" || body[body.count - 2] == "/" || body[body.count - 2] == "8" || body[body.count - 2] == "1" {
            promotion = kind
            body.removeLast()
            if body.last == "=" || body.last == "/" { body.removeLast() }
        }

        // Capture and separator marks carry no information we need.
        body.removeAll { $0 == "x" || $0 == ":" || $0 == "-" }
        guard body.count >= 2, let to = Square(String(body.suffix(2))) else {
            throw failure(.unparseable, "expected a destination square such as e4 at the end")
        }
        let prefix = Array(body.dropLast(2))

        // Each reading is (piece kind or nil for "whatever stands on the origin", origin hints).
        var readings: [(kind: PieceKind?, hints: [Character])] = []
        if let first = prefix.first {
            let rest = Array(prefix.dropFirst())
            if "NBRQKP".contains(first), let kind = PieceKind(letter: first) {
                readings.append((kind, rest))
            } else if "nrqkp".contains(first), let kind = PieceKind(letter: first) {
                readings.append((kind, rest))
            } else if first == "b" {
                // Standard SAN uses a lower-case b only for the b-file; the bishop is the fallback.
                readings.append((nil, prefix))
                readings.append((.bishop, rest))
            } else {
                readings.append((nil, prefix))
            }
        } else {
            readings.append((nil, []))
        }

        var sameSquares: [Move] = []  // matching everything but the promotion piece
        var anyWellFormed = false
        for reading in readings {
            guard let (originFile, originRank) = Position.originHints(reading.hints) else { continue }
            anyWellFormed = true
            var requiredKind = reading.kind
            // No piece letter: a full origin square is long algebraic (any piece); otherwise a pawn.
            if requiredKind == nil && (originFile == nil || originRank == nil) { requiredKind = .pawn }
            for move in legalMoves where move.toIndex == to.index {
                if let originFile, move.fromIndex & 7 != originFile { continue }
                if let originRank, move.fromIndex >> 3 != originRank { continue }
                let moving = kind(at: move.fromIndex)
                if let requiredKind, moving != requiredKind { continue }
                if moving == .pawn && originFile == nil && move.fromIndex & 7 != to.file { continue }
                sameSquares.append(move)
            }
            if !sameSquares.isEmpty { break }  // the first reading that names a legal move wins
        }
        guard anyWellFormed else {
            throw failure(.unparseable, "expected [piece letter][origin file][origin rank][x]square[=promotion], e.g. Nbd7, exd5, e8=Q")
        }
        let candidates = sameSquares.filter { $0.promotion == promotion }
        if candidates.count == 1 { return candidates[0] }
        if candidates.count > 1 {
            let names = candidates.map { san($0, legalMoves: legalMoves) }.joined(separator: ", ")
            throw failure(.ambiguous, "matches several legal moves: \(names)")
        }
        if !sameSquares.isEmpty {
            throw failure(.illegal, promotion == nil
                ? "a pawn reaching the last rank must name its promotion piece, e.g. \(to.name)=Q"
                : "this move is not a promotion")
        }
        throw failure(.illegal, "no legal move matches")
    }

    static func promotionKind(_ character: Character) -> PieceKind? {
        guard let kind = PieceKind(letter: character), kind != .pawn, kind != .king else { return nil }
        return kind
    }

    /// Parses origin hints: optional file letter a–h then optional rank digit 1–8; `nil` if malformed.
    static func originHints(_ hints: [Character]) -> (file: Int?, rank: Int?)? {
        var file: Int?, rank: Int?
        var index = 0
        if index < hints.count, let value = hints[index].asciiValue, value >= 97, value <= 104 {
            file = Int(value) - 97
            index += 1
        }
        if index < hints.count, let value = hints[index].asciiValue, value >= 49, value <= 56 {
            rank = Int(value) - 49
            index += 1
        }
        return index == hints.count ? (file, rank) : nil
    }
}
