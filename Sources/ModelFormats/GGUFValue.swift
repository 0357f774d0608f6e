/// The type tag of a GGUF metadata value (`gguf_type`).
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12
}

/// One GGUF metadata value. Arrays carry their element type (so an empty array is still typed)
/// and may nest.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64)
    case float32(Float), float64(Double)
    case bool(Bool)
    case string(String)
    case array(GGUFValueType, [GGUFValue])

    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        }
    }

    /// The string, if this is a string.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as `Int` if it is any integer type and fits.
    public var int: Int? {
        switch self {
        case .uint8(let v): return Int(v)
        case .int8(let v): return Int(v)
        case .uint16(let v): return Int(v)
        case .int16(let v): return Int(v)
        case .uint32(let v): return Int(v)
        case .int32(let v): return Int(v)
        case .uint64(let v): return Int(exactly: v)
        case .int64(let v): return Int(v)
        default: return nil
        }
    }

    /// The value as `Double` if it is a float or an integer.
    public var double: Double? {
        switch self {
        case .float32(let v): return Double(v)
        case .float64(let v): return v
        default: return int.map(Double.init)
        }
    }

    /// The value as `Float` if it is a float or an integer (float64 rounded).
    public var float: Float? {
        if case .float32(let v) = self { return v }
        return double.map(Float.init)
    }

    /// The boolean, if this is a bool.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var array: [GGUFValue]? {
        if case .array(_, let values) = self { return values }
        return nil
    }

    /// All elements as strings, if this is an array of strings.
    public var strings: [String]? {
        guard let values = array else { return nil }
        var result: [String] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let text = value.string else { return nil }
            result.append(text)
        }
        return result
    }

    /// All elements as `Int`, if this is an array of integers.
    public var ints: [Int]? {
        guard let values = array else { return nil }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let integer = value.int else { return nil }
            result.append(integer)
        }
        return result
    }

    /// All elements as `Float`, if this is an array of numbers.
    public var floats: [Float]? {
        guard let values = array else { return nil }
        var result: [Float] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let number = value.float else { return nil }
            result.append(number)
        }
        return result
    }

    /// A short human-readable rendering (arrays abbreviated), for summaries and error messages.
    public var summary: String {
        switch self {
        case .string(let text):
            let short = text.count > 60 ? String(text.prefix(57)) + "..." : text
            return "\"\(short.replacingOccurrences(of: "\n", with: "\\n"))\""
        case .array(let elementType, let values):
            let head = values.prefix(3).map(\.summary).joined(separator: ", ")
            return "[\(elementType)] × \(values.count)" + (values.isEmpty ? "" : ": [\(head)\(values.count > 3 ? ", ..." : "")]")
        case .bool(let value): return String(value)
        case .float32(let value): return String(value)
        case .float64(let value): return String(value)
        default: return int.map(String.init) ?? "?"
        }
    }
}
