/// A move as a from-square, a to-square and an optional promotion piece; castling is the king's
/// two-square move (`e1g1`), en passant is the capturing pawn's diagonal move. A `Move` means
/// something only together with the position it is played in: `Position.make(_:)` reads the
/// moving piece, captures, castling and en passant from the board.
///
/// Packed in 16 bits (from: 6, to: 6, promotion: 3) so move lists stay small.
public struct Move: Sendable, Hashable, CustomStringConvertible {
    @usableFromInline let raw: UInt16

    @inline(__always)
    init(from: Int, to: Int, promotionRaw: Int = 0) {
        raw = UInt16(truncatingIfNeeded: from | (to &<< 6) | (promotionRaw &<< 12))
    }

    /// - Parameters:
    ///   - promotion: knight, bishop, rook or queen for a pawn reaching the last rank; `nil` otherwise.
    public init(from: Square, to: Square, promotion: PieceKind? = nil) {
        self.init(from: from.index, to: to.index, promotionRaw: Int(promotion?.rawValue ?? 0))
    }

    @inline(__always) var fromIndex: Int { Int(raw & 63) }
    @inline(__always) var toIndex: Int { Int((raw >> 6) & 63) }
    /// 0 when not a promotion, otherwise a `PieceKind` raw value (1 knight ... 4 queen).
    @inline(__always) var promotionRaw: Int { Int(raw >> 12) }

    public var from: Square { Square(unchecked: fromIndex) }
    public var to: Square { Square(unchecked: toIndex) }
    public var promotion: PieceKind? { promotionRaw == 0 ? nil : PieceKind(rawValue: UInt8(promotionRaw)) }

    /// UCI long algebraic notation: `e2e4`, `e7e8q`, castling as the king's move `e1g1`.
    public var uci: String {
        var text = from.name + to.name
        if let promotion { text.append(Character(promotion.letter.lowercased())) }
        return text
    }

    public var description: String { uci }

    /// Parses UCI text without checking legality (see `Position.move(uci:)` for that).
    /// Accepts exactly four or five characters: two squares and an optional `n`, `b`, `r` or `q`
    /// (upper case is tolerated). The null move `0000` is rejected.
    public init(uci text: String) throws(MoveParseError) {
        let characters = Array(text)
        guard characters.count == 4 || characters.count == 5 else {
            throw MoveParseError(input: text, kind: .unparseable, detail: "a UCI move has 4 or 5 characters, e.g. e2e4 or e7e8q")
        }
        guard let from = Square(String(characters[0...1])), let to = Square(String(characters[2...3])) else {
            throw MoveParseError(input: text, kind: .unparseable, detail: "expected two squares a1-h8, e.g. e2e4")
        }
        var promotion: PieceKind?
        if characters.count == 5 {
            guard let kind = PieceKind(letter: characters[4]), kind != .pawn, kind != .king else {
                throw MoveParseError(input: text, kind: .unparseable, detail: "promotion letter must be one of n, b, r, q")
            }
            promotion = kind
        }
        self.init(from: from, to: to, promotion: promotion)
    }
}

/// Why a move given as text (SAN or UCI) could not be turned into a legal move.
public struct MoveParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The text is not a move in the notation at all.
        case unparseable
        /// The text is a well-formed move but no legal move in the position matches it.
        case illegal
        /// The text matches more than one legal move.
        case ambiguous
    }

    /// The text that was being read.
    public var input: String
    public var kind: Kind
    /// What exactly was wrong, and what would have been accepted.
    public var detail: String
    /// FEN of the position the move was read in, when known.
    public var fen: String?

    public init(input: String, kind: Kind, detail: String, fen: String? = nil) {
        self.input = input
        self.kind = kind
        self.detail = detail
        self.fen = fen
    }

    public var description: String {
        var text = "\(kind.rawValue) move '\(input)': \(detail)"
        if let fen { text += " (position \(fen))" }
        return text
    }
}
