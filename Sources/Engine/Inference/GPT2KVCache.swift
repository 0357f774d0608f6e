/// Keys and values of every layer for the positions a sequence has already run through.
/// keys and values are (L, capacity, C): row `p` of layer `l` holds the heads' k (or v)
/// for position p, in the same column order as the QKV projection.
final class GPT2KVCache {
    let layerCount: Int
    let capacity: Int
    let width: Int
    let keys: FloatBuffer
    let values: FloatBuffer
    /// Positions 0..<count are filled.
    var count = 0

    init(configuration: GPT2Configuration, capacity: Int) {
        layerCount = configuration.layerCount
        self.capacity = capacity
        width = configuration.width
        keys = FloatBuffer(count: layerCount * capacity * width)
        values = FloatBuffer(count: layerCount * capacity * width)
    }

    /// Start of layer `l`'s keys (capacity, C).
    func keys(layer l: Int) -> UnsafeMutablePointer<Float> { keys.pointer + l * capacity * width }
    /// Start of layer `l`'s values (capacity, C).
    func values(layer l: Int) -> UnsafeMutablePointer<Float> { values.pointer + l * capacity * width }
}
