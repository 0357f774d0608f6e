import Chess

/// Identifies a scheduled game across runs: the pairing (in schedule order), the game's index
/// within the pairing, and its seed. A rerun skips games whose id is already finished.
public struct GameID: Sendable, Hashable, CustomStringConvertible {
    /// The pairing's first player (white in even-numbered games).
    public var playerA: String
    public var playerB: String
    /// 0-based index within the pairing.
    public var index: Int
    /// Seeds the game's players (random moves, model requests).
    public var seed: UInt64

    public init(playerA: String, playerB: String, index: Int, seed: UInt64) {
        self.playerA = playerA
        self.playerB = playerB
        self.index = index
        self.seed = seed
    }

    public var description: String { "\(playerA) vs \(playerB) game \(index + 1) (seed \(seed))" }
}

/// A finished game with everything the standings need.
public struct GameRecord: Sendable {
    public var id: GameID
    public var white: String
    public var black: String
    /// The whole game, opening moves included.
    public var game: Game
    public var result: GameResult
    public var termination: Termination
    /// Why a forfeit or adjudication happened, in words; nil for endings by the rules.
    public var reason: String?
    /// Illegal or unreadable replies by each side.
    public var whiteIllegalAttempts: Int
    public var blackIllegalAttempts: Int
    /// Plies that came from the opening, not from the players.
    public var openingPlies: Int
    public var event: String

    public init(id: GameID, white: String, black: String, game: Game, result: GameResult, termination: Termination,
                reason: String?, whiteIllegalAttempts: Int, blackIllegalAttempts: Int, openingPlies: Int, event: String) {
        self.id = id
        self.white = white
        self.black = black
        self.game = game
        self.result = result
        self.termination = termination
        self.reason = reason
        self.whiteIllegalAttempts = whiteIllegalAttempts
        self.blackIllegalAttempts = blackIllegalAttempts
        self.openingPlies = openingPlies
        self.event = event
    }

    /// White material minus black material at the end (P=1, N=B=3, R=5, Q=9).
    public var finalMaterialBalance: Int { game.position.materialBalance }

    /// Moves the players made themselves (plies after the opening) by `color`.
    public func movesPlayed(by color: Color) -> Int {
        guard openingPlies < game.history.count else { return 0 }
        return game.history[openingPlies...].filter { $0.sideToMove == color }.count
    }

    /// The colour `player` had, or nil if they did not play this game.
    public func color(of player: String) -> Color? {
        if player == white { return .white }
        if player == black { return .black }
        return nil
    }

    /// Tags written to PGN: the Seven Tag Roster values, the termination in words, the reason,
    /// illegal-attempt counts and the game's id (for resuming).
    public var tags: [PGNTag] {
        var tags = [
            PGNTag("Event", event), PGNTag("Site", "EvalKit"), PGNTag("Round", "\(id.index + 1)"),
            PGNTag("White", white), PGNTag("Black", black), PGNTag("Termination", termination.rawValue),
        ]
        if let reason { tags.append(PGNTag("TerminationDetails", reason.replacing("\n", with: " "))) }
        tags += [
            PGNTag("WhiteIllegalMoves", "\(whiteIllegalAttempts)"), PGNTag("BlackIllegalMoves", "\(blackIllegalAttempts)"),
            PGNTag("PlyCount", "\(game.plyCount)"), PGNTag("OpeningPlies", "\(openingPlies)"),
            PGNTag("ArenaPlayerA", id.playerA), PGNTag("ArenaPlayerB", id.playerB),
            PGNTag("ArenaGameIndex", "\(id.index)"), PGNTag("ArenaSeed", "\(id.seed)"),
        ]
        return tags
    }

    /// The game in PGN export format, ending with a newline.
    public var pgn: String { PGN.write(game, tags: tags, result: result) }

    /// All games in one PGN text, separated by blank lines.
    public static func pgn(_ records: [GameRecord]) -> String {
        records.map(\.pgn).joined(separator: "\n")
    }

    /// Reads records back from PGN this type wrote (a games file), e.g. to resume a tournament.
    /// Games without the Arena id tags (written by something else) are an error.
    /// - Throws: `PGNError` for unreadable PGN, `TournamentConfigError` naming the game for missing tags.
    public static func read(pgn text: String) throws -> [GameRecord] {
        try PGN.read(text).enumerated().map { number, read in
            func tag(_ name: String) throws -> String {
                guard let value = read[tag: name] else {
                    throw TournamentConfigError(keyPath: "games file", message: "game \(number + 1) has no \(name) tag; it was not written by the arena")
                }
                return value
            }
            func int(_ name: String) throws -> Int {
                let text = try tag(name)
                guard let value = Int(text) else { throw TournamentConfigError(keyPath: "games file", message: "game \(number + 1): \(name) '\(text)' is not a number") }
                return value
            }
            guard let seed = UInt64(try tag("ArenaSeed")) else {
                throw TournamentConfigError(keyPath: "games file", message: "game \(number + 1): ArenaSeed is not a number")
            }
            let termination = Termination(rawValue: try tag("Termination")) ?? read.game.outcome?.termination ?? .adjudication
            let id = GameID(playerA: try tag("ArenaPlayerA"), playerB: try tag("ArenaPlayerB"), index: try int("ArenaGameIndex"), seed: seed)
            return GameRecord(id: id, white: try tag("White"), black: try tag("Black"), game: read.game, result: read.result,
                              termination: termination, reason: read[tag: "TerminationDetails"],
                              whiteIllegalAttempts: try int("WhiteIllegalMoves"), blackIllegalAttempts: try int("BlackIllegalMoves"),
                              openingPlies: read[tag: "OpeningPlies"].flatMap { Int($0) } ?? 0, event: read[tag: "Event"] ?? "?")
        }
    }
}
