import Chess
import EvalMetrics

/// One player's line in the standings.
public struct PlayerStanding: Sendable, Equatable {
    public var player: String
    public var games = 0
    public var wins = 0
    public var draws = 0
    public var losses = 0
    /// Moves the player chose (opening plies excluded).
    public var movesPlayed = 0
    /// Illegal or unreadable replies.
    public var illegalAttempts = 0
    /// Games lost by forfeit.
    public var forfeits = 0
    /// Sum of game lengths in plies, for the average.
    var totalPlies = 0
    /// Sum of final material balances from this player's side, for the average.
    var totalMaterial = 0
    /// Bradley–Terry rating and its bootstrap interval, when ratings could be fitted.
    public var rating: Double?
    public var ratingLow: Double?
    public var ratingHigh: Double?

    public init(player: String) { self.player = player }

    /// Points: 1 per win, ½ per draw.
    public var score: Double { Double(wins) + 0.5 * Double(draws) }
    /// Illegal replies per 1,000 moves asked of the player: moves played plus turns that ended
    /// in a forfeit, so a player that never produces a legal move still gets a finite, large
    /// rate (four rejected replies before one forfeit count 4,000), not 0.
    public var illegalPerThousandMoves: Double {
        let asked = movesPlayed + forfeits
        return asked == 0 ? 0 : 1000 * Double(illegalAttempts) / Double(asked)
    }
    /// Mean game length in plies (opening included).
    public var averageGameLength: Double { games == 0 ? 0 : Double(totalPlies) / Double(games) }
    /// Mean material balance at the end of the player's games, from the player's side (P=1 … Q=9).
    public var averageFinalMaterial: Double { games == 0 ? 0 : Double(totalMaterial) / Double(games) }
}

/// A fitted rating with its bootstrap 95% interval (nil without a bootstrap).
public struct PlayerRating: Sendable, Equatable {
    public var player: String
    public var rating: Double
    public var low: Double?
    public var high: Double?
}

/// Bradley–Terry ratings of a tournament's players (in order of first appearance in the games).
public struct TournamentRatings: Sendable, Equatable {
    public var ratings: [PlayerRating]
    public var anchor: RatingAnchorChoice
    /// Bootstrap resamples drawn (0: no intervals) and how many could not be fitted.
    public var resamples: Int
    public var failedResamples: Int

    /// The rating of `player`, if they played a decided game.
    public func rating(of player: String) -> PlayerRating? { ratings.first { $0.player == player } }
}

/// Games, standings and ratings of a tournament.
public struct TournamentResult: Sendable {
    public let config: TournamentConfig
    /// Games in schedule order.
    public let games: [GameRecord]
    /// One line per player in `config.players` order.
    public let standings: [PlayerStanding]
    /// Ratings with bootstrap intervals; nil when they could not be fitted (see `ratingError`).
    public let ratings: TournamentRatings?
    public let ratingError: String?

    public init(config: TournamentConfig, games: [GameRecord]) {
        self.config = config
        self.games = games
        var standings = config.players.map { PlayerStanding(player: $0.name) }
        let index = Dictionary(uniqueKeysWithValues: config.players.enumerated().map { ($1.name, $0) })
        for record in games {
            for color in [Color.white, .black] {
                guard let i = index[color == .white ? record.white : record.black] else { continue }
                standings[i].games += 1
                switch record.result.score(for: color) {
                case 1: standings[i].wins += 1
                case 0: standings[i].losses += 1
                case 0.5: standings[i].draws += 1
                default: break
                }
                standings[i].movesPlayed += record.movesPlayed(by: color)
                standings[i].illegalAttempts += color == .white ? record.whiteIllegalAttempts : record.blackIllegalAttempts
                if record.termination == .forfeit, record.result.score(for: color) == 0 { standings[i].forfeits += 1 }
                standings[i].totalPlies += record.game.plyCount
                standings[i].totalMaterial += color == .white ? record.finalMaterialBalance : -record.finalMaterialBalance
            }
        }
        var ratings: TournamentRatings?
        var ratingError: String?
        do {
            ratings = try TournamentResult.rate(games, anchor: config.ratingAnchor, regularization: config.ratingRegularization,
                                                resamples: config.bootstrapResamples, seed: config.seed)
        } catch {
            ratingError = "\(error)"
        }
        if let ratings {
            for rating in ratings.ratings {
                guard let i = index[rating.player] else { continue }
                standings[i].rating = rating.rating
                standings[i].ratingLow = rating.low
                standings[i].ratingHigh = rating.high
            }
        }
        self.standings = standings
        self.ratings = ratings
        self.ratingError = ratingError
    }

    /// Bradley–Terry ratings on the Elo scale (EvalMetrics), white's score as player A's, with a
    /// seeded bootstrap (95% intervals); `resamples` 0 fits without intervals.
    public static func rate(_ games: [GameRecord], anchor: RatingAnchorChoice, regularization: Double,
                            resamples: Int, seed: UInt64) throws -> TournamentRatings {
        let pairwise = games.compactMap { record in
            record.result.score(for: .white).map { PairwiseGame(playerA: record.white, playerB: record.black, scoreA: $0) }
        }
        let ratingAnchor: RatingAnchor = switch anchor {
        case .mean(let value): .mean(value)
        case .player(let name, let elo): .player(name, rating: elo)
        }
        let options = BradleyTerryOptions(regularization: regularization)
        if resamples == 0 {
            let fit = try BradleyTerry.fit(games: pairwise, anchor: ratingAnchor, options: options)
            return TournamentRatings(ratings: zip(fit.players, fit.ratings).map { PlayerRating(player: $0, rating: $1, low: nil, high: nil) },
                                     anchor: anchor, resamples: 0, failedResamples: 0)
        }
        let bootstrap = try BradleyTerry.bootstrap(games: pairwise, anchor: ratingAnchor, options: options,
                                                   resamples: resamples, seed: seed, confidence: 0.95)
        return TournamentRatings(ratings: bootstrap.intervals.map { PlayerRating(player: $0.player, rating: $0.rating, low: $0.low, high: $0.high) },
                                 anchor: anchor, resamples: resamples, failedResamples: bootstrap.failedResamples)
    }

    /// Every game in one PGN text.
    public var pgn: String { GameRecord.pgn(games) }

    /// Standings as a Markdown table, best rating first (score when there are no ratings).
    public func markdownTable() -> String {
        let ordered = standings.sorted { a, b in
            if let ra = a.rating, let rb = b.rating, ra != rb { return ra > rb }
            if a.score != b.score { return a.score > b.score }
            return a.player < b.player
        }
        func fixed(_ value: Double, _ digits: Int) -> String {
            let factor = pow10(digits)
            let rounded = (value * factor).rounded() / factor
            var text = "\(rounded)"
            if digits == 0 { text = "\(Int(rounded))" }
            return text
        }
        var lines = [
            "| # | Player | Rating | 95% CI | Games | W | D | L | Score | Illegal / 1000 moves | Forfeits | Avg plies | Avg material |",
            "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for (rank, s) in ordered.enumerated() {
            let rating = s.rating.map { fixed($0, 0) } ?? "–"
            let interval = s.ratingLow.flatMap { low in s.ratingHigh.map { "\(fixed(low, 0))–\(fixed($0, 0))" } } ?? "–"
            let player = s.player.replacing("|", with: "\\|")
            lines.append("| \(rank + 1) | \(player) | \(rating) | \(interval) | \(s.games) | \(s.wins) | \(s.draws) | \(s.losses) | "
                + "\(fixed(s.score, 1)) | \(fixed(s.illegalPerThousandMoves, 1)) | \(s.forfeits) | \(fixed(s.averageGameLength, 1)) | \(fixed(s.averageFinalMaterial, 2)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

private func pow10(_ digits: Int) -> Double {
    var value = 1.0
    for _ in 0..<digits { value *= 10 }
    return value
}
