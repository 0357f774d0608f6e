/// A FEN string that could not be read, naming the field that is wrong.
public struct FENError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The six FEN fields, in order; `.whole` for problems with the string as a whole.
    public enum Field: String, Sendable, Equatable {
        case whole = "FEN"
        case placement = "piece placement (field 1)"
        case sideToMove = "side to move (field 2)"
        case castling = "castling rights (field 3)"
        case enPassant = "en-passant square (field 4)"
        case halfmoveClock = "halfmove clock (field 5)"
        case fullmoveNumber = "fullmove number (field 6)"
    }

    public var fen: String
    public var field: Field
    public var message: String

    public var description: String { "invalid FEN '\(fen)': \(field.rawValue): \(message)" }
}

extension Position {
    /// Reads a FEN string strictly: exactly six fields separated by single spaces (surrounding
    /// whitespace is ignored); eight ranks summing to eight squares each; exactly one king per side;
    /// no pawn on the first or last rank; the side not to move not in check; castling rights only
    /// with king and rook on their home squares, written in `KQkq` order; an en-passant square only
    /// behind a pawn that could just have moved two squares.
    /// - Throws: `FENError` naming the field that is wrong.
    public init(fen: String) throws(FENError) {
        func fail(_ field: FENError.Field, _ message: String) -> FENError {
            FENError(fen: fen, field: field, message: message)
        }
        let trimmed = fen.trimmingWhitespace()
        let fields = trimmed.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 6 else {
            throw fail(.whole, "expected 6 fields separated by single spaces, found \(fields.count)")
        }
        self.init()

        let ranks = fields[0].split(separator: "/", omittingEmptySubsequences: false)
        guard ranks.count == 8 else { throw fail(.placement, "expected 8 ranks separated by '/', found \(ranks.count)") }
        for (row, rankText) in ranks.enumerated() {
            let rank = 7 - row
            var file = 0
            var previousWasDigit = false
            for character in rankText {
                if let digit = character.wholeNumberValue, character.isASCII {
                    guard (1...8).contains(digit), !previousWasDigit else {
                        throw fail(.placement, "rank \(rank + 1) ('\(rankText)'): empty-square counts must be single digits 1-8, not adjacent")
                    }
                    file += digit
                    previousWasDigit = true
                } else if let piece = Piece(fenLetter: character) {
                    guard file < 8 else { throw fail(.placement, "rank \(rank + 1) ('\(rankText)') has more than 8 squares") }
                    add(piece.color, piece.kind, rank * 8 + file)
                    file += 1
                    previousWasDigit = false
                } else {
                    throw fail(.placement, "rank \(rank + 1) ('\(rankText)'): '\(character)' is not a piece letter (PNBRQK / pnbrqk) or digit")
                }
            }
            guard file == 8 else { throw fail(.placement, "rank \(rank + 1) ('\(rankText)') describes \(file) squares, not 8") }
        }
        for color in Color.allCases {
            let count = (kings & pieces(color)).nonzeroBitCount
            guard count == 1 else { throw fail(.placement, "\(color) has \(count) kings; exactly one is required") }
        }
        guard pawns & (rank1 | rank8) == 0 else { throw fail(.placement, "pawns cannot stand on the first or last rank") }

        switch fields[1] {
        case "w": sideToMove = .white
        case "b": sideToMove = .black
        default: throw fail(.sideToMove, "'\(fields[1])' must be 'w' or 'b'")
        }
        let waiting = sideToMove.opponent
        if attackers(of: kingIndex(waiting), by: sideToMove, occupied: occupied) != 0 {
            throw fail(.sideToMove, "\(waiting) is in check but it is \(sideToMove)'s move")
        }

        try parseCastling(String(fields[2]), fail: fail)
        try parseEnPassant(String(fields[3]), fail: fail)

        guard let halfmoves = Int(fields[4]), halfmoves >= 0, fields[4].allSatisfy(\.isASCII) else {
            throw fail(.halfmoveClock, "'\(fields[4])' must be a non-negative integer")
        }
        halfmoveClock = halfmoves
        guard let fullmoves = Int(fields[5]), fullmoves >= 1, fields[5].allSatisfy(\.isASCII) else {
            throw fail(.fullmoveNumber, "'\(fields[5])' must be a positive integer")
        }
        fullmoveNumber = fullmoves
    }

    private mutating func parseCastling(_ text: String, fail: (FENError.Field, String) -> FENError) throws(FENError) {
        guard text != "-" else { return }
        let order: [(Character, CastlingRights, Color, Int)] = [
            ("K", .whiteKingside, .white, 7), ("Q", .whiteQueenside, .white, 0),
            ("k", .blackKingside, .black, 63), ("q", .blackQueenside, .black, 56),
        ]
        var position = 0
        for character in text {
            guard let slot = order[position...].firstIndex(where: { $0.0 == character }) else {
                throw fail(.castling, "'\(text)' must be '-' or letters from 'KQkq' in that order, each at most once")
            }
            let (_, right, color, rookSquare) = order[slot]
            let kingHome = color == .white ? 4 : 60
            guard kings & pieces(color) & bit(kingHome) != 0, rooks & pieces(color) & bit(rookSquare) != 0 else {
                throw fail(.castling, "'\(character)' needs the \(color) king on \(Square(unchecked: kingHome)) and a rook on \(Square(unchecked: rookSquare))")
            }
            castlingRights.insert(right)
            position = slot + 1
        }
        guard !text.isEmpty else { throw fail(.castling, "empty; use '-' for no castling rights") }
    }

    private mutating func parseEnPassant(_ text: String, fail: (FENError.Field, String) -> FENError) throws(FENError) {
        guard text != "-" else { return }
        guard let square = Square(text) else { throw fail(.enPassant, "'\(text)' must be '-' or a square such as e3") }
        let expectedRank = sideToMove == .white ? 5 : 2
        guard square.rank == expectedRank else {
            throw fail(.enPassant, "'\(text)' must be on rank \(expectedRank + 1) when \(sideToMove) is to move")
        }
        let pusher = sideToMove.opponent
        let pawnSquare = square.index + (pusher == .white ? 8 : -8)
        let originSquare = square.index + (pusher == .white ? -8 : 8)
        guard pawns & pieces(pusher) & bit(pawnSquare) != 0,
              occupied & (bit(square.index) | bit(originSquare)) == 0 else {
            throw fail(.enPassant, "'\(text)' is not behind a \(pusher) pawn that just moved two squares")
        }
        enPassantIndex = square.index
    }

    /// The FEN of this position. The en-passant square is written whenever the last move was a
    /// double pawn push (as the FEN standard says), even if no capture is possible.
    public var fen: String {
        var text = ""
        for rank in stride(from: 7, through: 0, by: -1) {
            var emptyRun = 0
            for file in 0..<8 {
                if let piece = self[Square(unchecked: rank * 8 + file)] {
                    if emptyRun > 0 { text += String(emptyRun); emptyRun = 0 }
                    text.append(piece.fenLetter)
                } else {
                    emptyRun += 1
                }
            }
            if emptyRun > 0 { text += String(emptyRun) }
            if rank > 0 { text += "/" }
        }
        text += sideToMove == .white ? " w " : " b "
        var castling = ""
        if castlingRights.contains(.whiteKingside) { castling += "K" }
        if castlingRights.contains(.whiteQueenside) { castling += "Q" }
        if castlingRights.contains(.blackKingside) { castling += "k" }
        if castlingRights.contains(.blackQueenside) { castling += "q" }
        text += castling.isEmpty ? "-" : castling
        text += " " + (enPassantSquare?.name ?? "-")
        text += " \(halfmoveClock) \(fullmoveNumber)"
        return text
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines (no Foundation needed).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
