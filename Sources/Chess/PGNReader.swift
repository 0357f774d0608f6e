extension PGN {
    /// Reads every game in a PGN text (import format).
    ///
    /// Understood: tag pairs `[Name "value"]` with `\"` and `\\` escapes; movetext with move
    /// numbers (`12.`, `12...`, also glued to the move as `12.e4`); `{comments}`; `;` comments to
    /// the end of the line; `%` escape lines; NAGs (`$1`); suffix annotations (`!`, `?!`, ...);
    /// variations in parentheses, nested, which are skipped; result tokens `1-0`, `0-1`,
    /// `1/2-1/2`, `*`. A game ends at its result token, or when a tag starts after movetext, or at
    /// the end of the text. `SetUp`/`FEN` tags set the starting position.
    /// - Parameter sanMode: how moves are read; `.lenient` (default) accepts the variants listed
    ///   at `Position.move(san:mode:)`.
    /// - Throws: `PGNError` naming the game, line and move.
    public static func read(_ text: String, sanMode: SANMode = .lenient) throws(PGNError) -> [PGNGame] {
        var reader = PGNReader(bytes: Array(text.utf8), sanMode: sanMode)
        return try reader.readAll()
    }
}

/// Byte-level PGN import-format reader (PGN is ASCII apart from tag values and comments).
struct PGNReader {
    let bytes: [UInt8]
    let sanMode: SANMode
    var index = 0
    var line = 1

    // Game under construction.
    var games: [PGNGame] = []
    var tags: [PGNTag] = []
    var game: Game?
    var hasContent = false

    init(bytes: [UInt8], sanMode: SANMode) {
        self.bytes = bytes
        self.sanMode = sanMode
    }

    private var currentEvent: String? { tags.first { $0.name == "Event" }?.value }

    private func error(_ message: String, move: String? = nil) -> PGNError {
        PGNError(gameNumber: games.count + 1, event: currentEvent, line: line, move: move, message: message)
    }

    mutating func readAll() throws(PGNError) -> [PGNGame] {
        var variationDepth = 0
        var variationStartLine = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                index += 1
                if index < bytes.count && bytes[index] == UInt8(ascii: "%") { skipToEndOfLine() }
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "%") where index == 0:
                skipToEndOfLine()
            case UInt8(ascii: "{"):
                let startLine = line
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "}") {
                    if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                    index += 1
                }
                guard index < bytes.count else { throw PGNError(gameNumber: games.count + 1, event: currentEvent, line: startLine, move: nil, message: "comment '{' is never closed") }
                index += 1
            case UInt8(ascii: ";"):
                skipToEndOfLine()
            case UInt8(ascii: "("):
                if variationDepth == 0 { variationStartLine = line }
                variationDepth += 1
                index += 1
            case UInt8(ascii: ")"):
                guard variationDepth > 0 else { throw error("')' without a matching '('") }
                variationDepth -= 1
                index += 1
            case UInt8(ascii: "["):
                guard variationDepth == 0 else { throw error("tag pair inside a variation") }
                if game != nil { try finishGame(result: nil) }
                try readTag()
            default:
                let token = readSymbol()
                guard !token.isEmpty else { throw error("unexpected character '\(Character(Unicode.Scalar(byte)))'") }
                if variationDepth > 0 { continue }  // moves inside variations are not read
                try handle(token)
            }
        }
        if variationDepth > 0 {
            throw PGNError(gameNumber: games.count + 1, event: currentEvent, line: variationStartLine, move: nil, message: "variation '(' is never closed")
        }
        if hasContent { try finishGame(result: nil) }
        return games
    }

    private mutating func skipToEndOfLine() {
        while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
    }

    /// Reads a symbol token: everything up to whitespace or a PGN delimiter.
    private mutating func readSymbol() -> String {
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"),
                 UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ";"), UInt8(ascii: "("),
                 UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"):
                return String(decoding: bytes[start..<index], as: UTF8.self)
            default:
                index += 1
            }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func readTag() throws(PGNError) {
        index += 1  // "["
        func skipSpaces() { while index < bytes.count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) { index += 1 } }
        skipSpaces()
        let nameStart = index
        while index < bytes.count, bytes[index] == UInt8(ascii: "_") || (bytes[index] < 128 && Character(Unicode.Scalar(bytes[index])).isLetter)
            || (bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")) { index += 1 }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
        guard !name.isEmpty else { throw error("tag pair needs a name, as in [Event \"...\"]") }
        skipSpaces()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("tag \(name): expected a quoted value") }
        index += 1
        var value: [UInt8] = []
        while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
            if bytes[index] == UInt8(ascii: "\n") { throw error("tag \(name): value is not closed on its line") }
            value.append(bytes[index])
            index += 1
        }
        guard index < bytes.count else { throw error("tag \(name): value is never closed") }
        index += 1
        skipSpaces()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "]") else { throw error("tag \(name): expected ']' after the value") }
        index += 1
        tags.append(PGNTag(name, String(decoding: value, as: UTF8.self)))
        hasContent = true
    }

    private mutating func handle(_ rawToken: String) throws(PGNError) {
        var token = Substring(rawToken)
        if let result = GameResult(rawValue: String(token)) {
            try finishGame(result: result)
            return
        }
        if token.first == "$" {
            guard token.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), token.count > 1 else {
                throw error("'\(token)' is not a NAG ($ followed by digits)")
            }
            return
        }
        // Move number indication, possibly glued to the move: "12." "12..." "12...Nf3" "1.e4".
        let digits = token.prefix { $0.isASCII && $0.isNumber }
        if !digits.isEmpty, token.dropFirst(digits.count).first == "." {
            token = token.dropFirst(digits.count).drop { $0 == "." }
            if token.isEmpty { return }
        }
        if token.allSatisfy({ $0 == "." }) { return }
        // Suffix annotations are PGN, not SAN.
        while let last = token.last, last == "!" || last == "?" { token = token.dropLast() }
        try playMove(String(token))
    }

    private mutating func playMove(_ text: String) throws(PGNError) {
        if game == nil { game = try startingGame() }
        guard var current = game else { return }
        let position = current.position
        let label = "\(position.fullmoveNumber)\(position.sideToMove == .white ? "." : "...") \(text)"
        do {
            try current.play(san: text, mode: sanMode)
        } catch {
            throw self.error("\(error)", move: label)
        }
        game = current
        hasContent = true
    }

    private func startingGame() throws(PGNError) -> Game {
        guard let fen = tags.first(where: { $0.name == "FEN" })?.value else { return Game() }
        do {
            return Game(startingPosition: try Position(fen: fen))
        } catch {
            throw self.error("FEN tag: \(error)")
        }
    }

    private mutating func finishGame(result: GameResult?) throws(PGNError) {
        let finished: Game
        if let game { finished = game } else { finished = try startingGame() }
        let tagResult = tags.first { $0.name == "Result" }.flatMap { GameResult(rawValue: $0.value) }
        games.append(PGNGame(tags: tags, game: finished, result: result ?? tagResult ?? .ongoing))
        tags = []
        game = nil
        hasContent = false
    }
}
