/// Keys and values of every layer for the positions a sequence has run through.
/// Layer l's keys and values are each (capacity, KVH·hd): row p holds position p, after QK-norm
/// and RoPE for the keys.
final class DecoderKVCache {
    let capacity: Int
    let rowWidth: Int
    private let keys: FloatBuffer
    private let values: FloatBuffer

    init(configuration: DecoderConfiguration, capacity: Int) {
        self.capacity = capacity
        rowWidth = configuration.keyValueWidth
        keys = FloatBuffer(count: configuration.layerCount * capacity * rowWidth)
        values = FloatBuffer(count: configuration.layerCount * capacity * rowWidth)
    }

    /// Start of layer `l`'s keys (capacity, KVH·hd).
    func keys(layer l: Int) -> UnsafeMutablePointer<Float> { keys.pointer + l * capacity * rowWidth }
    /// Start of layer `l`'s values (capacity, KVH·hd).
    func values(layer l: Int) -> UnsafeMutablePointer<Float> { values.pointer + l * capacity * rowWidth }
}

/// Activations for a chunk of at most `rows` consecutive positions, allocated per call so
/// concurrent calls share nothing.
final class DecoderScratch {
    let rows: Int
    let x: FloatBuffer          // (M,C) residual stream
    let normed: FloatBuffer     // (M,C)
    let query: FloatBuffer      // (M,NH·hd)
    let key: FloatBuffer        // (M,KVH·hd)
    let value: FloatBuffer      // (M,KVH·hd)
    let attention: FloatBuffer  // (M,NH·hd) heads' outputs
    let projected: FloatBuffer  // (M,C)
    let gate: FloatBuffer       // (M,F)
    let up: FloatBuffer         // (M,F)

    init(configuration cfg: DecoderConfiguration, rows: Int, capacity: Int) {
        self.rows = rows
        x = FloatBuffer(count: rows * cfg.width)
        normed = FloatBuffer(count: rows * cfg.width)
        query = FloatBuffer(count: rows * cfg.queryWidth)
        key = FloatBuffer(count: rows * cfg.keyValueWidth)
        value = FloatBuffer(count: rows * cfg.keyValueWidth)
        attention = FloatBuffer(count: rows * cfg.queryWidth)
        projected = FloatBuffer(count: rows * cfg.width)
        gate = FloatBuffer(count: rows * cfg.feedForwardWidth)
        up = FloatBuffer(count: rows * cfg.feedForwardWidth)
    }
}
