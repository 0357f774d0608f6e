import Foundation
import ModelFormats
import Testing

/// Reads `Fixtures/safetensors-reference.safetensors`, written by the Python `safetensors`
/// package (scripts/gguf-reference.py), and compares with the float32 bit patterns that script
/// stored in `safetensors-reference.json`.
@Suite("Safetensors against the Python package")
struct SafetensorsReferenceTests {
    struct Reference: Decodable {
        struct Tensor: Decodable {
            let dtype: String
            let shape: [Int]
            let widened_bits: [UInt32]
            let source_bits: [UInt32]?
        }
        let metadata: [String: String]
        let tensors: [String: Tensor]
    }

    static func load() throws -> (SafetensorsFile, Reference, URL) {
        let folder = try TestSupport.fixtures
        let url = folder.appendingPathComponent("safetensors-reference.safetensors")
        let json = try Data(contentsOf: folder.appendingPathComponent("safetensors-reference.json"))
        return (try SafetensorsFile(contentsOf: url), try JSONDecoder().decode(Reference.self, from: json), url)
    }

    @Test("every tensor reads back bit-exact")
    func readsPythonFile() throws {
        let (file, reference, _) = try Self.load()
        #expect(file.tensorNames == reference.tensors.keys.sorted())
        #expect(file.metadata == reference.metadata)
        for (name, expected) in reference.tensors {
            let info = try #require(file.info(name))
            #expect(info.dtype.rawValue == expected.dtype, "\(name)")
            #expect(info.shape == expected.shape, "\(name)")
            #expect(try file.floats(name).map(\.bitPattern) == expected.widened_bits, "\(name)")
        }
    }

    @Test("narrowing F32 to F16/BF16 gives the same bytes as numpy", arguments: ["tricky.f16", "tricky.bf16"])
    func narrowingMatchesPython(name: String) throws {
        let (file, reference, _) = try Self.load()
        let expected = try #require(reference.tensors[name])
        let source = try #require(expected.source_bits).map(Float.init(bitPattern:))
        let info = try #require(file.info(name))
        let url = try TestSupport.temporaryFolder("narrow\(name)").appendingPathComponent("n.safetensors")
        try SafetensorsWriter.write([(name, info.shape, source)], dtype: info.dtype, to: url)
        let ours = try SafetensorsFile(contentsOf: url).withRawBytes(of: name) { Array($0) }
        let theirs = try file.withRawBytes(of: name) { Array($0) }
        #expect(ours == theirs)
    }

    @Test("missing tensor is an error naming it")
    func missingTensor() throws {
        let (file, _, _) = try Self.load()
        do {
            _ = try file.floats("nope")
            Issue.record("expected an error")
        } catch let error as ModelFormatError {
            #expect(error.location == "tensor 'nope'")
            #expect(error.file.hasSuffix("safetensors-reference.safetensors"))
        }
    }
}
