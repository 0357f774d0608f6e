import Foundation

/// Name, element type and shape of one tensor in a safetensors file.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: TensorDType
    /// Row-major shape; `[]` is a scalar (one element).
    public let shape: [Int]
    /// Number of elements (product of `shape`).
    public var elementCount: Int { shape.reduce(1, *) }

    public init(name: String, dtype: TensorDType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}

/// A safetensors file opened for reading: header validated, tensor data memory-mapped.
///
/// Layout: an 8-byte little-endian header length `N`, `N` bytes of UTF-8 JSON mapping each tensor
/// name to `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the data
/// section that starts at `8 + N`), optionally a `"__metadata__"` object of string values, then
/// the raw little-endian tensor bytes.
public struct SafetensorsFile: Sendable {
    private struct Entry: Sendable {
        let info: SafetensorsTensorInfo
        /// Absolute byte range within the file.
        let range: Range<Int>
    }

    /// The largest header the reader accepts (the format's own limit is 100 MB).
    public static let maximumHeaderLength = 100_000_000

    private let storage: MappedFile
    private let entries: [String: Entry]
    /// Tensor names, sorted.
    public let tensorNames: [String]
    /// The string-to-string `"__metadata__"` object (empty when absent).
    public let metadata: [String: String]

    /// Reads and validates the header (8-byte little-endian length, JSON, offsets within the file,
    /// sizes matching shape × dtype, no overlap); data memory-mapped. Errors name the file and the tensor.
    public init(contentsOf url: URL) throws {
        let storage = try MappedFile(url: url)
        let file = url.path
        let bytes = storage.bytes
        guard bytes.count >= 8 else {
            throw ModelFormatError(file: file, what: "file is \(bytes.count) bytes; a safetensors file starts with an 8-byte header length")
        }
        let declaredLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declaredLength <= UInt64(bytes.count - 8) else {
            throw ModelFormatError(file: file, what: "header length \(declaredLength) runs past the end of the file (\(bytes.count) bytes): truncated or not a safetensors file")
        }
        guard declaredLength <= UInt64(Self.maximumHeaderLength) else {
            throw ModelFormatError(file: file, what: "header length \(declaredLength) exceeds the \(Self.maximumHeaderLength)-byte limit")
        }
        let headerLength = Int(declaredLength)
        let dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart

        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(bytes[8..<dataStart]))
        } catch let error as JSONParseError {
            throw ModelFormatError(file: file, what: "header is not valid JSON: \(error.message)", location: "header byte \(8 + error.offset)")
        }
        guard case .object(let members) = json else {
            throw ModelFormatError(file: file, what: "header must be a JSON object, found \(json.typeName)")
        }

        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try Self.parseMetadata(value, file: file)
                continue
            }
            let (info, relative) = try Self.parseTensor(name: name, value, dataSize: dataSize, file: file)
            entries[name] = Entry(info: info, range: (dataStart + relative.lowerBound)..<(dataStart + relative.upperBound))
        }

        // No two tensors may share bytes. Empty tensors occupy no bytes and cannot overlap.
        let occupied = entries.values.filter { !$0.range.isEmpty }.sorted { $0.range.lowerBound < $1.range.lowerBound }
        for (previous, next) in zip(occupied, occupied.dropFirst()) where next.range.lowerBound < previous.range.upperBound {
            throw ModelFormatError(
                file: file,
                what: "data overlaps tensor '\(previous.info.name)' (bytes \(previous.range.lowerBound - dataStart)..<\(previous.range.upperBound - dataStart) of the data section)",
                location: "tensor '\(next.info.name)'")
        }

        self.storage = storage
        self.entries = entries
        self.metadata = metadata
        self.tensorNames = entries.keys.sorted()
    }

    private static func parseMetadata(_ value: JSONValue, file: String) throws -> [String: String] {
        guard case .object(let pairs) = value else {
            throw ModelFormatError(file: file, what: "must be an object of strings, found \(value.typeName)", location: "__metadata__")
        }
        var result: [String: String] = [:]
        for (key, item) in pairs {
            guard case .string(let text) = item else {
                throw ModelFormatError(file: file, what: "metadata values must be strings, found \(item.typeName)", location: "__metadata__ key '\(key)'")
            }
            result[key] = text
        }
        return result
    }

    private static func parseTensor(name: String, _ value: JSONValue, dataSize: Int, file: String) throws -> (SafetensorsTensorInfo, Range<Int>) {
        let location = "tensor '\(name)'"
        func fail(_ what: String) -> ModelFormatError { ModelFormatError(file: file, what: what, location: location) }
        guard case .object(let fields) = value else { throw fail("entry must be an object, found \(value.typeName)") }
        func field(_ key: String) throws -> JSONValue {
            guard let found = fields.first(where: { $0.key == key }) else { throw fail("missing \"\(key)\"") }
            return found.value
        }
        guard case .string(let dtypeName) = try field("dtype") else { throw fail("\"dtype\" must be a string") }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            let known = TensorDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("unknown dtype \"\(dtypeName)\" (supported: \(known))")
        }
        guard case .array(let shapeValues) = try field("shape") else { throw fail("\"shape\" must be an array") }
        var shape: [Int] = []
        var elementCount = 1
        var countOverflowed = false
        for dimension in shapeValues {
            guard case .integer(let size) = dimension, size >= 0 else {
                throw fail("\"shape\" must hold non-negative integers")
            }
            shape.append(size)
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            countOverflowed = countOverflowed || overflow
            elementCount = product
        }
        guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
              case .integer(let begin) = offsets[0], case .integer(let end) = offsets[1] else {
            throw fail("\"data_offsets\" must be an array of two integers")
        }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw fail("data_offsets [\(begin), \(end)] outside the data section (\(dataSize) bytes)")
        }
        let (byteCount, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !countOverflowed, !overflow, byteCount == end - begin else {
            throw fail("holds \(end - begin) bytes but shape \(shape) × \(dtype.rawValue) needs \(countOverflowed || overflow ? "more than Int.max" : String(byteCount))")
        }
        return (SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape), begin..<end)
    }

    /// Name, dtype and shape of a tensor, or `nil` if the file has no tensor of that name.
    public func info(_ name: String) -> SafetensorsTensorInfo? { entries[name]?.info }

    /// The tensor's values converted to `Float`, row-major (F16/BF16 widened exactly; F64 and
    /// integers converted with rounding). Throws if the file has no such tensor.
    public func floats(_ name: String) throws -> [Float] {
        guard let entry = entries[name] else { throw missing(name) }
        let bytes = storage.bytes(in: entry.range)
        let count = entry.info.elementCount
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            TensorConversion.widen(bytes, dtype: entry.info.dtype, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initialized = count
        }
    }

    /// Calls `body` with the tensor's raw little-endian bytes (valid only inside `body`), e.g. to
    /// copy F16 weights without widening. Throws if the file has no such tensor.
    public func withRawBytes<Result>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        guard let entry = entries[name] else { throw missing(name) }
        return try withExtendedLifetime(storage) { try body(storage.bytes(in: entry.range)) }
    }

    private func missing(_ name: String) -> ModelFormatError {
        let available = tensorNames.prefix(8).joined(separator: ", ") + (tensorNames.count > 8 ? ", ..." : "")
        return ModelFormatError(file: storage.path, what: "no such tensor (file has \(tensorNames.count): \(available))", location: "tensor '\(name)'")
    }
}
