import ArgumentParser
import Backends
import Engine
import EvalCore
import Foundation

extension Eval {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate text from a model the engine runs, streaming tokens to the terminal.")

        @Option(name: .long, help: ArgumentHelp("""
            A model the engine runs, as `eval run --model` takes it: a checkpoint folder, a training run \
            (its last checkpoint), a GGUF file or alias (gemma-3-270m), a Hugging Face Llama folder.
            """, valueName: "spec"))
        var model: String

        @Option(name: .long, help: ArgumentHelp("The prompt.", valueName: "text"))
        var prompt: String

        @Option(name: .long, help: ArgumentHelp("Tokens to generate at most.", valueName: "n"))
        var maxTokens: Int = 100

        @Option(name: .long, help: ArgumentHelp("0 is greedy; higher samples more freely.", valueName: "t"))
        var temperature: Double = 0.8

        @Option(name: .long, help: ArgumentHelp("Keep only the k most likely tokens when sampling.", valueName: "k"))
        var topK: Int?

        @Option(name: .long, help: ArgumentHelp("Nucleus sampling: keep the smallest set with this probability mass.", valueName: "p"))
        var topP: Double?

        @Option(name: .long, help: ArgumentHelp("Sampling seed.", valueName: "n"))
        var seed: UInt64 = 1234

        func validate() throws {
            if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
            if temperature < 0 { throw ValidationError("--temperature must be 0 or more") }
            if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1]") }
            if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1") }
        }

        func run() throws {
            let engine: EngineLanguageModel
            do {
                // A training run resolves to one model per checkpoint: generate from its last.
                guard let resolved = try ModelResolver.resolve(model).last else { throw ModelError("no model") }
                guard let loaded = try resolved.load() as? EngineLanguageModel else {
                    throw ModelError("eval generate streams from a model the engine runs (a checkpoint, a GGUF file or alias, a Hugging Face folder); '\(model)' is a remote endpoint")
                }
                engine = loaded
            } catch {
                throw UsageError("--model \(model): \(error)")
            }
            let tokenizer = engine.modelTokenizer
            // BOS first when the model uses one; an empty prompt is the BOS / end-of-text token.
            var promptTokens = engine.promptTokens(prompt)
            if promptTokens.isEmpty, let token = engine.emptyPromptToken { promptTokens = [token] }
            let stops = engine.endOfGenerationTokens
            let stdout = FileHandle.standardOutput
            stdout.write(Data(prompt.utf8))
            var generated: [Int] = []
            var printed = ""
            let sampling = SamplingParameters(temperature: temperature, topK: topK, topP: topP, seed: seed)
            _ = try engine.causalModel.generate(prompt: promptTokens, maxTokens: maxTokens, sampling: sampling) { token in
                if stops.contains(token) { return false }
                generated.append(token)
                // Print only whole characters: a token may end inside a multi-byte character.
                let text = tokenizer.decode(generated)
                if !text.hasSuffix("\u{FFFD}"), text.hasPrefix(printed) {
                    stdout.write(Data(text.dropFirst(printed.count).utf8))
                    printed = text
                }
                return true
            }
            let text = tokenizer.decode(generated)
            if text.hasPrefix(printed) { stdout.write(Data(text.dropFirst(printed.count).utf8)) }
            stdout.write(Data("\n".utf8))
        }
    }
}
