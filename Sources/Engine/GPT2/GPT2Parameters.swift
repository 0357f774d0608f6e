import SeededRandom

/// One named tensor inside the flat parameter buffer, named as in Hugging Face GPT-2
/// (`h.0.attn.c_attn.weight`, matmul weights in Conv1D [in, out] orientation).
public struct ParameterTensor: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    /// Offset in elements from the start of the flat buffer.
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    /// True for 2-D matmul/embedding weights, which receive weight decay; biases and
    /// LayerNorm parameters (1-D) do not.
    public var receivesWeightDecay: Bool { shape.count == 2 }
}

/// Offsets of one block's tensors in the flat buffer.
public struct GPT2LayerOffsets: Sendable {
    public let ln1Weight, ln1Bias: Int       // (C), (C)
    public let qkvWeight, qkvBias: Int       // (C,3C), (3C)
    public let attnProjWeight, attnProjBias: Int // (C,C), (C)
    public let ln2Weight, ln2Bias: Int       // (C), (C)
    public let fcWeight, fcBias: Int         // (C,4C), (4C)
    public let fcProjWeight, fcProjBias: Int // (4C,C), (C)
}

/// Where every GPT-2 parameter lives in one flat buffer: wte, wpe, then each block, then ln_f.
/// Parameters, gradients and Adam moments share this layout.
public struct GPT2ParameterLayout: Sendable {
    public let tensors: [ParameterTensor]
    public let totalCount: Int
    public let wte: Int  // (V,C), also the output projection (tied)
    public let wpe: Int  // (maxT,C)
    public let layers: [GPT2LayerOffsets]
    public let lnfWeight: Int, lnfBias: Int  // (C), (C)

    public init(_ configuration: GPT2Configuration) {
        let c = configuration.width
        var tensors: [ParameterTensor] = []
        var cursor = 0
        func add(_ name: String, _ shape: [Int]) -> Int {
            let tensor = ParameterTensor(name: name, shape: shape, offset: cursor)
            tensors.append(tensor)
            cursor += tensor.count
            return tensor.offset
        }
        wte = add("wte.weight", [configuration.vocabularySize, c])
        wpe = add("wpe.weight", [configuration.positionCount, c])
        var layers: [GPT2LayerOffsets] = []
        for l in 0..<configuration.layerCount {
            let p = "h.\(l)."
            layers.append(GPT2LayerOffsets(
                ln1Weight: add(p + "ln_1.weight", [c]), ln1Bias: add(p + "ln_1.bias", [c]),
                qkvWeight: add(p + "attn.c_attn.weight", [c, 3 * c]), qkvBias: add(p + "attn.c_attn.bias", [3 * c]),
                attnProjWeight: add(p + "attn.c_proj.weight", [c, c]), attnProjBias: add(p + "attn.c_proj.bias", [c]),
                ln2Weight: add(p + "ln_2.weight", [c]), ln2Bias: add(p + "ln_2.bias", [c]),
                fcWeight: add(p + "mlp.c_fc.weight", [c, 4 * c]), fcBias: add(p + "mlp.c_fc.bias", [4 * c]),
                fcProjWeight: add(p + "mlp.c_proj.weight", [4 * c, c]), fcProjBias: add(p + "mlp.c_proj.bias", [c])))
        }
        self.layers = layers
        lnfWeight = add("ln_f.weight", [c])
        lnfBias = add("ln_f.bias", [c])
        self.tensors = tensors
        totalCount = cursor
    }

    /// The tensor with this Hugging Face name, if any.
    public func tensor(named name: String) -> ParameterTensor? { tensors.first { $0.name == name } }

    /// A named view into any buffer with this layout (parameters, gradients, Adam moments).
    public func view(_ name: String, in buffer: FloatBuffer) -> UnsafeMutableBufferPointer<Float>? {
        guard let tensor = tensor(named: name), buffer.count == totalCount else { return nil }
        return UnsafeMutableBufferPointer(start: buffer.pointer + tensor.offset, count: tensor.count)
    }
}

extension GPT2ParameterLayout {
    /// Fills `buffer` with GPT-2's initialisation: N(0, 0.02) for embeddings and matmul weights,
    /// N(0, 0.02/√(2·n_layer)) for the two residual projections (`attn.c_proj`, `mlp.c_proj`),
    /// zero biases, LayerNorm weight 1 and bias 0. Draws tensor by tensor in layout order from
    /// one `Xoshiro256(seed:)` stream, so a seed fixes every weight on every machine.
    func initialize(_ buffer: FloatBuffer, configuration: GPT2Configuration, seed: UInt64) {
        var generator = Xoshiro256(seed: seed)
        let residualStd = 0.02 / (2 * Double(configuration.layerCount)).squareRoot()
        for tensor in tensors {
            let start = buffer.pointer + tensor.offset
            if tensor.shape.count == 2 {
                let std = tensor.name.hasSuffix("c_proj.weight") ? residualStd : 0.02
                for i in 0..<tensor.count { start[i] = Float(generator.nextGaussian() * std) }
            } else if tensor.name.hasSuffix("ln_1.weight") || tensor.name.hasSuffix("ln_2.weight") || tensor.name == "ln_f.weight" {
                start.update(repeating: 1, count: tensor.count)
            } else {
                start.update(repeating: 0, count: tensor.count)
            }
        }
    }
}
