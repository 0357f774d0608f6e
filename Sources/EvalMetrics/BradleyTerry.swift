#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One game between two players; `scoreA` is A's result: 1 win, 0.5 draw, 0 loss.
public struct PairwiseGame: Sendable, Codable, Equatable {
    /// The first player's name.
    public let playerA: String
    /// The second player's name.
    public let playerB: String
    /// A's score in [0, 1] (usually 0, 0.5 or 1); B scores 1 − scoreA.
    public let scoreA: Double

    /// A game; `scoreA` is validated when the games are fitted, not here.
    public init(playerA: String, playerB: String, scoreA: Double) {
        self.playerA = playerA
        self.playerB = playerB
        self.scoreA = scoreA
    }
}

/// Which rating the fitted scale is pinned to (Bradley–Terry only determines differences).
public enum RatingAnchor: Sendable, Codable, Equatable {
    /// The mean of all players' ratings equals this value.
    case mean(Double)
    /// The named player has this rating.
    case player(String, rating: Double)
}

/// Settings of the Bradley–Terry fit.
public struct BradleyTerryOptions: Sendable, Codable, Equatable {
    /// Rating points per factor of `base` in the odds: 400 on the Elo scale.
    public var scale: Double
    /// Odds base: 10 on the Elo scale, so a 400-point gap means 10:1 odds.
    public var base: Double
    /// L2 penalty λ on the natural-scale strengths θ (a Gaussian prior with variance 1/λ).
    /// 0 gives the plain maximum-likelihood fit, which exists only when the win/draw graph is
    /// strongly connected; a small value (e.g. 0.01) makes every data set solvable.
    public var regularization: Double
    /// Newton iterations stop when no strength moves by more than this (in θ units; one θ unit
    /// is scale / ln(base) ≈ 173.7 Elo points).
    public var tolerance: Double
    /// Iteration budget before the fit gives up.
    public var maxIterations: Int

    /// Elo scale, plain maximum likelihood, tight tolerance by default.
    public init(scale: Double = 400, base: Double = 10, regularization: Double = 0,
                tolerance: Double = 1e-10, maxIterations: Int = 100) {
        self.scale = scale
        self.base = base
        self.regularization = regularization
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }
}

/// Fitted ratings, aligned with `players` (in order of first appearance in the games).
public struct BradleyTerryRatings: Sendable, Codable, Equatable {
    /// Player names, in order of first appearance in the games.
    public let players: [String]
    /// `ratings[i]` is the rating of `players[i]`, on the anchored scale.
    public let ratings: [Double]
    /// Newton iterations used.
    public let iterations: Int
    /// Log-likelihood (natural log) of the games at the fitted strengths, without the penalty.
    public let logLikelihood: Double

    /// The rating of a player, or nil if the player played no game.
    public func rating(of player: String) -> Double? {
        players.firstIndex(of: player).map { ratings[$0] }
    }
}

/// Why a Bradley–Terry fit failed.
public enum BradleyTerryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The game list is empty.
    case noGames
    /// Game `gameIndex` (0-based) has a score outside [0, 1] or not finite.
    case invalidScore(gameIndex: Int, score: Double)
    /// Game `gameIndex` has the same player on both sides.
    case selfPlay(gameIndex: Int, player: String)
    /// The anchor names a player who played no game.
    case unknownAnchorPlayer(String)
    /// Without regularisation, these players' maximum-likelihood ratings are ±∞.
    case notIdentifiable(players: [String])
    /// Options out of range; the message says which.
    case invalidOptions(String)
    /// Newton iterations did not reach the tolerance.
    case didNotConverge(iterations: Int)
    /// Every bootstrap resample failed to fit.
    case noSuccessfulResample(resamples: Int)

    /// A message saying what is wrong and how to fix it.
    public var description: String {
        switch self {
        case .noGames: return "Bradley–Terry: no games to rate"
        case let .invalidScore(index, score):
            return "Bradley–Terry: game \(index) has scoreA \(score); expected a number in [0, 1] (1 win, 0.5 draw, 0 loss)"
        case let .selfPlay(index, player):
            return "Bradley–Terry: game \(index) pits \(player.debugDescription) against itself"
        case let .unknownAnchorPlayer(player):
            return "Bradley–Terry: anchor player \(player.debugDescription) played no game"
        case let .notIdentifiable(players):
            return "Bradley–Terry: the maximum-likelihood ratings are infinite because "
                + "\(players.joined(separator: ", ")) never scored against (or never conceded to) "
                + "the rest; add games or set a small regularization such as 0.01"
        case let .invalidOptions(message): return "Bradley–Terry: \(message)"
        case let .didNotConverge(iterations):
            return "Bradley–Terry: Newton iterations did not converge within \(iterations) iterations"
        case let .noSuccessfulResample(resamples):
            return "Bradley–Terry bootstrap: none of the \(resamples) resamples could be fitted"
        }
    }
}

/// Bradley–Terry ratings on the Elo scale: P(A beats B) = 1 / (1 + base^((R_B − R_A)/scale)).
///
/// Draws count as half a win for each side, i.e. the log-likelihood is
/// Σ_games s·log p + (1 − s)·log(1 − p). The maximum is found by Newton's method with a
/// backtracking line search on the strengths θ = R·ln(base)/scale (the log-likelihood is
/// concave, so this converges from θ = 0); see docs/metrics-math.md.
public enum BradleyTerry {
    /// Fits ratings to games.
    /// - Parameters:
    ///   - games: the games, any order; a player is anyone appearing in one.
    ///   - anchor: what pins the scale; the default puts the mean rating at 1000.
    ///   - options: scale, base, regularisation and convergence settings.
    /// - Throws: ``BradleyTerryError`` for empty or malformed games, an anchor player who did
    ///   not play, a data set without finite maximum-likelihood ratings (when unregularised),
    ///   or non-convergence.
    public static func fit(games: [PairwiseGame], anchor: RatingAnchor = .mean(1000),
                           options: BradleyTerryOptions = BradleyTerryOptions()) throws -> BradleyTerryRatings {
        let table = try PairTable(games: games)
        guard options.scale > 0, options.base > 1, options.regularization >= 0,
              options.tolerance > 0, options.maxIterations >= 1 else {
            throw BradleyTerryError.invalidOptions(
                "need scale > 0, base > 1, regularization ≥ 0, tolerance > 0, maxIterations ≥ 1")
        }
        if options.regularization == 0, let stranded = table.playersWithoutFiniteRatings() {
            throw BradleyTerryError.notIdentifiable(players: stranded)
        }
        let solution = try BradleyTerrySolver.maximize(table: table, options: options)
        let pointsPerUnit = options.scale / log(options.base)
        var ratings = solution.strengths.map { $0 * pointsPerUnit }
        let offset: Double
        switch anchor {
        case let .mean(target):
            offset = target - Statistics.mean(ratings)
        case let .player(name, target):
            guard let index = table.players.firstIndex(of: name) else {
                throw BradleyTerryError.unknownAnchorPlayer(name)
            }
            offset = target - ratings[index]
        }
        ratings = ratings.map { $0 + offset }
        return BradleyTerryRatings(players: table.players, ratings: ratings, iterations: solution.iterations,
                                   logLikelihood: table.logLikelihood(solution.strengths))
    }

    /// The Elo-scale win probability of a player rated `ratingA` against one rated `ratingB`.
    public static func expectedScore(ratingA: Double, ratingB: Double, scale: Double = 400, base: Double = 10) -> Double {
        1 / (1 + pow(base, (ratingB - ratingA) / scale))
    }
}

/// Games aggregated per unordered pair of players: `count` games, `scoreFirst` points for `first`.
struct PairTable {
    struct Pair {
        let first: Int
        let second: Int
        var count: Double
        var scoreFirst: Double
    }

    let players: [String]
    let pairs: [Pair]

    init(games: [PairwiseGame]) throws {
        guard !games.isEmpty else { throw BradleyTerryError.noGames }
        var index: [String: Int] = [:]
        var players: [String] = []
        var pairIndex: [Int: Int] = [:]
        var pairs: [Pair] = []
        for (gameIndex, game) in games.enumerated() {
            guard game.scoreA.isFinite, game.scoreA >= 0, game.scoreA <= 1 else {
                throw BradleyTerryError.invalidScore(gameIndex: gameIndex, score: game.scoreA)
            }
            guard game.playerA != game.playerB else {
                throw BradleyTerryError.selfPlay(gameIndex: gameIndex, player: game.playerA)
            }
            for name in [game.playerA, game.playerB] where index[name] == nil {
                index[name] = players.count
                players.append(name)
            }
            guard let a = index[game.playerA], let b = index[game.playerB] else { continue }
            let (first, second, scoreFirst) = a < b ? (a, b, game.scoreA) : (b, a, 1 - game.scoreA)
            let key = first * games.count * 2 + second
            if let existing = pairIndex[key] {
                pairs[existing].count += 1
                pairs[existing].scoreFirst += scoreFirst
            } else {
                pairIndex[key] = pairs.count
                pairs.append(Pair(first: first, second: second, count: 1, scoreFirst: scoreFirst))
            }
        }
        self.players = players
        self.pairs = pairs
    }

    /// Σ s·log σ(θᵢ − θⱼ) + (n − s)·log σ(θⱼ − θᵢ) over pairs.
    func logLikelihood(_ theta: [Double]) -> Double {
        var total = 0.0
        for pair in pairs {
            let difference = theta[pair.first] - theta[pair.second]
            total += pair.scoreFirst * logSigmoid(difference) + (pair.count - pair.scoreFirst) * logSigmoid(-difference)
        }
        return total
    }

    /// The MLE is finite iff the graph with an edge i → j whenever i scored against j is
    /// strongly connected. Returns the players cut off from player 0 (in either direction),
    /// or nil when every player is reachable both ways.
    func playersWithoutFiniteRatings() -> [String]? {
        var forward = [[Int]](repeating: [], count: players.count)
        var backward = forward
        for pair in pairs {
            if pair.scoreFirst > 0 {
                forward[pair.first].append(pair.second)
                backward[pair.second].append(pair.first)
            }
            if pair.count - pair.scoreFirst > 0 {
                forward[pair.second].append(pair.first)
                backward[pair.first].append(pair.second)
            }
        }
        func reachable(_ edges: [[Int]]) -> [Bool] {
            var seen = [Bool](repeating: false, count: players.count)
            var stack = [0]
            seen[0] = true
            while let node = stack.popLast() {
                for next in edges[node] where !seen[next] {
                    seen[next] = true
                    stack.append(next)
                }
            }
            return seen
        }
        let (out, into) = (reachable(forward), reachable(backward))
        let stranded = players.indices.filter { !out[$0] || !into[$0] }.map { players[$0] }
        return stranded.isEmpty ? nil : stranded
    }
}

/// log σ(x) = −log(1 + e^(−x)), evaluated without overflow for large |x|.
@inline(__always)
func logSigmoid(_ x: Double) -> Double {
    x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x))
}

/// σ(x) = 1 / (1 + e^(−x)).
@inline(__always)
func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}
