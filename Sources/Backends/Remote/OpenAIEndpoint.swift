import EvalCore
import Foundation

/// Which OpenAI-compatible route generation uses.
public enum OpenAIAPIStyle: String, Sendable, Codable, CaseIterable {
    /// `/v1/completions`: text prompts, and log-likelihoods through `echo`.
    case completions
    /// `/v1/chat/completions`: messages only; cannot score log-likelihoods.
    case chat
}

/// Everything needed to talk to one OpenAI-compatible endpoint. Holds the *name* of the
/// environment variable with the API key, never the key.
public struct OpenAIEndpoint: Hashable, Sendable {
    /// The name results and logs show.
    public var name: String
    /// E.g. `http://127.0.0.1:8000/v1` (no trailing slash).
    public var baseURL: String
    /// The `model` field sent with every request.
    public var model: String
    public var api: OpenAIAPIStyle
    /// Environment variable holding the API key (sent as `Authorization: Bearer`); nil: no key.
    public var apiKeyEnvironmentVariable: String?
    /// Requests in flight at once.
    public var concurrency: Int
    /// Seconds one HTTP request may take before it is abandoned (and retried).
    public var timeout: Double
    /// Retries after the first attempt, for connection errors, timeouts, 429, 5xx and unreadable bodies.
    public var maxRetries: Int
    /// Extra HTTP headers sent with every request.
    public var headers: [String: String]
    /// Context window reported in `capabilities` (the API does not say).
    public var contextLength: Int
    /// First backoff delay in seconds; doubled on every retry, with ±25% jitter.
    public var retryBaseDelay: Double
    /// Longest wait between retries, Retry-After included.
    public var maxRetryDelay: Double
    /// Prompts sent in one `/v1/completions` request when scoring log-likelihoods (a prompt list;
    /// a document's choices go together). 1 sends one prompt per request. A server that refuses
    /// lists is detected once and then sent one prompt per request.
    public var promptsPerRequest: Int

    public init(name: String? = nil, baseURL: String, model: String, api: OpenAIAPIStyle = .completions,
                apiKeyEnvironmentVariable: String? = nil, concurrency: Int = 4, timeout: Double = 120,
                maxRetries: Int = 5, headers: [String: String] = [:], contextLength: Int = 2048,
                retryBaseDelay: Double = 1, maxRetryDelay: Double = 60, promptsPerRequest: Int = 8) {
        self.name = name ?? model
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.model = model
        self.api = api
        self.apiKeyEnvironmentVariable = apiKeyEnvironmentVariable
        self.concurrency = concurrency
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.headers = headers
        self.contextLength = contextLength
        self.retryBaseDelay = retryBaseDelay
        self.maxRetryDelay = maxRetryDelay
        self.promptsPerRequest = promptsPerRequest
    }

    /// sha256 of base URL, model and API style: what decides the answers, and nothing secret.
    public var contentHash: String {
        SHA256Hasher.hex("\(baseURL)\n\(model)\n\(api.rawValue)")
    }

    /// Checks values a person may have mistyped; `origin` says where they came from.
    func validated(origin: String) throws -> OpenAIEndpoint {
        func fail(_ message: String) -> RemoteModelSpecError { RemoteModelSpecError("\(origin): \(message)") }
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw fail("base URL '\(baseURL)' must start with http:// or https://")
        }
        guard let url = URL(string: baseURL), url.host != nil else { throw fail("base URL '\(baseURL)' is not a URL") }
        guard url.user == nil, url.password == nil else {
            throw fail("base URL must not hold credentials; put the key in an environment variable and name it with key_env / api_key_env")
        }
        guard !model.isEmpty else { throw fail("model name is empty") }
        guard concurrency >= 1 else { throw fail("concurrency must be at least 1, got \(concurrency)") }
        guard timeout > 0 else { throw fail("timeout must be positive seconds, got \(timeout)") }
        guard maxRetries >= 0 else { throw fail("retries must be 0 or more, got \(maxRetries)") }
        guard contextLength >= 1 else { throw fail("context length must be at least 1, got \(contextLength)") }
        guard promptsPerRequest >= 1 else { throw fail("prompts_per_request must be at least 1, got \(promptsPerRequest)") }
        if let variable = apiKeyEnvironmentVariable, variable.isEmpty || variable.contains("=") {
            throw fail("key_env must name an environment variable, got '\(variable)'")
        }
        return self
    }
}

/// A model spec or models.yaml entry that cannot be used, with where and what would be accepted.
public struct RemoteModelSpecError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension OpenAIEndpoint {
    /// The prefix of remote specs on the command line.
    public static let specPrefix = "openai:"

    /// Whether a `--model` value names a remote model (starts with `openai:`).
    public static func isRemoteSpec(_ spec: String) -> Bool { spec.hasPrefix(specPrefix) }

    /// `openai:MODEL@BASE_URL[,options]` inline, or `openai:NAME` looked up in `registry`.
    public static func resolve(spec: String, registry: ModelRegistry?) throws -> OpenAIEndpoint {
        let body = spec.dropFirst(specPrefix.count)
        guard isRemoteSpec(spec), !body.contains("@"), !body.contains(",") else { return try OpenAIEndpoint(spec: spec) }
        guard let registry else {
            throw RemoteModelSpecError("'\(spec)' names a models.yaml entry, but no models.yaml was found (set EVALKIT_MODELS, or give openai:MODEL@BASE_URL)")
        }
        return try registry.endpoint(named: String(body))
    }

    /// Parses `openai:MODEL@BASE_URL[,key=value...]`, e.g.
    /// `openai:gpt2@http://127.0.0.1:8000/v1,api=completions,key_env=VLLM_KEY,concurrency=8,timeout=60,retries=3`.
    ///
    /// Options: `api=completions|chat`, `key_env=NAME`, `concurrency=N`, `timeout=SECONDS`,
    /// `retries=N`, `context=TOKENS`, `name=DISPLAY_NAME`, `prompts_per_request=N`. The model name ends at the first `@`.
    public init(spec: String) throws {
        guard spec.hasPrefix(Self.specPrefix) else {
            throw RemoteModelSpecError("'\(spec)' is not a remote spec: it must start with 'openai:'")
        }
        let body = String(spec.dropFirst(Self.specPrefix.count))
        var parts = body.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let head = parts.removeFirst()
        guard let at = head.firstIndex(of: "@") else {
            throw RemoteModelSpecError("spec '\(spec)': expected openai:MODEL@BASE_URL (e.g. openai:gpt2@http://127.0.0.1:8000/v1), or openai:NAME for a models.yaml entry")
        }
        var endpoint = OpenAIEndpoint(baseURL: String(head[head.index(after: at)...]), model: String(head[..<at]))
        for option in parts {
            let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[1].isEmpty else {
                throw RemoteModelSpecError("spec '\(spec)': option '\(option)' must be key=value")
            }
            let (key, value) = (pair[0], pair[1])
            func integer() throws -> Int {
                guard let number = Int(value) else { throw RemoteModelSpecError("spec '\(spec)': \(key) must be an integer, got '\(value)'") }
                return number
            }
            switch key {
            case "api":
                guard let style = OpenAIAPIStyle(rawValue: value) else {
                    throw RemoteModelSpecError("spec '\(spec)': api must be completions or chat, got '\(value)'")
                }
                endpoint.api = style
            case "key_env": endpoint.apiKeyEnvironmentVariable = value
            case "concurrency": endpoint.concurrency = try integer()
            case "retries": endpoint.maxRetries = try integer()
            case "context": endpoint.contextLength = try integer()
            case "name": endpoint.name = value
            case "prompts_per_request": endpoint.promptsPerRequest = try integer()
            case "timeout":
                guard let seconds = Double(value) else { throw RemoteModelSpecError("spec '\(spec)': timeout must be seconds, got '\(value)'") }
                endpoint.timeout = seconds
            default:
                throw RemoteModelSpecError("spec '\(spec)': unknown option '\(key)'; known: api, key_env, concurrency, timeout, retries, context, name, prompts_per_request")
            }
        }
        self = try endpoint.validated(origin: "spec '\(spec)'")
    }
}
