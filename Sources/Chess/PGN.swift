/// One PGN tag pair, e.g. `[White "Carlsen"]`.
public struct PGNTag: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A game read from PGN: its tags in file order, the moves played (as a `Game`, so positions,
/// repetition and rule-based outcomes are available), and the result token.
public struct PGNGame: Sendable {
    public var tags: [PGNTag]
    public var game: Game
    /// The result token that closed the movetext; if there was none, the `Result` tag; else `*`.
    /// A decisive result need not be a rule-based ending (e.g. a resignation), so it may differ
    /// from `game.outcome`, which only reflects the rules.
    public var result: GameResult

    /// The value of the first tag with this name, if any.
    public subscript(tag name: String) -> String? {
        tags.first { $0.name == name }?.value
    }
}

/// A PGN file that could not be read: which game (1-based, in file order), which line, which
/// move (as written, with its move number) and what was wrong.
public struct PGNError: Error, Sendable, Equatable, CustomStringConvertible {
    public var gameNumber: Int
    /// The game's Event tag, when it had one before the error.
    public var event: String?
    public var line: Int
    /// The failing move, e.g. `12... Nxe5`; `nil` for errors outside moves (tags, syntax).
    public var move: String?
    public var message: String

    public var description: String {
        var text = "PGN game \(gameNumber)"
        if let event { text += " (\"\(event)\")" }
        text += ", line \(line)"
        if let move { text += ", move \(move)" }
        return text + ": " + message
    }
}

/// Writing and reading Portable Game Notation.
public enum PGN {
    /// The Seven Tag Roster, in the order PGN export requires.
    public static let sevenTagRoster = ["Event", "Site", "Date", "Round", "White", "Black", "Result"]

    /// Writes one game in PGN export format: the Seven Tag Roster (values from `tags`, else `?`
    /// and `????.??.??` for Date; Result always from `result`), then `SetUp`/`FEN` when the game
    /// does not start from the standard position, `Termination` when the game has an outcome
    /// (its reason in words, e.g. `threefold repetition`), then the remaining `tags` in order.
    /// Movetext has move numbers (`12...` when black moves first), lines of at most 80
    /// characters, and ends with the result token. The text ends with a newline.
    /// - Parameters:
    ///   - result: defaults to the game's own result (`*` while it goes on).
    public static func write(_ game: Game, tags: [PGNTag] = [], result: GameResult? = nil) -> String {
        let finalResult = result ?? game.result
        var written: [PGNTag] = []
        let defaults = ["Date": "????.??.??"]
        for name in sevenTagRoster {
            let value = name == "Result"
                ? finalResult.rawValue
                : tags.first { $0.name == name }?.value ?? defaults[name, default: "?"]
            written.append(PGNTag(name, value))
        }
        var generated: Set<String> = Set(sevenTagRoster)
        if game.startingPosition != .standard {
            written.append(PGNTag("SetUp", "1"))
            written.append(PGNTag("FEN", game.startingPosition.fen))
            generated.formUnion(["SetUp", "FEN"])
        }
        if let outcome = game.outcome, !tags.contains(where: { $0.name == "Termination" }) {
            written.append(PGNTag("Termination", outcome.termination.rawValue))
        }
        for tag in tags where !generated.contains(tag.name) { written.append(tag) }

        var text = ""
        for tag in written {
            let escaped = tag.value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            text += "[\(tag.name) \"\(escaped)\"]\n"
        }
        text += "\n"
        text += wrap(movetextTokens(game, result: finalResult), width: 80)
        text += "\n"
        return text
    }

    /// Writes several games separated by blank lines.
    public static func write(_ games: [(game: Game, tags: [PGNTag])]) -> String {
        games.map { write($0.game, tags: $0.tags) }.joined(separator: "\n")
    }

    static func movetextTokens(_ game: Game, result: GameResult) -> [String] {
        var tokens: [String] = []
        for (index, (position, move)) in zip(game.history, game.moves).enumerated() {
            if position.sideToMove == .white {
                tokens.append("\(position.fullmoveNumber).")
            } else if index == 0 {
                tokens.append("\(position.fullmoveNumber)...")
            }
            tokens.append(position.san(move))
        }
        tokens.append(result.rawValue)
        return tokens
    }

    /// Joins tokens with single spaces into lines of at most `width` characters.
    static func wrap(_ tokens: [String], width: Int) -> String {
        var lines: [String] = []
        var line = ""
        for token in tokens {
            if line.isEmpty {
                line = token
            } else if line.count + 1 + token.count <= width {
                line += " " + token
            } else {
                lines.append(line)
                line = token
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}
