import Foundation

/// Progress of a run on stderr: done/total, rate and ETA. On a terminal one line redrawn in place;
/// otherwise (CI logs, files) a plain line at most every few seconds and at the end.
public final class ProgressReporter: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let quiet: Bool
    private let isTerminal: Bool
    private let start = Date()
    private var done = 0
    private var lastPrinted = Date.distantPast
    private let lock = NSLock()

    public init(label: String, total: Int, quiet: Bool) {
        self.label = label
        self.total = total
        self.quiet = quiet
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    public func advance(by count: Int) {
        lock.lock(); defer { lock.unlock() }
        done += count
        guard !quiet else { return }
        let now = Date()
        let interval = isTerminal ? 0.1 : 5.0
        if done >= total || now.timeIntervalSince(lastPrinted) >= interval {
            lastPrinted = now
            write(line())
        }
    }

    public func finish() {
        lock.lock(); defer { lock.unlock() }
        guard !quiet else { return }
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func line() -> String {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? 100 * done / total : 100
        let width = 24
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "\(label) [\(bar)] \(done)/\(total) \(percent)% \(String(format: "%.1f", rate)) req/s ETA \(Self.duration(remaining))"
    }

    private func write(_ text: String) {
        let output = isTerminal ? "\r\u{1B}[2K" + text : text + "\n"
        FileHandle.standardError.write(Data(output.utf8))
    }

    /// "1h02m", "3m05s", "42s".
    public static func formatDuration(_ seconds: Double) -> String { duration(seconds) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
