#if canImport(Glibc)
import Glibc
#endif
import Backends
import EvalCore
import Foundation
import Testing

/// Speed of the OpenAI-compatible client and the response cache against the loopback test server.
/// Off by default; run in release (scripts/bench does):
///
///     BACKENDS_BENCHMARK=1 swift test -c release --filter RemoteClientBenchmarks
///
/// The server answers from `FakeOpenAI` (pure functions of the request), so what is timed is the
/// client, loopback TCP (one connection per request: the test server closes after each answer) and
/// the server's own parsing; the client's own share is smaller than the figures printed.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BACKENDS_BENCHMARK"] != nil), .serialized)
struct RemoteClientBenchmarks {
    static func requests(_ count: Int, tag: String) -> [LogLikelihoodRequest] {
        (0..<count).map { LogLikelihoodRequest(context: "Question \(tag) \($0): what comes next?", continuation: " answer \($0 % 4)") }
    }

    static func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = Date()
        try await body()
        return Date().timeIntervalSince(start)
    }

    @Test func perRequestLatencyAgainstAFastServer() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 1))
        _ = try await model.logLikelihoods(Self.requests(20, tag: "warm"))
        var latencies: [Double] = []
        for request in Self.requests(1000, tag: "timed") {
            latencies.append(try await Self.seconds { _ = try await model.logLikelihoods([request]) })
        }
        latencies.sort()
        let median = latencies[latencies.count / 2], p90 = latencies[latencies.count * 9 / 10]
        print(String(format: "[backends-bench] one log-likelihood request, loopback server, sequential: median %.3f ms, p90 %.3f ms (1,000 requests)", median * 1000, p90 * 1000))
        // The same exchange by the plainest client there is (a blocking socket writing the bytes our
        // client sent, reading to EOF): the difference is the client's own overhead.
        let sent = try #require(server.requests.last { $0.path == "/v1/completions" })
        var raw: [Double] = []
        for _ in 0..<1000 {
            raw.append(try await Self.seconds { _ = try Self.rawExchange(port: server.port, path: sent.path, body: sent.body) })
        }
        raw.sort()
        let rawMedian = raw[raw.count / 2]
        print(String(format: "[backends-bench] same request over a raw socket: median %.3f ms; client overhead (difference of medians) %.3f ms", rawMedian * 1000, (median - rawMedian) * 1000))
        #expect(median > 0 && rawMedian > 0)
    }

    /// One HTTP/1.1 POST over a blocking socket to 127.0.0.1, read until the server closes.
    static func rawExchange(port: Int, path: String, body: Data) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port)).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let request = Data(head.utf8) + body
        let written = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard written == request.count else { throw POSIXError(.EIO) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var total = 0
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            total += count
        }
        return total
    }

    @Test func throughputGrowsWithConcurrency() async throws {
        // A server that takes 20 ms per request and serves any number at once.
        let server = try LoopbackHTTPServer { _, request in .delayed(0.02, FakeOpenAI.answer(request)) }
        defer { server.stop() }
        var rates: [Int: Double] = [:]
        for concurrency in [1, 2, 4, 8, 16, 32] {
            // One prompt per request: the figure is HTTP requests per second.
            let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: concurrency, promptsPerRequest: 1))
            let batch = Self.requests(max(40, concurrency * 8), tag: "c\(concurrency)")
            let elapsed = try await Self.seconds { _ = try await model.logLikelihoods(batch) }
            rates[concurrency] = Double(batch.count) / elapsed
            print(String(format: "[backends-bench] server latency 20 ms, concurrency %2d: %.0f requests/s", concurrency, rates[concurrency]!))
        }
        #expect(rates[8]! > rates[1]!)
    }

    @Test(arguments: [0.002, 0.010])
    func cachedRerunOfAThousandRequests(serverSeconds: Double) async throws {
        // A server taking `serverSeconds` per request (2 ms: faster than any real model server),
        // queried at concurrency 4; then the same 1,000 requests again, all from the cache.
        let server = try LoopbackHTTPServer { _, request in .delayed(serverSeconds, FakeOpenAI.answer(request)) }
        defer { server.stop() }
        let folder = try temporaryFolder("bench-cache")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("responses.sqlite")
        // One prompt per request (1,000 HTTP requests); prompt lists are timed after.
        let endpoint = testEndpoint(server.baseURL, concurrency: 4, promptsPerRequest: 1)
        let batch = Self.requests(1000, tag: "cache")
        let first = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: endpoint), cache: try ResponseCache(url: file))
        var answers: [LogLikelihoodResponse] = []
        let cold = try await Self.seconds { answers = try await first.logLikelihoods(batch) }
        let second = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: endpoint), cache: try ResponseCache(url: file))
        var again: [LogLikelihoodResponse] = []
        let warm = try await Self.seconds { again = try await second.logLikelihoods(batch) }
        print(String(format: "[backends-bench] 1,000 requests, server %.0f ms each, concurrency 4: first run %.2f s, fully cached rerun %.3f s (%.0fx faster)",
                     serverSeconds * 1000, cold, warm, cold / warm))
        #expect(again == answers)
        #expect(second.statistics.hits == 1000 && second.statistics.misses == 0)

        // The same first run with prompt lists (the default, 8 per request: 125 HTTP requests).
        let listFile = folder.appendingPathComponent("lists.sqlite")
        let listing = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 4)),
                                          cache: try ResponseCache(url: listFile))
        var listed: [LogLikelihoodResponse] = []
        let listCold = try await Self.seconds { listed = try await listing.logLikelihoods(batch) }
        print(String(format: "[backends-bench] same 1,000 with prompt lists of 8: first run %.2f s (%.0fx the cached rerun)", listCold, listCold / warm))
        #expect(listed == answers)
    }
}
