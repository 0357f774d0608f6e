import Foundation
import ModelFormats
import Testing

/// Mutation fuzzing of both readers: seeded bit flips, truncations, overwritten length/count
/// fields, inserted and deleted byte ranges applied to the fixtures. Each input must either open
/// (and then dequantise every tensor or fail with an error) or throw `ModelFormatError`; anything
/// else (a crash, another error type) fails the run.
///
/// `MODELFORMATS_FUZZ_ITERATIONS` sets the input count (default 2,000, ~seconds in debug);
/// `MODELFORMATS_FUZZ_SEED` the seed. Longer run:
/// `MODELFORMATS_FUZZ_ITERATIONS=200000 swift test -c release --filter FuzzTests`.
@Suite("Fuzzing")
struct FuzzTests {
    /// SplitMix64: a tiny seeded generator, local because this test target does not link
    /// SeededRandom (results depend only on the seed).
    struct Mixer {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
    }

    static func mutate(_ original: [UInt8], _ random: inout Mixer) -> [UInt8] {
        var bytes = original
        let rounds = 1 + random.below(3)
        for _ in 0..<rounds where !bytes.isEmpty {
            switch random.below(7) {
            case 0:  // flip 1...8 bits
                for _ in 0...random.below(8) {
                    bytes[random.below(bytes.count)] ^= UInt8(1) << UInt8(random.below(8))
                }
            case 1:  // truncate
                bytes = Array(bytes.prefix(random.below(bytes.count)))
            case 2, 3:  // overwrite a little-endian 8-byte field (lengths, counts, offsets) with an extreme or small value
                let position = random.below(bytes.count)
                let choices: [UInt64] = [0, 1, 7, 8, 255, 1 << 31, 1 << 32, UInt64.max, UInt64.max / 2, random.next(), UInt64(random.below(bytes.count + 64))]
                let value = choices[random.below(choices.count)]
                for i in 0..<8 where position + i < bytes.count { bytes[position + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            case 4:  // the safetensors header length / the GGUF version and counts
                let value = UInt64(random.below(bytes.count + 32))
                let position = [0, 4, 8, 16][random.below(4)]
                for i in 0..<8 where position + i < bytes.count { bytes[position + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
            case 5:  // delete a range
                let start = random.below(bytes.count)
                let length = min(1 + random.below(16), bytes.count - start)
                bytes.removeSubrange(start..<start + length)
            default:  // insert interesting bytes
                let interesting: [UInt8] = [0, 0xFF, 0x7F, 0x80, UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "9")]
                let insertion = (0...random.below(8)).map { _ in interesting[random.below(interesting.count)] }
                bytes.insert(contentsOf: insertion, at: random.below(bytes.count + 1))
            }
        }
        return bytes
    }

    /// Opens `url` with the reader for `kind` and, on success, reads everything it offers.
    /// Returns whether the file opened.
    static func exercise(_ url: URL, safetensors: Bool) throws -> Bool {
        do {
            if safetensors {
                let file = try SafetensorsFile(contentsOf: url)
                for name in file.tensorNames { _ = try file.floats(name) }
            } else {
                let file = try GGUFFile(contentsOf: url)
                for value in file.metadata.values { _ = (value.summary, value.strings, value.ints, value.floats) }
                for info in file.tensorInfos {
                    _ = try file.rawData(of: info.name)
                    do {
                        _ = try file.floats(info.name)
                        if info.rowCount > 0 { _ = try file.dequantizeRow(info.rowCount - 1, of: info.name) }
                    } catch let error as ModelFormatError where error.what.hasPrefix("unsupported tensor type") {
                        continue
                    }
                }
            }
            return true
        } catch is ModelFormatError {
            return false
        }
    }

    @Test("mutated fixtures throw ModelFormatError or open cleanly, never crash")
    func mutatedInputs() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["MODELFORMATS_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 2_000
        let seed = environment["MODELFORMATS_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_240_611
        let fixtures = try TestSupport.fixtures
        let sources: [(bytes: [UInt8], safetensors: Bool)] = try [
            ("safetensors-reference.safetensors", true), ("gguf-types.gguf", false), ("gguf-aligned.gguf", false),
        ].map { (Array(try Data(contentsOf: fixtures.appendingPathComponent($0.0))), $0.1) }
        let url = try TestSupport.temporaryFolder().appendingPathComponent("fuzz.bin")

        var random = Mixer(state: seed)
        var opened = 0, rejected = 0
        for _ in 0..<iterations {
            let source = sources[random.below(sources.count)]
            let input = Self.mutate(source.bytes, &random)
            try Data(input).write(to: url)
            // Also feed every input to the other reader: it must reject it cleanly.
            if try Self.exercise(url, safetensors: source.safetensors) { opened += 1 } else { rejected += 1 }
            _ = try Self.exercise(url, safetensors: !source.safetensors)
        }
        #expect(opened + rejected == iterations)
        #expect(opened > 0 && rejected > 0, "opened \(opened), rejected \(rejected)")
        print("FuzzTests: \(iterations) mutated inputs (seed \(seed)): \(opened) opened, \(rejected) rejected with ModelFormatError")
    }
}
