import AsyncHTTPClient
import EvalCore
import Foundation

/// A `LanguageModel` served by an OpenAI-compatible HTTP endpoint (vLLM, llama.cpp's server,
/// text-generation-inference, OpenAI, ...). See docs/remote-models.md.
///
/// - Generation: `/v1/completions` for text prompts (`/v1/chat/completions` with api=chat, the text
///   sent as one user message); chat prompts always go to `/v1/chat/completions`.
/// - Log-likelihoods: `/v1/completions` with `echo`, `logprobs: 1`, `max_tokens: 0`, up to
///   `endpoint.promptsPerRequest` prompts per request (see `OpenAICompatibleModel+LogLikelihood.swift`
///   and `+Echo.swift`); not available with api=chat.
/// - At most `endpoint.concurrency` requests are in flight; each is retried as `OpenAIHTTPTransport` says.
///
/// Answers are reported one by one (`IncrementalLanguageModel`), so a `CachedLanguageModel` over it
/// keeps every answer received before a failure.
public final class OpenAICompatibleModel: IncrementalLanguageModel, @unchecked Sendable {
    public let endpoint: OpenAIEndpoint
    public let identity: ModelIdentity
    public let capabilities: ModelCapabilities
    let transport: OpenAIHTTPTransport
    let lock = NSLock()
    /// Whether the server answers `POST /tokenize`; nil until first asked.
    var tokenizeAvailable: Bool?
    /// Set once the server has refused `max_tokens: 0`: echo requests then ask for one token.
    var echoNeedsOneToken = false
    /// Whether the server answers a prompt list in one `/v1/completions` request; nil until first tried.
    var promptListsAccepted: Bool?
    /// `POST /tokenize` token counts (with special tokens) of texts seen in this run: a document's
    /// choices share their context, which is tokenized once.
    var tokenCounts: [String: Int] = [:]
    /// The token standing for an empty context (the end-of-text token), once found.
    var emptyContextTokenID: Int?
    /// Whether the server takes `echo_logprobs_from` (its `/v1/models` entry says so); nil until asked.
    var echoLogprobsFromKnown: Bool?

    /// - Parameters:
    ///   - endpoint: where and how to connect.
    ///   - environment: where the API key variable is looked up (the process environment by default).
    /// - Throws: `ModelError` when the endpoint names a key variable that is not set.
    public init(endpoint: OpenAIEndpoint, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.endpoint = endpoint
        self.transport = try OpenAIHTTPTransport(endpoint: endpoint, environment: environment)
        self.identity = ModelIdentity(name: endpoint.name, backend: "openai", contentHash: endpoint.contentHash)
        self.capabilities = ModelCapabilities(contextLength: endpoint.contextLength,
                                              canScoreLogLikelihoods: endpoint.api == .completions,
                                              canGenerate: true, supportsChat: endpoint.api == .chat)
    }

    /// `openai:MODEL@URL,...` or `openai:NAME` (looked up in `registry`).
    public convenience init(spec: String, registry: ModelRegistry? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        try self.init(endpoint: try OpenAIEndpoint.resolve(spec: spec, registry: registry), environment: environment)
    }

    var completionsURL: String { endpoint.baseURL + "/completions" }
    var modelsURL: String { endpoint.baseURL + "/models" }
    var chatURL: String { endpoint.baseURL + "/chat/completions" }
    /// vLLM serves `/tokenize` at the root, beside `/v1`.
    var tokenizeURL: String {
        let root = endpoint.baseURL.hasSuffix("/v1") ? String(endpoint.baseURL.dropLast(3)) : endpoint.baseURL
        return root + "/tokenize"
    }
    /// vLLM's `GET /tokenizer_info`, beside `/tokenize`.
    var tokenizerInfoURL: String { String(tokenizeURL.dropLast("/tokenize".count)) + "/tokenizer_info" }

    /// POSTs and turns a non-retryable HTTP status into a `ModelError` naming the endpoint.
    func send<Response: Decodable>(_ url: String, _ payload: some Encodable, as type: Response.Type) async throws -> Response {
        do {
            return try await transport.post(url, payload: payload, as: type)
        } catch let failure as OpenAIHTTPTransport.StatusFailure {
            throw ModelError("model '\(endpoint.name)': POST \(url) answered HTTP \(failure.status); body: \(failure.excerpt)")
        }
    }

    // MARK: Generation

    public func generate(_ requests: [GenerationRequest],
                         onAnswer: @escaping @Sendable (Int, GenerationResponse) -> Void) async throws -> [GenerationResponse] {
        try await boundedMap(requests, onAnswer: onAnswer) { request in try await self.generateOne(request) }
    }

    /// Seeds are sent modulo 2^31: some servers reject wider integers.
    static func wireSeed(_ seed: UInt64) -> Int { Int(seed & 0x7fff_ffff) }

    func generateOne(_ request: GenerationRequest) async throws -> GenerationResponse {
        let stop = request.stop.isEmpty ? nil : request.stop
        let text: String
        let finish: String?
        let tokens: Int?
        var messages: [ChatCompletionPayload.Message]?
        var textPrompt = ""
        switch request.prompt {
        case .chat(let chat): messages = chat.map { .init(role: $0.role, content: $0.content) }
        case .text(let prompt) where endpoint.api == .chat: messages = [.init(role: "user", content: prompt)]
        case .text(let prompt): textPrompt = prompt
        }
        if let messages {
            let payload = ChatCompletionPayload(model: endpoint.model, messages: messages, maxTokens: request.maxTokens,
                                                temperature: request.temperature, topP: request.topP, stop: stop,
                                                seed: Self.wireSeed(request.seed), n: 1)
            let answer = try await send(chatURL, payload, as: ChatCompletionAnswer.self)
            guard let choice = answer.choices.first else { throw emptyChoices(chatURL) }
            (text, finish, tokens) = (choice.message.content ?? "", choice.finishReason, answer.usage?.completionTokens)
        } else {
            let payload = CompletionPayload(model: endpoint.model, prompt: .one(textPrompt), maxTokens: request.maxTokens,
                                            temperature: request.temperature, topP: request.topP, stop: stop,
                                            seed: Self.wireSeed(request.seed), n: 1)
            let answer = try await send(completionsURL, payload, as: CompletionAnswer.self)
            guard let choice = answer.choices.first else { throw emptyChoices(completionsURL) }
            (text, finish, tokens) = (choice.text ?? "", choice.finishReason, answer.usage?.completionTokens)
        }
        // Servers differ on whether the stop sequence is included; cut before the first one here.
        var cut = text
        var stopped = false
        if let first = request.stop.compactMap({ text.range(of: $0) }).min(by: { $0.lowerBound < $1.lowerBound }) {
            cut = String(text[..<first.lowerBound])
            stopped = true
        }
        let reason = stopped ? "stop" : (finish == "length" ? "length" : "stop")
        return GenerationResponse(text: cut, tokenCount: tokens ?? 0, finishReason: reason)
    }

    func emptyChoices(_ url: String) -> ModelError {
        ModelError("model '\(endpoint.name)': POST \(url) answered with no choices")
    }

    // MARK: Concurrency

    /// Runs `work` on every request with at most `endpoint.concurrency` in flight, reporting each
    /// answer as it comes. On the first failure no new request starts; those in flight finish (and
    /// are reported) before the error is thrown.
    func boundedMap<Request: Sendable, Response: Sendable>(
        _ requests: [Request], onAnswer: @escaping @Sendable (Int, Response) -> Void,
        work: @escaping @Sendable (Request) async throws -> Response
    ) async throws -> [Response] {
        var results = [Response?](repeating: nil, count: requests.count)
        var firstError: (any Error)?
        try await withThrowingTaskGroup(of: (Int, Result<Response, any Error>).self) { group in
            var next = 0
            func startNext() {
                let index = next
                next += 1
                let request = requests[index]
                group.addTask {
                    do { return (index, .success(try await work(request))) } catch { return (index, .failure(error)) }
                }
            }
            while next < min(endpoint.concurrency, requests.count) { startNext() }
            while let (index, result) = try await group.next() {
                switch result {
                case .success(let response):
                    results[index] = response
                    onAnswer(index, response)
                case .failure(let error):
                    if firstError == nil { firstError = error }
                }
                if firstError == nil, next < requests.count { startNext() }
            }
        }
        if let firstError { throw firstError }
        return results.compactMap { $0 }
    }
}
