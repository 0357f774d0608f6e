/// Bounds-checked little-endian reads over the GGUF header bytes. Every read that would run
/// past the end throws a "truncated" error naming the byte offset and what was being read.
struct GGUFHeaderReader {
    let bytes: UnsafeRawBufferPointer
    let file: String
    private(set) var position = 0
    /// Arrays nest at most this deep (ggml writes one level; the limit only stops hostile input).
    static let maximumArrayDepth = 8

    init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - position }

    func error(_ what: String, at offset: Int? = nil, location: String? = nil) -> ModelFormatError {
        ModelFormatError(file: file, what: what, location: location ?? "byte \(offset ?? position)")
    }

    private mutating func take(_ count: Int, _ what: String) throws -> Int {
        guard count >= 0, count <= remaining else {
            throw error("file truncated: \(what) needs \(count) bytes, only \(remaining) left (file is \(bytes.count) bytes)")
        }
        defer { position += count }
        return position
    }

    mutating func uint8(_ what: String) throws -> UInt8 { bytes[try take(1, what)] }
    mutating func uint16(_ what: String) throws -> UInt16 {
        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(2, what), as: UInt16.self))
    }
    mutating func uint32(_ what: String) throws -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4, what), as: UInt32.self))
    }
    mutating func uint64(_ what: String) throws -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8, what), as: UInt64.self))
    }

    /// A count (uint64) that must fit the remaining bytes at `minimumElementSize` each, so a
    /// corrupt count fails here instead of allocating terabytes.
    mutating func count(_ what: String, minimumElementSize: Int) throws -> Int {
        let start = position
        let raw = try uint64(what)
        guard raw <= UInt64(remaining / max(minimumElementSize, 1)) else {
            throw error("\(what) \(raw) cannot fit in the \(remaining) bytes left (file truncated or corrupt)", at: start)
        }
        return Int(raw)
    }

    /// A GGUF string: uint64 byte length, then UTF-8 bytes (invalid UTF-8 is replaced, not fatal).
    mutating func string(_ what: String) throws -> String {
        let length = try count("\(what) length", minimumElementSize: 1)
        let start = try take(length, what)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self)
    }

    mutating func valueType(_ what: String) throws -> GGUFValueType {
        let start = position
        let raw = try uint32(what)
        guard let type = GGUFValueType(rawValue: raw) else {
            throw error("unknown metadata value type \(raw) for \(what) (known: 0...12)", at: start)
        }
        return type
    }

    /// One metadata value of the given type; `what` names it for errors (e.g. the key).
    mutating func value(of type: GGUFValueType, _ what: String, depth: Int = 0) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try uint8(what))
        case .int8: return .int8(Int8(bitPattern: try uint8(what)))
        case .uint16: return .uint16(try uint16(what))
        case .int16: return .int16(Int16(bitPattern: try uint16(what)))
        case .uint32: return .uint32(try uint32(what))
        case .int32: return .int32(Int32(bitPattern: try uint32(what)))
        case .uint64: return .uint64(try uint64(what))
        case .int64: return .int64(Int64(bitPattern: try uint64(what)))
        case .float32: return .float32(Float(bitPattern: try uint32(what)))
        case .float64: return .float64(Double(bitPattern: try uint64(what)))
        case .bool:
            let start = position
            let raw = try uint8(what)
            guard raw <= 1 else { throw error("bool value \(raw) for \(what) (must be 0 or 1)", at: start) }
            return .bool(raw == 1)
        case .string: return .string(try string(what))
        case .array:
            guard depth < Self.maximumArrayDepth else {
                throw error("arrays nested deeper than \(Self.maximumArrayDepth) levels in \(what)")
            }
            let elementType = try valueType("\(what) element type")
            let minimumSize: Int
            switch elementType {
            case .uint8, .int8, .bool: minimumSize = 1
            case .uint16, .int16: minimumSize = 2
            case .uint32, .int32, .float32: minimumSize = 4
            case .uint64, .int64, .float64, .string: minimumSize = 8
            case .array: minimumSize = 12
            }
            let count = try count("\(what) element count", minimumElementSize: minimumSize)
            var elements: [GGUFValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                elements.append(try value(of: elementType, what, depth: depth + 1))
            }
            return .array(elementType, elements)
        }
    }
}
