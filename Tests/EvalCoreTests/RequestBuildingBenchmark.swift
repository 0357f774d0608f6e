import EvalCore
import Foundation
import Testing

/// Benchmark, not a test of speed: runs only with EVALKIT_BENCHMARK=1 (scripts/bench), prints the
/// time to build every request of a 10,000-doc, 4-choice task. The assertions check the work done.
@Suite struct RequestBuildingBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EVALKIT_BENCHMARK"] == "1"))
    func build10000DocsWith4Choices() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var lines: [String] = []
        for i in 0..<10_000 {
            lines.append(#"{"question": "Question number \#(i): which of these numbers is the largest?", "choices": ["\#(i)", "\#(i + 1)", "\#(i + 2)", "\#(i + 3)"], "label": 3}"#)
        }
        try lines.joined(separator: "\n").write(to: directory.appendingPathComponent("docs.jsonl"), atomically: true, encoding: .utf8)
        try """
            name: bench
            kind: multiple_choice
            dataset:
              path: docs.jsonl
            prompt: "Question: {{question}}\\nAnswer:"
            choices: choices
            target: "{{label}}"
            metrics: [acc, acc_norm]
            """.write(to: directory.appendingPathComponent("bench.yaml"), atomically: true, encoding: .utf8)
        let task = try TaskLoader.loadTask(path: directory.appendingPathComponent("bench.yaml").path)
        let clock = ContinuousClock()
        let loading = try clock.measure { _ = try RequestBuilder.loadDocs(task) }
        print("benchmark: loading 10,000 JSONL docs took \(loading)")
        var prepared: [PreparedTask] = []
        let elapsed = try clock.measure {
            prepared = try EvaluationRunner.prepare([(task, 1)], options: RunOptions())
        }
        let requests = prepared[0].instances.reduce(0) { $0 + $1.logLikelihoodRequests.count }
        #expect(requests == 40_000)
        print("benchmark: built \(requests) requests for 10,000 docs x 4 choices (load + render + build) in \(elapsed)")
    }
}
