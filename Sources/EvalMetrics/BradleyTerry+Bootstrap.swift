import SeededRandom

/// A player's rating with its bootstrap interval.
public struct RatingInterval: Sendable, Codable, Equatable {
    /// The player's name.
    public let player: String
    /// The rating fitted on all games.
    public let rating: Double
    /// Lower quantile of the bootstrap ratings.
    public let low: Double
    /// Upper quantile of the bootstrap ratings.
    public let high: Double
}

/// Ratings with bootstrap intervals.
public struct BradleyTerryBootstrap: Sendable, Codable, Equatable {
    /// One interval per player, in the order of ``BradleyTerryRatings/players``.
    public let intervals: [RatingInterval]
    /// The fit on all games.
    public let ratings: BradleyTerryRatings
    /// Resamples requested.
    public let resamples: Int
    /// Resamples skipped because they could not be fitted: a player (or the anchor) missing
    /// from the resample, or, without regularisation, infinite maximum-likelihood ratings.
    public let failedResamples: Int
    /// Nominal coverage, e.g. 0.95.
    public let confidence: Double
}

extension BradleyTerry {
    /// Seeded bootstrap intervals: games are resampled with replacement (as many as there are)
    /// `resamples` times with `Xoshiro256(seed:)`, ratings refitted with the same anchor and
    /// options, and each player's interval is the ((1 − confidence)/2, (1 + confidence)/2)
    /// quantiles of their refitted ratings. Resamples that cannot be fitted are skipped and
    /// counted in ``BradleyTerryBootstrap/failedResamples``.
    /// - Throws: the errors of ``fit(games:anchor:options:)`` on the full data, or
    ///   ``BradleyTerryError/noSuccessfulResample(resamples:)``.
    public static func bootstrap(
        games: [PairwiseGame], anchor: RatingAnchor = .mean(1000),
        options: BradleyTerryOptions = BradleyTerryOptions(),
        resamples: Int = 1000, seed: UInt64, confidence: Double = 0.95
    ) throws -> BradleyTerryBootstrap {
        guard resamples >= 1, confidence > 0, confidence < 1 else {
            throw BradleyTerryError.invalidOptions("need resamples ≥ 1 and confidence in (0, 1)")
        }
        let full = try fit(games: games, anchor: anchor, options: options)
        var samples = [[Double]](repeating: [], count: full.players.count)
        var failed = 0
        var generator = Xoshiro256(seed: seed)
        var resample: [PairwiseGame] = []
        resample.reserveCapacity(games.count)
        for _ in 0..<resamples {
            resample.removeAll(keepingCapacity: true)
            for _ in 0..<games.count { resample.append(games[generator.nextInt(below: games.count)]) }
            guard let refit = try? fit(games: resample, anchor: anchor, options: options),
                  refit.players.count == full.players.count else {
                failed += 1
                continue
            }
            for (index, player) in full.players.enumerated() {
                if let rating = refit.rating(of: player) { samples[index].append(rating) }
            }
        }
        guard failed < resamples else { throw BradleyTerryError.noSuccessfulResample(resamples: resamples) }
        let tail = (1 - confidence) / 2
        let intervals = full.players.enumerated().map { index, player in
            RatingInterval(player: player, rating: full.ratings[index],
                           low: Statistics.quantile(samples[index], tail),
                           high: Statistics.quantile(samples[index], 1 - tail))
        }
        return BradleyTerryBootstrap(intervals: intervals, ratings: full, resamples: resamples,
                                     failedResamples: failed, confidence: confidence)
    }
}
