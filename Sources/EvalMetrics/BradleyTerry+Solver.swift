/// Newton's method for the (optionally L2-penalised) Bradley–Terry log-likelihood in the
/// natural-scale strengths θ (one per player).
enum BradleyTerrySolver {
    struct Solution {
        let strengths: [Double]
        let iterations: Int
    }

    /// Maximises ℓ(θ) − λ/2·|θ|². Gradient gᵢ = Σ_pairs (sᵢ − n·σ(θᵢ − θⱼ)) − λθᵢ; the negative
    /// Hessian is the weighted Laplacian Σ n·σ(1 − σ)(eᵢ − eⱼ)(eᵢ − eⱼ)ᵀ + λI. Without a
    /// penalty the Laplacian is singular along (1, …, 1) (only differences are determined), so
    /// J/m is added to it: since Σ gᵢ = 0, the step then keeps Σ θᵢ = 0.
    static func maximize(table: PairTable, options: BradleyTerryOptions) throws -> Solution {
        let count = table.players.count
        var theta = [Double](repeating: 0, count: count)
        guard count > 1 else { return Solution(strengths: theta, iterations: 0) }
        let lambda = options.regularization
        var objective = penalized(table, theta, lambda)
        for iteration in 1...options.maxIterations {
            var gradient = theta.map { -lambda * $0 }
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
            for pair in table.pairs {
                let (i, j) = (pair.first, pair.second)
                let p = sigmoid(theta[i] - theta[j])
                let residual = pair.scoreFirst - pair.count * p
                gradient[i] += residual
                gradient[j] -= residual
                let weight = pair.count * p * (1 - p)
                hessian[i][i] += weight
                hessian[j][j] += weight
                hessian[i][j] -= weight
                hessian[j][i] -= weight
            }
            let gaugeFix = lambda == 0 ? 1 / Double(count) : 0
            for i in 0..<count {
                for j in 0..<count { hessian[i][j] += gaugeFix }
                hessian[i][i] += lambda
            }
            guard let step = solveLinearSystem(hessian, gradient) else {
                throw BradleyTerryError.didNotConverge(iterations: iteration)
            }
            // Backtracking: halve the step until the objective does not decrease.
            var fraction = 1.0
            var candidate = theta
            var candidateObjective = objective
            for _ in 0..<40 {
                candidate = zip(theta, step).map { $0 + fraction * $1 }
                candidateObjective = penalized(table, candidate, lambda)
                if candidateObjective >= objective - 1e-12 * abs(objective) { break }
                fraction /= 2
            }
            let largestMove = step.reduce(0) { max($0, abs($1)) } * fraction
            theta = candidate
            objective = candidateObjective
            if largestMove < options.tolerance {
                return Solution(strengths: theta, iterations: iteration)
            }
        }
        throw BradleyTerryError.didNotConverge(iterations: options.maxIterations)
    }

    private static func penalized(_ table: PairTable, _ theta: [Double], _ lambda: Double) -> Double {
        table.logLikelihood(theta) - lambda / 2 * theta.reduce(0) { $0 + $1 * $1 }
    }

    /// Solves A x = b by Gaussian elimination with partial pivoting; nil when A is singular.
    /// A is m × m with m the number of players, so O(m³) per Newton step.
    static func solveLinearSystem(_ matrix: [[Double]], _ rhs: [Double]) -> [Double]? {
        var a = matrix
        var b = rhs
        let m = b.count
        for column in 0..<m {
            var pivot = column
            for row in (column + 1)..<max(column + 1, m) where abs(a[row][column]) > abs(a[pivot][column]) {
                pivot = row
            }
            guard abs(a[pivot][column]) > 1e-300 else { return nil }
            if pivot != column {
                a.swapAt(pivot, column)
                b.swapAt(pivot, column)
            }
            for row in (column + 1)..<max(column + 1, m) {
                let factor = a[row][column] / a[column][column]
                if factor == 0 { continue }
                for k in column..<m { a[row][k] -= factor * a[column][k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for row in stride(from: m - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<max(row + 1, m) { sum -= a[row][k] * x[k] }
            x[row] = sum / a[row][row]
        }
        return x
    }
}
