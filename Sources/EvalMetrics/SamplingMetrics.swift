/// Metrics over several sampled answers to the same prompt.
public enum SamplingMetrics {
    /// Unbiased pass@k (Chen et al. 2021): 1 - C(n-c, k) / C(n, k), computed stably.
    ///
    /// The ratio of binomials is evaluated as the product ∏_{i=n-c+1}^{n} (1 − k/i), the form
    /// of the paper's numpy estimator, so no factorial overflows. When n − c < k every draw of
    /// k samples holds a correct one and the result is exactly 1.
    /// - Parameters:
    ///   - n: samples drawn (≥ 1).
    ///   - correct: how many of them are correct (0...n).
    ///   - k: the budget (1...n).
    /// - Returns: the probability in [0, 1], or `.nan` when the arguments violate those ranges
    ///   (so a misconfigured task shows up as NaN in the aggregate instead of a plausible number).
    public static func passAtK(n: Int, correct: Int, k: Int) -> Double {
        guard n >= 1, k >= 1, k <= n, correct >= 0, correct <= n else { return .nan }
        if n - correct < k { return 1 }
        var allWrong = 1.0
        for i in (n - correct + 1)..<(n + 1) {
            allWrong *= 1 - Double(k) / Double(i)
        }
        return 1 - allWrong
    }

    /// Majority vote of k answers (ties broken by first occurrence) scored against the references with `score`.
    ///
    /// This overload only votes: it returns the most frequent of the first `k` answers (all of
    /// them when fewer), the earliest-seen one among equally frequent answers, or "" when there
    /// is nothing to vote on. Answers are compared as Swift strings (canonically equivalent
    /// strings are the same vote); normalise them first (e.g. extract the final number) if
    /// different spellings should count together. See
    /// ``majorityAtK(answers:k:references:score:)`` for the scored form.
    public static func majorityAtK(answers: [String], k: Int) -> String {
        let voters = answers.prefix(max(0, k))
        var votes: [String: Int] = [:]
        var firstSeen: [String] = []
        for answer in voters {
            if votes[answer] == nil { firstSeen.append(answer) }
            votes[answer, default: 0] += 1
        }
        var winner = ""
        var winnerVotes = 0
        // Walking answers in order of first appearance and replacing only on strictly more
        // votes makes the earliest answer win among equally frequent ones.
        for answer in firstSeen {
            let count = votes[answer] ?? 0
            if count > winnerVotes {
                winner = answer
                winnerVotes = count
            }
        }
        return winner
    }

    /// maj@k: the majority answer of the first `k` answers, scored against the references.
    /// - Parameters:
    ///   - answers: the sampled answers, in sampling order.
    ///   - k: how many of them vote.
    ///   - references: the gold answers.
    ///   - score: a per-sample metric such as ``GenerationMetrics/quasiExactMatch(prediction:references:)``.
    public static func majorityAtK(
        answers: [String], k: Int, references: [String],
        score: (_ prediction: String, _ references: [String]) -> Double
    ) -> Double {
        score(majorityAtK(answers: answers, k: k), references)
    }
}
