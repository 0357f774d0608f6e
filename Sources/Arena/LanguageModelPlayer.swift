import Chess
import EvalCore

/// Settings of a `LanguageModelPlayer`.
public struct LanguageModelPlayerOptions: Sendable, Equatable {
    public var promptProtocol: PromptProtocol
    /// Extra attempts after an illegal or unreadable reply; after the last one the player forfeits.
    public var retries: Int
    /// Whether the chat prompt lists the legal moves (SAN, sorted).
    public var showLegalMoves: Bool
    /// Generation budget per reply, in tokens.
    public var maxTokens: Int
    /// 0 (greedy) makes games reproducible; above 0 the request seed makes them so.
    public var temperature: Double
    /// Mixed with the ply and attempt into each request's seed.
    public var seed: UInt64

    /// - Parameter maxTokens: defaults to 8 for `pgn` (a move and a little more) and 256 for
    ///   `chat` (room for a short explanation before the move).
    public init(promptProtocol: PromptProtocol = .pgn, retries: Int = 3, showLegalMoves: Bool = false,
                maxTokens: Int? = nil, temperature: Double = 0, seed: UInt64 = 0) {
        self.promptProtocol = promptProtocol
        self.retries = max(0, retries)
        self.showLegalMoves = showLegalMoves
        self.maxTokens = maxTokens ?? (promptProtocol == .pgn ? 8 : 256)
        self.temperature = temperature
        self.seed = seed
    }
}

/// A player that asks a `LanguageModel` for each move, with the `pgn` or `chat` prompt
/// protocol (see `PromptProtocol`). Replies are read with lenient SAN (`Position.move(san:mode:)`),
/// so `Nf3`, `ng1f3`, `g1f3` and `O-O`/`0-0` all work. An illegal or unreadable reply is retried
/// up to `options.retries` times with a prompt that says which move was rejected and why; after
/// the last one the player forfeits with the reason. A model that throws forfeits too.
public final class LanguageModelPlayer: ChessPlayer {
    public let name: String
    public let model: any LanguageModel
    public let options: LanguageModelPlayerOptions
    /// PGN tags for the `pgn` prompt's header (White, Black, Event, ...).
    public let tags: [PGNTag]
    private let state = Locked(PlayerCounters())

    /// - Parameters:
    ///   - model: called once per attempt with one request. Calls from concurrent games go to
    ///     the model concurrently unless it is wrapped in `SerializedLanguageModel`.
    ///   - tags: header tags for the `pgn` protocol; missing Seven Tag Roster tags are `?`.
    public init(name: String, model: any LanguageModel, options: LanguageModelPlayerOptions = LanguageModelPlayerOptions(), tags: [PGNTag] = []) {
        self.name = name
        self.model = model
        self.options = options
        self.tags = tags
    }

    public var counters: PlayerCounters { state.current }

    public func move(for game: Game) async -> PlayerMove {
        let answer = await answer(for: game)
        state.withLock { $0.record(answer) }
        return answer
    }

    private func answer(for game: Game) async -> PlayerMove {
        var rejected: [RejectedReply] = []
        for attempt in 0...options.retries {
            let request = request(for: game, rejected: rejected, attempt: attempt)
            let reply: String
            do {
                let responses = try await model.generate([request])
                guard responses.count == 1 else {
                    return .forfeit("\(name): model returned \(responses.count) responses for 1 request", illegalAttempts: rejected.count)
                }
                reply = responses[0].text
            } catch {
                return .forfeit("\(name): model failed: \(error)", illegalAttempts: rejected.count)
            }
            switch read(reply, in: game.position) {
            case .success(let move): return .move(move, illegalAttempts: rejected.count)
            case .failure(let rejection): rejected.append(rejection)
            }
        }
        let last = rejected.last.map { " last reply \($0.reply.debugDescription): \($0.feedback)" } ?? ""
        return .forfeit("\(name): no legal move after \(rejected.count) attempts;\(last)", illegalAttempts: rejected.count)
    }

    func request(for game: Game, rejected: [RejectedReply], attempt: Int) -> GenerationRequest {
        let prompt: GenerationPrompt
        var stop: [String] = []
        switch options.promptProtocol {
        case .pgn:
            prompt = .text(ChessPrompts.pgnPrompt(game, tags: tags, rejected: rejected))
            // One move is all we read; a blank line or a new tag ends the game text anyway.
            stop = ["\n\n", "[", "{"]
        case .chat:
            let messages = ChessPrompts.chatMessages(game, showLegalMoves: options.showLegalMoves, rejected: rejected)
            prompt = model.capabilities.supportsChat ? .chat(messages) : .text(ChessPrompts.chatAsText(messages))
        }
        // Distinct, reproducible seeds per ply and attempt (splitmix-style odd multipliers).
        let seed = options.seed &+ UInt64(game.plyCount) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(attempt) &* 0xBF58_476D_1CE4_E5B9
        return GenerationRequest(prompt: prompt, maxTokens: options.maxTokens, stop: stop,
                                 temperature: options.temperature, seed: seed)
    }

    func read(_ reply: String, in position: Position) -> Result<Move, RejectedReply> {
        let token: String?
        switch options.promptProtocol {
        case .pgn: token = ChessPrompts.firstSANToken(reply)
        case .chat: token = ChessPrompts.lastSANLikeToken(reply)
        }
        guard let token else {
            let reason = options.promptProtocol == .pgn ? "the continuation had no move before its end" : "no SAN-looking token in the answer"
            return .failure(RejectedReply(reply: reply, moveText: nil, reason: reason))
        }
        do throws(MoveParseError) {
            return .success(try position.move(san: token, mode: .lenient))
        } catch {
            return .failure(RejectedReply(reply: reply, moveText: token, reason: error.detail))
        }
    }
}
