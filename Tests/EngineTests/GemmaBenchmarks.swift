import Engine
import Foundation
import ModelFormats
import Testing

/// Gemma 3 270M speed, the engine's side of `scripts/bench-llamacpp` (which runs llama-cpp-python on
/// the same GGUF, the same token ids and the same thread count, and prints both side by side):
///
///     GEMMA_BENCHMARK=<workload.json>:<out.json> swift test -c release --filter GemmaBenchmarks
///
/// The workload holds multiple-choice items (context + continuations, token ids), a prompt for
/// prompt processing and a prompt and token count for generation; the result is the seconds each
/// took and the process's peak resident memory. Not a check: the script compares.
@Suite(.serialized)
struct GemmaBenchmarks {
    struct Workload: Decodable {
        struct Item: Decodable { let context: [Int]; let continuations: [[Int]] }
        let items: [Item]
        let prompt: [Int]
        let generationPrompt: [Int]
        let generationTokens: Int
        enum CodingKeys: String, CodingKey {
            case items, prompt
            case generationPrompt = "generation_prompt", generationTokens = "generation_tokens"
        }
    }

    struct Figures: Encodable {
        var loadSeconds = 0.0
        var scoringSeconds = 0.0
        var scoredRequests = 0
        var promptSeconds = 0.0
        var promptTokens = 0
        var generationSeconds = 0.0
        var generatedTokens = 0
        var peakResidentBytes = 0
        enum CodingKeys: String, CodingKey {
            case loadSeconds = "load_seconds", scoringSeconds = "scoring_seconds", scoredRequests = "scored_requests"
            case promptSeconds = "prompt_seconds", promptTokens = "prompt_tokens", generationSeconds = "generation_seconds"
            case generatedTokens = "generated_tokens", peakResidentBytes = "peak_resident_bytes"
        }
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Median of `runs` timings (the first run also warms caches and pages in the mapping).
    static func median(runs: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<runs { times.append(try seconds(body)) }
        return times.sorted()[runs / 2]
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["GEMMA_BENCHMARK"] != nil))
    func gemmaWorkload() throws {
        let environment = ProcessInfo.processInfo.environment
        let paths = try #require(environment["GEMMA_BENCHMARK"]).split(separator: ":").map(String.init)
        try #require(paths.count == 2, "GEMMA_BENCHMARK=<workload.json>:<out.json>")
        let workload = try JSONDecoder().decode(Workload.self, from: Data(contentsOf: URL(fileURLWithPath: paths[0])))
        var figures = Figures()
        var model: DecoderModel?
        figures.loadSeconds = try Self.seconds { model = try DecoderModel.load(contentsOf: Gemma3ReferenceTests.modelURL) }
        let gemma = try #require(model)

        // Multiple choice: each item's choices scored together (shared context, projection only where scored).
        figures.scoredRequests = workload.items.reduce(0) { $0 + $1.continuations.count }
        figures.scoringSeconds = try Self.median(runs: 3) {
            for item in workload.items { _ = try gemma.scoreContinuations(context: item.context, continuations: item.continuations) }
        }
        // Prompt processing: every prompt token through the blocks, logits of the last position only.
        figures.promptTokens = workload.prompt.count
        figures.promptSeconds = try Self.median(runs: 5) {
            _ = try gemma.scoreContinuations(context: Array(workload.prompt.dropLast()), continuations: [[workload.prompt.last ?? 0]])
        }
        // Generation: greedy tokens after the prompt; the prompt's own processing is subtracted.
        let prefill = try Self.median(runs: 5) {
            _ = try gemma.generate(prompt: workload.generationPrompt, maxTokens: 1, sampling: .greedy) { _ in true }
        }
        var produced = 0
        let total = try Self.median(runs: 5) {
            produced = try gemma.generate(prompt: workload.generationPrompt, maxTokens: workload.generationTokens, sampling: .greedy) { _ in true }.count
        }
        figures.generatedTokens = produced - 1
        figures.generationSeconds = total - prefill
        var usage = rusage()
        getrusage(__rusage_who_t(truncatingIfNeeded: RUSAGE_SELF.rawValue), &usage)
        figures.peakResidentBytes = usage.ru_maxrss * 1024
        try JSONEncoder().encode(figures).write(to: URL(fileURLWithPath: paths[1]))
    }

    /// The fused products alone, on Gemma's own matrices: the output projection (Q8_0, 262,144 × 640)
    /// and one of each block weight type, one row and a few rows, on 1 and 2 threads, each path the
    /// row count can take. Prints ms per
    /// product. `GEMMA_KERNEL_BENCHMARK=1 swift test -c release --filter GemmaBenchmarks/kernels`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["GEMMA_KERNEL_BENCHMARK"] != nil))
    func kernels() throws {
        let file = try GGUFFile(contentsOf: Gemma3ReferenceTests.modelURL)
        for name in ["token_embd.weight", "blk.0.attn_q.weight", "blk.0.ffn_down.weight", "blk.1.ffn_down.weight", "blk.0.attn_output.weight"] {
            let info = try #require(file.tensor(named: name))
            let matrix = PackedMatrix(rows: info.dimensions[1], columns: info.dimensions[0], type: info.type, data: try file.rawData(of: name))
            matrix.prepareRowProducts()
            for m in [1, 4, 8, 16, 64, 512] where matrix.rows < 100_000 || m <= 64 {
                let input = (0..<(m * matrix.columns)).map { Float(($0 * 7919) % 200) / 100 - 1 }
                // Row by row (dot4) against the regrouped rows (CKernels).
                let paths: [(String, PackedMatrix.ProductPath)] = [("row-by-row ", .rowByRow), ("grouped ", .automatic)]
                for threads in [1, 2] {
                    for (label, path) in paths {
                        let reps = max(1, (matrix.rows > 100_000 ? 5 : 200) / max(1, m / 8))
                        let seconds = Self.median(runs: 3) {
                            for _ in 0..<reps { _ = matrix.multiplyTransposed(input, rows: m, threads: threads, path: path) }
                        }
                        let ms = seconds / Double(reps) * 1000
                        print(String(format: "kernel %@ %@ (%d × %d) m=%d threads=%d %@: %.3f ms, %.1f GMAC/s", name, info.type.name,
                                     matrix.rows, matrix.columns, m, threads, label, ms, Double(m * matrix.rows * matrix.columns) / ms / 1e6))
                    }
                }
            }
        }
    }
}
