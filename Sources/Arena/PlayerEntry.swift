import Chess
import EvalCore

/// What a player instance is told about the game it is made for.
public struct PlayerContext: Sendable {
    public var color: Color
    public var white: String
    public var black: String
    /// The game's seed, already mixed with the colour, for random choices and request seeds.
    public var seed: UInt64
    public var event: String
    public var round: Int
}

/// A tournament participant: a name, the spec it came from, and how to make a fresh player
/// instance for each game (an engine gets its own process per game).
public struct PlayerEntry: Sendable {
    public var name: String
    public var spec: String
    /// Called once per game and colour; a throw forfeits that game with the error as reason.
    public var makePlayer: @Sendable (PlayerContext) throws -> any ChessPlayer

    public init(name: String, spec: String, makePlayer: @escaping @Sendable (PlayerContext) throws -> any ChessPlayer) {
        self.name = name
        self.spec = spec
        self.makePlayer = makePlayer
    }

    /// Builds entries from a config's players: `random` is a `RandomPlayer`, `stockfish...` and
    /// `uci:...` are `UCIEnginePlayer`s, anything else is a model spec given to `makeModel`
    /// (called once per distinct spec). Each model is wrapped in `SerializedLanguageModel`, so
    /// concurrent games send it one request at a time.
    /// - Throws: `UCIEngineSpecError` for a bad engine spec or a missing engine executable, and
    ///   whatever `makeModel` throws.
    public static func entries(for config: TournamentConfig,
                               makeModel: (_ spec: String) throws -> any LanguageModel) throws -> [PlayerEntry] {
        var models: [String: any LanguageModel] = [:]
        var entries: [PlayerEntry] = []
        let baseOptions = LanguageModelPlayerOptions(promptProtocol: config.promptProtocol, retries: config.retries,
                                                     showLegalMoves: config.showLegalMoves, maxTokens: config.maxTokens)
        for player in config.players {
            let name = player.name
            if player.spec == "random" {
                entries.append(PlayerEntry(name: name, spec: player.spec) { context in
                    RandomPlayer(name: name, seed: context.seed)
                })
            } else if UCIEngineSpec.isEngineSpec(player.spec) {
                var spec = try UCIEngineSpec(parsing: player.spec)
                spec.path = try spec.resolvedExecutable()  // fail before any game if it is missing
                let resolved = spec
                entries.append(PlayerEntry(name: name, spec: player.spec) { _ in
                    try UCIEnginePlayer(spec: resolved, name: name)
                })
            } else {
                let model: any LanguageModel
                if let existing = models[player.spec] {
                    model = existing
                } else {
                    model = SerializedLanguageModel(try makeModel(player.spec))
                    models[player.spec] = model
                }
                entries.append(PlayerEntry(name: name, spec: player.spec) { context in
                    let tags = [PGNTag("Event", context.event), PGNTag("Round", "\(context.round)"),
                                PGNTag("White", context.white), PGNTag("Black", context.black)]
                    var options = baseOptions
                    options.seed = context.seed
                    return LanguageModelPlayer(name: name, model: model, options: options, tags: tags)
                })
            }
        }
        return entries
    }
}
