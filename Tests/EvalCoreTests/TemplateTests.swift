import EvalCore
import Testing

@Suite struct TemplateTests {
    let doc: Doc = [
        "q": .string("  what is love?  "), "n": .number(3), "x": .number(2.5), "flag": .bool(true),
        "choices": .array([.string("alpha"), .string("beta"), .string("gamma")]),
        "nested": .object(["inner": .string("deep")]), "nothing": .null,
    ]

    @Test func plainFieldsAndNumbers() throws {
        #expect(try PromptTemplate("{{n}} / {{x}} / {{nested.inner}}").render(doc) == "3 / 2.5 / deep")
    }

    @Test func noHTMLEscaping() throws {
        let doc: Doc = ["s": .string("a < b & \"c\"")]
        #expect(try PromptTemplate("{{s}}").render(doc) == "a < b & \"c\"")
    }

    @Test func helpers() throws {
        #expect(try PromptTemplate("[{{trim(q)}}]").render(doc) == "[what is love?]")
        #expect(try PromptTemplate("{{capitalize(trim(q))}}").render(doc) == "What is love?")
        #expect(try PromptTemplate("{{join(choices)}}").render(doc) == "alpha, beta, gamma")
        #expect(try PromptTemplate("{{lines(choices)}}").render(doc) == "alpha\nbeta\ngamma")
        #expect(try PromptTemplate("{{#letters(choices)}}{{letter}}. {{value}}\n{{/letters(choices)}}").render(doc)
                == "A. alpha\nB. beta\nC. gamma\n")
        #expect(try PromptTemplate("{{choices.1}}").render(doc) == "beta")
        #expect(try PromptTemplate("{{uppercase(choices)}}").render(doc) == "ALPHA, BETA, GAMMA")
    }

    @Test func capitalizeLowersTheRestLikePython() throws {
        let doc: Doc = ["s": .string("hELLO World")]
        #expect(try PromptTemplate("{{capitalize(s)}}").render(doc) == "Hello world")
    }

    @Test func removeBracketsMatchesHellaSwagPreprocess() throws {
        let doc: Doc = ["s": .string(" How to cook [title] Boil water. [step] Add  salt ")]
        #expect(try PromptTemplate("{{remove_brackets(s)}}").render(doc) == "How to cook. Boil water. Add salt")
    }

    @Test func missingFieldIsAnErrorButNullIsNot() throws {
        #expect(throws: TemplateError.missingField("absent")) { try PromptTemplate("x {{absent}}").render(doc) }
        #expect(try PromptTemplate("[{{nothing}}]").render(doc) == "[]")
        // A name found on a section item is not reported missing.
        #expect(try PromptTemplate("{{#letters(choices)}}{{letter}}{{/letters(choices)}}").render(doc) == "ABC")
    }

    @Test func renderListReturnsItems() throws {
        #expect(try PromptTemplate("{{choices}}").renderList(doc) == ["alpha", "beta", "gamma"])
        #expect(try PromptTemplate("{{capitalize(choices)}}").renderList(doc) == ["Alpha", "Beta", "Gamma"])
        #expect(try PromptTemplate("{{n}}").renderList(doc) == ["3"])
        #expect(try PromptTemplate("x {{choices}}").renderList(doc) == ["x alpha, beta, gamma"])
    }

    @Test func syntaxErrorHasPosition() {
        #expect(throws: TemplateError.self) { try PromptTemplate("hello {{name") }
        do {
            _ = try PromptTemplate("ab\ncd {{#x}}")
            Issue.record("expected a syntax error")
        } catch let TemplateError.syntax(line, _, _) {
            #expect(line == 2)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
