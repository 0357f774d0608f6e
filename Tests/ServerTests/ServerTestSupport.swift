import AsyncHTTPClient
import Backends
import Engine
import EvalCore
import Foundation
import Logging
import NIOCore
import Server
import Testing
import Tokenizers

let tinyCorpus = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps in the sun.",
    "A small model learns small things: counting, copying, and the shapes of words.",
    "Evaluation harnesses score continuations by their log-likelihood under the model.",
    "Roses are red, violets are blue, and the capital of France is Paris.",
]

/// A tiny GPT-2 checkpoint trained for a few steps (so its distributions are far from uniform),
/// written to a temporary folder once per test process.
enum TinyCheckpoint {
    static let folder: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-serve-tiny-\(UUID().uuidString)/tiny")
        do {
            let tokenizer = try ByteLevelBPETokenizer.train(corpus: tinyCorpus, vocabularySize: 320, specialTokens: ["<|endoftext|>"])
            let configuration = GPT2Configuration(layerCount: 2, headCount: 2, width: 32, positionCount: 64, vocabularySize: 320,
                                                  bosTokenID: tokenizer.endOfTextTokenID, eosTokenID: tokenizer.endOfTextTokenID)
            let model = try GPT2Model(configuration: configuration, seed: 7)
            let tokens = tinyCorpus.flatMap { tokenizer.encode($0) + [tokenizer.endOfTextTokenID ?? 0] }
            let trainer = try Trainer(model: model, trainingTokens: tokens, configuration: TrainerConfiguration(
                batchSize: 4, sequenceLength: 16, seed: 1,
                optimizer: OptimizerConfiguration(learningRate: 3e-2, minLearningRate: 3e-3, warmupSteps: 5, decaySteps: 40, weightDecay: 0)))
            for _ in 0..<40 { _ = try trainer.step() }
            try Checkpoint(model: model, tokenizer: tokenizer).save(to: folder)
        } catch {
            Issue.record("cannot make the tiny checkpoint: \(error)")
        }
        return folder
    }()

    static func load() throws -> EngineLanguageModel {
        try EngineLanguageModel(checkpointAt: folder, name: "tiny")
    }
}

/// `eval serve` in-process on 127.0.0.1 with an ephemeral port; `stop()` ends it.
final class RunningServer: @unchecked Sendable {
    let served: ServedModel
    let port: Int
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(model: any LanguageModel, name: String = "tiny", apiKey: String? = nil) async throws {
        served = ServedModel(name: name, model: model)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        // Stopping by cancellation makes Hummingbird log an error per open connection; keep tests quiet.
        var logger = Logger(label: "serve-tests")
        logger.logLevel = .critical
        let application = OpenAIServer(model: served, apiKey: apiKey).application(host: "127.0.0.1", port: 0, logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        task = Task { try await application.run() }
        var bound: Int?
        for await port in ports { bound = port }
        port = try #require(bound)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        served.shutdown()
    }
}

/// One HTTP exchange with the server: status, headers and body.
struct HTTPExchange {
    var status: Int
    var contentType: String?
    var body: Data
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// `error.param` of an OpenAI-style error body.
    var errorParam: String? { (json?["error"] as? [String: Any])?["param"] as? String }
    var errorMessage: String? { (json?["error"] as? [String: Any])?["message"] as? String }
}

func send(_ method: String, _ url: String, json: Any? = nil, rawBody: String? = nil, headers: [String: String] = [:]) async throws -> HTTPExchange {
    var request = HTTPClientRequest(url: url)
    request.method = method == "GET" ? .GET : .POST
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let json {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
    } else if let rawBody {
        request.body = .bytes(ByteBuffer(string: rawBody))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    let body = try await response.body.collect(upTo: 64 << 20)
    return HTTPExchange(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"),
                        body: Data(body.readableBytesView))
}

/// The JSON objects of a server-sent event stream, and whether it ended with `data: [DONE]`.
func events(_ exchange: HTTPExchange) -> (objects: [[String: Any]], done: Bool) {
    var objects: [[String: Any]] = []
    var done = false
    for line in exchange.text.components(separatedBy: "\n") where line.hasPrefix("data: ") {
        let payload = String(line.dropFirst(6))
        if payload == "[DONE]" { done = true; continue }
        if let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] { objects.append(object) }
    }
    return (objects, done)
}
