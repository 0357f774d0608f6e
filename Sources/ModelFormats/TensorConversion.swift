/// Conversions between raw little-endian element bytes and `Float` buffers.
enum TensorConversion {
    /// Widens `bytes` (elements of `dtype`, little-endian) into `output`; `output.count` elements.
    static func widen(_ bytes: UnsafeRawBufferPointer, dtype: TensorDType, into output: UnsafeMutableBufferPointer<Float>) {
        let count = output.count
        switch dtype {
        case .f32:
            for i in 0..<count {
                output[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .f16:
            for i in 0..<count {
                output[i] = HalfPrecision.float(fromHalfBits: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .bf16:
            for i in 0..<count {
                output[i] = HalfPrecision.float(fromBFloat16Bits: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .f64:
            for i in 0..<count {
                output[i] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        case .i64:
            for i in 0..<count {
                output[i] = Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            }
        case .i32:
            for i in 0..<count {
                output[i] = Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            }
        case .i16:
            for i in 0..<count {
                output[i] = Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
            }
        case .u64:
            for i in 0..<count {
                output[i] = Float(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
            }
        case .u32:
            for i in 0..<count {
                output[i] = Float(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        case .u16:
            for i in 0..<count {
                output[i] = Float(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .i8:
            for i in 0..<count { output[i] = Float(Int8(bitPattern: bytes[i])) }
        case .u8:
            for i in 0..<count { output[i] = Float(bytes[i]) }
        case .bool:
            for i in 0..<count { output[i] = bytes[i] != 0 ? 1 : 0 }
        }
    }

    /// Appends `values` narrowed to `dtype` (a writable float type) as little-endian bytes.
    static func narrow(_ values: ArraySlice<Float>, dtype: TensorDType, into bytes: inout [UInt8]) {
        switch dtype {
        case .f16, .bf16:
            for value in values {
                let bits = dtype == .f16 ? HalfPrecision.halfBits(from: value) : HalfPrecision.bfloat16Bits(from: value)
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            }
        default:
            for value in values {
                let bits = value.bitPattern
                bytes.append(UInt8(truncatingIfNeeded: bits))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
                bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
            }
        }
    }
}
