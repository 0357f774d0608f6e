import EvalCore
import Foundation
import Testing

@Suite struct DatasetTests {
    func write(_ text: String, _ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func csvQuotingAndNewlines() throws {
        let url = try write("question,answer\n\"Say \"\"hi\"\", then\ngo\",yes\r\nplain,\"a,b\"\n", "q.csv")
        let docs = try DatasetLoader.load(url: url)
        #expect(docs.count == 2)
        #expect(docs[0]["question"] == .string("Say \"hi\", then\ngo"))
        #expect(docs[1]["answer"] == .string("a,b"))
    }

    @Test func csvRowWithWrongFieldCountNamesTheLine() throws {
        let url = try write("a,b\n1,2\n3\n", "bad.csv")
        #expect(throws: DatasetError.self) { try DatasetLoader.load(url: url) }
        do { _ = try DatasetLoader.load(url: url) } catch let error as DatasetError { #expect(error.line == 3) }
    }

    @Test func jsonSplitsAndSplitColumn() throws {
        let json = try write(#"{"train": [{"x": 1}], "test": [{"x": 2}, {"x": 3}]}"#, "s.json")
        #expect(try DatasetLoader.load(url: json, split: "test").count == 2)
        #expect(throws: DatasetError.self) { try DatasetLoader.load(url: json) }
        #expect(throws: DatasetError.self) { try DatasetLoader.load(url: json, split: "validation") }
        let jsonl = try write("{\"x\": 1, \"split\": \"a\"}\n\n{\"x\": 2, \"split\": \"b\"}\n", "s.jsonl")
        #expect(try DatasetLoader.load(url: jsonl, split: "b") == [["x": .number(2), "split": .string("b")]])
    }

    @Test func malformedJSONLNamesTheLine() throws {
        let url = try write("{\"x\": 1}\n{\"x\": 2}\n{\"x\": \n", "m.jsonl")
        do {
            _ = try DatasetLoader.load(url: url)
            Issue.record("expected an error")
        } catch let error as DatasetError {
            #expect(error.line == 3)
        }
    }

    @Test func seededLimitIsStableAndSorted() {
        let a = DocSelection.randomSample(count: 5, seed: 42).indices(total: 100)
        let b = DocSelection.randomSample(count: 5, seed: 42).indices(total: 100)
        let c = DocSelection.randomSample(count: 5, seed: 43).indices(total: 100)
        #expect(a == b)
        #expect(a != c)
        #expect(a == a.sorted())
        #expect(Set(a).count == 5)
        #expect(DocSelection.first(count: 3).indices(total: 10) == [0, 1, 2])
        #expect(DocSelection.randomSample(count: 50, seed: 1).indices(total: 10) == Array(0..<10))
    }
}
