import Engine
import ModelFormats
import Testing

/// llama.cpp's activation roundings (`DecoderNumerics.llamaCPP`), against values worked out by hand
/// from ggml's definitions: Q8_0 (blocks of 32, F16 scale amax/127), Q8_K (blocks of 256, Float
/// scale 1/(127/amax)), round half to even, F16, and the F16 GELU table.
@Suite struct ActivationRoundingTests {
    private func rounded(_ values: [Float], _ rounding: ActivationRounding, rows: Int = 1) -> [Float] {
        var copy = values
        copy.withUnsafeMutableBufferPointer { rounding.apply($0.baseAddress!, rows: rows, columns: values.count / rows) }
        return copy
    }

    @Test func q8_0UsesAHalfPrecisionScale() {
        // amax 2.54: the scale is F16(2.54/127) = 0.0200042724609375 and 1.0 → q 50.
        var block = [Float](repeating: 0, count: 32)
        block[0] = 1.0; block[1] = -2.0; block[2] = 0.5; block[3] = 2.54
        let out = rounded(block, .q8_0)
        #expect(out[0] == 1.000213623046875)
        #expect(out[1] == -2.00042724609375)
        #expect(out[2] == 0.5001068115234375)
        #expect(out[3] == 2.5405426025390625)
        #expect(out[4] == 0)
    }

    @Test func q8KUsesAFloatScaleOverBlocksOf256() {
        var row = [Float](repeating: 0, count: 256)
        row[0] = 1.0; row[255] = 2.54
        let out = rounded(row, .q8K)
        #expect(abs(out[0] - 1.0) < 1e-6)          // 50 · (1/50), not Q8_0's 1.000214
        #expect(abs(out[255] - 2.54) < 1e-6)
    }

    @Test func ties_roundToEven_andEachBlockHasItsOwnScale() {
        // amax 127 makes the scale 1, so the rounding of x itself shows.
        var values = [Float](repeating: 0, count: 64)
        values[0] = 127; values[1] = 2.5; values[2] = 3.5; values[3] = -2.5; values[4] = 0.49
        values[32] = 0.254; values[33] = 0.1  // second block: amax 0.254, scale F16(0.002)
        let out = rounded(values, .q8_0)
        #expect(Array(out[0..<5]) == [127, 2, 4, -2, 0])
        let d = Float(Float16(Float(0.254) / 127))
        #expect(out[33] == d * 50)
        let k = rounded(values + [Float](repeating: 0, count: 192), .q8K)
        #expect(Array(k[0..<4]) == [127, 2, 4, -2])
        #expect(k[33] == 0)  // one Q8_K block: scale 1, so 0.1 rounds to 0
    }

    @Test func zeroBlocksAndUnevenRowsStayAsTheyAre() {
        #expect(rounded([Float](repeating: 0, count: 32), .q8_0) == [Float](repeating: 0, count: 32))
        let uneven: [Float] = (0..<40).map { Float($0) / 7 }
        #expect(rounded(uneven, .q8_0) == uneven)          // 40 is not a multiple of 32
        #expect(rounded(uneven, .none) == uneven)
    }

    @Test func halfAndBFloat16() {
        #expect(rounded([0.1, 1, 65520], .f16) == [0.0999755859375, 1, .infinity])
        #expect(rounded([0.1], .bf16) == [0.10009765625])
    }

    @Test func llamaCPPPairsEachWeightTypeWithItsActivationType() {
        #expect(ActivationRounding.llamaCPP(multiplying: .q4_K) == .q8K)
        #expect(ActivationRounding.llamaCPP(multiplying: .q6_K) == .q8K)
        #expect(ActivationRounding.llamaCPP(multiplying: .q5_0) == .q8_0)
        #expect(ActivationRounding.llamaCPP(multiplying: .q8_0) == .q8_0)
        #expect(ActivationRounding.llamaCPP(multiplying: .f16) == .f16)
        #expect(ActivationRounding.llamaCPP(multiplying: .f32) == ActivationRounding.none)
    }

    @Test func geluThroughTheHalfPrecisionTable() {
        let gate: [Float] = [1.0, 0.3, -3.0, -11, 12]
        let up: [Float] = [1, 1, 1, 1, 2]
        var out = [Float](repeating: .nan, count: gate.count)
        GatedActivation.geluTanh.forwardAsLlamaCPP(out: &out, gate: gate, up: up, n: gate.count)
        // F16(gelu(F16(x))): 0.3 is first rounded to 0.300048828125.
        #expect(out == [0.84130859375, 0.1854248046875, -0.0036373138427734375, 0, 24])
        var exact = [Float](repeating: .nan, count: gate.count)
        GatedActivation.geluTanh.forward(out: &exact, gate: gate, up: up, n: gate.count)
        #expect(abs(exact[0] - 0.841192) < 1e-5)
    }
}
