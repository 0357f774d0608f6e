import Arena
import Chess
import Foundation
import Testing

@Suite struct RatingsTests {
    /// A record with only what ratings read: players and result.
    static func record(_ white: String, _ black: String, _ result: GameResult, index: Int) -> GameRecord {
        GameRecord(id: GameID(playerA: white, playerB: black, index: index, seed: 0), white: white, black: black, game: Game(),
                   result: result, termination: .adjudication, reason: nil, whiteIllegalAttempts: 0, blackIllegalAttempts: 0,
                   openingPlies: 0, event: "test")
    }

    @Test func ratingsMatchHandComputedValues() throws {
        // A–B: A scores 2.5 of 4 (win, win, draw, loss); B–C: B scores 3 of 4. The pairings form a
        // tree, so the maximum-likelihood differences are per pair: R_A − R_B = 400·log10(2.5/1.5)
        // = 88.7395, R_B − R_C = 400·log10(3/1) = 190.8485. Anchored with C at 1200.
        let games = [
            Self.record("A", "B", .whiteWins, index: 0), Self.record("B", "A", .blackWins, index: 1),
            Self.record("A", "B", .draw, index: 2), Self.record("B", "A", .whiteWins, index: 3),
            Self.record("B", "C", .whiteWins, index: 0), Self.record("C", "B", .blackWins, index: 1),
            Self.record("B", "C", .whiteWins, index: 2), Self.record("C", "B", .whiteWins, index: 3),
        ]
        let ratings = try TournamentResult.rate(games, anchor: .player("C", elo: 1200), regularization: 0, resamples: 0, seed: 1)
        let b = 1200 + 400 * log10(3.0)
        let a = b + 400 * log10(2.5 / 1.5)
        #expect(abs((ratings.rating(of: "C")?.rating ?? 0) - 1200) < 1e-6)
        #expect(abs((ratings.rating(of: "B")?.rating ?? 0) - b) < 1e-6)
        #expect(abs((ratings.rating(of: "A")?.rating ?? 0) - a) < 1e-6)
        #expect(abs(b - 1390.8485) < 1e-3 && abs(a - 1479.5880) < 1e-3)

        // Mean anchor: the three ratings average 1000 with the same differences.
        let mean = try TournamentResult.rate(games, anchor: .mean(1000), regularization: 0, resamples: 0, seed: 1)
        let values = ["A", "B", "C"].compactMap { mean.rating(of: $0)?.rating }
        #expect(abs(values.reduce(0, +) / 3 - 1000) < 1e-6)
        #expect(abs(values[0] - values[1] - 400 * log10(2.5 / 1.5)) < 1e-6)
    }

    @Test func bootstrapIntervalsAreSeededAndContainTheFit() throws {
        var games: [GameRecord] = []
        for index in 0..<6 {
            games.append(Self.record("A", "B", index < 4 ? .whiteWins : .blackWins, index: index))
            games.append(Self.record("B", "A", index < 2 ? .whiteWins : .draw, index: index + 6))
        }
        let first = try TournamentResult.rate(games, anchor: .mean(1000), regularization: 0.01, resamples: 200, seed: 5)
        let second = try TournamentResult.rate(games, anchor: .mean(1000), regularization: 0.01, resamples: 200, seed: 5)
        #expect(first == second)
        for rating in first.ratings {
            let low = try #require(rating.low), high = try #require(rating.high)
            #expect(low <= rating.rating && rating.rating <= high)
            #expect(high - low > 1)
        }
    }
}
