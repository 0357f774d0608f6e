import Chess
import EvalCore

/// A scheduled game: who plays white and black, and its id.
public struct ScheduledGame: Sendable {
    public var id: GameID
    public var white: String
    public var black: String
    /// Which opening (games 2k and 2k+1 of a pairing share opening k).
    public var openingNumber: Int
}

/// Progress after each finished game: the record, games finished (resumed ones included), total.
public typealias TournamentProgress = @Sendable (_ record: GameRecord, _ finished: Int, _ total: Int) -> Void

/// A chess tournament: schedule, games (several at once when `concurrency` > 1), standings and
/// ratings.
///
/// Concurrency: every game gets fresh player instances from `PlayerEntry.makePlayer` (an engine
/// is a process per game). Language-model players built by `PlayerEntry.entries` share one
/// `SerializedLanguageModel` per model, which sends one request at a time, so a model need not
/// be safe to call concurrently; games interleave between moves. A game's moves depend only on
/// its players, opening and seed, never on which games run beside it (Stockfish with `movetime`
/// is the exception: its search depends on timing).
public struct Tournament: Sendable {
    public let config: TournamentConfig
    public let players: [PlayerEntry]
    public let schedule: [ScheduledGame]
    private let book: OpeningBook

    /// - Parameter players: one entry per `config.players` name (extra entries are ignored).
    /// - Throws: `TournamentConfigError` for an invalid config or a player without an entry.
    public init(config: TournamentConfig, players: [PlayerEntry]) throws {
        try config.validate()
        for spec in config.players where !players.contains(where: { $0.name == spec.name }) {
            throw TournamentConfigError(keyPath: "players", message: "no player implementation given for '\(spec.name)'")
        }
        self.config = config
        self.players = players
        self.book = try OpeningBook(config.openings)
        self.schedule = Tournament.makeSchedule(config)
    }

    /// Builds players from the config with `PlayerEntry.entries(for:makeModel:)`.
    public init(config: TournamentConfig, makeModel: (_ spec: String) throws -> any LanguageModel) throws {
        try config.validate()
        try self.init(config: config, players: PlayerEntry.entries(for: config, makeModel: makeModel))
    }

    /// Pairings in order (round robin: each pair i < j in player order; gauntlet: each
    /// candidate against each anchor), each with `gamesPerPairing` games; in game i of a pairing
    /// the first player has white when i is even.
    static func makeSchedule(_ config: TournamentConfig) -> [ScheduledGame] {
        let names = config.players.map(\.name)
        var pairings: [(String, String)] = []
        switch config.schedule {
        case .roundRobin:
            for i in names.indices { for j in names.indices where j > i { pairings.append((names[i], names[j])) } }
        case .gauntlet:
            let anchors = names.filter { name in config.anchors.contains { $0.player == name } }
            for candidate in names where !anchors.contains(candidate) {
                for anchor in anchors { pairings.append((candidate, anchor)) }
            }
        }
        var games: [ScheduledGame] = []
        for (a, b) in pairings {
            for index in 0..<config.gamesPerPairing {
                let seed = SeedMixer.mix(config.seed, SeedMixer.hash(a), SeedMixer.hash(b), UInt64(index))
                let id = GameID(playerA: a, playerB: b, index: index, seed: seed)
                let (white, black) = index % 2 == 0 ? (a, b) : (b, a)
                games.append(ScheduledGame(id: id, white: white, black: black, openingNumber: index / 2))
            }
        }
        return games
    }

    /// Plays every scheduled game not in `finished`, then computes standings and ratings.
    /// - Parameters:
    ///   - finished: games already played (e.g. `GameRecord.read(pgn:)` of the games file);
    ///     those whose id is in the schedule are kept and not replayed, others are ignored.
    ///   - progress: called after each newly finished game, one call at a time (never
    ///     concurrently), e.g. to append `record.pgn` to the games file so an interrupted run
    ///     can resume.
    /// - Throws: `CancellationError` if the task is cancelled (games in progress are dropped,
    ///   not recorded). Player failures never throw: they end their game as a forfeit.
    public func run(finished: [GameRecord] = [], progress: TournamentProgress? = nil) async throws -> TournamentResult {
        var done: [GameID: GameRecord] = [:]
        let scheduled = Set(schedule.map(\.id))
        for record in finished where scheduled.contains(record.id) { done[record.id] = record }
        let pending = schedule.filter { done[$0.id] == nil }
        let total = schedule.count
        var finishedCount = done.count
        var iterator = pending.makeIterator()
        try await withThrowingTaskGroup(of: GameRecord.self) { group in
            func startNext() -> Bool {
                guard let next = iterator.next() else { return false }
                group.addTask { try await self.play(next) }
                return true
            }
            for _ in 0..<config.concurrency where !startNext() { break }
            while let record = try await group.next() {
                done[record.id] = record
                finishedCount += 1
                progress?(record, finishedCount, total)
                _ = startNext()
            }
        }
        let records = schedule.compactMap { done[$0.id] }
        return TournamentResult(config: config, games: records)
    }

    /// Plays one scheduled game.
    public func play(_ scheduled: ScheduledGame) async throws -> GameRecord {
        try Task.checkCancellation()
        let opening = book.opening(scheduled.openingNumber, tournamentSeed: config.seed)
        func make(_ name: String, _ color: Color) -> Result<any ChessPlayer, Error> {
            let context = PlayerContext(color: color, white: scheduled.white, black: scheduled.black,
                                        seed: SeedMixer.mix(scheduled.id.seed, UInt64(color.rawValue) + 1),
                                        event: config.event, round: scheduled.id.index + 1)
            guard let entry = players.first(where: { $0.name == name }) else {
                return .failure(TournamentConfigError(keyPath: "players", message: "no player implementation for '\(name)'"))
            }
            return Result { try entry.makePlayer(context) }
        }
        let white = make(scheduled.white, .white)
        let black = make(scheduled.black, .black)
        var game = opening
        var reason: String?
        var illegal: [Color: Int] = [:]
        switch (white, black) {
        case (.success(let w), .success(let b)):
            let played = await GamePlay.play(white: w, black: b, opening: opening, maxPlies: config.maxPlies, adjudication: config.adjudication)
            // An unfinished game is not a result: it must be played again when the run resumes.
            if played.cancelled { throw CancellationError() }
            (game, reason, illegal) = (played.game, played.reason, played.illegalAttempts)
        default:
            // A player that cannot even be created forfeits (white first if both fail).
            let failed: Color = if case .failure = white { .white } else { .black }
            let error: Error? = if case .failure(let e) = white { e } else if case .failure(let e) = black { e } else { nil }
            for case .success(let player) in [white, black] { await player.finish() }
            if game.outcome == nil { try? game.end(Outcome(winner: failed.opponent, termination: .forfeit)) }
            reason = "\(failed) forfeits: could not start \(failed == .white ? scheduled.white : scheduled.black): \(error.map { "\($0)" } ?? "unknown error")"
        }
        let outcome = game.outcome ?? Outcome(winner: nil, termination: .adjudication)
        return GameRecord(id: scheduled.id, white: scheduled.white, black: scheduled.black, game: game, result: outcome.result,
                          termination: outcome.termination, reason: reason,
                          whiteIllegalAttempts: illegal[.white] ?? 0, blackIllegalAttempts: illegal[.black] ?? 0,
                          openingPlies: opening.plyCount, event: config.event)
    }
}
