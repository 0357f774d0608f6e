import EvalCore
import Testing

/// Verdicts read from judge outputs written the way real judges write them (GPT-4-style MT-Bench
/// judgements, chatty open models, and the garbage a tiny model produces).
@Suite struct VerdictParsingTests {
    static let scores = VerdictPattern(pattern: VerdictPattern.scorePattern, fallbacks: VerdictPattern.scoreFallbacks(scaleMax: 10))
    static let choices = VerdictPattern(pattern: VerdictPattern.choicePattern, fallbacks: VerdictPattern.choiceFallbacks)

    static func score(_ text: String) -> VerdictReading {
        VerdictParser.score(text, pattern: scores, scaleMin: 1, scaleMax: 10)
    }

    @Test(arguments: [
        // MT-Bench's own format, at the end of an explanation.
        ("The assistant's answer correctly identifies the key cultural sites and offers vivid detail, though the itinerary section is thin.\n\nRating: [[8]]", 8.0, "pattern"),
        ("Explanation: the code works but has no error handling.\n[[7.5]]", 7.5, "pattern"),
        ("Overall a solid reply. Final score: [[ 6 ]]", 6.0, "pattern"),
        ("The response is mostly correct.\nRating: [[8/10]]", 8.0, "pattern"),
        // The last [[N]] wins: judges reason first and conclude at the end.
        ("An ideal answer would deserve [[10]], but this one misses the second part of the question. I give it [[5]].", 5.0, "pattern"),
        // Looser forms.
        ("**Evaluation:** accurate and concise.\n\n**Score: 9/10**", 9.0, "fallback 1"),
        ("Rating: 3\n\nThe answer contradicts itself.", 3.0, "fallback 1"),
        ("I would give this answer a 4 out of 10 because the maths is wrong.", 4.0, "fallback 2"),
        ("This answer is helpful.\n\n[6]", 6.0, "fallback 3"),
        // A citation-like [1] does not beat an explicit rating.
        ("As shown in [1], the claim is false, which the reply does not notice. Rating: 2", 2.0, "fallback 1"),
    ] as [(String, Double, String)])
    func scoresAreRead(text: String, expected: Double, matchedBy: String) {
        let reading = Self.score(text)
        #expect(reading.verdict == .score(expected))
        #expect(reading.matchedBy == matchedBy)
        #expect(reading.problem == nil)
    }

    @Test func scoresOutsideTheScaleOrMissingAreNotVerdicts() {
        let outside = Self.score("Brilliant. Rating: [[12]]")
        #expect(outside.verdict == nil)
        #expect(outside.problem == "score 12 is outside the scale 1–10")
        let none = Self.score("The response is reasonable but could be more detailed.")
        #expect(none.verdict == nil)
        #expect(none.problem == "no score found")
        // What a 270M-parameter Shakespeare model writes when asked to judge.
        let babble = Self.score(" O, then I see that Queen Mab hath been with you. [[N]]\nANTONIO. Sir,")
        #expect(babble.verdict == nil)
        // Zero is below a 1–10 scale; on a 0–5 scale it is a score.
        #expect(Self.score("[[0]]").verdict == nil)
        let zeroToFive = VerdictPattern(pattern: VerdictPattern.scorePattern, fallbacks: VerdictPattern.scoreFallbacks(scaleMax: 5))
        #expect(VerdictParser.score("That is 3 out of 5.", pattern: zeroToFive, scaleMin: 0, scaleMax: 5).verdict == .score(3))
        #expect(VerdictParser.score("That is 3 out of 10.", pattern: zeroToFive, scaleMin: 0, scaleMax: 5).verdict == nil)
    }

    @Test(arguments: [
        ("Assistant A gives the correct answer of 4 weeks and explains the division; Assistant B says 5 weeks. [[A]]", PairwiseChoice.a, "pattern"),
        ("Both responses are accurate, but B's is better organised.\n\nFinal verdict: [[B]]", .b, "pattern"),
        // MT-Bench's tie is [[C]].
        ("Both assistants provide equally relevant and accurate answers. [[C]]", .tie, "pattern"),
        ("Neither answer is better than the other. [[Tie]]", .tie, "pattern"),
        ("[[a]]", .a, "pattern"),
        ("My final verdict is [B].", .b, "fallback 1"),
        ("After comparing both, the final verdict: Assistant B", .b, "fallback 2"),
        ("Verdict: tie - both are wrong in the same way.", .tie, "fallback 2"),
        ("Assistant A is clearly better because it answers both parts.", .a, "fallback 3"),
    ] as [(String, PairwiseChoice, String)])
    func choicesAreRead(text: String, expected: PairwiseChoice, matchedBy: String) {
        let reading = VerdictParser.choice(text, pattern: Self.choices)
        #expect(reading.verdict == .choice(expected))
        #expect(reading.matchedBy == matchedBy)
    }

    @Test func choicesThatAreNotVerdicts() {
        #expect(VerdictParser.choice("Both have merits and flaws.", pattern: Self.choices).problem == "no verdict found")
        let custom = VerdictPattern(pattern: #"Winner: (\w+)"#, fallbacks: [])
        let reading = VerdictParser.choice("Winner: Neither", pattern: custom)
        #expect(reading.verdict == nil)
        #expect(reading.problem == "'Neither' is not A, B or tie")
        #expect(VerdictParser.choice("Winner: B", pattern: custom).verdict == .choice(.b))
    }

    @Test func positionSwapAgreementAndInconsistency() {
        // First order shows model A as "A", the second shows model B as "A".
        #expect(PositionSwap.combine(first: .a, second: .b) == (.modelA, true))
        #expect(PositionSwap.combine(first: .b, second: .a) == (.modelB, true))
        #expect(PositionSwap.combine(first: .tie, second: .tie) == (.tie, true))
        // Always picking the answer shown first is a disagreement: a tie and an inconsistency.
        #expect(PositionSwap.combine(first: .a, second: .a) == (.tie, false))
        #expect(PositionSwap.combine(first: .a, second: .tie) == (.tie, false))
        #expect(PositionSwap.combine(first: nil, second: .a) == (.unparsed, nil))
        #expect(PositionSwap.combine(first: .b, second: nil) == (.unparsed, nil))
    }
}
