#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GELU, tanh approximation (`gelu_new` in Hugging Face GPT-2).
public enum GELU {
    static let scale: Float = (2 / Float.pi).squareRoot()

    /// out(N) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        for i in 0..<n {
            let x = inp[i]
            let cube = 0.044715 * x * x * x
            out[i] = 0.5 * x * (1 + tanhf(scale * (x + cube)))
        }
    }

    /// dinp(N) += gelu'(inp) · dout.
    public static func backward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int) {
        for i in 0..<n {
            let x = inp[i]
            let cube = 0.044715 * x * x * x
            let tanhArgument = scale * (x + cube)
            let tanhOut = tanhf(tanhArgument)
            let coshOut = coshf(tanhArgument)
            let sech2 = 1 / (coshOut * coshOut)
            let local = 0.5 * (1 + tanhOut) + x * 0.5 * sech2 * scale * (1 + 3 * 0.044715 * x * x)
            dinp[i] += local * dout[i]
        }
    }
}
