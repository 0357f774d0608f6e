/// Encoding with the task-file keys, so a run can record the resolved configuration (every key,
/// defaults included) and decoding it gives the same config back.
extension TournamentConfig: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode("chess", forKey: AnyKey("kind"))
        try container.encode(players, forKey: AnyKey("players"))
        try container.encode(gamesPerPairing, forKey: AnyKey("games_per_pairing"))
        try container.encode(schedule.rawValue, forKey: AnyKey("schedule"))
        try container.encode(anchors, forKey: AnyKey("anchors"))
        try container.encode(openings, forKey: AnyKey("openings"))
        try container.encode(maxPlies, forKey: AnyKey("max_plies"))
        try container.encode(adjudication, forKey: AnyKey("adjudication"))
        try container.encode(promptProtocol.rawValue, forKey: AnyKey("protocol"))
        try container.encode(retries, forKey: AnyKey("retries"))
        try container.encode(showLegalMoves, forKey: AnyKey("legal_moves"))
        try container.encodeIfPresent(maxTokens, forKey: AnyKey("max_tokens"))
        try container.encode(seed, forKey: AnyKey("seed"))
        try container.encode(concurrency, forKey: AnyKey("concurrency"))
        try container.encode(bootstrapResamples, forKey: AnyKey("bootstrap"))
        try container.encode(ratingRegularization, forKey: AnyKey("rating_regularization"))
        try container.encode(event, forKey: AnyKey("event"))
    }
}

extension PlayerSpec: Encodable {
    /// The bare spec when the name is the spec, else `{name, spec}`.
    public func encode(to encoder: any Encoder) throws {
        if name == spec {
            var container = encoder.singleValueContainer()
            try container.encode(spec)
            return
        }
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(name, forKey: AnyKey("name"))
        try container.encode(spec, forKey: AnyKey("spec"))
    }
}

extension AnchorSpec: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyKey.self)
        try container.encode(player, forKey: AnyKey("player"))
        try container.encodeIfPresent(elo, forKey: AnyKey("elo"))
    }
}

extension Openings: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .standard:
            var container = encoder.singleValueContainer()
            try container.encode("standard")
        case .fens(let fens):
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(fens, forKey: AnyKey("fen"))
        case .pgn(let texts):
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(texts, forKey: AnyKey("pgn"))
        case .randomPlies(let plies):
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(plies, forKey: AnyKey("random_plies"))
        }
    }
}

extension Adjudication: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .draw:
            var container = encoder.singleValueContainer()
            try container.encode("draw")
        case .material(let threshold):
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(threshold, forKey: AnyKey("material"))
        }
    }
}
