#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One HTTP request as the test server read it.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    /// Header names lower-cased.
    var headers: [String: String]
    var body: Data
    /// The body as a JSON object, when it is one.
    var json: [String: any Sendable]? {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: any Sendable]
    }
}

/// What the test server does with a request.
indirect enum ServerReply: Sendable {
    case respond(status: Int, body: String, headers: [String: String] = [:])
    /// Reads the request and never answers (until the server stops, at most 10 s).
    case hang
    /// Declares a longer Content-Length than it sends, then closes the connection.
    case truncated(body: String, declaredLength: Int)
    /// Closes the connection without answering.
    case close
    /// Waits, then does the reply.
    case delayed(Double, ServerReply)
    /// Waits until this many requests have been answered at the same time (at most 10 s), then
    /// does the reply: a test of a concurrency bound then does not depend on how fast a loaded
    /// machine schedules the client's requests (with a sleep, a slow machine could send them one
    /// after another).
    case afterConcurrency(Int, ServerReply)
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for fault tests: one thread accepts,
/// one thread per connection answers one request and closes (`Connection: close`).
/// Only loopback: it binds 127.0.0.1 and nothing else.
final class LoopbackHTTPServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let handler: @Sendable (Int, RecordedRequest) -> ServerReply
    private let lock = NSLock()
    private var stopped = false
    private var received: [RecordedRequest] = []
    private var inFlight = 0
    private var peakInFlight = 0

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    var requests: [RecordedRequest] { lock.withLock { received } }
    /// Most requests being answered at the same time.
    var peakConcurrency: Int { lock.withLock { peakInFlight } }
    private var isStopped: Bool { lock.withLock { stopped } }

    /// - Parameter handler: given the 0-based number of the request and the request, what to do.
    init(handler: @escaping @Sendable (Int, RecordedRequest) -> ServerReply) throws {
        self.handler = handler
        (listener, port) = try Self.openListener()
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting; hung connections are released within 50 ms. The listening socket is shut
    /// down here but closed by the accept thread as it leaves: closed here, its descriptor number
    /// could be reused by the next test's server while this accept thread, slow on a loaded
    /// machine, still polls it, and answer that server's requests with this server's handler.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { shutdown(listener, Int32(SHUT_RDWR)) }
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let (socket, port) = try openListener()
        close(socket)
        return port
    }

    private static func openListener() throws -> (Int32, Int) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(0).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { close(fd); throw POSIXError(.EIO) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    private func acceptLoop() {
        defer { close(listener) }
        var number = 0
        while !isStopped {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            let index = number
            number += 1
            Thread { [self] in serve(connection, number: index) }.start()
        }
    }

    private func serve(_ connection: Int32, number: Int) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        lock.withLock {
            received.append(request)
            inFlight += 1
            peakInFlight = max(peakInFlight, inFlight)
        }
        // A request stops counting as in flight just before its answer is written: once the client
        // has the answer it may send its next request, which must not overlap this one's count.
        var counted = true
        let answered = {
            if counted { self.lock.withLock { self.inFlight -= 1 } }
            counted = false
        }
        defer { answered() }
        perform(handler(number, request), on: connection, answering: answered)
    }

    private func perform(_ reply: ServerReply, on connection: Int32, answering answered: () -> Void) {
        switch reply {
        case .respond(let status, let body, let headers):
            answered()
            var head = "HTTP/1.1 \(status) \(status < 400 ? "OK" : "Error")\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            write(connection, head + "\r\n" + body)
        case .hang:
            let deadline = Date().addingTimeInterval(10)
            while !isStopped && Date() < deadline { usleep(20_000) }
        case .truncated(let body, let declaredLength):
            answered()
            write(connection, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(declaredLength)\r\nConnection: close\r\n\r\n" + body)
        case .close:
            return
        case .delayed(let seconds, let next):
            usleep(UInt32(seconds * 1_000_000))
            perform(next, on: connection, answering: answered)
        case .afterConcurrency(let count, let next):
            let deadline = Date().addingTimeInterval(10)
            while !isStopped && Date() < deadline && peakConcurrency < count { usleep(5_000) }
            perform(next, on: connection, answering: answered)
        }
    }

    private func write(_ connection: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            #if canImport(Glibc)
            let count = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            #else
            let count = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
            #endif
            guard count > 0 else { return }
            sent += count
        }
    }

    /// Reads the head and a Content-Length body (at most 1 MiB, 5 s).
    private func readRequest(_ connection: Int32) -> RecordedRequest? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(5)
        var headEnd: Int?
        var bodyLength = 0
        var headers: [String: String] = [:]
        var method = "", path = ""
        while Date() < deadline, data.count < 1 << 20 {
            if let end = headEnd, data.count >= end + bodyLength { break }
            var poller = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return nil }
            data += buffer[0..<count]
            if headEnd == nil, let range = findHeadEnd(data) {
                headEnd = range
                let lines = String(decoding: data[0..<range], as: UTF8.self).components(separatedBy: "\r\n")
                let first = lines.first?.split(separator: " ") ?? []
                method = first.first.map(String.init) ?? ""
                path = first.dropFirst().first.map(String.init) ?? ""
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                bodyLength = Int(headers["content-length"] ?? "0") ?? 0
            }
        }
        guard let end = headEnd, data.count >= end + bodyLength else { return nil }
        return RecordedRequest(method: method, path: path, headers: headers, body: Data(data[end..<(end + bodyLength)]))
    }

    private func findHeadEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for index in 0...(data.count - 4) where data[index] == 13 && data[index + 1] == 10 && data[index + 2] == 13 && data[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}
