/// A fixed-size, 64-byte aligned, zero-initialised buffer of `Float`s that owns its memory.
///
/// Engine tensors are contiguous row-major slices of these buffers; ops take raw pointers so
/// inner loops carry no retain/release or bounds-check traffic (llm.c style).
/// The class is `@unchecked Sendable`: its owner decides who may write (see `GPT2Model`).
public final class FloatBuffer: @unchecked Sendable {
    /// Number of `Float` elements.
    public let count: Int
    /// Start of the elements; valid for the lifetime of the buffer.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` zeroed floats.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer count must be non-negative")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// Allocates a buffer holding a copy of `values`.
    public convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit { pointer.deallocate() }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// A copy of the elements as an array.
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Copies all elements from another buffer of the same size.
    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "FloatBuffer sizes differ")
        pointer.update(from: other.pointer, count: count)
    }
}
