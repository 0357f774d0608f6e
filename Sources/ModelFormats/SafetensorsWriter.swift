import Foundation

/// Writes safetensors files.
public enum SafetensorsWriter {
    /// Writes atomically (temp file in the same folder + rename). Tensors in the given order; header 8-byte aligned.
    ///
    /// - Parameters:
    ///   - tensors: name, row-major shape (`[]` for a scalar) and values; `values.count` must equal
    ///     the product of `shape`, names must be unique and not `__metadata__`.
    ///   - dtype: `.f32`, `.f16` or `.bf16` (narrowing rounds to nearest even).
    ///   - metadata: stored as the `"__metadata__"` object.
    ///   - url: destination; replaced atomically if it exists.
    public static func write(_ tensors: [(name: String, shape: [Int], values: [Float])], dtype: TensorDType = .f32,
                             metadata: [String: String] = [:], to url: URL) throws {
        let file = url.path
        guard dtype.isWritable else {
            throw ModelFormatError(file: file, what: "cannot write dtype \(dtype.rawValue) (writable: F32, F16, BF16)")
        }
        var seen = Set<String>()
        var header = "{"
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            header += "\"__metadata__\":{\(pairs.joined(separator: ","))}"
        }
        var offset = 0
        for tensor in tensors {
            let location = "tensor '\(tensor.name)'"
            guard tensor.name != "__metadata__", seen.insert(tensor.name).inserted else {
                throw ModelFormatError(file: file, what: "tensor names must be unique and not __metadata__", location: location)
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }) else {
                throw ModelFormatError(file: file, what: "shape \(tensor.shape) has a negative dimension", location: location)
            }
            var elementCount = 1
            for dimension in tensor.shape {
                let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
                elementCount = overflow ? -1 : product
                if overflow { break }
            }
            guard elementCount == tensor.values.count else {
                throw ModelFormatError(file: file, what: "shape \(tensor.shape) needs \(elementCount) values, got \(tensor.values.count)", location: location)
            }
            let end = offset + elementCount * dtype.byteSize
            if header.count > 1 { header += "," }
            let shapeText = tensor.shape.map(String.init).joined(separator: ",")
            header += "\(jsonString(tensor.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shapeText)],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        // Pad with spaces so the data section starts 8-byte aligned (the format allows trailing spaces).
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }

        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw ModelFormatError(file: file, what: "cannot create temporary file in \(folder.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            var prefix: [UInt8] = []
            withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { prefix.append(contentsOf: $0) }
            try handle.write(contentsOf: prefix + headerBytes)
            // Convert in chunks so a large tensor never needs a second full-size copy.
            let chunk = 1 << 20
            var buffer: [UInt8] = []
            buffer.reserveCapacity(chunk * dtype.byteSize)
            for tensor in tensors {
                var start = 0
                while start < tensor.values.count {
                    let stop = min(start + chunk, tensor.values.count)
                    buffer.removeAll(keepingCapacity: true)
                    TensorConversion.narrow(tensor.values[start..<stop], dtype: dtype, into: &buffer)
                    try handle.write(contentsOf: buffer)
                    start = stop
                }
            }
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, url.path) != 0 {
                throw ModelFormatError(file: file, what: "cannot rename temporary file into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? ModelFormatError { throw error }
            throw ModelFormatError(file: file, what: "write failed: \(FileErrorText.describe(error))")
        }
    }

    /// A JSON string literal for `text`.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
