/// A chess position: piece placement, side to move, castling rights, en-passant target square
/// and the two move counters of FEN.
///
/// Representation: eight bitboards (one per piece kind, one per colour); a piece of kind K and
/// colour C stands on the squares `bitboard(K) & bitboard(C)`. The struct is 80 bytes of plain
/// values, so making a move on a copy ("copy-make") is the way to undo: keep the old value.
public struct Position: Sendable, Hashable {
    @usableFromInline var pawns: Bitboard = 0
    @usableFromInline var knights: Bitboard = 0
    @usableFromInline var bishops: Bitboard = 0
    @usableFromInline var rooks: Bitboard = 0
    @usableFromInline var queens: Bitboard = 0
    @usableFromInline var kings: Bitboard = 0
    @usableFromInline var whitePieces: Bitboard = 0
    @usableFromInline var blackPieces: Bitboard = 0

    /// Whose turn it is.
    public internal(set) var sideToMove: Color = .white
    /// Castling rights still held (not whether castling is legal right now).
    public internal(set) var castlingRights: CastlingRights = []
    /// 0...63, or -1 for none. Set after every double pawn push, as FEN records it, whether or
    /// not an en-passant capture is possible.
    var enPassantIndex: Int = -1
    /// Half-moves since the last capture or pawn move (fifty/seventy-five-move rules).
    public internal(set) var halfmoveClock: Int = 0
    /// Starts at 1 and increases after each black move.
    public internal(set) var fullmoveNumber: Int = 1

    /// The standard starting position.
    public static let standard: Position = {
        do {
            return try Position(fen: Position.standardFEN)
        } catch {
            preconditionFailure("the built-in starting FEN must parse: \(error)")
        }
    }()

    public static let standardFEN = "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1"

    /// An empty board, white to move; for building positions piece by piece with `place(_:at:)`.
    public static var empty: Position { Position() }

    init() {}

    /// The en-passant target square as FEN records it (behind a pawn that just moved two squares).
    public var enPassantSquare: Square? { enPassantIndex < 0 ? nil : Square(unchecked: enPassantIndex) }

    @inline(__always) var occupied: Bitboard { whitePieces | blackPieces }

    @inline(__always) func pieces(_ color: Color) -> Bitboard {
        color == .white ? whitePieces : blackPieces
    }

    @inline(__always) func pieces(_ kind: PieceKind) -> Bitboard {
        switch kind {
        case .pawn: pawns
        case .knight: knights
        case .bishop: bishops
        case .rook: rooks
        case .queen: queens
        case .king: kings
        }
    }

    /// Squares holding a piece of this colour and kind.
    public func squares(of piece: Piece) -> [Square] {
        var result: [Square] = []
        var set = pieces(piece.kind) & pieces(piece.color)
        while set != 0 {
            result.append(Square(unchecked: set.lowestSquareIndex))
            set &= set &- 1
        }
        return result
    }

    /// The piece kind on a square index, or `nil` if empty.
    @inline(__always) func kind(at index: Int) -> PieceKind? {
        let mask = bit(index)
        if occupied & mask == 0 { return nil }
        if pawns & mask != 0 { return .pawn }
        if knights & mask != 0 { return .knight }
        if bishops & mask != 0 { return .bishop }
        if rooks & mask != 0 { return .rook }
        if queens & mask != 0 { return .queen }
        return .king
    }

    /// The piece on `square`, or `nil` if it is empty.
    public subscript(square: Square) -> Piece? {
        guard let kind = kind(at: square.index) else { return nil }
        return Piece(whitePieces & bit(square.index) != 0 ? .white : .black, kind)
    }

    @inline(__always) mutating func add(_ color: Color, _ kind: PieceKind, _ index: Int) {
        let mask = bit(index)
        switch kind {
        case .pawn: pawns |= mask
        case .knight: knights |= mask
        case .bishop: bishops |= mask
        case .rook: rooks |= mask
        case .queen: queens |= mask
        case .king: kings |= mask
        }
        if color == .white { whitePieces |= mask } else { blackPieces |= mask }
    }

    @inline(__always) mutating func remove(_ color: Color, _ kind: PieceKind, _ index: Int) {
        let mask = ~bit(index)
        switch kind {
        case .pawn: pawns &= mask
        case .knight: knights &= mask
        case .bishop: bishops &= mask
        case .rook: rooks &= mask
        case .queen: queens &= mask
        case .king: kings &= mask
        }
        if color == .white { whitePieces &= mask } else { blackPieces &= mask }
    }

    /// Puts `piece` on `square` (replacing whatever stood there), or empties it when `piece` is nil.
    /// For building positions; it does not adjust castling rights or the en-passant square.
    public mutating func place(_ piece: Piece?, at square: Square) {
        if let old = self[square] { remove(old.color, old.kind, square.index) }
        if let piece { add(piece.color, piece.kind, square.index) }
    }

    @inline(__always) func kingIndex(_ color: Color) -> Int {
        (kings & pieces(color)).lowestSquareIndex
    }

    /// All pieces of `color` that attack square `index`, given occupancy `occupied`.
    @inline(__always) func attackers(of index: Int, by color: Color, occupied: Bitboard) -> Bitboard {
        let them = pieces(color)
        let diagonal = (bishops | queens) & them
        let straight = (rooks | queens) & them
        return (AttackTables.pawn(color.opponent, index) & pawns & them)
            | (AttackTables.knight(index) & knights & them)
            | (AttackTables.king(index) & kings & them)
            | (diagonal != 0 ? AttackTables.bishop(index, occupied) & diagonal : 0)
            | (straight != 0 ? AttackTables.rook(index, occupied) & straight : 0)
    }

    /// True if any piece of `color` attacks `square` (pins do not matter for attacks).
    public func isAttacked(_ square: Square, by color: Color) -> Bool {
        attackers(of: square.index, by: color, occupied: occupied) != 0
    }

    /// True if the side to move is in check.
    public var isCheck: Bool {
        let king = kings & pieces(sideToMove)
        guard king != 0 else { return false }
        return attackers(of: king.lowestSquareIndex, by: sideToMove.opponent, occupied: occupied) != 0
    }

    /// The pieces giving check to the side to move.
    public var checkers: [Square] {
        let king = kings & pieces(sideToMove)
        guard king != 0 else { return [] }
        var set = attackers(of: king.lowestSquareIndex, by: sideToMove.opponent, occupied: occupied)
        var result: [Square] = []
        while set != 0 {
            result.append(Square(unchecked: set.lowestSquareIndex))
            set &= set &- 1
        }
        return result
    }

    /// Material of `color` with P=1, N=3, B=3, R=5, Q=9.
    public func material(of color: Color) -> Int {
        let own = pieces(color)
        return (pawns & own).nonzeroBitCount + 3 * ((knights | bishops) & own).nonzeroBitCount
            + 5 * (rooks & own).nonzeroBitCount + 9 * (queens & own).nonzeroBitCount
    }

    /// White material minus black material (P=1, N=3, B=3, R=5, Q=9).
    public var materialBalance: Int { material(of: .white) - material(of: .black) }

    /// Number of pieces (kings included) on the board.
    public var pieceCount: Int { occupied.nonzeroBitCount }
}
