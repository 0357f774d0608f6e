import Foundation

/// Why talking to a UCI engine failed.
public enum UCIEngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The executable could not be started.
    case launchFailed(path: String, message: String)
    /// No matching reply within the time allowed.
    case timeout(waitingFor: String, seconds: Double, lastOutput: String?)
    /// The engine's output ended (it exited or crashed) before the reply came.
    case exited(waitingFor: String, status: Int32?, lastOutput: String?)
    /// Writing a command failed (the engine closed its input).
    case writeFailed(command: String)
    /// The task waiting for the engine was cancelled.
    case cancelled(waitingFor: String)

    public var description: String {
        func tail(_ line: String?) -> String { line.map { " (last output: '\($0)')" } ?? "" }
        switch self {
        case .launchFailed(let path, let message): return "could not start engine \(path): \(message)"
        case .timeout(let waiting, let seconds, let last):
            return "engine did not answer '\(waiting)' within \(String(format: "%.1f", seconds)) s" + tail(last)
        case .exited(let waiting, let status, let last):
            let code = status.map { " with status \($0)" } ?? ""
            return "engine exited\(code) while waiting for '\(waiting)'" + tail(last)
        case .writeFailed(let command): return "could not send '\(command)' to the engine (it closed its input)"
        case .cancelled(let waiting): return "cancelled while waiting for '\(waiting)'"
        }
    }
}

/// A UCI engine subprocess: lines in through a pipe to its stdin, lines out collected from its
/// stdout by a readability handler, every read bounded by a timeout. Standard error is discarded.
///
/// Writing to an engine that has died would raise SIGPIPE and kill the whole harness, so
/// starting an engine sets SIGPIPE to be ignored for the process (writes then fail with EPIPE).
final class UCIEngineProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    /// Lines read and not yet consumed, the unfinished last line, and whether output has ended.
    private let buffer = Locked<(lines: [String], partial: Data, ended: Bool, last: String?)>(([], Data(), false, nil))
    let executable: String

    init(executable: String) throws(UCIEngineError) {
        self.executable = executable
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = URL(fileURLWithPath: executable)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let buffer = self.buffer
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            buffer.withLock { state in
                if data.isEmpty {
                    state.ended = true
                    handle.readabilityHandler = nil
                    return
                }
                state.partial.append(data)
                while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                    let lineData = state.partial[state.partial.startIndex..<newline]
                    let line = String(decoding: lineData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    state.partial.removeSubrange(state.partial.startIndex...newline)
                    if !line.isEmpty { state.lines.append(line) }
                }
            }
        }
        do {
            try process.run()
        } catch {
            output.fileHandleForReading.readabilityHandler = nil
            throw .launchFailed(path: executable, message: "\(error)")
        }
    }

    var isRunning: Bool { process.isRunning }

    /// Sends one command line.
    func send(_ command: String) throws(UCIEngineError) {
        do {
            try input.fileHandleForWriting.write(contentsOf: Data((command + "\n").utf8))
        } catch {
            throw .writeFailed(command: command)
        }
    }

    /// Waits for the first output line for which `matches` is true, discarding lines before it.
    /// - Parameters:
    ///   - description: what is awaited, for error messages (`uciok`, `bestmove`).
    ///   - timeout: how long to wait in total.
    func waitForLine(_ description: String, timeout: Duration, matches: (String) -> Bool) async throws(UCIEngineError) -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let (found, ended, last) = buffer.withLock { state -> (String?, Bool, String?) in
                while !state.lines.isEmpty {
                    let line = state.lines.removeFirst()
                    state.last = line
                    if matches(line) { return (line, state.ended, line) }
                }
                return (nil, state.ended, state.last)
            }
            if let found { return found }
            if ended {
                // Give the process a moment to be reaped so the status is known.
                for _ in 0..<50 where process.isRunning { try? await Task.sleep(for: .milliseconds(2)) }
                throw .exited(waitingFor: description, status: process.isRunning ? nil : process.terminationStatus, lastOutput: last)
            }
            if clock.now >= deadline {
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                throw .timeout(waitingFor: description, seconds: seconds, lastOutput: last)
            }
            // Polling keeps the reader free of continuations; 2 ms is far below any engine's reply time.
            do { try await Task.sleep(for: .milliseconds(2)) } catch { throw .cancelled(waitingFor: description) }
        }
    }

    /// Asks the engine to quit, waits up to `grace` for it, then terminates it.
    func shutdown(grace: Duration = .milliseconds(500)) async {
        guard process.isRunning else { return }
        try? send("quit")
        let clock = ContinuousClock()
        let deadline = clock.now + grace
        while process.isRunning && clock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(5)) } catch { break }  // cancelled: stop waiting, terminate
        }
        if process.isRunning { process.terminate() }
        try? input.fileHandleForWriting.close()
    }

    deinit {
        output.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            try? send("quit")
            try? input.fileHandleForWriting.close()
            // The engine gets a moment to exit by itself after quit; after that it is killed.
            let process = self.process
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
                if process.isRunning { process.terminate() }
            }
        }
    }
}
