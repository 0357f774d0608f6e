/// The side to move or the owner of a piece.
public enum Color: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case white = 0
    case black = 1

    /// The other side.
    @inline(__always)
    public var opponent: Color { self == .white ? .black : .white }

    public var description: String { self == .white ? "white" : "black" }
}

/// The kind of a piece, without its colour. Raw values index bitboards inside `Position`.
public enum PieceKind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case pawn = 0, knight, bishop, rook, queen, king

    /// Upper-case letter used by SAN and FEN for white pieces (`P` for pawns, which SAN omits).
    public var letter: Character {
        switch self {
        case .pawn: "P"
        case .knight: "N"
        case .bishop: "B"
        case .rook: "R"
        case .queen: "Q"
        case .king: "K"
        }
    }

    /// Conventional material value: P=1, N=3, B=3, R=5, Q=9, K=0.
    public var materialValue: Int {
        switch self {
        case .pawn: 1
        case .knight, .bishop: 3
        case .rook: 5
        case .queen: 9
        case .king: 0
        }
    }

    /// Reads a piece letter in either case (`n`, `N`, ...); `nil` for anything else.
    public init?(letter: Character) {
        switch letter {
        case "P", "p": self = .pawn
        case "N", "n": self = .knight
        case "B", "b": self = .bishop
        case "R", "r": self = .rook
        case "Q", "q": self = .queen
        case "K", "k": self = .king
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .pawn: "pawn"
        case .knight: "knight"
        case .bishop: "bishop"
        case .rook: "rook"
        case .queen: "queen"
        case .king: "king"
        }
    }
}

/// A coloured piece.
public struct Piece: Sendable, Hashable, CustomStringConvertible {
    public var color: Color
    public var kind: PieceKind

    public init(_ color: Color, _ kind: PieceKind) {
        self.color = color
        self.kind = kind
    }

    /// FEN letter: upper case for white, lower case for black.
    public var fenLetter: Character {
        color == .white ? kind.letter : Character(kind.letter.lowercased())
    }

    /// Reads a FEN piece letter (`P`..`K` white, `p`..`k` black).
    public init?(fenLetter: Character) {
        guard let kind = PieceKind(letter: fenLetter) else { return nil }
        self.init(fenLetter.isUppercase ? .white : .black, kind)
    }

    public var description: String { "\(color) \(kind)" }
}

/// One of the 64 squares. Index 0 is a1, 7 is h1, 56 is a8, 63 is h8 (little-endian rank-file
/// mapping), so bit `index` of a bitboard stands for this square.
public struct Square: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0...63.
    public let index: Int

    /// - Parameter index: 0...63; `nil` outside that range.
    public init?(index: Int) {
        guard (0..<64).contains(index) else { return nil }
        self.index = index
    }

    @inline(__always)
    init(unchecked index: Int) { self.index = index }

    /// - Parameters:
    ///   - file: 0 (a) ... 7 (h)
    ///   - rank: 0 (rank 1) ... 7 (rank 8)
    public init?(file: Int, rank: Int) {
        guard (0..<8).contains(file), (0..<8).contains(rank) else { return nil }
        self.index = rank * 8 + file
    }

    /// Reads a square name such as `e4`; `nil` unless it is exactly a file letter a–h and a rank digit 1–8.
    public init?(_ name: some StringProtocol) {
        let scalars = Array(name.unicodeScalars)
        guard scalars.count == 2 else { return nil }
        let file = Int(scalars[0].value) - 97  // "a"
        let rank = Int(scalars[1].value) - 49  // "1"
        self.init(file: file, rank: rank)
    }

    /// 0 (a) ... 7 (h).
    @inline(__always) public var file: Int { index & 7 }
    /// 0 (rank 1) ... 7 (rank 8).
    @inline(__always) public var rank: Int { index >> 3 }

    /// The file letter, `a`...`h`.
    public var fileCharacter: Character { Character(Unicode.Scalar(UInt8(97 + file))) }
    /// The rank digit, `1`...`8`.
    public var rankCharacter: Character { Character(Unicode.Scalar(UInt8(49 + rank))) }

    /// Algebraic name, e.g. `e4`.
    public var name: String { String(fileCharacter) + String(rankCharacter) }
    public var description: String { name }

    /// True for dark squares (a1 is dark).
    public var isDark: Bool { (file + rank) % 2 == 0 }

    public static func < (lhs: Square, rhs: Square) -> Bool { lhs.index < rhs.index }

    public static let a1 = Square(unchecked: 0), b1 = Square(unchecked: 1), c1 = Square(unchecked: 2)
    public static let d1 = Square(unchecked: 3), e1 = Square(unchecked: 4), f1 = Square(unchecked: 5)
    public static let g1 = Square(unchecked: 6), h1 = Square(unchecked: 7)
    public static let a8 = Square(unchecked: 56), b8 = Square(unchecked: 57), c8 = Square(unchecked: 58)
    public static let d8 = Square(unchecked: 59), e8 = Square(unchecked: 60), f8 = Square(unchecked: 61)
    public static let g8 = Square(unchecked: 62), h8 = Square(unchecked: 63)
}

/// Which castling moves are still allowed (the king and that rook have not moved and the rook was
/// not captured on its home square). Whether castling is legal right now also needs empty and
/// unattacked squares; see `Position.legalMoves()`.
public struct CastlingRights: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let whiteKingside = CastlingRights(rawValue: 1)
    public static let whiteQueenside = CastlingRights(rawValue: 2)
    public static let blackKingside = CastlingRights(rawValue: 4)
    public static let blackQueenside = CastlingRights(rawValue: 8)
    public static let all: CastlingRights = [.whiteKingside, .whiteQueenside, .blackKingside, .blackQueenside]
}
