import Foundation

extension GGUFFile {
    /// Absolute byte range of a tensor's data in the file (validated at open).
    private func range(of info: GGUFTensorInfo) -> Range<Int> {
        let start = dataOffset + info.offset
        return start..<(start + info.byteCount)
    }

    private func unsupported(_ info: GGUFTensorInfo) -> ModelFormatError {
        ModelFormatError(file: url.path,
                         what: "unsupported tensor type \(info.type.name) (supported: \(GGMLType.dequantizableNames))",
                         location: "tensor '\(info.name)'")
    }

    /// Calls `body` with the tensor's raw bytes exactly as stored (blocks of `info.type`, rows of
    /// `info.rowByteCount` bytes), valid only inside `body`. No copy is made.
    public func withRawData<Result>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        let info = try requireTensor(name)
        return try withExtendedLifetime(storage) { try body(storage.bytes(in: range(of: info))) }
    }

    /// The tensor's raw bytes as a `Data` that shares the memory mapping (no copy); the mapping
    /// stays alive as long as the `Data` does.
    public func rawData(of name: String) throws -> Data {
        let info = try requireTensor(name)
        let bytes = storage.bytes(in: range(of: info))
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return Data() }
        let owner = storage
        return Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count,
                    deallocator: .custom { _, _ in withExtendedLifetime(owner) {} })
    }

    /// The whole tensor dequantised to `Float`, in storage order (row-major over `info.shape`).
    /// Throws for missing tensors and types outside `GGMLType.dequantizable`.
    public func floats(_ name: String) throws -> [Float] {
        let info = try requireTensor(name)
        guard info.type.isDequantizable else { throw unsupported(info) }
        let count = info.elementCount
        return try withRawData(of: name) { bytes in
            [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                GGMLDequantization.dequantize(bytes, type: info.type, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
                initialized = count
            }
        }
    }

    /// Dequantises row `row` (0-based, of `info.rowCount`) of tensor `name` into `output`, which must
    /// hold exactly `info.rowLength` floats. For embedding lookups and row-wise projections
    /// without dequantising the whole matrix.
    public func dequantizeRow(_ row: Int, of name: String, into output: UnsafeMutableBufferPointer<Float>) throws {
        let info = try requireTensor(name)
        guard info.type.isDequantizable else { throw unsupported(info) }
        guard (0..<info.rowCount).contains(row) else {
            throw ModelFormatError(file: url.path, what: "row \(row) out of range 0..<\(info.rowCount)", location: "tensor '\(name)'")
        }
        guard output.count == info.rowLength else {
            throw ModelFormatError(file: url.path, what: "output holds \(output.count) floats, a row has \(info.rowLength)", location: "tensor '\(name)'")
        }
        let start = dataOffset + info.offset + row * info.rowByteCount
        withExtendedLifetime(storage) {
            _ = GGMLDequantization.dequantize(storage.bytes(in: start..<(start + info.rowByteCount)), type: info.type, into: output)
        }
    }

    /// Row `row` of tensor `name` dequantised into a new array of `info.rowLength` floats.
    public func dequantizeRow(_ row: Int, of name: String) throws -> [Float] {
        let info = try requireTensor(name)
        return try [Float](unsafeUninitializedCapacity: info.rowLength) { buffer, initialized in
            try dequantizeRow(row, of: name, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<info.rowLength]))
            initialized = info.rowLength
        }
    }
}
