/// A GPT-2 language model (pre-LayerNorm blocks, learned positions, output projection tied to
/// the token embedding), with every parameter in one flat `FloatBuffer`.
///
/// Thread safety: inference methods only read the parameters and allocate their own scratch,
/// so any number of threads may score or generate at once. Training (`Trainer`) writes the
/// parameters and must not run at the same time as inference on the same model.
public final class GPT2Model: @unchecked Sendable {
    public let configuration: GPT2Configuration
    public let layout: GPT2ParameterLayout
    /// All parameters, laid out as `layout` says.
    public let parameters: FloatBuffer

    /// A freshly initialised model (see `GPT2ParameterLayout.initialize`).
    public init(configuration: GPT2Configuration, seed: UInt64) throws {
        try configuration.validate()
        self.configuration = configuration
        layout = GPT2ParameterLayout(configuration)
        parameters = FloatBuffer(count: layout.totalCount)
        layout.initialize(parameters, configuration: configuration, seed: seed)
    }

    /// A model over existing weights; `parameters` must have `layout.totalCount` elements.
    public init(configuration: GPT2Configuration, parameters: FloatBuffer) throws {
        try configuration.validate()
        let layout = GPT2ParameterLayout(configuration)
        guard parameters.count == layout.totalCount else {
            throw EngineError.invalidArgument("GPT-2 parameters: expected \(layout.totalCount) floats for this config, got \(parameters.count)")
        }
        self.configuration = configuration
        self.layout = layout
        self.parameters = parameters
    }

    /// Number of parameters (wte counted once, since the output projection is tied).
    public var parameterCount: Int { layout.totalCount }

    /// A copy of one named tensor's values.
    public func values(of name: String) -> [Float]? {
        guard let tensor = layout.tensor(named: name) else { return nil }
        return Array(UnsafeBufferPointer(start: parameters.pointer + tensor.offset, count: tensor.count))
    }

    /// Training FLOPs per token (forward + backward ≈ 3× forward) as nanoGPT's `estimate_mfu`
    /// (PaLM appendix B) counts them: 6·N + 12·L·T·C, with N the matmul parameters
    /// (12·L·C² in the blocks plus the V·C tied output projection).
    public func trainingFLOPsPerToken(sequenceLength t: Int) -> Double {
        let c = Double(configuration.width), l = Double(configuration.layerCount)
        let matmulParameters = l * 12 * c * c + Double(configuration.vocabularySize) * c
        return 6 * matmulParameters + 12 * l * Double(t) * c
    }
}

/// Errors raised by the engine for bad arguments or files.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)
    case file(path: String, message: String)

    public var description: String {
        switch self {
        case let .invalidArgument(message): message
        case let .file(path, message): "\(path): \(message)"
        }
    }
}
