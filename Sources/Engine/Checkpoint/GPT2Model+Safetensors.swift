import Foundation
import ModelFormats

extension GPT2Model {
    /// Every parameter as a (Hugging Face name, shape, values) triple, matmul weights in Conv1D
    /// [in, out] orientation, ready for `SafetensorsWriter`. The tied `lm_head.weight` is not written.
    public func namedTensors() -> [(name: String, shape: [Int], values: [Float])] {
        layout.tensors.map { tensor in
            (name: tensor.name, shape: tensor.shape, values: Array(UnsafeBufferPointer(start: parameters.pointer + tensor.offset, count: tensor.count)))
        }
    }

    /// Loads weights from a Hugging Face GPT-2 `model.safetensors` (names with or without a
    /// `transformer.` prefix; F32, F16 or BF16). An `lm_head.weight` must equal `wte.weight`
    /// (the output projection is tied); the causal-mask buffers `attn.bias`/`attn.masked_bias`
    /// of older exports are ignored. Any other mismatch throws an error naming the file and tensor.
    public convenience init(configuration: GPT2Configuration, safetensors url: URL) throws {
        try configuration.validate()
        let file = try SafetensorsFile(contentsOf: url)
        let layout = GPT2ParameterLayout(configuration)
        let path = url.path
        func storedName(_ name: String) -> String? {
            if file.info(name) != nil { return name }
            if file.info("transformer." + name) != nil { return "transformer." + name }
            return nil
        }
        // Check every name and shape before allocating, so a config with absurd sizes fails
        // on its first tensor instead of allocating the whole model.
        var storedNames: [String] = []
        for tensor in layout.tensors {
            guard let stored = storedName(tensor.name), let info = file.info(stored) else {
                throw EngineError.file(path: path, message: "tensor \(tensor.name) is missing (expected shape \(tensor.shape))")
            }
            guard info.shape == tensor.shape else {
                throw EngineError.file(path: path, message: "tensor \(stored) has shape \(info.shape), config.json implies \(tensor.shape)")
            }
            storedNames.append(stored)
        }
        let buffer = FloatBuffer(count: layout.totalCount)
        for (tensor, stored) in zip(layout.tensors, storedNames) {
            let values = try file.floats(stored)
            guard values.count == tensor.count else {
                throw EngineError.file(path: path, message: "tensor \(stored) holds \(values.count) values, expected \(tensor.count)")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw EngineError.file(path: path, message: "tensor \(stored) has a non-finite value at flat index \(bad)")
            }
            values.withUnsafeBufferPointer { (buffer.pointer + tensor.offset).update(from: $0.baseAddress!, count: tensor.count) }
        }
        let known = Set(layout.tensors.flatMap { [$0.name, "transformer." + $0.name] })
        for name in file.tensorNames where !known.contains(name) {
            if name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") { continue }
            if name == "lm_head.weight" {
                guard file.info(name)?.shape == layout.tensors[0].shape,
                      try file.floats(name) == Array(UnsafeBufferPointer(start: buffer.pointer + layout.wte, count: layout.tensors[0].count)) else {
                    throw EngineError.file(path: path, message: "lm_head.weight differs from wte.weight; only tied GPT-2 output projections are supported")
                }
                continue
            }
            throw EngineError.file(path: path, message: "unexpected tensor \(name) for a GPT-2 model")
        }
        try self.init(configuration: configuration, parameters: buffer)
    }
}
