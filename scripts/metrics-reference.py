#!/usr/bin/env python3
"""Compute the reference values stored in Tests/EvalMetricsTests/Fixtures/metrics/*.json.

usage: python3 scripts/metrics-reference.py [--out DIR]
       (needs: pip install sacrebleu rouge_score numpy scipy statsmodels)

Each fixture records where its expected values come from (`source`). Hand-worked cases carry
their working in `note`; this script recomputes every hand-worked value with an independent
Python implementation and refuses to write a fixture whose hand-worked value disagrees.

Reference implementations used here:
  - BLEU / chrF: the real `sacrebleu` package (version recorded in the fixture).
  - ROUGE-L: the real `rouge_score` package (RougeScorer(["rougeL"]), no stemmer).
  - EM / F1: the SQuAD v1.1 evaluation logic, written below from its description.
  - pass@k: the numpy estimator of Chen et al. (2021).
  - Phase-2 statistics: scipy / statsmodels, and an independent Bradley-Terry solver.
The tests never run Python: they only read the JSON this script writes.
"""
import argparse
import collections
import json
import math
import os
import re
import string
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "Tests", "EvalMetricsTests", "Fixtures", "metrics")


# --------------------------------------------------------------------------------------------
# SQuAD v1.1 evaluation logic (normalize_answer, exact match, token F1, max over ground truths)
# --------------------------------------------------------------------------------------------
def squad_normalize(s):
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def squad_em(prediction, truth):
    return float(squad_normalize(prediction) == squad_normalize(truth))


def squad_f1(prediction, truth):
    p = squad_normalize(prediction).split()
    t = squad_normalize(truth).split()
    common = collections.Counter(p) & collections.Counter(t)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(t)
    return 2 * precision * recall / (precision + recall)


def max_over(fn, prediction, references):
    return max((fn(prediction, r) for r in references), default=0.0)


def pass_at_k_numpy(n, c, k):
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def write(out, name, payload):
    path = os.path.join(out, f"{name}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"wrote {path} ({len(payload['test_cases'])} cases)")


def check(name, case, got):
    expected = case["expected"]
    if isinstance(expected, float) or isinstance(expected, int):
        ok = abs(got - expected) <= case["tolerance"]
    else:
        ok = got == expected
    if not ok:
        sys.exit(f"{name}/{case['name']}: hand-worked {expected!r} but reference gives {got!r}")


def case(name, input, expected, tolerance=1e-9, note=None):
    c = {"name": name, "input": input, "expected": expected, "tolerance": tolerance}
    if note:
        c["note"] = note
    return c


# --------------------------------------------------------------------------------------------
# Text normalisation, EM, F1, contains, regex
# --------------------------------------------------------------------------------------------
def normalization_fixture(out):
    cases = [
        case("articles and punctuation", {"text": "The Cat, an apple & a dog!"}, "cat apple dog",
             note="lower -> 'the cat, an apple & a dog!'; drop ',&!' -> 'the cat an apple  a dog'; "
                  "whole-word a/an/the -> ' cat   apple   dog'; collapse -> 'cat apple dog'"),
        case("article inside a word stays", {"text": "Theater and anthem"}, "theater and anthem",
             note="'the' in 'theater' and 'an' in 'anthem' are not whole words"),
        case("ascii symbols removed, unicode punctuation kept", {"text": "¿Qué? $5+3 — «ok»"},
             "¿qué 53 — «ok»",
             note="string.punctuation holds '?', '$', '+' but not '¿', '—', '«', '»'"),
        case("whitespace collapsed", {"text": "  New\tYork \n City  "}, "new york city"),
        case("apostrophe joins", {"text": "Don't stop"}, "dont stop",
             note="the apostrophe is removed before splitting, so 'don't' becomes one token 'dont'"),
        case("article next to unicode letter", {"text": "the élan a"}, "élan",
             note="'é' is a word character, so 'élan' is one word; the two articles go"),
        case("digits are word characters", {"text": "a1 the2 a"}, "a1 the2",
             note="\\b needs a non-word neighbour: 'a1' and 'the2' are single words"),
        case("empty", {"text": ""}, ""),
        case("greek final sigma", {"text": "ΟΔΟΣ ΣΑΣ, ΑΣ."}, "οδος σας ας",
             note="Python's lower() turns a word-final capital sigma into 'ς' (Final_Sigma rule)"),
        case("dotted capital i and kelvin sign", {"text": "İstanbul \u212a"}, "i\u0307stanbul k",
             note="full lowercase mapping: U+0130 -> i + U+0307, U+212A -> k"),
    ]
    for c in cases:
        check("squad_normalization", c, squad_normalize(c["input"]["text"]))
    write(out, "squad_normalization", {
        "name": "SQuAD answer normalisation", "metric": "TextNormalization.squad",
        "source": "SQuAD v1.1 evaluate script normalize_answer, reimplemented in "
                  "scripts/metrics-reference.py (hand-worked cases checked against it)",
        "test_cases": cases})

    punct_cases = [
        case("ascii punctuation", {"text": "Hello, world! (yes) -- 'ok'?"}, "Hello world yes  ok",
             note="all of , ! ( ) - ' ? are category P*"),
        case("symbols stay", {"text": "$5 + 3 = 8 €"}, "$5 + 3 = 8 €",
             note="$ + = € are category S*, not punctuation"),
        case("unicode punctuation", {"text": "¿Qué? «Sí» — 你好。"}, "Qué Sí  你好",
             note="¿ ? « » — 。 are Po/Pi/Pf/Pd"),
    ]
    for c in punct_cases:
        import unicodedata
        got = "".join(ch for ch in c["input"]["text"] if not unicodedata.category(ch).startswith("P"))
        check("remove_punctuation", c, got)
    write(out, "remove_punctuation", {
        "name": "Unicode punctuation removal", "metric": "TextNormalization.removePunctuation",
        "source": "hand-worked; checked against unicodedata.category(ch).startswith('P') "
                  "in scripts/metrics-reference.py",
        "test_cases": punct_cases})


def em_f1_fixtures(out):
    em = [
        case("identical", {"prediction": "Paris", "references": ["Paris"]}, 1.0),
        case("case differs", {"prediction": "paris", "references": ["Paris"]}, 0.0,
             note="exact match does no normalisation"),
        case("second reference", {"prediction": "London", "references": ["Paris", "London"]}, 1.0),
        case("trailing space", {"prediction": "Paris ", "references": ["Paris"]}, 0.0),
        case("no references", {"prediction": "Paris", "references": []}, 0.0),
        case("composed vs decomposed", {"prediction": "caf\u00e9", "references": ["cafe\u0301"]}, 0.0,
             note="U+00E9 vs e+U+0301: different code points, as in Python"),
    ]
    for c in em:
        i = c["input"]
        check("exact_match", c, float(any(i["prediction"] == r for r in i["references"])))
    write(out, "exact_match", {
        "name": "Exact match", "metric": "GenerationMetrics.exactMatch",
        "source": "hand-worked; checked against Python string equality", "test_cases": em})

    qem = [
        case("articles and case", {"prediction": "The Eiffel Tower.", "references": ["eiffel tower"]}, 1.0,
             note="both normalise to 'eiffel tower'"),
        case("extra word", {"prediction": "the tall Eiffel Tower", "references": ["Eiffel Tower"]}, 0.0),
        case("max over references", {"prediction": "an apple", "references": ["pear", "Apple!"]}, 1.0),
        case("empty prediction vs article", {"prediction": "", "references": ["the"]}, 1.0,
             note="'the' normalises to '', equal to the empty prediction"),
        case("no references", {"prediction": "x", "references": []}, 0.0),
    ]
    for c in qem:
        i = c["input"]
        check("quasi_exact_match", c, max_over(squad_em, i["prediction"], i["references"]))
    write(out, "quasi_exact_match", {
        "name": "Quasi exact match (SQuAD EM)", "metric": "GenerationMetrics.quasiExactMatch",
        "source": "hand-worked; checked against the SQuAD v1.1 exact_match_score logic "
                  "reimplemented in scripts/metrics-reference.py", "test_cases": qem})

    f1 = [
        case("partial overlap", {"prediction": "the cat sat on the mat", "references": ["a cat on a mat"]},
             0.8571428571428571,
             note="tokens p=[cat,sat,on,mat] (4), r=[cat,on,mat] (3), common 3; "
                  "P=3/4, R=1, F1=2*0.75*1/1.75=6/7"),
        case("articles dropped before counting", {"prediction": "an answer", "references": ["Answer"]}, 1.0,
             note="both normalise to [answer]; common 1; P=R=1"),
        case("max over references", {"prediction": "blue whale", "references": ["whale shark", "blue whale"]},
             1.0),
        case("no overlap", {"prediction": "red", "references": ["blue"]}, 0.0),
        case("empty prediction", {"prediction": "", "references": ["blue"]}, 0.0,
             note="no common tokens -> 0"),
        case("both normalise to empty", {"prediction": "the", "references": ["a"]}, 0.0,
             note="SQuAD v1.1 returns 0 when nothing is in common, even if both are empty"),
        case("punctuation and case", {"prediction": "New York City!", "references": ["new-york city"]},
             0.4,
             note="p=[new,york,city], r=[newyork,city] (hyphen removed, joining); common 1; "
                  "P=1/3, R=1/2, F1=2*(1/6)/(5/6)=0.4"),
        case("duplicate counts", {"prediction": "x x y", "references": ["x y y z"]}, 0.5714285714285714,
             note="common = min(2,1)[x] + min(1,2)[y] = 2; P=2/3, R=2/4; F1=2*(1/3)/(7/6)=4/7"),
    ]
    for c in f1:
        i = c["input"]
        check("f1", c, max_over(squad_f1, i["prediction"], i["references"]))
    for name, predictions, references in fuzz_corpora(15, seed=7):
        prediction, refs = predictions[0], references[0]
        f1.append(case(name, {"prediction": prediction, "references": refs},
                       max_over(squad_f1, prediction, refs), 1e-9,
                       "random tokens; expected from the SQuAD v1.1 logic in this script"))
    write(out, "f1", {
        "name": "SQuAD token F1", "metric": "GenerationMetrics.f1",
        "source": "hand-worked; checked against the SQuAD v1.1 f1_score logic reimplemented in "
                  "scripts/metrics-reference.py", "test_cases": f1})

    contains = [
        case("substring", {"prediction": "The answer is 42.", "references": ["42"]}, 1.0),
        case("case sensitive", {"prediction": "The answer is Paris", "references": ["paris"]}, 0.0),
        case("any reference", {"prediction": "blue", "references": ["red", "lu"]}, 1.0),
        case("empty reference", {"prediction": "anything", "references": [""]}, 1.0,
             note="'' in s is True in Python"),
        case("no references", {"prediction": "anything", "references": []}, 0.0),
    ]
    for c in contains:
        i = c["input"]
        check("contains", c, float(any(r in i["prediction"] for r in i["references"])))
    write(out, "contains", {
        "name": "Contains", "metric": "GenerationMetrics.contains",
        "source": "hand-worked; checked against Python's `in`", "test_cases": contains})

    regex = [
        case("search not fullmatch", {"prediction": "The answer is 42.", "pattern": "\\d+"}, 1.0),
        case("anchored", {"prediction": "The answer is 42.", "pattern": "^\\d+$"}, 0.0),
        case("case insensitive flag", {"prediction": "ANSWER: b", "pattern": "(?i)answer:\\s*B"}, 1.0),
        case("no match", {"prediction": "none", "pattern": "[0-9]"}, 0.0),
        case("invalid pattern", {"prediction": "x", "pattern": "(unclosed"}, None,
             note="must throw MetricsError.invalidRegex"),
    ]
    for c in regex[:-1]:
        i = c["input"]
        check("regex_match", c, float(re.search(i["pattern"], i["prediction"]) is not None))
    write(out, "regex_match", {
        "name": "Regex match", "metric": "GenerationMetrics.regexMatch",
        "source": "hand-worked; checked against Python re.search", "test_cases": regex})


def rouge_fixture(out):
    import importlib.metadata as md
    from rouge_score import rouge_scorer
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    inputs = [
        ("identical", "the cat sat on the mat", ["the cat sat on the mat"]),
        ("reordered", "on the mat the cat sat", ["the cat sat on the mat"]),
        ("subsequence", "police killed the gunman", ["police kill the gunman"]),
        ("punctuation splits", "Don't stop-believing!", ["don t stop believing"]),
        ("non ascii letters vanish", "Café crème brûlée", ["caf cr me br l e"]),
        ("empty prediction", "", ["something"]),
        ("only punctuation", "?!", ["?!"]),
        ("max over references", "a quick brown fox", ["the slow dog", "quick brown foxes", "a quick fox"]),
        ("numbers", "In 2023 revenue was 4.5 million", ["revenue in 2023 was 4 5 million dollars"]),
        ("long", "the quick brown fox jumps over the lazy dog while the cat watches",
         ["a quick brown dog jumps over the lazy fox as the cat sleeps"]),
    ]
    inputs += [(name, p[0], r[0]) for name, p, r in fuzz_corpora(15, seed=11)]
    inputs.append(("kelvin sign lowercases to k", "\u212a\u0130stanbul OK", ["ki stanbul ok"]))
    cases = []
    for name, prediction, references in inputs:
        score = max(scorer.score(r, prediction)["rougeL"].fmeasure for r in references)
        cases.append(case(name, {"prediction": prediction, "references": references}, score, 1e-9))
    write(out, "rouge_l", {
        "name": "ROUGE-L F-measure", "metric": "GenerationMetrics.rougeL",
        "source": f"rouge_score {md.version('rouge-score')} RougeScorer(['rougeL'], use_stemmer=False), "
                  "max fmeasure over references",
        "test_cases": cases})


# --------------------------------------------------------------------------------------------
# Corpus BLEU and chrF with sacrebleu
# --------------------------------------------------------------------------------------------
CORPORA = [
    ("identical", ["The cat sat on the mat."], [["The cat sat on the mat."]]),
    ("empty prediction", [""], [["The cat sat on the mat."]]),
    ("empty corpus", [], []),
    ("brevity penalty", ["the cat sat on"], [["the cat sat on the mat today"]]),
    ("hypothesis longer than reference", ["the cat sat on the red mat all day long"], [["the cat sat on the mat"]]),
    ("smoothing of missing orders", ["the dog sat on a log", "a bird flew over the sea"],
     [["the cat sat on the mat"], ["a bird flew across the ocean"]]),
    ("multiple references", ["It is a guide to action which ensures that the military always obeys the commands of the party."],
     [["It is a guide to action that ensures that the military will forever heed Party commands.",
       "It is the guiding principle which guarantees the military forces always being under the command of the Party.",
       "It is the practical guide for the army always to heed the directions of the party."]]),
    ("variable reference counts", ["the quick brown fox", "hello there general kenobi", "one two three four five"],
     [["the quick brown fox jumps", "a quick brown fox"], ["hello there general kenobi"],
      ["one two three four", "one two three four five six", "five four three two one"]]),
    ("punctuation", ["Hello, world! It's (roughly) done; isn't it?"],
     [["Hello world! It's (roughly) done; isn't it?"]]),
    ("numbers", ["In 2023-2024, 1,000,000 people paid $3.50 each (i.e. 3.5 dollars)."],
     [["In 2023 - 2024, 1,000,000 people paid $3.50 each, i.e. 3.5 dollars."]]),
    ("unicode", ["Café au lait — très bon. 東京は大きい。", "naïve façade"],
     [["Café au lait, très bon. 東京 は 大きい。"], ["naïve facade"]]),
    ("html entities and newlines", ["Tom &amp; Jerry said &quot;hi&quot;\nand left-\nwards  "],
     [["Tom & Jerry said \"hi\" and leftwards"]]),
    ("decomposed accents", ["cafe\u0301 cre\u0300me"], [["caf\u00e9 cr\u00e8me"]]),
    ("dots and commas", ["a.b, c,d 3.14 1,5 end.", "x..y ,,z"], [["a . b , c , d 3.14 1,5 end .", "x . . y , , z"]]),
    ("larger corpus", [
        "the quick brown fox jumps over the lazy dog",
        "machine translation is hard",
        "we evaluate systems with bleu",
        "this sentence has no match at all",
        "short",
    ], [
        ["a quick brown fox jumped over the lazy dog"],
        ["machine translation is very hard", "translating by machine is hard"],
        ["we evaluate our systems using bleu and chrf"],
        ["completely different words appear here"],
        ["a short one"],
    ]),
]


FUZZ_VOCABULARY = ["the", "cat", "sat", "on", "mat", "a", "dog", ",", ".", "3.5", "1,000", "-", "2023-24",
                   "l'avion", "&amp;", "&quot;", "café", "cafe\u0301", "東京", "は", "(", ")", "$", "\"", "don't",
                   "x.y", "end.", "!", "?", "Ünïcödé", "—", "«", "»", "42", "0.5,", "A", "The", "/", "<", ">"]


def fuzz_corpora(count, seed):
    """Random corpora built from tricky tokens, joined with and without spaces, with hypotheses
    made by perturbing a reference so that scores are not all 0."""
    import random
    rng = random.Random(seed)

    def sentence(length):
        parts = []
        for _ in range(length):
            parts.append(rng.choice(FUZZ_VOCABULARY))
            parts.append(rng.choice([" ", " ", " ", "", "  ", "\t"]))
        return "".join(parts)

    corpora = []
    for index in range(count):
        predictions, references = [], []
        for _ in range(rng.randint(1, 4)):
            refs = [sentence(rng.randint(0 if rng.random() < 0.05 else 3, 14)) for _ in range(rng.randint(1, 3))]
            words = refs[0].split(" ")
            words = [w for w in words if rng.random() > 0.25]
            if rng.random() < 0.5:
                words += sentence(rng.randint(0, 4)).split(" ")
            if rng.random() < 0.3:
                rng.shuffle(words)
            predictions.append(" ".join(words))
            references.append(refs)
        corpora.append((f"fuzz {index}", predictions, references))
    return corpora


def streams(references):
    width = max((len(r) for r in references), default=0)
    return [[refs[j] if j < len(refs) else None for refs in references] for j in range(width)]


def corpus_fixtures(out):
    import sacrebleu
    version = sacrebleu.__version__
    bleu_cases, chrf_cases = [], []
    for name, predictions, references in CORPORA + fuzz_corpora(40, seed=2024):
        if predictions:
            bleu = sacrebleu.corpus_bleu(predictions, streams(references)).score
            chrf = sacrebleu.corpus_chrf(predictions, streams(references)).score
        else:
            bleu = chrf = 0.0  # sacrebleu rejects an empty corpus; EvalKit defines it as 0
        inp = {"predictions": predictions, "references": references}
        note = "empty corpus: defined as 0 by EvalKit (sacrebleu raises)" if not predictions else None
        bleu_cases.append(case(name, inp, bleu, 0.01, note))
        chrf_cases.append(case(name, inp, chrf, 0.01, note))
    common = ("references[i] lists the references of predictions[i]; sacrebleu received the "
              "transposed reference streams, padded with None")
    write(out, "bleu", {
        "name": "Corpus BLEU", "metric": "CorpusMetrics.bleu",
        "source": f"sacrebleu {version} corpus_bleu with defaults (13a, exp smoothing, order 4); {common}",
        "test_cases": bleu_cases})
    write(out, "chrf", {
        "name": "Corpus chrF", "metric": "CorpusMetrics.chrF",
        "source": f"sacrebleu {version} corpus_chrf with defaults (char order 6, word order 0, beta 2); {common}",
        "test_cases": chrf_cases})


# --------------------------------------------------------------------------------------------
# Sampling, multiple choice, perplexity, statistics
# --------------------------------------------------------------------------------------------
def sampling_fixtures(out):
    cases = [
        case("k=1 is the fraction correct", {"n": 10, "correct": 3, "k": 1}, 0.3,
             note="1 - C(7,1)/C(10,1) = 1 - 7/10"),
        case("small", {"n": 5, "correct": 2, "k": 2}, 0.7, note="1 - C(3,2)/C(5,2) = 1 - 3/10"),
        case("none correct", {"n": 4, "correct": 0, "k": 2}, 0.0, note="C(4,2)/C(4,2) = 1"),
        case("too few wrong to fill k", {"n": 10, "correct": 9, "k": 2}, 1.0, note="n - c = 1 < k"),
        case("k equals n", {"n": 100, "correct": 50, "k": 100}, 1.0),
        case("humaneval-sized", {"n": 200, "correct": 13, "k": 10}, None),
        case("humaneval-sized k=100", {"n": 200, "correct": 13, "k": 100}, None),
        case("one in a thousand", {"n": 1000, "correct": 1, "k": 1}, 0.001),
        case("large n", {"n": 5000, "correct": 7, "k": 50}, None),
        case("k larger than n is invalid", {"n": 3, "correct": 1, "k": 5}, None, note="NaN"),
        case("correct larger than n is invalid", {"n": 3, "correct": 4, "k": 1}, None, note="NaN"),
    ]
    for c in cases:
        i = c["input"]
        if c.get("note") == "NaN":
            continue
        ref = pass_at_k_numpy(i["n"], i["correct"], i["k"])
        if c["expected"] is None:
            c["expected"] = ref
            c["note"] = "numpy estimator 1 - prod(1 - k / arange(n - c + 1, n + 1))"
        check("pass_at_k", c, ref)
        c["tolerance"] = 1e-12
    write(out, "pass_at_k", {
        "name": "Unbiased pass@k", "metric": "SamplingMetrics.passAtK",
        "source": f"numpy {np.__version__} estimator of Chen et al. 2021 (hand-worked where noted); "
                  "expected null means NaN for invalid arguments",
        "test_cases": cases})

    votes = [
        case("clear majority", {"answers": ["4", "5", "4"], "k": 3}, "4"),
        case("tie goes to first seen", {"answers": ["b", "a", "a", "b"], "k": 4}, "b",
             note="2 votes each; 'b' appeared first"),
        case("only first k vote", {"answers": ["a", "b", "b", "b"], "k": 2}, "a",
             note="first two are a, b: a 1-1 tie won by first seen"),
        case("k beyond answers", {"answers": ["x", "y", "y"], "k": 10}, "y"),
        case("k zero", {"answers": ["x"], "k": 0}, ""),
        case("no answers", {"answers": [], "k": 3}, ""),
    ]
    for c in votes:
        i = c["input"]
        first = i["answers"][: max(0, i["k"])]
        tally = collections.Counter(first)
        got = max(first, key=lambda a: (tally[a], -first.index(a))) if first else ""
        check("majority_at_k", c, got)
    write(out, "majority_at_k", {
        "name": "Majority vote of the first k answers", "metric": "SamplingMetrics.majorityAtK",
        "source": "hand-worked; checked against collections.Counter with first-occurrence tie-break",
        "test_cases": votes})


def multiple_choice_fixture(out):
    def softmax(x):
        x = np.asarray(x, dtype=float)
        e = np.exp(x - x.max())
        return e / e.sum()

    def brier(ll, gold):
        p = softmax(ll)
        onehot = np.zeros_like(p)
        onehot[gold] = 1
        return float(((p - onehot) ** 2).sum())

    cases = [
        case("acc right", {"kind": "acc", "logLikelihoods": [-1.0, -2.0, -3.0], "gold": [0]}, 1.0),
        case("acc wrong", {"kind": "acc", "logLikelihoods": [-1.0, -0.5, -3.0], "gold": [0]}, 0.0),
        case("acc tie lowest index", {"kind": "acc", "logLikelihoods": [-1.0, -1.0], "gold": [1]}, 0.0,
             note="argmax of a tie is index 0"),
        case("acc several golds", {"kind": "acc", "logLikelihoods": [-3.0, -1.0, -2.0], "gold": [1, 2]}, 1.0),
        case("acc no choices", {"kind": "acc", "logLikelihoods": [], "gold": [0]}, None, note="NaN"),
        case("acc_norm flips", {"kind": "acc_norm", "logLikelihoods": [-10.0, -12.0], "lengths": [5, 12],
                                "gold": [1]}, 1.0, note="-10/5=-2 < -12/12=-1, so choice 1 wins"),
        case("acc_norm zero length", {"kind": "acc_norm", "logLikelihoods": [-3.0, -4.0], "lengths": [0, 4],
                                      "gold": [1]}, 1.0, note="length 0 counts as 1: -3 < -1"),
        case("acc_norm length mismatch", {"kind": "acc_norm", "logLikelihoods": [-3.0, -4.0], "lengths": [1],
                                          "gold": [1]}, None, note="NaN"),
        case("pmi", {"kind": "pmi", "conditional": [-5.0, -6.0], "unconditional": [-1.0, -4.0], "gold": [1]},
             1.0, note="-5-(-1)=-4 < -6-(-4)=-2, so choice 1 wins"),
        case("brier uniform", {"kind": "brier", "logLikelihoods": [0.0, 0.0], "gold": [0]}, 0.5,
             note="p=(.5,.5): (.5-1)^2 + .5^2 = .5"),
        case("brier probabilities", {"kind": "brier", "logLikelihoods": [math.log(0.7), math.log(0.2), math.log(0.1)],
                                     "gold": [0]}, 0.14, note="(.7-1)^2 + .2^2 + .1^2 = .09+.04+.01"),
        case("brier large negative", {"kind": "brier", "logLikelihoods": [-1000.0, -1001.0], "gold": [1]}, None),
        case("brier first of several golds", {"kind": "brier", "logLikelihoods": [-2.0, -1.0, -3.0],
                                              "gold": [2, 1]}, None, note="scored against index 1"),
        case("brier gold out of range", {"kind": "brier", "logLikelihoods": [-1.0], "gold": [3]}, None,
             note="NaN"),
    ]
    for c in cases:
        i = c["input"]
        if c.get("note") == "NaN":
            continue
        if i["kind"] == "brier":
            ref = brier(i["logLikelihoods"], min(i["gold"]))
            if c["expected"] is None:
                c["expected"] = ref
                c["note"] = (c.get("note", "") + "; numpy softmax then sum of squared errors").lstrip("; ")
            c["tolerance"] = 1e-9
            check("multiple_choice", c, ref)
    write(out, "multiple_choice", {
        "name": "Multiple-choice log-likelihood metrics", "metric": "MultipleChoiceMetrics",
        "source": "hand-worked; Brier values checked with numpy (softmax, sum of squared errors as "
                  "lm-eval's brier_score); expected null means NaN",
        "test_cases": cases})


def perplexity_fixture(out):
    ln2 = math.log(2)
    cases = [
        case("word perplexity", {"kind": "word", "documents": [[-10.0, 5]]}, math.exp(2), 1e-9,
             note="exp(10/5)"),
        case("byte perplexity", {"kind": "byte", "documents": [[-10 * ln2, 10]]}, 2.0, 1e-9,
             note="exp(10 ln2 / 10) = 2"),
        case("bits per byte", {"kind": "bits", "documents": [[-10 * ln2, 10]]}, 1.0, 1e-9,
             note="10 ln2 / (10 ln2)"),
        case("corpus word perplexity is weighted", {"kind": "word", "documents": [[-10.0, 5], [-20.0, 5]]},
             math.exp(3), 1e-9,
             note="exp((10+20)/(5+5)) = e^3, not mean(e^2, e^4)"),
        case("corpus bits per byte", {"kind": "bits", "documents": [[-8.0, 4], [-2.0, 6]]}, 10 / (10 * ln2), 1e-9,
             note="(8+2)/((4+6) ln2)"),
        case("corpus byte perplexity unequal counts", {"kind": "byte", "documents": [[-3.0, 1], [-1.0, 3]]},
             math.exp(1), 1e-9, note="exp(4/4)"),
        case("zero count", {"kind": "word", "documents": [[-1.0, 0]]}, None, note="NaN"),
    ]
    write(out, "perplexity", {
        "name": "Perplexity and bits per byte", "metric": "PerplexityMetrics",
        "source": "hand-worked (lm-eval weighted_perplexity / bits_per_byte definitions); "
                  "expected null means NaN",
        "test_cases": cases})


def statistics_fixture(out):
    def stderr(xs):
        return float(np.std(xs, ddof=1) / math.sqrt(len(xs))) if len(xs) > 1 else 0.0

    cases = [
        case("mean and stderr", {"kind": "mean", "values": [1, 2, 3, 4]}, [2.5, stderr([1, 2, 3, 4])], 1e-12,
             note="sample var = (2.25+.25+.25+2.25)/3 = 5/3; stderr = sqrt(5/3)/2"),
        case("binary", {"kind": "mean", "values": [1, 0, 1, 1]}, [0.75, 0.25], 1e-12,
             note="sample var = (3*.0625 + .5625)/3 = .25; stderr = .5/2"),
        case("single value", {"kind": "mean", "values": [7]}, [7, 0], 0),
        case("constant", {"kind": "mean", "values": [0.1] * 10}, [0.1, 0.0], 1e-12),
        case("quantile median even", {"kind": "quantile", "values": [4, 1, 3, 2], "q": 0.5}, None, 1e-12),
        case("quantile 2.5%", {"kind": "quantile", "values": [float(x) for x in range(1, 101)], "q": 0.025},
             None, 1e-12),
        case("quantile 97.5%", {"kind": "quantile", "values": [0.3, -1.0, 2.5, 9.0, 4.0], "q": 0.975}, None, 1e-12),
    ]
    for c in cases:
        i = c["input"]
        if i["kind"] == "mean":
            got = [float(np.mean(i["values"])), stderr(i["values"])]
            if any(abs(a - b) > max(c["tolerance"], 1e-12) for a, b in zip(got, c["expected"])):
                sys.exit(f"statistics/{c['name']}: hand-worked {c['expected']} but numpy gives {got}")
        else:
            c["expected"] = float(np.quantile(i["values"], i["q"]))
            c["note"] = "numpy.quantile, method='linear'"
    write(out, "statistics", {
        "name": "Mean, standard error, quantile", "metric": "Statistics",
        "source": f"hand-worked means and stderrs checked with numpy {np.__version__} (std ddof=1 / sqrt(n)); "
                  "quantiles from numpy.quantile (linear)",
        "test_cases": cases})


# --------------------------------------------------------------------------------------------
# Phase 2: McNemar, Spearman, Bradley-Terry
# --------------------------------------------------------------------------------------------
def mcnemar_fixture(out):
    import importlib.metadata as md
    from scipy import stats
    from statsmodels.stats.contingency_tables import mcnemar
    pairs = [(0, 0), (3, 0), (1, 5), (10, 2), (12, 12), (0, 24), (7, 18), (30, 10), (50, 50), (100, 70),
             (2, 30), (13, 12)]
    cases = []
    for b, c in pairs:
        table = [[40, b], [c, 17]]  # both right, only first right / only second right, both wrong
        if b + c == 0:
            cases.append(case(f"b={b} c={c}", {"b": b, "c": c}, {"statistic": 0.0, "pValue": 1.0, "exact": True},
                              1e-12, "no discordant pairs: p = 1 by definition"))
            continue
        exact = b + c < 25
        result = mcnemar(table, exact=exact, correction=True)
        expected = {"statistic": float(result.statistic), "pValue": float(result.pvalue), "exact": exact}
        note = "statsmodels mcnemar(exact=True)" if exact else "statsmodels mcnemar(exact=False, correction=True)"
        if not exact and b == c:
            note = (f"statsmodels reports statistic {float(result.statistic):.6g}, p {float(result.pvalue):.6g} "
                    "because it does not clamp |b-c|-1 at 0; EvalKit clamps: statistic 0, p = chi2.sf(0, 1) = 1")
            expected = {"statistic": 0.0, "pValue": float(stats.chi2.sf(0, 1)), "exact": False}
        cases.append(case(f"b={b} c={c}", {"b": b, "c": c}, expected, 1e-10, note))
    write(out, "mcnemar", {
        "name": "McNemar's test", "metric": "PairedComparison.mcNemar",
        "source": f"statsmodels {md.version('statsmodels')} mcnemar (exact binomial when b + c < 25, "
                  "chi-square with continuity correction otherwise); scipy for the clamped b = c case",
        "test_cases": cases})


def spearman_fixture(out):
    import random
    import scipy
    from scipy import stats
    rng = random.Random(99)
    inputs = [
        ("no ties", [1, 2, 3, 4, 5], [5, 6, 7, 8, 7]),
        ("perfect", [1, 2, 3, 4], [10, 20, 30, 40]),
        ("perfect negative", [1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]),
        ("ties in both", [1, 2, 2, 3, 3, 3, 4], [1, 1, 2, 2, 3, 4, 4]),
        ("three points", [0.1, 0.5, 0.2], [3.0, 1.0, 2.0]),
        ("floats", [0.31, -1.2, 4.4, 2.0, 2.0, 0.0, 9.1, 3.3], [1.0, 0.2, 0.9, 1.5, 0.7, 0.1, 2.2, 1.1]),
        ("larger with ties", [round(rng.gauss(0, 1), 1) for _ in range(60)], None),
        ("constant", [1, 1, 1, 1], [1, 2, 3, 4]),
    ]
    cases = []
    for name, x, y in inputs:
        if y is None:
            y = [round(v + rng.gauss(0, 1), 1) for v in x]
        with np.errstate(all="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = stats.spearmanr(x, y)
        rho, p = float(result.statistic), float(result.pvalue)
        expected = {"rho": None if math.isnan(rho) else rho, "pValue": None if math.isnan(p) else p}
        cases.append(case(name, {"x": [float(v) for v in x], "y": [float(v) for v in y]}, expected, 1e-9,
                          "null means NaN" if math.isnan(rho) else None))
    write(out, "spearman", {
        "name": "Spearman rank correlation", "metric": "RankCorrelation.spearman",
        "source": f"scipy {scipy.__version__} scipy.stats.spearmanr (average ranks for ties, t-distribution p-value)",
        "test_cases": cases})


def bradley_terry_reference(games, anchor, regularization=0.0, scale=400.0, base=10.0):
    """Independent solver: scipy.optimize.minimize (BFGS) of the negative log-likelihood over
    theta with the first player's strength fixed at 0 (or all free when regularised)."""
    from scipy.optimize import minimize
    players = []
    for a, b, *_ in games:
        for p in (a, b):
            if p not in players:
                players.append(p)
    idx = {p: i for i, p in enumerate(players)}
    m = len(players)
    rows = [(idx[a], idx[b], wins + 0.5 * draws, wins + draws + losses) for a, b, wins, draws, losses in games]

    def full(params):
        return params if regularization > 0 else np.concatenate([[0.0], params])

    def objective(params):
        theta = full(params)
        value, grad = 0.0, np.zeros(m)
        for i, j, score, n in rows:
            d = theta[i] - theta[j]
            p = 1 / (1 + math.exp(-d))
            value -= score * math.log(p) + (n - score) * math.log(1 - p)
            g = score - n * p
            grad[i] -= g
            grad[j] += g
        value += regularization / 2 * float(theta @ theta)
        grad += regularization * theta
        return value, (grad if regularization > 0 else grad[1:])

    start = np.zeros(m if regularization > 0 else m - 1)
    result = minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 10000})
    theta = full(result.x)
    ratings = theta * scale / math.log(base)
    if "mean" in anchor:
        ratings = ratings - ratings.mean() + anchor["mean"]
    else:
        ratings = ratings - ratings[idx[anchor["player"]]] + anchor["rating"]
    # Asymptotic covariance of mean-centred strengths: pseudo-inverse of the observed information.
    info = np.zeros((m, m))
    for i, j, score, n in rows:
        p = 1 / (1 + math.exp(-(theta[i] - theta[j])))
        w = n * p * (1 - p)
        info[i, i] += w; info[j, j] += w; info[i, j] -= w; info[j, i] -= w
    stderr = np.sqrt(np.diag(np.linalg.pinv(info))) * scale / math.log(base)
    return players, ratings, stderr


def bradley_terry_fixture(out):
    import random
    import scipy
    rng = random.Random(5)

    def simulate(true, count, draw_rate):
        names = list(true)
        tally = collections.defaultdict(lambda: [0, 0, 0])
        for _ in range(count):
            a, b = rng.sample(names, 2)
            p = 1 / (1 + 10 ** ((true[b] - true[a]) / 400))
            u = rng.random()
            if rng.random() < draw_rate:
                tally[(a, b)][1] += 1
            elif u < p:
                tally[(a, b)][0] += 1
            else:
                tally[(a, b)][2] += 1
        return [[a, b, *v] for (a, b), v in sorted(tally.items())]

    specs = [
        ("two players 3 of 4", [["A", "B", 3, 0, 1]], {"mean": 1000.0}, 0.0,
         "theta_A - theta_B = ln 3; Elo gap 400 log10 3 = 190.848; mean 1000 -> 1095.424 / 904.576"),
        ("draws count half", [["A", "B", 1, 2, 1], ["B", "C", 2, 1, 0], ["C", "A", 1, 0, 2]],
         {"player": "B", "rating": 1200.0}, 0.0, None),
        ("five simulated players", simulate({"gpt": 1300, "llama": 1200, "mistral": 1150, "phi": 1000, "rand": 700},
                                            300, 0.1), {"mean": 1500.0}, 0.0, None),
        ("regularised, one player unbeaten", [["X", "Y", 4, 0, 0], ["Y", "Z", 2, 1, 1], ["Z", "X", 0, 0, 3]],
         {"mean": 1000.0}, 0.1, "the plain MLE is infinite; the L2 penalty 0.1 on theta makes it finite"),
    ]
    cases = []
    for name, games, anchor, regularization, note in specs:
        players, ratings, _ = bradley_terry_reference(games, anchor, regularization)
        cases.append(case(name, {"games": games, "anchor": anchor, "regularization": regularization},
                          {"ratings": dict(zip(players, map(float, ratings)))}, 1e-4, note))
    cases.append(case("unbeaten player without regularisation",
                      {"games": [["X", "Y", 4, 0, 0], ["Y", "Z", 2, 1, 1], ["Z", "X", 0, 0, 3]],
                       "anchor": {"mean": 1000.0}, "regularization": 0.0}, None, 0,
                      "X never lost: the MLE is infinite, the fit must throw notIdentifiable"))

    big = simulate({"a": 1400, "b": 1300, "c": 1250, "d": 1000}, 3000, 0.15)
    players, ratings, stderr = bradley_terry_reference(big, {"mean": 1000.0})
    cases.append(case("bootstrap large sample", {"games": big, "anchor": {"mean": 1000.0}, "regularization": 0.0},
                      {"ratings": dict(zip(players, map(float, ratings))),
                       "stderr": dict(zip(players, map(float, stderr)))}, 1e-4,
                      "stderr: asymptotic, from the pseudo-inverse of the observed information of the "
                      "mean-centred strengths; the test checks bootstrap 95% half-widths against 1.96 stderr"))
    write(out, "bradley_terry", {
        "name": "Bradley-Terry ratings on the Elo scale", "metric": "BradleyTerry.fit / BradleyTerry.bootstrap",
        "source": f"independent solver in scripts/metrics-reference.py: scipy {scipy.__version__} "
                  "optimize.minimize(BFGS) on the negative log-likelihood (draws as half wins); "
                  "games are [playerA, playerB, winsA, draws, winsB]; expected null means an error",
        "test_cases": cases})


def phase2(out):
    mcnemar_fixture(out)
    spearman_fixture(out)
    bradley_terry_fixture(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help="fixture folder to write")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    normalization_fixture(args.out)
    em_f1_fixtures(args.out)
    rouge_fixture(args.out)
    corpus_fixtures(args.out)
    sampling_fixtures(args.out)
    multiple_choice_fixture(args.out)
    perplexity_fixture(args.out)
    statistics_fixture(args.out)
    if "phase2" in globals():
        globals()["phase2"](args.out)


if __name__ == "__main__":
    main()
