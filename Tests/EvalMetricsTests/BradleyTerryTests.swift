import EvalMetrics
import Testing

@Suite("Bradley–Terry ratings")
struct BradleyTerryTests {
    /// One aggregated row: [playerA, playerB, winsA, draws, winsB].
    struct Row: Decodable, Sendable {
        let playerA: String, playerB: String, winsA: Int, draws: Int, winsB: Int
        init(from decoder: Decoder) throws {
            var container = try decoder.unkeyedContainer()
            playerA = try container.decode(String.self)
            playerB = try container.decode(String.self)
            winsA = try container.decode(Int.self)
            draws = try container.decode(Int.self)
            winsB = try container.decode(Int.self)
        }
    }
    struct Anchor: Decodable, Sendable { let mean: Double?; let player: String?; let rating: Double? }
    struct Input: Decodable, Sendable { let games: [Row]; let anchor: Anchor; let regularization: Double }
    struct Expected: Decodable, Sendable { let ratings: [String: Double]; let stderr: [String: Double]? }

    static func games(_ rows: [Row]) -> [PairwiseGame] {
        rows.flatMap { row in
            Array(repeating: PairwiseGame(playerA: row.playerA, playerB: row.playerB, scoreA: 1), count: row.winsA)
                + Array(repeating: PairwiseGame(playerA: row.playerA, playerB: row.playerB, scoreA: 0.5), count: row.draws)
                + Array(repeating: PairwiseGame(playerA: row.playerA, playerB: row.playerB, scoreA: 0), count: row.winsB)
        }
    }

    static func anchor(_ anchor: Anchor) -> RatingAnchor {
        if let player = anchor.player { return .player(player, rating: anchor.rating ?? 0) }
        return .mean(anchor.mean ?? 0)
    }

    @Test func fitMatchesIndependentSolver() throws {
        let fixture = try loadFixture("bradley_terry", input: Input.self, expected: Expected.self)
        for testCase in fixture.cases {
            let games = Self.games(testCase.input.games)
            let options = BradleyTerryOptions(regularization: testCase.input.regularization)
            guard let expected = testCase.expected else {
                #expect(throws: BradleyTerryError.self, "\(testCase.name) should not be fittable") {
                    try BradleyTerry.fit(games: games, anchor: Self.anchor(testCase.input.anchor), options: options)
                }
                continue
            }
            let fitted = try BradleyTerry.fit(games: games, anchor: Self.anchor(testCase.input.anchor), options: options)
            #expect(Set(fitted.players) == Set(expected.ratings.keys))
            for (player, rating) in expected.ratings {
                expectClose(fitted.rating(of: player) ?? .nan, rating, tolerance: testCase.tolerance,
                            "\(testCase.name) \(player)")
            }
        }
    }

    @Test func bootstrapIntervalsMatchAsymptoticStderr() throws {
        let fixture = try loadFixture("bradley_terry", input: Input.self, expected: Expected.self)
        let testCase = try #require(fixture.cases.first { $0.name == "bootstrap large sample" })
        let stderr = try #require(testCase.expected?.stderr)
        let games = Self.games(testCase.input.games)
        let result = try BradleyTerry.bootstrap(games: games, anchor: Self.anchor(testCase.input.anchor),
                                                resamples: 200, seed: 17)
        #expect(result.failedResamples == 0)
        for interval in result.intervals {
            let expected = try #require(stderr[interval.player])
            let halfWidth = (interval.high - interval.low) / 2
            #expect(interval.low < interval.rating && interval.rating < interval.high)
            // 200 resamples estimate a 95% interval to roughly ±15%.
            #expect(abs(halfWidth - 1.96 * expected) / (1.96 * expected) < 0.25,
                    "\(interval.player): half-width \(halfWidth) vs 1.96·\(expected)")
        }
        let again = try BradleyTerry.bootstrap(games: games, anchor: Self.anchor(testCase.input.anchor),
                                               resamples: 200, seed: 17)
        #expect(again == result)
    }

    @Test func anchorsAndScale() throws {
        let games = [PairwiseGame(playerA: "a", playerB: "b", scoreA: 1),
                     PairwiseGame(playerA: "a", playerB: "b", scoreA: 0),
                     PairwiseGame(playerA: "b", playerB: "c", scoreA: 0.5)]
        let fitted = try BradleyTerry.fit(games: games, anchor: .player("c", rating: 1200))
        #expect(abs((fitted.rating(of: "c") ?? 0) - 1200) < 1e-9)
        // Every pair is even, so every rating equals the anchor.
        for rating in fitted.ratings { #expect(abs(rating - 1200) < 1e-6) }
        #expect(abs(BradleyTerry.expectedScore(ratingA: 1400, ratingB: 1000) - 10.0 / 11.0) < 1e-12)
    }

    @Test func malformedGamesThrowDescriptiveErrors() {
        #expect(throws: BradleyTerryError.noGames) { try BradleyTerry.fit(games: []) }
        #expect(throws: BradleyTerryError.invalidScore(gameIndex: 0, score: 2)) {
            try BradleyTerry.fit(games: [PairwiseGame(playerA: "a", playerB: "b", scoreA: 2)])
        }
        #expect(throws: BradleyTerryError.selfPlay(gameIndex: 0, player: "a")) {
            try BradleyTerry.fit(games: [PairwiseGame(playerA: "a", playerB: "a", scoreA: 1)])
        }
        let even = [PairwiseGame(playerA: "a", playerB: "b", scoreA: 0.5)]
        #expect(throws: BradleyTerryError.unknownAnchorPlayer("z")) {
            try BradleyTerry.fit(games: even, anchor: .player("z", rating: 1000))
        }
        let message = BradleyTerryError.notIdentifiable(players: ["x"]).description
        #expect(message.contains("x") && message.contains("regularization"))
    }
}
