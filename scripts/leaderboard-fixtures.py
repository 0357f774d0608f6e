"""Writes the results fixtures of Tests/LeaderboardTests (schema v1 results.json and samples.jsonl).

Usage: python3 scripts/leaderboard-fixtures.py
The golden Markdown under Fixtures/golden is written by the Swift tests' renderer and checked by hand.
"""
import json, os, random
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LeaderboardTests", "Fixtures")
def metric(name, value, stderr, n, filt="none", hib=True):
    return {"metric": name, "filter": filt, "value": value, "stderr": stderr, "n": n,
            "higher_is_better": hib, "stderr_method": "mean"}
def task(name, metrics, version="1", chash=None, n=100):
    return {"name": name, "kind": "multiple_choice", "version": version,
            "content_hash": chash or ("hash-" + name), "file": "tasks/%s.yaml" % name,
            "fewshot": 0, "fewshot_seed": 1234, "docs_evaluated": n, "docs_total": n,
            "metrics": metrics, "config": {"name": name}}
def results(run_id, created, model, tasks, groups=()):
    return {"schema_version": 1, "run_id": run_id, "created_at": created, "evalkit_version": "0.1.0",
            "git_revision": None, "model": {"name": model, "backend": "test-double", "contentHash": "m-" + model},
            "model_capabilities": {"contextLength": 1024, "canScoreLogLikelihoods": True, "canGenerate": True, "supportsChat": False},
            "options": {"limitFirst": False, "seed": 1234, "batchSize": 32, "bootstrapResamples": 1000, "quiet": False},
            "tasks": tasks, "groups": list(groups),
            "timings": {"prepare_seconds": 0.1, "model_seconds": 1.0, "total_seconds": 1.2}}
def write(folder, obj, samples=None):
    d = os.path.join(root, folder); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "results.json"), "w") as f: json.dump(obj, f, indent=2, sort_keys=True)
    if samples is not None:
        with open(os.path.join(d, "samples.jsonl"), "w") as f:
            for s in samples: f.write(json.dumps(s, sort_keys=True) + "\n")

R = "results"
write(R + "/alpha-old", results("alpha-old", "2026-01-01T10:00:00Z", "alpha",
      [task("arc_easy", [metric("acc", 0.50, 0.02, 400), metric("acc_norm", 0.52, 0.02, 400)], n=400)]))
write(R + "/alpha-new", results("alpha-new", "2026-02-01T10:00:00Z", "alpha",
      [task("arc_easy", [metric("acc", 0.60, 0.02, 400), metric("acc_norm", 0.62, 0.02, 400)], n=400),
       task("hellaswag", [metric("acc", 0.40, 0.01, 1000), metric("acc_norm", 0.45, 0.01, 1000)], n=1000),
       task("gsm8k", [metric("exact_match", 0.10, 0.01, 500, filt="strict-match")], n=500)],
      groups=[{"name": "core", "file": "tasks/core.yaml", "tasks": ["arc_easy", "hellaswag", "gsm8k"], "weights": [1.0, 2.0, 1.0]}]))
write(R + "/beta", results("beta-run", "2026-02-02T10:00:00Z", "beta",
      [task("arc_easy", [metric("acc", 0.58, 0.02, 400), metric("acc_norm", 0.61, 0.02, 400)], n=400),
       task("hellaswag", [metric("acc", 0.41, 0.01, 1000), metric("acc_norm", 0.47, 0.01, 1000)], n=1000),
       task("gsm8k", [metric("exact_match", 0.05, 0.01, 500, filt="strict-match")], n=500)]))
write(R + "/nested/gamma", results("gamma-run", "2026-02-03T10:00:00Z", "gamma",
      [task("arc_easy", [metric("acc", 0.20, 0.02, 400), metric("acc_norm", 0.21, 0.02, 400)], n=400)]))
for step, (arc, hs) in zip([100, 200, 300, 400], [(0.26, 0.25), (0.35, 0.27), (0.41, 0.30), (0.44, 0.29)]):
    samples = [{"task": "arc_easy", "doc_index": i, "choices": ["a", "b", "c", "d"], "scores": [{"filter": "none", "metrics": {"acc": 1.0 if i % 3 == 0 else 0.0}}]} for i in range(3)]
    write(R + "/tiny-%d" % step, results("tiny-%d" % step, "2026-03-0%dT10:00:00Z" % (step // 100), "tiny@%d" % step,
          [task("arc_easy", [metric("acc", arc, 0.02, 400), metric("acc_norm", arc + 0.01, 0.02, 400)], n=400),
           task("hellaswag", [metric("acc", hs, 0.01, 1000), metric("acc_norm", hs + 0.02, 0.01, 1000)], n=1000)]),
          samples=samples)
os.makedirs(os.path.join(root, R, "corrupt"), exist_ok=True)
with open(os.path.join(root, R, "corrupt", "results.json"), "w") as f:
    f.write('{"schema_version": 1, "run_id": "broken", "tasks": [')
future = results("future", "2027-01-01T00:00:00Z", "omega", [])
future["schema_version"] = 99
write(R + "/future", future)
partial = results("partial", "2026-01-01T00:00:00Z", "delta", [])
del partial["tasks"]
write(R + "/partial", partial)

# Compare fixtures: 40 docs of arc_easy, A right on 30, B right on 20.
rng = random.Random(7)
def samples_for(correct, extra_task=None):
    out = []
    for i in range(40):
        out.append({"task": "arc_easy", "doc_index": i, "prompt": "Q%d" % i, "doc": {"q": i}, "choices": ["a", "b", "c", "d"], "gold": [0],
                    "scores": [{"filter": "none", "predicted": 0, "metrics": {"acc": 1.0 if correct(i) else 0.0, "loglik": -1.0 - (i % 5) * (0.1 if correct(i) else 0.2)}}]})
    return out
a = [1.0 if i < 30 else 0.0 for i in range(40)]
b = [1.0 if (i < 18 or i in (35, 36)) else 0.0 for i in range(40)]
write("compare/runA", results("runA", "2026-04-01T00:00:00Z", "alpha",
      [task("arc_easy", [metric("acc", sum(a)/40, 0.07, 40)], n=40), task("boolq", [metric("acc", 0.5, 0.05, 40)], version="2")]),
      samples=samples_for(lambda i: a[i] == 1.0))
write("compare/runB", results("runB", "2026-04-02T00:00:00Z", "beta",
      [task("arc_easy", [metric("acc", sum(b)/40, 0.07, 40)], n=40), task("boolq", [metric("acc", 0.5, 0.05, 40)], version="3"),
       task("piqa", [metric("acc", 0.5, 0.05, 40)])]),
      samples=samples_for(lambda i: b[i] == 1.0)[:38])
