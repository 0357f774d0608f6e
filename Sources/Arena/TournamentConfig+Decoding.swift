/// Decoding the keys of a `kind: chess` task file (YAML through Yams' `YAMLDecoder`, or JSON).
/// Unknown keys are errors with a suggestion; every error is a `TournamentConfigError` whose
/// key path names the offending value (e.g. `players[2]`, `openings.random_plies`).
extension TournamentConfig: Decodable {
    /// Keys of the chess task file.
    public static let keys = [
        "players", "games_per_pairing", "schedule", "anchors", "openings", "max_plies", "adjudication",
        "protocol", "retries", "legal_moves", "max_tokens", "seed", "concurrency", "bootstrap",
        "rating_regularization", "event",
    ]
    /// Keys every task file may have; read by the task loader, ignored here.
    static let taskKeys = ["name", "kind", "description", "version", "metadata"]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        let allowed = TournamentConfig.keys + TournamentConfig.taskKeys
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw TournamentConfigError(keyPath: key.stringValue, message: "unknown key" + suggestion(for: key.stringValue, among: allowed))
        }
        if let kind = try container.decodeIfPresent(String.self, forKey: AnyKey("kind")), kind != "chess" {
            throw TournamentConfigError(keyPath: "kind", message: "expected 'chess', got '\(kind)'")
        }
        let players = try decodeValue([PlayerSpec].self, "players", container, required: true) ?? []
        self.init(players: players)
        if let value = try decodeValue(Int.self, "games_per_pairing", container) { gamesPerPairing = value }
        if let value = try decodeValue(String.self, "schedule", container) {
            guard let schedule = Schedule(rawValue: value) else {
                throw TournamentConfigError(keyPath: "schedule", message: "expected round_robin or gauntlet, got '\(value)'")
            }
            self.schedule = schedule
        }
        if let value = try decodeValue([AnchorSpec].self, "anchors", container) { anchors = value }
        if let value = try decodeValue(Openings.self, "openings", container) { openings = value }
        if let value = try decodeValue(Int.self, "max_plies", container) { maxPlies = value }
        if let value = try decodeValue(Adjudication.self, "adjudication", container) { adjudication = value }
        if let value = try decodeValue(String.self, "protocol", container) {
            guard let parsed = PromptProtocol(rawValue: value) else {
                throw TournamentConfigError(keyPath: "protocol", message: "expected pgn or chat, got '\(value)'")
            }
            promptProtocol = parsed
        }
        if let value = try decodeValue(Int.self, "retries", container) { retries = value }
        if let value = try decodeValue(Bool.self, "legal_moves", container) { showLegalMoves = value }
        if let value = try decodeValue(Int.self, "max_tokens", container) { maxTokens = value }
        if let value = try decodeValue(UInt64.self, "seed", container) { seed = value }
        if let value = try decodeValue(Int.self, "concurrency", container) { concurrency = value }
        if let value = try decodeValue(Int.self, "bootstrap", container) { bootstrapResamples = value }
        if let value = try decodeValue(Double.self, "rating_regularization", container) { ratingRegularization = value }
        if let value = try decodeValue(String.self, "event", container) { event = value }
        try validate()
    }
}

/// Decodes one key, turning Swift's decoding errors into a `TournamentConfigError` at that key.
private func decodeValue<T: Decodable>(_ type: T.Type, _ key: String, _ container: KeyedDecodingContainer<AnyKey>,
                                       required: Bool = false) throws -> T? {
    do {
        if required { return try container.decode(type, forKey: AnyKey(key)) }
        return try container.decodeIfPresent(type, forKey: AnyKey(key))
    } catch let error as DecodingError {
        throw TournamentConfigError(keyPath: path(of: error, fallback: key), message: describe(error))
    }
}

private func path(of error: DecodingError, fallback: String) -> String {
    let context: DecodingError.Context
    switch error {
    case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
    @unknown default: return fallback
    }
    let text = keyPath(context.codingPath)
    return text.isEmpty ? fallback : text
}

/// `players[2].spec` from a coding path.
func keyPath(_ codingPath: [any CodingKey], _ extra: String? = nil) -> String {
    var text = ""
    for key in codingPath {
        if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
    }
    if let extra { text += (text.isEmpty ? "" : ".") + extra }
    return text
}

private func describe(_ error: DecodingError) -> String {
    switch error {
    case .typeMismatch(let type, _): return "expected \(typeName(type))"
    case .valueNotFound(let type, _): return "expected \(typeName(type)), found nothing"
    case .keyNotFound(let key, _): return "missing required key '\(key.stringValue)'"
    case .dataCorrupted(let context): return context.debugDescription
    @unknown default: return "\(error)"
    }
}

private func typeName(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type, is UInt64.Type: return "a whole number"
    case is Double.Type: return "a number"
    case is Bool.Type: return "true or false"
    case is String.Type: return "a string"
    default: return "a list or mapping (\(type))"
    }
}

/// " (did you mean 'x'?)" for the closest key within a small edit distance, else "".
func suggestion(for word: String, among candidates: [String]) -> String {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
    let scored = candidates.map { ($0, distance(Array(word), Array($0))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return "" }
    return " (did you mean '\(best.0)'?)"
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) {
        self.stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

extension PlayerSpec {
    /// A spec string, or a mapping with `spec` and optional `name`.
    public init(from decoder: any Decoder) throws {
        if let spec = try? decoder.singleValueContainer().decode(String.self) {
            self.init(spec: spec)
            return
        }
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !["name", "spec"].contains(key.stringValue) {
            throw TournamentConfigError(keyPath: keyPath(decoder.codingPath, key.stringValue), message: "unknown key; a player is a spec string or {spec: ..., name: ...}")
        }
        let spec = try container.decode(String.self, forKey: AnyKey("spec"))
        self.init(name: try container.decodeIfPresent(String.self, forKey: AnyKey("name")), spec: spec)
    }
}

extension AnchorSpec {
    /// A player name, or a mapping with `player` and optional `elo`.
    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            self.init(player: name)
            return
        }
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys where !["player", "elo"].contains(key.stringValue) {
            throw TournamentConfigError(keyPath: keyPath(decoder.codingPath, key.stringValue), message: "unknown key; an anchor is a player name or {player: ..., elo: ...}")
        }
        self.init(player: try container.decode(String.self, forKey: AnyKey("player")),
                  elo: try container.decodeIfPresent(Double.self, forKey: AnyKey("elo")))
    }
}

extension Openings: Decodable {
    /// `standard` (or `start`), or a mapping with exactly one of `fen: [...]`, `pgn: [...]`,
    /// `random_plies: N`.
    public init(from decoder: any Decoder) throws {
        if let word = try? decoder.singleValueContainer().decode(String.self) {
            guard word == "standard" || word == "start" else {
                throw TournamentConfigError(keyPath: keyPath(decoder.codingPath), message: "expected 'standard', or a mapping with fen, pgn or random_plies; got '\(word)'")
            }
            self = .standard
            return
        }
        let container = try decoder.container(keyedBy: AnyKey.self)
        let keys = container.allKeys.map(\.stringValue)
        guard keys.count == 1, let key = keys.first else {
            throw TournamentConfigError(keyPath: keyPath(decoder.codingPath), message: "give exactly one of fen, pgn, random_plies; got \(keys.isEmpty ? "none" : keys.joined(separator: ", "))")
        }
        switch key {
        case "fen": self = .fens(try container.decode([String].self, forKey: AnyKey(key)))
        case "pgn": self = .pgn(try container.decode([String].self, forKey: AnyKey(key)))
        case "random_plies": self = .randomPlies(try container.decode(Int.self, forKey: AnyKey(key)))
        default:
            throw TournamentConfigError(keyPath: keyPath(decoder.codingPath, key), message: "unknown key" + suggestion(for: key, among: ["fen", "pgn", "random_plies"]))
        }
    }
}

extension Adjudication: Decodable {
    /// `draw`, `material` (threshold 5), or `{material: N}`.
    public init(from decoder: any Decoder) throws {
        if let word = try? decoder.singleValueContainer().decode(String.self) {
            switch word {
            case "draw": self = .draw
            case "material": self = .material(threshold: 5)
            default: throw TournamentConfigError(keyPath: keyPath(decoder.codingPath), message: "expected draw, material or {material: N}; got '\(word)'")
            }
            return
        }
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard container.allKeys.map(\.stringValue) == ["material"] else {
            throw TournamentConfigError(keyPath: keyPath(decoder.codingPath), message: "expected draw, material or {material: N}")
        }
        self = .material(threshold: try container.decode(Int.self, forKey: AnyKey("material")))
    }
}
