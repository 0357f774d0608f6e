import Foundation

extension TaskLoader {
    /// `filters:` is a list of steps (one pipeline named "default") or a mapping from pipeline
    /// names to lists of steps. A step is a bare name (`take_first`, `strip`, `lowercase`,
    /// `remove_punctuation`) or a one-key mapping (`regex: {pattern, group, select, fallback}`,
    /// `map: {values: {...}, default: ...}`).
    static func parseFilters(_ node: YAMLNode?) throws -> [FilterPipeline] {
        guard let node else { return [.identity] }
        if case .sequence = node.node {
            return [FilterPipeline(name: "default", steps: try node.sequence().map(parseFilterStep))]
        }
        let mapping = try node.mapping()
        guard !mapping.entries.isEmpty else { throw node.error("filters is empty") }
        return try mapping.entries.map { entry in
            FilterPipeline(name: entry.key, steps: try entry.value.sequence().map(parseFilterStep))
        }
    }

    static func parseFilterStep(_ node: YAMLNode) throws -> FilterStep {
        if case .scalar = node.node {
            let name = try node.string()
            switch name {
            case "take_first": return .takeFirst
            case "strip": return .strip
            case "lowercase": return .lowercase
            case "remove_punctuation": return .removePunctuation
            case "regex", "map": throw node.error("the '\(name)' filter needs options, e.g. `- \(name): {...}`")
            default: throw node.error("unknown filter '\(name)'" + Suggestion.didYouMean(name, among: FilterStep.names))
            }
        }
        let mapping = try node.mapping()
        guard mapping.entries.count == 1, let entry = mapping.entries.first else {
            throw node.error("a filter step is one name or a mapping with one key (the filter's name)")
        }
        switch entry.key {
        case "regex":
            let options = try entry.value.mapping()
            try options.checkKeys(allowed: ["pattern", "group", "select", "fallback"])
            let patternNode = try options.required("pattern")
            let pattern = try patternNode.string()
            let expression: NSRegularExpression
            do { expression = try NSRegularExpression(pattern: pattern) } catch {
                throw patternNode.error("invalid regular expression: \(pattern)")
            }
            let group = try options["group"]?.int() ?? (expression.numberOfCaptureGroups > 0 ? 1 : 0)
            if group > expression.numberOfCaptureGroups {
                throw (options["group"] ?? patternNode).error("group \(group) does not exist; the pattern has \(expression.numberOfCaptureGroups) capture group(s)")
            }
            var select = FilterStep.Select.first
            if let selectNode = options["select"] {
                let raw = try selectNode.string()
                switch raw {
                case "first": select = .first
                case "last": select = .last
                default:
                    guard let index = Int(raw) else { throw selectNode.error("select must be first, last or a match index (negative counts from the end)") }
                    select = .index(index)
                }
            }
            return .regex(pattern: pattern, group: group, select: select, fallback: try options["fallback"]?.string() ?? "[invalid]")
        case "map":
            let options = try entry.value.mapping()
            try options.checkKeys(allowed: ["values", "default"])
            let values = try options.required("values").mapping()
            var table: [String: String] = [:]
            for value in values.entries { table[value.key] = try value.value.string() }
            return .map(table, defaultValue: try options["default"]?.string())
        case "take_first", "strip", "lowercase", "remove_punctuation":
            throw entry.value.error("the '\(entry.key)' filter takes no options; write it as a bare name")
        default:
            throw entry.keyNode.error("unknown filter '\(entry.key)'" + Suggestion.didYouMean(entry.key, among: FilterStep.names))
        }
    }

    /// `metrics:` lists names or mappings `{name: ..., option: value}`.
    static func parseMetrics(_ node: YAMLNode?, kind: TaskKind, generation: GenerationSpec) throws -> [MetricSpec] {
        guard let node else {
            return MetricCatalog.defaults(for: kind).map { MetricSpec(name: $0, options: [:], key: $0) }
        }
        var specs: [MetricSpec] = []
        var errors: [Error] = []
        for item in try node.sequence() {
            do {
                var nameNode = item
                var options: [String: JSONValue] = [:]
                var optionNodes: [String: YAMLNode] = [:]
                if case .mapping = item.node {
                    let mapping = try item.mapping()
                    nameNode = try mapping.required("name")
                    for entry in mapping.entries where entry.key != "name" {
                        options[entry.key] = try entry.value.json()
                        optionNodes[entry.key] = entry.value
                    }
                }
                let name = try nameNode.string()
                guard let definition = MetricCatalog.definition(name) else {
                    throw nameNode.error("unknown metric '\(name)'" + Suggestion.didYouMean(name, among: MetricCatalog.all.map(\.name)))
                }
                guard definition.kinds.contains(kind) else {
                    let fitting = MetricCatalog.all.filter { $0.kinds.contains(kind) }.map(\.name)
                    throw nameNode.error("metric '\(name)' does not fit a \(kind.rawValue) task; use one of \(fitting.joined(separator: ", "))")
                }
                for (key, value) in options {
                    guard let type = definition.options[key] else {
                        let allowed = definition.options.keys.sorted()
                        throw optionNodes[key]!.error("metric '\(name)' has no option '\(key)'"
                            + (allowed.isEmpty ? " (it takes none)" : Suggestion.didYouMean(key, among: allowed) + "; options: \(allowed.joined(separator: ", "))"))
                    }
                    let fits: Bool
                    switch (type, value) {
                    case (.bool, .bool), (.string, .string): fits = true
                    case (.int, .number(let n)): fits = n.rounded() == n
                    case (.stringList, .array(let items)):
                        fits = items.allSatisfy { $0.stringValue.map { (try? NSRegularExpression(pattern: $0)) != nil } ?? false }
                    default: fits = false
                    }
                    if !fits { throw optionNodes[key]!.error("option '\(key)' of '\(name)' must be \(type == .bool ? "true or false" : type == .int ? "a whole number" : type == .stringList ? "a list of valid regular expressions" : "a string")") }
                }
                var key = name
                if name == "pass_at_k" || name == "maj_at_k" {
                    let k = options["k"]?.integerValue ?? generation.samples
                    guard k >= 1 && k <= generation.samples else {
                        throw (optionNodes["k"] ?? nameNode).error("\(name) needs 1 <= k <= generation.samples (\(generation.samples)); raise generation.samples")
                    }
                    if let inner = options["metric"]?.stringValue, !MetricCatalog.perAnswerMetrics.contains(inner) {
                        throw optionNodes["metric"]!.error("\(name) can use \(MetricCatalog.perAnswerMetrics.joined(separator: ", ")); got '\(inner)'")
                    }
                    key = name.replacingOccurrences(of: "_k", with: "_\(k)")
                    options["k"] = .number(Double(k))
                }
                if name == "regex_match", options["pattern"] == nil {
                    throw nameNode.error("regex_match needs a `pattern` option")
                }
                if let pattern = options["pattern"]?.stringValue, (try? NSRegularExpression(pattern: pattern.replacingOccurrences(of: "{{target}}", with: "x"))) == nil {
                    throw optionNodes["pattern"]!.error("invalid regular expression: \(pattern)")
                }
                if specs.contains(where: { $0.key == key }) { throw nameNode.error("metric '\(key)' is listed twice") }
                specs.append(MetricSpec(name: name, options: options, key: key))
            } catch {
                errors.append(error)
            }
        }
        try throwCollected(errors)
        if specs.isEmpty { throw node.error("metrics is empty") }
        return specs
    }
}
