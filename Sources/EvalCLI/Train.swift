import ArgumentParser
import Dispatch
import Engine
import EvalCore
import Foundation

extension Eval {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a GPT-2-style model on CPU from a YAML config; resumes from the latest checkpoint.",
            discussion: """
                Writes runs/<name>/step-NNNNNN/ checkpoints (Hugging Face layout + training state), runs/<name>/final/
                and runs/<name>/metrics.jsonl. Ctrl-C writes a checkpoint and exits cleanly. Keys: docs/training.md.
                """
        )

        @Argument(help: ArgumentHelp("The training configuration (YAML).", valueName: "config"))
        var config: String

        @Flag(name: .long, help: "No progress line on stderr.")
        var quiet = false

        static let keys = [
            "name", "output_directory", "corpus", "tokenizer", "n_layer", "n_head", "n_embd", "context_length",
            "batch_size", "gradient_accumulation_steps", "steps", "learning_rate", "min_learning_rate", "warmup_steps",
            "weight_decay", "grad_clip", "beta1", "beta2", "seed", "validation_fraction", "validation_interval",
            "validation_windows", "checkpoint_interval",
        ]

        func run() throws {
            let configuration = try ConfigFile.decode(TrainingConfiguration.self, path: config, allowedKeys: Self.keys)
            let base = URL(fileURLWithPath: config).deletingLastPathComponent()
            let run: TrainingRun
            do {
                run = try TrainingRun(configuration: configuration, baseFolder: base)
            } catch {
                throw UsageError("\(config): \(error)")
            }
            // Ctrl-C: ask the run to stop after the current step; it writes a checkpoint first.
            signal(SIGINT, SIG_IGN)
            let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            interrupt.setEventHandler {
                FileHandle.standardError.write(Data("\ninterrupted: writing a checkpoint, then stopping\n".utf8))
                run.cancellation.cancel()
            }
            interrupt.resume()
            let isTerminal = isatty(STDERR_FILENO) == 1
            let start = Date()
            var lastPrint = Date.distantPast
            let quiet = self.quiet
            run.onProgress = { progress in
                guard !quiet else { return }
                let now = Date()
                guard progress.step == progress.totalSteps || progress.validationLoss != nil
                    || now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.2 : 10) else { return }
                lastPrint = now
                let rate = Double(progress.step) / max(1e-9, now.timeIntervalSince(start))
                let eta = rate > 0 ? Double(progress.totalSteps - progress.step) / rate : 0
                var line = String(format: "step %d/%d  loss %.4f", progress.step, progress.totalSteps, progress.loss)
                if let validation = progress.validationLoss { line += String(format: "  val %.4f", validation) }
                line += String(format: "  lr %.2e  %.0f tok/s  ETA %@", progress.learningRate, progress.tokensPerSecond,
                               ProgressReporter.formatDuration(eta))
                let output = isTerminal && progress.validationLoss == nil && progress.step != progress.totalSteps
                    ? "\r\u{1B}[2K" + line : (isTerminal ? "\r\u{1B}[2K" : "") + line + "\n"
                FileHandle.standardError.write(Data(output.utf8))
            }
            let result: TrainingRunResult
            do {
                result = try run.run()
            } catch {
                throw RunFailure("training failed: \(error)")
            }
            interrupt.cancel()
            let how = result.wasCancelled ? "stopped at" : "finished at"
            print("\(how) step \(result.step); checkpoint \(result.checkpoint.path)")
            if let resumed = result.resumedFromStep { print("resumed from step \(resumed)") }
        }
    }
}
