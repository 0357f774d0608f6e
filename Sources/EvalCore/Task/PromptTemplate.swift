import Foundation
import Mustache

/// A Mustache template over one doc, with EvalKit's helpers.
///
/// Templates read only the doc (and, in sections, the items of its lists). Plain Mustache applies
/// (`{{field}}`, `{{a.b}}`, `{{#list}}…{{/list}}`), with no HTML escaping, plus these helpers,
/// written as swift-mustache transforms `{{helper(field)}}` and composable (`{{trim(capitalize(x))}}`):
///
/// | helper | on | gives |
/// |---|---|---|
/// | `capitalize` | text | first character upper-case, the rest lower-case (Python's `str.capitalize`) |
/// | `trim` | text | without leading and trailing white space |
/// | `lowercase`, `uppercase` | text | the text in that case |
/// | `remove_brackets` | text | lm-evaluation-harness's HellaSwag clean-up: trim, " [title]" → ". ", drop `[...]`, "  " → " " |
/// | `letters` | list | items as `{letter, number, index, value}` for `{{#letters(choices)}}{{letter}}. {{value}}{{/letters(choices)}}` |
/// | `join` | list | items joined by ", " |
/// | `lines` | list | items joined by newlines |
/// | `count` | list | the number of items |
///
/// Text helpers applied to a list apply to each item. A field that a template names but the doc
/// lacks is an error (`TemplateError.missingField`), never an empty string; a field present with
/// `null` renders as empty.
public struct PromptTemplate: Sendable, Hashable {
    public let source: String
    private let template: MustacheTemplate

    public static func == (lhs: PromptTemplate, rhs: PromptTemplate) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }

    /// The pragma turns HTML escaping off; it is on the template's first line, so parse errors on
    /// line 1 are shifted back by its length.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}"

    /// - Throws: `TemplateError.syntax` with the line and column inside the template.
    public init(_ source: String) throws {
        self.source = source
        do {
            self.template = try MustacheTemplate(string: Self.textPragma + source)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber
            let column = line == 1 ? max(1, error.context.columnNumber - Self.textPragma.count) : error.context.columnNumber
            let reason = "\(error.error)"
            throw TemplateError.syntax(line: line, column: column,
                                       reason: reason == "overflow" ? "a tag is not closed (missing '}}')" : reason)
        } catch {
            throw TemplateError.syntax(line: 1, column: 1, reason: "\(error)")
        }
    }

    /// Renders the template for a doc.
    /// - Throws: `TemplateError.missingField` naming the first field the doc lacks.
    public func render(_ doc: Doc) throws -> String {
        let recorder = MissingFieldRecorder()
        let output = template.render(TemplateObject(fields: doc, recorder: recorder, listMode: .joined))
        if let missing = recorder.firstMissing { throw TemplateError.missingField(missing) }
        return output
    }

    /// Renders a template that may stand for a list: when the whole template is one tag whose
    /// value is a list (`{{endings}}`, `{{remove_brackets(endings)}}`), the list's items; otherwise
    /// the rendered text as a one-item list.
    public func renderList(_ doc: Doc) throws -> [String] {
        if source.hasPrefix(ListTemplateEncoding.prefix) {
            let rendered = try render(doc)
            return rendered.dropFirst(ListTemplateEncoding.prefix.count)
                .components(separatedBy: ListTemplateEncoding.separator)
        }
        let recorder = MissingFieldRecorder()
        let output = template.render(TemplateObject(fields: doc, recorder: recorder, listMode: .marker))
        if let missing = recorder.firstMissing { throw TemplateError.missingField(missing) }
        if output.hasPrefix(TemplateList.markerPrefix) && output.hasSuffix(TemplateList.markerSuffix) {
            let body = output.dropFirst(TemplateList.markerPrefix.count).dropLast(TemplateList.markerSuffix.count)
            if !body.contains(TemplateList.markerPrefix), let items = try? JSONDecoder().decode([String].self, from: Data(body.utf8)) {
                return items
            }
        }
        // A list rendered inside other text is joined as in ordinary rendering.
        return [try render(doc)]
    }
}

public enum TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    case syntax(line: Int, column: Int, reason: String)
    case missingField(String)

    public var description: String {
        switch self {
        case .syntax(let line, let column, let reason): return "template syntax error at \(line):\(column): \(reason)"
        case .missingField(let name): return "the doc has no field '\(name)'"
        }
    }
}

final class MissingFieldRecorder: @unchecked Sendable {
    var firstMissing: String?
    func record(_ name: String) { if firstMissing == nil { firstMissing = name } }
}

enum ListRendering { case joined, marker }

/// The doc, seen by Mustache. Only the root object records missing names: a name missing on an
/// inner object may still be found further up Mustache's context stack.
struct TemplateObject: MustacheParent, MustacheCustomRenderable {
    let fields: [String: JSONValue]
    let recorder: MissingFieldRecorder?
    let listMode: ListRendering

    func child(named name: String) -> Any? {
        guard let value = fields[name] else {
            recorder?.record(name)
            return nil
        }
        return wrap(value, listMode: listMode)
    }

    var renderText: String { JSONValue.encodeCompact(.object(fields)) }
    var isNull: Bool { false }
}

func wrap(_ value: JSONValue, listMode: ListRendering) -> Any? {
    switch value {
    case .null: return nil
    case .bool(let b): return b
    case .number, .string: return TemplateText(value.textValue)
    case .array(let items): return TemplateList(items: items.map { wrap($0, listMode: listMode) }, listMode: listMode)
    case .object(let fields): return TemplateObject(fields: fields, recorder: nil, listMode: listMode)
    }
}

struct TemplateText: MustacheCustomRenderable, MustacheTransformable, MustacheParent {
    let text: String
    init(_ text: String) { self.text = text }

    var renderText: String { text }
    var isNull: Bool { false }
    func child(named: String) -> Any? { nil }

    func transform(_ name: String) -> Any? {
        switch name {
        case "capitalize":
            guard let first = text.first else { return self }
            return TemplateText(first.uppercased() + text.dropFirst().lowercased())
        case "trim": return TemplateText(text.trimmingCharacters(in: .whitespacesAndNewlines))
        case "lowercase": return TemplateText(text.lowercased())
        case "uppercase": return TemplateText(text.uppercased())
        case "remove_brackets": return TemplateText(Self.removeBrackets(text))
        default: return nil
        }
    }

    /// lm-evaluation-harness's HellaSwag `preprocess`.
    static func removeBrackets(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        s = s.replacingOccurrences(of: " [title]", with: ". ")
        s = s.replacingOccurrences(of: #"\[.*?\]"#, with: "", options: .regularExpression)
        s = s.replacingOccurrences(of: "  ", with: " ")
        return s
    }
}

struct TemplateList: Sequence, MustacheSequence, MustacheCustomRenderable, MustacheTransformable, MustacheParent {
    static let markerPrefix = "\u{1}LIST"
    static let markerSuffix = "\u{1}"

    let items: [Any?]
    let listMode: ListRendering

    func makeIterator() -> IndexingIterator<[Any]> { items.map { $0 ?? TemplateText("") }.makeIterator() }

    var texts: [String] {
        items.map { item in
            switch item {
            case let renderable as MustacheCustomRenderable: return renderable.renderText
            case let bool as Bool: return bool ? "true" : "false"
            case nil: return ""
            default: return "\(item!)"
            }
        }
    }

    var renderText: String {
        switch listMode {
        case .joined: return texts.joined(separator: ", ")
        case .marker:
            let data = (try? JSONEncoder().encode(texts)) ?? Data("[]".utf8)
            return Self.markerPrefix + String(decoding: data, as: UTF8.self) + Self.markerSuffix
        }
    }

    var isNull: Bool { false }

    /// `{{list.0}}` reads an item by index.
    func child(named name: String) -> Any? {
        guard let index = Int(name), items.indices.contains(index) else { return nil }
        return items[index]
    }

    func transform(_ name: String) -> Any? {
        switch name {
        case "letters":
            return TemplateList(items: items.enumerated().map { index, item in
                LetteredItem(index: index, value: item)
            }, listMode: listMode)
        case "join": return TemplateText(texts.joined(separator: ", "))
        case "lines": return TemplateText(texts.joined(separator: "\n"))
        case "count": return TemplateText(String(items.count))
        case "first": return items.first ?? nil
        case "last": return items.last ?? nil
        default:
            // Text helpers map over the items.
            let mapped = items.map { item -> Any? in
                (item as? MustacheTransformable)?.transform(name)
            }
            if mapped.contains(where: { $0 == nil }) && !items.isEmpty { return nil }
            return TemplateList(items: mapped, listMode: listMode)
        }
    }
}

/// An item of `letters(list)`: `letter` A, B, C…, `number` 1, 2, 3…, `index` 0, 1, 2…, `value`.
struct LetteredItem: MustacheParent, MustacheCustomRenderable {
    let index: Int
    let value: Any?

    static func letter(_ index: Int) -> String {
        let scalars = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return index < scalars.count ? String(scalars[index]) : "A\(index)"
    }

    func child(named name: String) -> Any? {
        switch name {
        case "letter": return TemplateText(Self.letter(index))
        case "number": return TemplateText(String(index + 1))
        case "index": return TemplateText(String(index))
        case "value": return value
        default: return nil
        }
    }

    var renderText: String { (value as? MustacheCustomRenderable)?.renderText ?? "" }
    var isNull: Bool { false }
}
