import Arena
import Chess
import Foundation
import Testing

@Suite struct TournamentConfigTests {
    static func decode(_ json: String) throws -> TournamentConfig {
        try JSONDecoder().decode(TournamentConfig.self, from: Data(json.utf8))
    }

    @Test func decodesEveryKeyOfTheFixture() throws {
        let folder = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: folder.appendingPathComponent("chess-task.json"))
        let config = try JSONDecoder().decode(TournamentConfig.self, from: data)
        #expect(config.players == [PlayerSpec(spec: "random"), PlayerSpec(name: "sf", spec: "stockfish:skill=0,movetime=20"),
                                   PlayerSpec(spec: "tiny-model")])
        #expect(config.gamesPerPairing == 4 && config.schedule == .gauntlet && config.maxPlies == 120)
        #expect(config.anchors == [AnchorSpec(player: "sf", elo: 1350)])
        #expect(config.ratingAnchor == .player("sf", elo: 1350))
        #expect(config.openings == .randomPlies(6) && config.adjudication == .material(threshold: 4))
        #expect(config.promptProtocol == .chat && config.retries == 2 && config.showLegalMoves)
        #expect(config.seed == 7 && config.concurrency == 2 && config.bootstrapResamples == 200)
    }

    @Test func errorsNameTheKey() {
        let players = #""players": ["random", "stockfish"]"#
        let cases: [(String, TournamentConfigError)] = [
            ("{\(players), \"max_plys\": 10}", TournamentConfigError(keyPath: "max_plys", message: "unknown key (did you mean 'max_plies'?)")),
            ("{\"players\": [\"random\"]}", TournamentConfigError(keyPath: "players", message: "a tournament needs at least two players, got 1")),
            ("{\(players), \"schedule\": \"swiss\"}", TournamentConfigError(keyPath: "schedule", message: "expected round_robin or gauntlet, got 'swiss'")),
            ("{\(players), \"openings\": {\"fen\": [\"not a fen\"]}}",
             TournamentConfigError(keyPath: "openings", message: "fen[0]: invalid FEN 'not a fen': FEN: expected 6 fields separated by single spaces, found 3")),
            ("{\(players), \"anchors\": [\"nobody\"]}", TournamentConfigError(keyPath: "anchors[0]", message: "'nobody' is not a player; players are random, stockfish")),
            ("{\(players), \"games_per_pairing\": \"many\"}", TournamentConfigError(keyPath: "games_per_pairing", message: "expected a whole number")),
            ("{\"players\": [\"random\", {\"spec\": \"random\", \"nick\": \"x\"}]}",
             TournamentConfigError(keyPath: "players[1].nick", message: "unknown key; a player is a spec string or {spec: ..., name: ...}")),
            ("{\"players\": [\"random\", \"random\"]}",
             TournamentConfigError(keyPath: "players[1]", message: "duplicate player name 'random'; give one of them a distinct name")),
        ]
        for (json, expected) in cases {
            do {
                _ = try Self.decode(json)
                Issue.record("expected an error for \(json)")
            } catch let error as TournamentConfigError {
                #expect(error == expected)
            } catch {
                Issue.record("unexpected error \(error) for \(json)")
            }
        }
    }
}

@Suite struct TournamentConfigEncodingTests {
    @Test func encodingAndDecodingGiveTheSameConfig() throws {
        var config = TournamentConfig(players: [PlayerSpec(spec: "random"), PlayerSpec(name: "sf", spec: "stockfish:depth=2"),
                                                PlayerSpec(name: "r2", spec: "random")])
        config.anchors = [AnchorSpec(player: "sf", elo: 1500), AnchorSpec(player: "random")]
        config.schedule = .gauntlet
        config.adjudication = .material(threshold: 3)
        config.maxTokens = 12
        config.seed = 99
        for openings in [Openings.standard, .fens([Position.standardFEN]), .pgn(["1. d4"]), .randomPlies(3)] {
            config.openings = openings
            let data = try JSONEncoder().encode(config)
            #expect(try JSONDecoder().decode(TournamentConfig.self, from: data) == config)
        }
    }
}
