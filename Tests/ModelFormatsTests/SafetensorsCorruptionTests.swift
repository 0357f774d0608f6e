import Foundation
import ModelFormats
import Testing

@Suite("Safetensors corrupt inputs")
struct SafetensorsCorruptionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let header: String
        let dataCount: Int
        var declaredLength: UInt64? = nil
        /// Text the error description must contain.
        let expected: String
        var testDescription: String { label }
    }

    static let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    static let cases: [Case] = [
        Case(label: "header length past EOF", header: good, dataCount: 8, declaredLength: 1000, expected: "runs past the end of the file"),
        Case(label: "bad JSON", header: #"{"a":{"dtype":"F32",}"#, dataCount: 0, expected: "not valid JSON"),
        Case(label: "not an object", header: "[1,2]", dataCount: 0, expected: "must be a JSON object"),
        Case(label: "offsets out of range", header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataCount: 4, expected: "outside the data section"),
        Case(label: "offsets reversed", header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, dataCount: 8, expected: "outside the data section"),
        Case(label: "size not matching shape", header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, dataCount: 8, expected: "needs 12"),
        Case(label: "unknown dtype", header: #"{"a":{"dtype":"F12","shape":[2],"data_offsets":[0,8]}}"#, dataCount: 8, expected: "unknown dtype \"F12\""),
        Case(label: "overlap", header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, dataCount: 8, expected: "overlaps tensor 'a'"),
        Case(label: "negative dimension", header: #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, dataCount: 8, expected: "non-negative"),
        Case(label: "huge shape", header: #"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, dataCount: 8, expected: "more than Int.max"),
        Case(label: "missing offsets", header: #"{"a":{"dtype":"F32","shape":[2]}}"#, dataCount: 8, expected: "missing \"data_offsets\""),
        Case(label: "fractional offset", header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}}"#, dataCount: 8, expected: "two integers"),
        Case(label: "metadata not strings", header: #"{"__metadata__":{"k":1}}"#, dataCount: 0, expected: "must be strings"),
        Case(label: "duplicate key", header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{}}"#, dataCount: 0, expected: "duplicate key"),
        Case(label: "deep nesting", header: String(repeating: "[", count: 200), dataCount: 0, expected: "nesting deeper"),
        Case(label: "invalid UTF-8", header: "{\"\u{7F}", dataCount: 0, expected: "not valid JSON"),
    ]

    @Test("each corrupt input gives a clear error", arguments: cases)
    func corruptInput(_ testCase: Case) throws {
        let url = try TestSupport.temporaryFolder("corrupt").appendingPathComponent("corrupt.safetensors")
        try TestSupport.writeRawSafetensors(header: testCase.header, data: Array(repeating: 0, count: testCase.dataCount),
                                            declaredLength: testCase.declaredLength, to: url)
        do {
            _ = try SafetensorsFile(contentsOf: url)
            Issue.record("expected an error for \(testCase.label)")
        } catch let error as ModelFormatError {
            #expect(error.description.contains(testCase.expected), "\(error)")
            #expect(error.file == url.path)
        }
    }

    @Test("errors name the tensor")
    func errorNamesTensor() throws {
        let url = try TestSupport.temporaryFolder().appendingPathComponent("x.safetensors")
        try TestSupport.writeRawSafetensors(header: #"{"model.embed":{"dtype":"F16","shape":[3],"data_offsets":[0,4]}}"#,
                                            data: [0, 0, 0, 0], to: url)
        let error = try #require(throws: ModelFormatError.self) { try SafetensorsFile(contentsOf: url) }
        #expect(error.location == "tensor 'model.embed'")
        #expect(error.description == "\(url.path): tensor 'model.embed': holds 4 bytes but shape [3] × F16 needs 6")
    }

    @Test("truncated files at every length throw, never crash")
    func truncations() throws {
        let source = try TestSupport.fixtures.appendingPathComponent("safetensors-reference.safetensors")
        let bytes = try Data(contentsOf: source)
        let url = try TestSupport.temporaryFolder().appendingPathComponent("t.safetensors")
        for length in stride(from: 0, to: bytes.count, by: 7) {
            try bytes.prefix(length).write(to: url)
            #expect(throws: ModelFormatError.self) { try SafetensorsFile(contentsOf: url) }
        }
    }

    @Test("missing file and directory are errors")
    func notAFile() throws {
        let folder = try TestSupport.temporaryFolder()
        #expect(throws: ModelFormatError.self) { try SafetensorsFile(contentsOf: folder.appendingPathComponent("none.safetensors")) }
        #expect(throws: ModelFormatError.self) { try SafetensorsFile(contentsOf: folder) }
    }
}
