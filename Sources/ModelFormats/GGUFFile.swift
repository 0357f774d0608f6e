import Foundation

/// One tensor's entry in a GGUF file.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `dimensions[0]` (ne0) is the contiguous row length, then rows, then higher dims.
    public let dimensions: [Int]
    public let type: GGMLType
    /// Byte offset of the tensor's data relative to the start of the data section.
    public let offset: Int

    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
    }

    /// Row-major shape (`dimensions` reversed): a `[ne1, ne0]` matrix has `ne1` rows of `ne0` values.
    public var shape: [Int] { dimensions.reversed() }
    /// Total number of elements.
    public var elementCount: Int { dimensions.reduce(1, *) }
    /// Elements per row (ne0).
    public var rowLength: Int { dimensions.first ?? 1 }
    /// Number of rows (product of all dimensions but the first).
    public var rowCount: Int { dimensions.dropFirst().reduce(1, *) }
    /// Bytes per row: `rowLength / blockSize` blocks of `blockByteCount` bytes.
    public var rowByteCount: Int { type.blockSize == 0 ? 0 : rowLength / type.blockSize * type.blockByteCount }
    /// Bytes of data: `rowCount × rowByteCount`.
    public var byteCount: Int { rowCount * rowByteCount }
}

/// A GGUF file (versions 2 and 3) opened for reading: metadata and tensor infos parsed and
/// validated, tensor data memory-mapped.
///
/// Layout: magic `"GGUF"`, uint32 version, uint64 tensor count, uint64 metadata count; the
/// metadata key/value pairs; the tensor infos (name, dimension count, uint64 dimensions, uint32
/// type, uint64 offset); padding to `alignment`; the data section. All little-endian.
public struct GGUFFile: Sendable {
    public let url: URL
    /// 2 or 3.
    public let version: Int
    /// All metadata, by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Tensor infos in file order.
    public let tensorInfos: [GGUFTensorInfo]
    /// `general.alignment`, or 32 when absent.
    public let alignment: Int
    /// Absolute byte offset where the data section starts.
    public let dataOffset: Int

    let storage: MappedFile
    private let tensorIndex: [String: Int]

    public static let defaultAlignment = 32
    public static let supportedVersions = 2...3

    /// Opens and validates `url`: header, every metadata value, tensor infos (known type, row
    /// length a multiple of the block size, data aligned and inside the file, no overlap).
    public init(contentsOf url: URL) throws {
        let storage = try MappedFile(url: url)
        let file = url.path
        var reader = GGUFHeaderReader(bytes: storage.bytes, file: file)

        guard storage.count >= 4 else {
            throw ModelFormatError(file: file, what: "not a GGUF file: only \(storage.count) bytes")
        }
        let magic = Array(storage.bytes[0..<4])
        guard magic == Array("GGUF".utf8) else {
            let shown = magic.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
            throw ModelFormatError(file: file, what: "not a GGUF file: magic is \"\(shown)\", expected \"GGUF\"")
        }
        _ = try reader.uint32("magic")
        let rawVersion = try reader.uint32("version")
        guard Self.supportedVersions.contains(Int(rawVersion)) else {
            let hint = rawVersion > 0xFFFF ? " (a big-endian GGUF file? only little-endian is supported)" : ""
            throw ModelFormatError(file: file, what: "unsupported GGUF version \(rawVersion)\(hint); supported: 2, 3")
        }
        // Minimum encoded sizes: a tensor info is ≥ 8+4+8+4+8 bytes (name length, n_dims, one dim,
        // type, offset); a key/value pair ≥ 8+4+1 bytes.
        let tensorCount = try reader.count("tensor count", minimumElementSize: 32)
        let keyValueCount = try reader.count("metadata count", minimumElementSize: 13)

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        keys.reserveCapacity(keyValueCount)
        for index in 0..<keyValueCount {
            let keyOffset = reader.position
            let key = try reader.string("metadata key #\(index)")
            guard metadata[key] == nil else {
                throw reader.error("duplicate metadata key", location: "key '\(key)' (byte \(keyOffset))")
            }
            let type = try reader.valueType("key '\(key)'")
            metadata[key] = try reader.value(of: type, "key '\(key)'")
            keys.append(key)
        }

        var alignment = Self.defaultAlignment
        if let value = metadata["general.alignment"] {
            guard case .uint32(let raw) = value, raw > 0, raw & (raw - 1) == 0 else {
                throw ModelFormatError(file: file, what: "must be a uint32 power of two, found \(value.type) \(value.summary)",
                                       location: "key 'general.alignment'")
            }
            alignment = Int(raw)
        }

        var infos: [GGUFTensorInfo] = []
        infos.reserveCapacity(tensorCount)
        var index: [String: Int] = [:]
        for number in 0..<tensorCount {
            let infoOffset = reader.position
            let name = try reader.string("tensor #\(number) name")
            let location = "tensor '\(name)'"
            guard index[name] == nil else { throw reader.error("duplicate tensor name", location: "\(location) (byte \(infoOffset))") }
            let dimensionCount = try reader.uint32("\(location) dimension count")
            guard (1...4).contains(dimensionCount) else {
                throw reader.error("has \(dimensionCount) dimensions; GGUF allows 1 to 4", location: location)
            }
            var dimensions: [Int] = []
            var elementCount = 1
            for _ in 0..<dimensionCount {
                let raw = try reader.uint64("\(location) dimension")
                guard raw <= UInt64(Int.max), case (let product, false) = elementCount.multipliedReportingOverflow(by: Int(raw)) else {
                    throw reader.error("dimension \(raw) overflows the element count", location: location)
                }
                dimensions.append(Int(raw))
                elementCount = product
            }
            let typeOffset = reader.position
            let type = GGMLType(rawValue: try reader.uint32("\(location) type"))
            guard type.isKnown else {
                throw reader.error("unknown tensor type id \(type.rawValue) at byte \(typeOffset); supported for dequantisation: \(GGMLType.dequantizableNames)", location: location)
            }
            let rawOffset = try reader.uint64("\(location) offset")
            guard rawOffset <= UInt64(storage.count) else {
                throw reader.error("data offset \(rawOffset) is past the end of the file (\(storage.count) bytes)", location: location)
            }
            let info = GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: Int(rawOffset))
            guard info.rowLength % type.blockSize == 0 else {
                throw reader.error("row length \(info.rowLength) is not a multiple of the \(type.name) block size \(type.blockSize)", location: location)
            }
            // Bytes = blocks × bytes per block; bounding it by the file size here means the
            // byteCount/rowByteCount products computed later cannot overflow.
            let blocks = elementCount / type.blockSize
            guard case (let byteCount, false) = blocks.multipliedReportingOverflow(by: type.blockByteCount),
                  byteCount <= storage.count else {
                throw reader.error("shape \(info.shape) × \(type.name) needs more bytes than the whole file (\(storage.count))", location: location)
            }
            // With a zero dimension the element count is 0 but the row length or row count alone
            // may still be huge; the derived sizes must not overflow either.
            let rowCount = dimensions.dropFirst().reduce(Optional(1)) { partial, dimension in
                partial.flatMap { value in
                    let (product, overflow) = value.multipliedReportingOverflow(by: dimension)
                    return overflow ? nil : product
                }
            }
            guard rowCount != nil, !(info.rowLength / type.blockSize).multipliedReportingOverflow(by: type.blockByteCount).overflow else {
                throw reader.error("dimensions \(dimensions) overflow the row count or row size", location: location)
            }
            guard info.offset % alignment == 0 else {
                throw reader.error("data offset \(info.offset) is not a multiple of the alignment \(alignment)", location: location)
            }
            index[name] = infos.count
            infos.append(info)
        }

        let headerEnd = reader.position
        let dataOffset = (headerEnd + alignment - 1) / alignment * alignment
        let dataSize = storage.count - min(dataOffset, storage.count)
        for info in infos {
            guard info.offset <= dataSize, info.byteCount <= dataSize - info.offset else {
                throw ModelFormatError(
                    file: file,
                    what: "data runs past the end of the file: shape \(info.shape) × \(info.type.name) needs \(info.byteCount) bytes at data offset \(info.offset), data section has \(dataSize) bytes",
                    location: "tensor '\(info.name)'")
            }
        }
        let occupied = infos.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (previous, next) in zip(occupied, occupied.dropFirst()) where next.offset < previous.offset + previous.byteCount {
            throw ModelFormatError(file: file, what: "data overlaps tensor '\(previous.name)'", location: "tensor '\(next.name)'")
        }

        self.url = url
        self.version = Int(rawVersion)
        self.metadata = metadata
        self.metadataKeys = keys
        self.tensorInfos = infos
        self.alignment = alignment
        self.dataOffset = dataOffset
        self.storage = storage
        self.tensorIndex = index
    }

    /// The info of the tensor called `name`, or `nil`.
    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensorInfos[$0] }
    }

    /// The info of the tensor called `name`; throws an error naming it if absent.
    public func requireTensor(_ name: String) throws -> GGUFTensorInfo {
        guard let info = tensor(named: name) else {
            throw ModelFormatError(file: url.path, what: "no such tensor (file has \(tensorInfos.count) tensors)", location: "tensor '\(name)'")
        }
        return info
    }

    // MARK: Metadata accessors that throw a clear error when the key is missing or mistyped.

    private func required<T>(_ key: String, _ expected: String, _ extract: (GGUFValue) -> T?) throws -> T {
        guard let value = metadata[key] else {
            throw ModelFormatError(file: url.path, what: "required metadata key is missing", location: "key '\(key)'")
        }
        guard let result = extract(value) else {
            throw ModelFormatError(file: url.path, what: "expected \(expected), found \(value.type) \(value.summary)", location: "key '\(key)'")
        }
        return result
    }

    public func requiredString(_ key: String) throws -> String { try required(key, "a string") { $0.string } }
    public func requiredInt(_ key: String) throws -> Int { try required(key, "an integer") { $0.int } }
    public func requiredFloat(_ key: String) throws -> Float { try required(key, "a number") { $0.float } }
    public func requiredBool(_ key: String) throws -> Bool { try required(key, "a bool") { $0.bool } }
    public func requiredStrings(_ key: String) throws -> [String] { try required(key, "an array of strings") { $0.strings } }
    public func requiredInts(_ key: String) throws -> [Int] { try required(key, "an array of integers") { $0.ints } }
    public func requiredFloats(_ key: String) throws -> [Float] { try required(key, "an array of numbers") { $0.floats } }
}
