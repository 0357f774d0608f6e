import Chess
import EvalCore
import Foundation

/// Test double: a `LanguageModel` whose replies come from a closure over the request; it
/// records every request it was sent. Only generation is implemented.
final class ScriptedModel: LanguageModel, @unchecked Sendable {
    // @unchecked: `requests` is guarded by `lock`.
    let identity = ModelIdentity(name: "scripted", backend: "test-double", contentHash: "0")
    let capabilities: ModelCapabilities
    private let reply: @Sendable (GenerationRequest) -> String
    private let lock = NSLock()
    private var sent: [GenerationRequest] = []

    init(supportsChat: Bool = true, reply: @escaping @Sendable (GenerationRequest) -> String) {
        self.capabilities = ModelCapabilities(contextLength: 4096, canScoreLogLikelihoods: false, canGenerate: true, supportsChat: supportsChat)
        self.reply = reply
    }

    var requests: [GenerationRequest] { lock.withLock { sent } }

    func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] {
        throw ModelError("scripted model cannot score")
    }

    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] {
        throw ModelError("scripted model cannot score")
    }

    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        lock.withLock { sent += requests }
        return requests.map { GenerationResponse(text: reply($0), tokenCount: 1, finishReason: "stop") }
    }
}

/// Replies for a model that knows the rules: reads the position from the prompt (the PGN so
/// far, or the FEN line of the chat prompt) and answers its first legal move in SAN.
enum LegalMoveReplies {
    static func reply(_ request: GenerationRequest) -> String {
        switch request.prompt {
        case .text(let text):
            guard let game = try? PGN.read(text).first?.game else { return "???" }
            return firstMove(game.position).map { " \($0) " } ?? "resign"
        case .chat(let messages):
            let question = messages.first { $0.role == "user" }?.content ?? ""
            let fenLine = question.split(separator: "\n").first { $0.hasPrefix("Position (FEN): ") }
            guard let fenLine, let position = try? Position(fen: String(fenLine.dropFirst("Position (FEN): ".count))) else { return "???" }
            return firstMove(position).map { "After thinking, my move is **\($0)**." } ?? "resign"
        }
    }

    static func firstMove(_ position: Position) -> String? {
        position.legalMoves().first.map { position.san($0) }
    }
}

/// A fake UCI engine written as a shell script into a temporary folder.
enum FakeEngine {
    /// Answers the handshake, then behaves as `onGo` says when asked to search.
    static func write(name: String, onGo: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("arena-fake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        let script = """
        #!/bin/sh
        while read -r line; do
          case "$line" in
            uci) echo "id name fake"; echo "uciok" ;;
            isready) echo "readyok" ;;
            go*) \(onGo) ;;
            quit) exit 0 ;;
          esac
        done
        """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }
}

/// The Stockfish executable, if installed.
let stockfishPath: String? = ["/usr/games/stockfish", "/usr/bin/stockfish", "/usr/local/bin/stockfish"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }
