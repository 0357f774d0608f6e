/// Token + learned position embeddings.
public enum Embedding {
    /// out(N,C)[i] = wte(V,C)[tokens[i]] + wpe(maxT,C)[positions[i]].
    /// Token ids and positions must already be validated (0..<V, 0..<maxT).
    public static func forward(
        out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>,
        wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>, n: Int, c: Int
    ) {
        for i in 0..<n {
            let o = out + i * c
            let e = wte + Int(tokens[i]) * c
            let p = wpe + Int(positions[i]) * c
            for j in 0..<c { o[j] = e[j] + p[j] }
        }
    }

    /// dwte[tokens[i]] += dout(N,C)[i], dwpe[positions[i]] += dout[i].
    public static func backward(
        dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        tokens: UnsafePointer<Int32>, positions: UnsafePointer<Int32>, n: Int, c: Int
    ) {
        for i in 0..<n {
            let d = dout + i * c
            let e = dwte + Int(tokens[i]) * c
            let p = dwpe + Int(positions[i]) * c
            for j in 0..<c {
                e[j] += d[j]
                p[j] += d[j]
            }
        }
    }
}

/// Elementwise sum of two streams (the residual connection).
public enum Residual {
    /// out(N) = a(N) + b(N).
    public static func forward(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, n: Int) {
        for i in 0..<n { out[i] = a[i] + b[i] }
    }

    /// da(N) += dout, db(N) += dout.
    public static func backward(da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, n: Int) {
        for i in 0..<n {
            da[i] += dout[i]
            db[i] += dout[i]
        }
    }
}
