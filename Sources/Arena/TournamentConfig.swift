import Chess

/// One player in a tournament: the name used in PGN and standings, and the spec it is built from.
public struct PlayerSpec: Sendable, Decodable, Equatable {
    /// Unique within the tournament; defaults to the spec.
    public var name: String
    /// `random`, `stockfish:...`, `uci:path=...,...`, or a model spec handed to the caller's
    /// model factory.
    public var spec: String

    public init(name: String? = nil, spec: String) {
        self.name = name ?? spec
        self.spec = spec
    }
}

/// Who plays whom.
public enum Schedule: String, Sendable, Codable, Equatable {
    /// Every pair of players.
    case roundRobin = "round_robin"
    /// Every non-anchor player (candidate) against every anchor; anchors do not play each other.
    case gauntlet
}

/// A fixed point of the rating scale or of a gauntlet.
public struct AnchorSpec: Sendable, Decodable, Equatable {
    /// A player name from `players`.
    public var player: String
    /// The Elo this player is pinned to; the first anchor with one fixes the rating scale.
    public var elo: Double?

    public init(player: String, elo: Double? = nil) {
        self.player = player
        self.elo = elo
    }
}

/// Where games start. Games come in colour-swapped pairs: games 2k and 2k+1 of a pairing share
/// opening k, with colours reversed.
public enum Openings: Sendable, Equatable {
    /// The standard starting position.
    case standard
    /// Starting positions as FEN, used in turn.
    case fens([String])
    /// Openings as PGN movetext from the standard position (e.g. `1. e4 c5 2. Nf3`), used in turn.
    case pgn([String])
    /// This many seeded random plies from the standard position; the seed mixes the tournament
    /// seed with k, so every pairing meets the same random openings.
    case randomPlies(Int)
}

/// What happens when a game reaches `maxPlies`.
public enum Adjudication: Sendable, Equatable {
    /// The game is drawn.
    case draw
    /// The side ahead by at least this much material (P=1, N=B=3, R=5, Q=9) wins; else a draw.
    case material(threshold: Int)
}

/// Everything a chess tournament needs except the players' implementations. Decodes from the
/// keys of a `kind: chess` task file (see docs/arena.md and `init(from:)`).
public struct TournamentConfig: Sendable, Equatable {
    public var players: [PlayerSpec]
    /// Games each pairing plays; colours alternate, the first player of a pairing has white in even games.
    public var gamesPerPairing: Int = 2
    public var schedule: Schedule = .roundRobin
    public var anchors: [AnchorSpec] = []
    public var openings: Openings = .standard
    /// Half-moves (opening plies included) after which the game is adjudicated.
    public var maxPlies: Int = 200
    public var adjudication: Adjudication = .draw
    /// Prompt protocol of language-model players.
    public var promptProtocol: PromptProtocol = .pgn
    /// Retries after an illegal or unreadable reply, for language-model players.
    public var retries: Int = 3
    /// Whether the chat prompt lists the legal moves.
    public var showLegalMoves: Bool = false
    /// Generation budget per reply; nil takes the protocol's default.
    public var maxTokens: Int?
    /// Seeds openings, random players, model requests and the rating bootstrap.
    public var seed: UInt64 = 0
    /// Games played at once.
    public var concurrency: Int = 1
    /// Bootstrap resamples for the rating intervals (0 skips the intervals).
    public var bootstrapResamples: Int = 1000
    /// L2 penalty of the Bradley–Terry fit; a small value keeps ratings finite when a player
    /// loses (or wins) every game.
    public var ratingRegularization: Double = 0.01
    /// The PGN Event tag.
    public var event: String = "EvalKit arena"

    public init(players: [PlayerSpec]) {
        self.players = players
    }

    /// The rating anchor: the first anchor with an Elo, else the mean rating at 1000.
    public var ratingAnchor: RatingAnchorChoice {
        if let anchor = anchors.first(where: { $0.elo != nil }), let elo = anchor.elo { return .player(anchor.player, elo: elo) }
        return .mean(1000)
    }

    /// Checks names, counts and openings.
    /// - Throws: `TournamentConfigError` naming the key and what is accepted.
    public func validate() throws(TournamentConfigError) {
        func fail(_ key: String, _ message: String) -> TournamentConfigError { TournamentConfigError(keyPath: key, message: message) }
        guard players.count >= 2 else { throw fail("players", "a tournament needs at least two players, got \(players.count)") }
        var seen: Set<String> = []
        for (index, player) in players.enumerated() {
            guard !player.name.isEmpty, !player.spec.isEmpty else { throw fail("players[\(index)]", "name and spec must not be empty") }
            guard seen.insert(player.name).inserted else {
                throw fail("players[\(index)]", "duplicate player name '\(player.name)'; give one of them a distinct name")
            }
        }
        guard gamesPerPairing >= 1 else { throw fail("games_per_pairing", "must be at least 1, got \(gamesPerPairing)") }
        guard maxPlies >= 1 else { throw fail("max_plies", "must be at least 1, got \(maxPlies)") }
        guard retries >= 0 else { throw fail("retries", "must be 0 or more, got \(retries)") }
        guard concurrency >= 1 else { throw fail("concurrency", "must be at least 1, got \(concurrency)") }
        guard bootstrapResamples >= 0 else { throw fail("bootstrap", "must be 0 or more, got \(bootstrapResamples)") }
        guard ratingRegularization >= 0 else { throw fail("rating_regularization", "must be 0 or more") }
        if let maxTokens, maxTokens < 1 { throw fail("max_tokens", "must be at least 1, got \(maxTokens)") }
        if case .material(let threshold) = adjudication, threshold < 1 {
            throw fail("adjudication.material", "threshold must be at least 1 pawn, got \(threshold)")
        }
        for (index, anchor) in anchors.enumerated() where !seen.contains(anchor.player) {
            throw fail("anchors[\(index)]", "'\(anchor.player)' is not a player; players are \(players.map(\.name).joined(separator: ", "))")
        }
        if schedule == .gauntlet {
            let anchorNames = Set(anchors.map(\.player))
            guard !anchorNames.isEmpty else { throw fail("anchors", "a gauntlet needs at least one anchor") }
            guard players.contains(where: { !anchorNames.contains($0.name) }) else {
                throw fail("anchors", "a gauntlet needs at least one player who is not an anchor")
            }
        }
        do {
            _ = try OpeningBook(openings)
        } catch {
            throw fail("openings", error.message)
        }
    }
}

/// The point the rating scale is pinned to.
public enum RatingAnchorChoice: Sendable, Equatable {
    case mean(Double)
    case player(String, elo: Double)
}

/// A configuration error: the key path and what is wrong.
public struct TournamentConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var keyPath: String
    public var message: String

    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String { keyPath.isEmpty ? "chess task: \(message)" : "chess task: \(keyPath): \(message)" }

    /// The config error inside an error a decoder threw: Yams' `YAMLDecoder` wraps errors thrown
    /// by `init(from:)` in `DecodingError.dataCorrupted` with the original as underlying error.
    public static func unwrapping(_ error: any Error) -> TournamentConfigError? {
        if let error = error as? TournamentConfigError { return error }
        if case .dataCorrupted(let context) = error as? DecodingError, let underlying = context.underlyingError {
            return unwrapping(underlying)
        }
        return nil
    }
}
