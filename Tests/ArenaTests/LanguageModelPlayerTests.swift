import Arena
import Chess
import EvalCore
import Testing

@Suite struct LanguageModelPlayerTests {
    @Test func garbageRepliesForfeitAfterTheRetriesWithoutStoppingTheRun() async throws {
        let model = ScriptedModel { _ in "banana Zz9 !!" }
        var config = TournamentConfig(players: [PlayerSpec(name: "garbage", spec: "garbage-model"), PlayerSpec(name: "random", spec: "random")])
        config.gamesPerPairing = 2
        config.retries = 3
        config.bootstrapResamples = 20
        let tournament = try Tournament(config: config) { _ in model }
        let result = try await tournament.run()
        #expect(result.games.count == 2)
        for record in result.games {
            #expect(record.termination == .forfeit)
            #expect(record.result == .win(for: record.color(of: "random") ?? .white))
            #expect(record.reason?.contains("no legal move after 4 attempts") == true)
            let illegal = record.white == "garbage" ? record.whiteIllegalAttempts : record.blackIllegalAttempts
            #expect(illegal == 4)  // the first reply and three retries
        }
        let standing = try #require(result.standings.first { $0.player == "garbage" })
        #expect(standing.forfeits == 2 && standing.losses == 2 && standing.illegalAttempts == 8)
        #expect(standing.movesPlayed == 0 && standing.illegalPerThousandMoves == 4000)
        #expect(model.requests.count == 8)
        // The PGN names the forfeit and the counts.
        let read = try PGN.read(result.pgn)
        #expect(read[0][tag: "Termination"] == "forfeit")
        #expect(read[0][tag: "WhiteIllegalMoves"] == "4")
    }

    @Test func retryPromptSaysWhichMoveWasIllegalAndWhy() async throws {
        let model = ScriptedModel { request in
            // First attempt: an illegal move; afterwards a legal one.
            if case .text(let text) = request.prompt, text.contains("{") { return " e4" }
            return " Ke2"
        }
        let player = LanguageModelPlayer(name: "m", model: model, options: LanguageModelPlayerOptions(promptProtocol: .pgn))
        let answer = await player.move(for: Game())
        #expect(answer == .move(try Position.standard.move(san: "e4"), illegalAttempts: 1))
        let prompts = model.requests.map { request -> String in
            if case .text(let text) = request.prompt { return text }
            return ""
        }
        #expect(prompts.count == 2)
        #expect(prompts[0].hasSuffix("\n\n1."))
        #expect(prompts[0].contains("[White \"?\"]"))
        #expect(prompts[1].contains("{Ke2 is not a legal move here: no legal move matches.} 1."))
        #expect(model.requests.allSatisfy { $0.temperature == 0 })
        #expect(player.counters.illegalAttempts == 1 && player.counters.moves == 1)
    }

    @Test(arguments: [PromptProtocol.pgn, .chat])
    func legalRepliesPlayAFullGame(_ promptProtocol: PromptProtocol) async throws {
        let model = ScriptedModel { LegalMoveReplies.reply($0) }
        var config = TournamentConfig(players: [PlayerSpec(name: "model", spec: "legal-model"), PlayerSpec(name: "random", spec: "random")])
        config.gamesPerPairing = 2
        config.promptProtocol = promptProtocol
        config.maxPlies = 120
        config.bootstrapResamples = 0
        let result = try await Tournament(config: config) { _ in model }.run()
        for record in result.games {
            // The game runs to an ending by the rules or to the ply limit; nobody forfeits.
            #expect(record.termination != .forfeit)
            #expect(record.termination != .adjudication || record.game.plyCount == 120)
            #expect(record.whiteIllegalAttempts == 0 && record.blackIllegalAttempts == 0)
            #expect(record.game.outcome != nil)
        }
        let standing = try #require(result.standings.first { $0.player == "model" })
        #expect(standing.movesPlayed > 10)
        #expect(model.requests.count == standing.movesPlayed)
        if promptProtocol == .chat {
            guard case .chat(let messages) = model.requests[0].prompt else {
                Issue.record("expected a chat prompt")
                return
            }
            #expect(messages[1].content.contains("Position (FEN): "))
            #expect(messages[1].content.contains("Answer with one move in SAN."))
        }
    }

    @Test func chatAnswersAreReadFromTheirLastSANToken() async throws {
        let replies = ["I considered e4 but I play **Nf3**.", "1. e4", "My answer: O-O?!"]
        let expected = ["Nf3", "e4", nil]
        for (reply, move) in zip(replies, expected) {
            let model = ScriptedModel { _ in reply }
            let player = LanguageModelPlayer(name: "chat", model: model,
                                             options: LanguageModelPlayerOptions(promptProtocol: .chat, retries: 0, showLegalMoves: true))
            let answer = await player.move(for: Game())
            if let move {
                #expect(answer == .move(try Position.standard.move(san: move)))
            } else {
                // O-O is SAN-shaped but illegal at the start: a forfeit that says why.
                guard case .forfeit(let reason) = answer.decision else {
                    Issue.record("expected a forfeit for \(reply)")
                    continue
                }
                #expect(reason.contains("O-O is not a legal move here"))
                #expect(answer.illegalAttempts == 1)
            }
            guard case .chat(let messages) = model.requests[0].prompt else { continue }
            #expect(messages[1].content.contains("Legal moves: Na3, Nc3, Nf3, Nh3, a3, a4"))
        }
    }

    @Test func failingModelForfeitsWithTheError() async {
        struct Unavailable: Error, CustomStringConvertible { var description: String { "endpoint unreachable" } }
        final class FailingModel: LanguageModel {
            let identity = ModelIdentity(name: "down", backend: "test-double", contentHash: "0")
            let capabilities = ModelCapabilities(contextLength: 1, canScoreLogLikelihoods: false, canGenerate: true, supportsChat: false)
            func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] { throw Unavailable() }
            func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] { throw Unavailable() }
            func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] { throw Unavailable() }
        }
        let player = LanguageModelPlayer(name: "down", model: FailingModel())
        let answer = await player.move(for: Game())
        #expect(answer == .forfeit("down: model failed: endpoint unreachable"))
    }
}
