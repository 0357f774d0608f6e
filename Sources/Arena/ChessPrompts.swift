import Foundation
import Chess
import EvalCore

/// How a language model is asked for a move.
public enum PromptProtocol: String, Sendable, Codable, CaseIterable {
    /// Continue a PGN file (Seven Tag Roster and the movetext so far, ending at the move number);
    /// the first SAN token of the generation is the move. For base (completion) models.
    case pgn
    /// A chat turn giving the FEN, the moves so far and the side to move, asking for one move in
    /// SAN; the last SAN-looking token of the answer is the move. For chat models.
    case chat
}

/// A reply that was not a legal move, and why; shown to the model in the retry prompt.
struct RejectedReply: Error, Sendable, Equatable {
    /// The raw generation.
    var reply: String
    /// The move text read from it, if any.
    var moveText: String?
    /// Why it was rejected, e.g. "no legal move matches".
    var reason: String

    /// One sentence for the retry prompt.
    var feedback: String {
        if let moveText { return "\(moveText) is not a legal move here: \(reason)." }
        return "The reply contained no move in SAN: \(reason)."
    }
}

/// Prompt building and reply reading for `LanguageModelPlayer`.
enum ChessPrompts {
    /// Movetext of the game so far with move numbers, plus the cue for the next move: `N.` when
    /// white is to move, `N...` when black moves first or after a comment.
    static func movetext(_ game: Game, comment: String?) -> String {
        var tokens: [String] = []
        for (index, (position, move)) in zip(game.history, game.moves).enumerated() {
            if position.sideToMove == .white {
                tokens.append("\(position.fullmoveNumber).")
            } else if index == 0 {
                tokens.append("\(position.fullmoveNumber)...")
            }
            tokens.append(position.san(move))
        }
        if let comment {
            // Braces end a PGN comment, so they cannot appear inside one.
            tokens.append("{" + comment.replacing("{", with: "(").replacing("}", with: ")") + "}")
        }
        let position = game.position
        if position.sideToMove == .white {
            tokens.append("\(position.fullmoveNumber).")
        } else if game.moves.isEmpty || comment != nil {
            tokens.append("\(position.fullmoveNumber)...")
        }
        return tokens.joined(separator: " ")
    }

    /// A PGN file cut off where the next move goes: tags, a blank line, the movetext.
    static func pgnPrompt(_ game: Game, tags: [PGNTag], rejected: [RejectedReply]) -> String {
        var text = ""
        for name in PGN.sevenTagRoster {
            let value = name == "Result" ? "*" : tags.first { $0.name == name }?.value ?? (name == "Date" ? "????.??.??" : "?")
            text += "[\(name) \"\(value.replacing("\"", with: "'"))\"]\n"
        }
        if game.startingPosition != .standard {
            text += "[SetUp \"1\"]\n[FEN \"\(game.startingPosition.fen)\"]\n"
        }
        let comment = rejected.isEmpty ? nil : rejected.map(\.feedback).joined(separator: " ")
        return text + "\n" + movetext(game, comment: comment)
    }

    /// The moves so far as numbered SAN, or "none".
    static func moveList(_ game: Game) -> String {
        guard !game.moves.isEmpty else { return "none (this is the first move)" }
        var text = movetext(game, comment: nil)
        // Drop the trailing cue for the next move.
        if let last = text.split(separator: " ").last, last.hasSuffix(".") {
            text = String(text.dropLast(last.count)).trimmingCharacters(in: .whitespaces)
        }
        return text
    }

    static let systemMessage = "You are a strong chess player. You answer with one legal move in Standard Algebraic Notation (SAN), such as e4, Nf3, exd5, O-O or e8=Q."

    /// Chat messages: the position and question, then for each rejected reply the model's answer
    /// and a correction.
    static func chatMessages(_ game: Game, showLegalMoves: Bool, rejected: [RejectedReply]) -> [ChatMessage] {
        let position = game.position
        let side = position.sideToMove == .white ? "White" : "Black"
        var question = "We are playing chess. You play \(side).\n"
        question += "Position (FEN): \(position.fen)\n"
        if game.startingPosition != .standard { question += "Starting position (FEN): \(game.startingPosition.fen)\n" }
        question += "Moves so far: \(moveList(game))\n"
        question += "Side to move: \(side)\n"
        if showLegalMoves {
            let legal = position.legalMoves().map { position.san($0) }.sorted()
            question += "Legal moves: \(legal.joined(separator: ", "))\n"
        }
        question += "Answer with one move in SAN."
        var messages = [ChatMessage(role: "system", content: systemMessage), ChatMessage(role: "user", content: question)]
        for reply in rejected {
            messages.append(ChatMessage(role: "assistant", content: reply.reply))
            messages.append(ChatMessage(role: "user", content: reply.feedback + " Answer with one legal move in SAN."))
        }
        return messages
    }

    /// The same chat as plain text, for models without a chat template.
    static func chatAsText(_ messages: [ChatMessage]) -> String {
        ChatTranscript.plainText(messages)
    }

    /// The first token of a PGN continuation that is not a move number (`2.`, `2...`, glued
    /// `2.Nf3` is split), or nil when the continuation ends (result, tag, comment) first.
    static func firstSANToken(_ text: String) -> String? {
        for raw in text.split(whereSeparator: { $0.isWhitespace }) {
            var token = Substring(raw)
            let digits = token.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, token.dropFirst(digits.count).first == "." {
                token = token.dropFirst(digits.count).drop { $0 == "." }
            }
            if token.isEmpty { continue }
            if ["1-0", "0-1", "1/2-1/2", "*"].contains(token) || token.first == "{" || token.first == "[" || token.first == "(" {
                return nil
            }
            return String(token)
        }
        return nil
    }

    /// The last token of an answer that looks like SAN (or UCI long algebraic), with surrounding
    /// punctuation and Markdown emphasis removed; nil when there is none.
    static func lastSANLikeToken(_ text: String) -> String? {
        let trim: Set<Character> = [".", ",", ";", ":", "!", "?", "\"", "'", "`", "*", "(", ")", "[", "]", "{", "}", "_"]
        var found: String?
        for raw in text.split(whereSeparator: { $0.isWhitespace }) {
            var token = Substring(raw)
            while let first = token.first, trim.contains(first) { token = token.dropFirst() }
            let digits = token.prefix { $0.isASCII && $0.isNumber }
            if !digits.isEmpty, token.dropFirst(digits.count).first == "." {
                token = token.dropFirst(digits.count).drop { $0 == "." }
            }
            while let last = token.last, trim.contains(last) { token = token.dropLast() }
            if looksLikeSAN(token) { found = String(token) }
        }
        return found
    }

    /// Shape check only (legality is decided by the position): castling, piece moves, pawn moves
    /// with optional promotion, long algebraic `e2e4`/`e7e8q`; optional `+`/`#`.
    static func looksLikeSAN(_ token: Substring) -> Bool {
        var body = token
        while let last = body.last, last == "+" || last == "#" { body = body.dropLast() }
        if ["O-O", "O-O-O", "0-0", "0-0-0"].contains(body) { return true }
        let characters = Array(body)
        guard characters.count >= 2, characters.count <= 7 else { return false }
        func isFile(_ c: Character) -> Bool { ("a"..."h").contains(c) }
        func isRank(_ c: Character) -> Bool { ("1"..."8").contains(c) }
        var index = 0
        if "KQRBN".contains(characters[0]) { index = 1 }
        var rest = Array(characters[index...])
        // Promotion suffix.
        if let last = rest.last, "QRBNqrbn".contains(last), rest.count >= 3 {
            rest.removeLast()
            if rest.last == "=" { rest.removeLast() }
        }
        rest.removeAll { $0 == "x" || $0 == "-" }
        guard rest.count >= 2, isFile(rest[rest.count - 2]), isRank(rest[rest.count - 1]) else { return false }
        let origin = rest.dropLast(2)
        switch origin.count {
        case 0: return true
        case 1: return isFile(origin[origin.startIndex]) || isRank(origin[origin.startIndex])
        case 2: return isFile(origin[origin.startIndex]) && isRank(origin[origin.startIndex + 1])
        default: return false
        }
    }
}
