/// Bit-level conversions between `Float` and the two 16-bit float formats used in model files:
/// IEEE 754 binary16 ("half", F16) and bfloat16 (BF16, the top 16 bits of a binary32).
///
/// Written on bit patterns (not `Float16`) so they behave identically on every platform.
/// Narrowing rounds to nearest, ties to even, like numpy, PyTorch and ggml.
public enum HalfPrecision {
    /// binary16 bits -> Float (exact; every half value is representable).
    @inline(__always)
    public static func float(fromHalfBits bits: UInt16) -> Float {
        halfTable[Int(bits)]
    }

    /// bfloat16 bits -> Float (exact: the bits become the top half of a binary32).
    @inline(__always)
    public static func float(fromBFloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// All 65,536 half values widened, so dequantisation loops do one load per scale.
    static let halfTable: [Float] = (0...0xFFFF).map { widenHalf(UInt16($0)) }

    static func widenHalf(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            // Zero or subnormal: mantissa * 2^-24, exact in binary32.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Float -> binary16 bits, round to nearest even; overflow gives infinity, NaN stays NaN.
    public static func halfBits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            if mantissa == 0 { return sign | 0x7C00 }
            // Keep the NaN quiet and carry the top payload bits.
            return sign | 0x7E00 | UInt16(truncatingIfNeeded: mantissa >> 13)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            // Below 2^-25 everything rounds to (signed) zero, including the 2^-25 tie.
            if halfExponent < -10 { return sign }
            mantissa |= 0x80_0000  // the implicit leading bit
            let shift = UInt32(14 - halfExponent)  // 14...24
            var result = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            if remainder > halfway || (remainder == halfway && result & 1 == 1) { result += 1 }
            return sign | UInt16(truncatingIfNeeded: result)  // may carry into the smallest normal
        }
        var result = (UInt32(halfExponent) << 10) | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && result & 1 == 1) {
            result += 1  // a carry into the exponent is right, up to infinity (0x7C00)
        }
        return sign | UInt16(truncatingIfNeeded: result)
    }

    /// Float -> bfloat16 bits, round to nearest even; NaN stays a quiet NaN.
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }
}
