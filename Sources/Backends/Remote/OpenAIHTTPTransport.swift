import AsyncHTTPClient
import EvalCore
import Foundation
import NIOCore
import SeededRandom

/// POSTs JSON to one endpoint with retries, backoff and a per-request time limit.
///
/// Retried (up to `maxRetries` times after the first attempt): connection errors, timeouts, 429
/// (waiting `Retry-After` seconds when the server says, capped at `maxRetryDelay`), 5xx, and
/// 2xx bodies that are truncated or not the expected JSON. Other 4xx are returned at once.
/// Backoff: `retryBaseDelay * 2^attempt`, ±25% jitter, capped at `maxRetryDelay`.
/// The API key comes from the environment variable the endpoint names and is sent only as
/// `Authorization: Bearer`; it is replaced by `***` in any body excerpt an error quotes.
final class OpenAIHTTPTransport: @unchecked Sendable {
    let endpoint: OpenAIEndpoint
    private let apiKey: String?
    private let client: HTTPClient
    private let lock = NSLock()
    /// Jitter only; seeded so a run's retry timing does not depend on a system generator.
    private var jitter = Xoshiro256(seed: 0x0e7a1)

    /// Largest response body read (64 MiB): an echo of a long prompt with logprobs is large.
    static let maxBodyBytes = 64 << 20

    init(endpoint: OpenAIEndpoint, environment: [String: String], client: HTTPClient? = nil) throws {
        self.endpoint = endpoint
        self.client = client ?? PooledHTTPClients.client(connectionsPerHost: endpoint.concurrency)
        if let variable = endpoint.apiKeyEnvironmentVariable {
            guard let key = environment[variable], !key.isEmpty else {
                throw ModelError("model '\(endpoint.name)': environment variable \(variable) (named by key_env / api_key_env) is not set")
            }
            apiKey = key
        } else {
            apiKey = nil
        }
    }

    /// An HTTP answer other than 2xx that is not worth retrying (or that still failed after retries).
    struct StatusFailure: Error {
        let status: Int
        let excerpt: String
    }

    /// What one attempt ended with, when it did not succeed.
    private enum AttemptFailure: Error {
        case retryable(String, retryAfter: Double?)
        case final(StatusFailure)
    }

    /// Sends `payload` to `url` and decodes the 2xx answer as `Response`, retrying as described above.
    /// - Throws: `StatusFailure` for a 4xx that is not 429; `ModelError` naming the endpoint, the
    ///   last status and a body excerpt once retries are exhausted.
    func post<Response: Decodable>(_ url: String, payload: some Encodable, as type: Response.Type) async throws -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try await send(url, body: try encoder.encode(payload), as: type)
    }

    /// GETs `url` and decodes the 2xx answer as `Response`, retrying as `post` does.
    func get<Response: Decodable>(_ url: String, as type: Response.Type) async throws -> Response {
        try await send(url, body: nil, as: type)
    }

    /// POST with `body`, or GET when it is nil.
    private func send<Response: Decodable>(_ url: String, body: Data?, as type: Response.Type) async throws -> Response {
        var lastProblem = ""
        for attempt in 0...endpoint.maxRetries {
            try Task.checkCancellation()
            do {
                return try await attemptOnce(url, body: body, as: type)
            } catch AttemptFailure.final(let failure) {
                throw failure
            } catch AttemptFailure.retryable(let problem, let retryAfter) {
                lastProblem = problem
                guard attempt < endpoint.maxRetries else { break }
                let delay = retryAfter.map { min($0, endpoint.maxRetryDelay) } ?? backoff(attempt: attempt)
                try await Task.sleep(nanoseconds: UInt64(max(0, delay) * 1e9))
            }
        }
        let tries = endpoint.maxRetries + 1
        throw ModelError("model '\(endpoint.name)': \(body == nil ? "GET" : "POST") \(url) failed after \(tries) attempt\(tries == 1 ? "" : "s"): \(lastProblem)")
    }

    private func backoff(attempt: Int) -> Double {
        let base = endpoint.retryBaseDelay * pow(2, Double(min(attempt, 30)))
        let factor = lock.withLock { 0.75 + 0.5 * jitter.nextUnitDouble() }
        return min(base * factor, endpoint.maxRetryDelay)
    }

    /// One request, bounded by `endpoint.timeout` from connection to the last body byte.
    private func attemptOnce<Response: Decodable>(_ url: String, body: Data?, as type: Response.Type) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = body == nil ? .GET : .POST
        if body != nil { request.headers.add(name: "Content-Type", value: "application/json") }
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in endpoint.headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        if let apiKey { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(apiKey)") }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let timeout = endpoint.timeout
        let client = self.client
        let prepared = request

        let outcome: (status: Int, retryAfter: String?, bytes: [UInt8])
        do {
            outcome = try await withThrowingTaskGroup(of: (Int, String?, [UInt8])?.self) { group in
                group.addTask {
                    let response = try await client.execute(prepared, timeout: .milliseconds(Int64(timeout * 1000)))
                    let buffer = try await response.body.collect(upTo: Self.maxBodyBytes)
                    return (Int(response.status.code), response.headers.first(name: "Retry-After"), Array(buffer.readableBytesView))
                }
                // AsyncHTTPClient's deadline covers the response head; this one covers the body too.
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64((timeout + 0.25) * 1e9))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw AttemptFailure.retryable("no complete answer within \(Self.seconds(timeout)) s (timeout)", retryAfter: nil)
                }
                return result
            }
        } catch let failure as AttemptFailure {
            throw failure
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw AttemptFailure.retryable("no complete answer within \(Self.seconds(timeout)) s (timeout)", retryAfter: nil)
        } catch {
            throw AttemptFailure.retryable("connection error: \(error)", retryAfter: nil)
        }

        // Only failures quote the body (building the excerpt of every answer cost 5% of a scoring client's CPU).
        var excerpt: String { excerptOf(outcome.bytes) }
        switch outcome.status {
        case 200..<300:
            do {
                if let reader = Response.self as? any JSONBytesDecodable.Type, let answer = try reader.init(jsonBytes: outcome.bytes) as? Response {
                    return answer
                }
                return try JSONDecoder().decode(Response.self, from: Data(outcome.bytes))
            } catch {
                throw AttemptFailure.retryable("HTTP \(outcome.status) with a body that is not the expected JSON (\(Self.describe(error))); body: \(excerpt)", retryAfter: nil)
            }
        case 429:
            let retryAfter = outcome.retryAfter.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            throw AttemptFailure.retryable("HTTP 429 (rate limited); body: \(excerpt)", retryAfter: retryAfter)
        case 500..<600:
            throw AttemptFailure.retryable("HTTP \(outcome.status); body: \(excerpt)", retryAfter: nil)
        default:
            throw AttemptFailure.final(StatusFailure(status: outcome.status, excerpt: excerpt))
        }
    }

    /// The first 300 characters of a body, one line, with the API key masked.
    func excerptOf(_ bytes: [UInt8]) -> String {
        var text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        if let apiKey { text = text.replacingOccurrences(of: apiKey, with: "***") }
        text = text.replacingOccurrences(of: "\n", with: " ")
        if text.isEmpty { return "(empty)" }
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return "malformed JSON: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context): return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.valueNotFound(_, let context): return "null at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}

/// `HTTPClient.shared` keeps at most 8 HTTP/1.1 connections per host, which would silently cap an
/// endpoint's `concurrency` above 8 (measured: throughput flat from 8 to 32 concurrent requests).
/// An endpoint that asks for more gets a client whose pool allows it: one per limit, made on first
/// use and kept for the life of the process, as `.shared` is (so none is ever shut down in use).
enum PooledHTTPClients {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var clients: [Int: HTTPClient] = [:]

    static func client(connectionsPerHost: Int) -> HTTPClient {
        let defaultLimit = HTTPClient.Configuration.singletonConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit
        guard connectionsPerHost > defaultLimit else { return .shared }
        return lock.withLock {
            if let client = clients[connectionsPerHost] { return client }
            var configuration = HTTPClient.Configuration.singletonConfiguration
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[connectionsPerHost] = client
            return client
        }
    }
}
