import ArgumentParser
import EvalCore
import Foundation

/// The `eval` executable. Exit codes: 0 success, 1 run failure, 2 usage or validation error.
@main
enum EvalMain {
    static func main() async {
        do {
            var command = try Eval.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withCode: report(error))
        }
    }

    /// Prints the error and returns the exit code it maps to.
    static func report(_ error: Error) -> Int32 {
        switch error {
        case let exit as ExitCode:
            return exit.rawValue
        case is TaskFileError, is TaskFileErrors, is DatasetError, is DatasetNotFetched, is DocError, is TemplateError, is UsageError:
            printError("\(error)")
            return 2
        case is ModelError, is RunFailure:
            printError("\(error)")
            return 1
        default:
            let code = Eval.exitCode(for: error)
            if code == .success {
                // --help, --version
                print(Eval.fullMessage(for: error))
                return 0
            }
            if code == .validationFailure || code.rawValue == 64 {
                printError(Eval.fullMessage(for: error))
                return 2
            }
            printError("\(error)")
            return 1
        }
    }

    static func printError(_ message: String) {
        let text = message.hasPrefix("Error:") || message.hasPrefix("error:") ? message : "error: \(message)"
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func exit(withCode code: Int32) -> Never {
        Foundation.exit(code)
    }
}

/// A mistake in how EvalKit was called (exit 2).
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A failure while running (exit 1), after inputs were accepted.
struct RunFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "EvalKit: evaluate language models on tasks written as YAML files.",
        version: EvalKitVersion.string,
        subcommands: [Run.self, Tasks.self, Train.self, Generate.self, Watch.self, Leaderboard.self, Compare.self, Serve.self]
    )
}
