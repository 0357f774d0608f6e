/// A set of squares: bit `i` stands for the square with index `i` (a1 = 0, h8 = 63).
public typealias Bitboard = UInt64

extension UInt64 {
    /// Index of the lowest set bit; only meaningful when the value is non-zero.
    @inline(__always) var lowestSquareIndex: Int { trailingZeroBitCount }
    /// Index of the highest set bit; only meaningful when the value is non-zero.
    @inline(__always) var highestSquareIndex: Int { 63 &- leadingZeroBitCount }
}

@inline(__always) func bit(_ index: Int) -> Bitboard { 1 &<< UInt64(index) }

let fileA: Bitboard = 0x0101_0101_0101_0101
let fileH: Bitboard = fileA << 7
let rank1: Bitboard = 0xFF
let rank8: Bitboard = 0xFF << 56
let darkSquares: Bitboard = 0xAA55_AA55_AA55_AA55

/// Precomputed attack sets. Sliding pieces use the classical ray method: for each of the eight
/// directions, the ray from a square is cut at the first blocker by XOR-ing away the ray that
/// continues beyond it. It needs no large magic tables yet costs only a bit scan per direction,
/// which keeps move generation fast in debug builds too.
///
/// Storage is one raw buffer allocated once and never freed (about 80 KB), so lookups are plain
/// pointer reads without array bounds checks or reference counting.
enum AttackTables {
    // Offsets (in UInt64 units) into `storage`.
    static let rayOffset = 0            // 8 directions x 64 squares
    static let knightOffset = 512       // 64
    static let kingOffset = 576         // 64
    static let pawnOffset = 640         // 2 colours x 64
    static let betweenOffset = 768      // 64 x 64: squares strictly between two aligned squares
    static let lineOffset = 768 + 4096  // 64 x 64: the whole line through two aligned squares
    static let totalCount = 768 + 8192

    /// Directions as (file step, rank step). The first four increase the square index, so their
    /// nearest blocker is the lowest set bit; the last four decrease it (highest set bit).
    static let directions: [(Int, Int)] = [(0, 1), (1, 0), (1, 1), (-1, 1), (0, -1), (-1, 0), (-1, -1), (1, -1)]

    nonisolated(unsafe) static let storage: UnsafeMutablePointer<UInt64> = build()

    private static func build() -> UnsafeMutablePointer<UInt64> {
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: totalCount)
        table.initialize(repeating: 0, count: totalCount)
        func onBoard(_ file: Int, _ rank: Int) -> Bool { file >= 0 && file < 8 && rank >= 0 && rank < 8 }
        for square in 0..<64 {
            let file = square & 7, rank = square >> 3
            for (d, (df, dr)) in directions.enumerated() {
                var ray: UInt64 = 0
                var f = file + df, r = rank + dr
                while onBoard(f, r) {
                    ray |= bit(r * 8 + f)
                    f += df
                    r += dr
                }
                table[rayOffset + d * 64 + square] = ray
            }
            for (df, dr) in [(1, 2), (2, 1), (2, -1), (1, -2), (-1, -2), (-2, -1), (-2, 1), (-1, 2)]
            where onBoard(file + df, rank + dr) {
                table[knightOffset + square] |= bit((rank + dr) * 8 + file + df)
            }
            for df in -1...1 {
                for dr in -1...1 where (df != 0 || dr != 0) && onBoard(file + df, rank + dr) {
                    table[kingOffset + square] |= bit((rank + dr) * 8 + file + df)
                }
            }
            for df in [-1, 1] {
                if onBoard(file + df, rank + 1) { table[pawnOffset + square] |= bit((rank + 1) * 8 + file + df) }
                if onBoard(file + df, rank - 1) { table[pawnOffset + 64 + square] |= bit((rank - 1) * 8 + file + df) }
            }
        }
        for from in 0..<64 {
            for (d, (df, dr)) in directions.enumerated() {
                let fullLine = table[rayOffset + d * 64 + from] | table[rayOffset + ((d + 4) % 8) * 64 + from] | bit(from)
                var between: UInt64 = 0
                var f = (from & 7) + df, r = (from >> 3) + dr
                while onBoard(f, r) {
                    let to = r * 8 + f
                    table[betweenOffset + from * 64 + to] = between
                    table[lineOffset + from * 64 + to] = fullLine
                    between |= bit(to)
                    f += df
                    r += dr
                }
            }
        }
        return table
    }

    @inline(__always) static func knight(_ square: Int) -> Bitboard { storage[knightOffset &+ square] }
    @inline(__always) static func king(_ square: Int) -> Bitboard { storage[kingOffset &+ square] }
    /// Squares a pawn of `color` on `square` attacks.
    @inline(__always) static func pawn(_ color: Color, _ square: Int) -> Bitboard {
        storage[pawnOffset &+ Int(color.rawValue) &* 64 &+ square]
    }
    /// Squares strictly between two squares on a common rank, file or diagonal; empty otherwise.
    @inline(__always) static func between(_ a: Int, _ b: Int) -> Bitboard { storage[betweenOffset &+ a &* 64 &+ b] }
    /// The full board line through two aligned squares (edge to edge); empty if not aligned.
    @inline(__always) static func line(_ a: Int, _ b: Int) -> Bitboard { storage[lineOffset &+ a &* 64 &+ b] }

    @inline(__always) private static func positiveRay(_ direction: Int, _ square: Int, _ occupied: Bitboard) -> Bitboard {
        let ray = storage[rayOffset &+ direction &* 64 &+ square]
        let blockers = ray & occupied
        if blockers == 0 { return ray }
        return ray ^ storage[rayOffset &+ direction &* 64 &+ blockers.lowestSquareIndex]
    }

    @inline(__always) private static func negativeRay(_ direction: Int, _ square: Int, _ occupied: Bitboard) -> Bitboard {
        let ray = storage[rayOffset &+ direction &* 64 &+ square]
        let blockers = ray & occupied
        if blockers == 0 { return ray }
        return ray ^ storage[rayOffset &+ direction &* 64 &+ blockers.highestSquareIndex]
    }

    /// Rook attacks from `square` given the occupied squares (blockers included in the result).
    @inline(__always) static func rook(_ square: Int, _ occupied: Bitboard) -> Bitboard {
        positiveRay(0, square, occupied) | positiveRay(1, square, occupied)
            | negativeRay(4, square, occupied) | negativeRay(5, square, occupied)
    }

    /// Bishop attacks from `square` given the occupied squares (blockers included in the result).
    @inline(__always) static func bishop(_ square: Int, _ occupied: Bitboard) -> Bitboard {
        positiveRay(2, square, occupied) | positiveRay(3, square, occupied)
            | negativeRay(6, square, occupied) | negativeRay(7, square, occupied)
    }
}
