"""Synthetic tool-use conversations over a composed world of functions (issue 19), in the same formats as
gen_data.py: DIR/train.jsonl (Functionary's training format, one conversation per line, `functionary dataset
check` accepts it) and DIR/dev-set.jsonl (cases for `functionary eval --cases`).

    python training/gen_world.py --out DIR [--train 3000] [--dev 400] [--seed 1234] [--zh-rate 0.3] [--mask-rate 0.15]

Functions are composed per conversation (world_tools.py): domain x object x action or a domain's service, with
varied naming conventions, description registers and parameter shapes (world_values.py); requests and answers come
from world_talk.py. Scenarios in the proportions below; most call turns need one call, parallel turns 2-5; at least
a quarter of the conversations need no call (tools of the request's domain that cannot serve it, tools of other
domains only, general questions, small talk); chains of two dependent calls (the second needs the first's result)
make the first call alone. The dev set's domains (world_tools.DEV_DOMAINS) never appear in
training. Prints the composition (scenarios, calls per call turn, languages, masking, turns). Seeded.
"""

import argparse
import collections
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from world_talk import (GENERAL, SMALL_TALK, Draw, answer_text, ask_text, followup_answer, followup_question,  # noqa: E402
                        give_text, join_en, mention, must_say, no_tool_reply, request_text, result_for)
from world_tools import DEV_DOMAINS, OBJECTS, SERVICES, all_domains, all_specs, make_func  # noqa: E402

OVERLAPPING = {"finance"}  # domains whose services overlap in what they can answer
SCENARIOS = [  # (name, weight): the share of conversations
    ("single", 12), ("choice", 20), ("parallel_same", 9), ("parallel_multi", 8),
    ("no_call_near", 13), ("no_call_general", 9), ("no_call_small_talk", 7),
    ("ask_missing", 7), ("followup_answer", 7), ("topic_change", 6), ("language_switch", 6),
    ("chain", 14), ("no_call_far", 12),
]


class World:
    def __init__(self, domains, rng, mask_rate):
        self.domains = domains
        self.specs = all_specs(domains)
        self.rng = rng
        self.mask_rate = mask_rate
        self.chains = chain_plans(self)

    def funcs(self, specs, masked):
        out = [make_func(self.rng, s) for s in specs]
        names = set()
        for i, f in enumerate(out):  # names are unique within one offer
            while f.name in names:
                f.name += str(self.rng.randint(2, 9))
            names.add(f.name)
        return [f.masked(self.rng) for f in out] if masked else out

    def siblings(self, spec, n):
        """Other functions of the same domain (other actions on the object, other objects, services)."""
        same = [s for s in self.specs if s[1] == spec[1] and s != spec]
        return self.rng.sample(same, min(n, len(same)))


def call_msg(draws):
    return {"role": "assistant", "content": None, "tool_calls": [
        {"type": "function", "function": {"name": d.func.name, "arguments": json.dumps(d.args, ensure_ascii=False)}} for d in draws]}


def run_calls(draws, rng):
    results = [result_for(d, rng) for d in draws]
    return [{"role": "tool", "name": d.func.name, "content": json.dumps(r, ensure_ascii=False)} for d, r in zip(draws, results)], results


def unique(funcs):
    """One function per purpose and per name in an offer."""
    out, keys, names = [], set(), set()
    for f in funcs:
        if f.key in keys:
            continue
        while f.name in names:
            f.name += "2"
        keys.add(f.key)
        names.add(f.name)
        out.append(f)
    return out


def conv(kind, lang, funcs, masked):
    funcs = unique(funcs)
    return {"scenario": kind, "lang": lang, "funcs": funcs, "masked": masked, "messages": [], "cases": []}


def grounded(c, draws, rng, text=None, category="single"):
    """User request -> calls -> results -> answer; records the dev cases of the turn."""
    m = c["messages"]
    m.append({"role": "user", "content": text or draws[0].text})
    c["cases"].append((len(m), category, c["lang_turn"] if "lang_turn" in c else c["lang"], {"calls": draws}))
    m.append(call_msg(draws))
    msgs, results = run_calls(draws, rng)
    m.extend(msgs)
    c["cases"].append((len(m), "grounded", c.get("lang_turn", c["lang"]), {"answer": [s for d, r in zip(draws, results) for s in must_say(r, d.func.results)][:3]}))
    m.append({"role": "assistant", "content": answer_text(c.get("lang_turn", c["lang"]), list(zip(draws, results)), rng)})
    return results


def call_then_answer(c, d, category, lang, rng):
    """The call of draw d (a dev case of the category), its result and the answer from it."""
    m = c["messages"]
    c["cases"].append((len(m), category, lang, {"calls": [d]}))
    m.append(call_msg([d]))
    msgs, results = run_calls([d], rng)
    m.extend(msgs)
    m.append({"role": "assistant", "content": answer_text(lang, [(d, results[0])], rng)})


def sc_single(w, rng, lang, masked):
    spec = rng.choice(w.specs)
    f = w.funcs([spec], masked)
    c = conv("single", lang, f, masked)
    grounded(c, [Draw(f[0], lang, rng)], rng, category="single")
    return c


def sc_choice(w, rng, lang, masked):
    spec = rng.choice(w.specs)
    fs = w.funcs([spec] + w.siblings(spec, rng.randint(1, 7)), masked)
    target = fs[0]
    rng.shuffle(fs)
    c = conv("choice", lang, fs, masked)
    grounded(c, [Draw(target, lang, rng)], rng, category="choice")
    return c


def varying_param(f):
    return next((p for p in f.params if p.required and p.kind not in ("text", "items", "address", "tags", "emails", "enum:status")), None)


def sc_parallel_same(w, rng, lang, masked):
    for _ in range(20):
        spec = rng.choice(w.specs)
        f = w.funcs([spec], masked)[0]
        p = varying_param(f)
        if p:
            break
    n = rng.choices([2, 3, 4, 5], [5, 4, 2, 1])[0]
    base = Draw(f, lang, rng)
    vals = {json.dumps(base.args[p.name]): (base.args[p.name], base.words[p.name])}
    for _ in range(30):
        if len(vals) >= n:
            break
        d = Draw(f, lang, rng)
        vals.setdefault(json.dumps(d.args[p.name]), (d.args[p.name], d.words[p.name]))
    draws = []
    for v, words in vals.values():
        d = Draw(f, lang, rng, optional_rate=0, fixed={q: (base.args[q], base.words[q]) for q in base.args if q != p.name} | {p.name: (v, words)})
        draws.append(d)
    text = request_text(base, rng, vary=(p.name, [x[1] for x in vals.values()]))
    offered = [f] + w.funcs(w.siblings(spec, rng.randint(0, 3)), masked)
    offered = unique(offered)
    rng.shuffle(offered)
    c = conv("parallel_same", lang, offered, masked)
    grounded(c, draws, rng, text=text, category="parallel" if len(draws) > 1 else "single")
    return c


def sc_parallel_multi(w, rng, lang, masked):
    n = rng.choices([2, 3, 4], [6, 3, 1])[0]
    specs = rng.sample(w.specs, n)
    fs = w.funcs(specs, masked)
    draws = [Draw(f, lang, rng, plain=True) for f in fs]
    if lang == "zh":
        text = "；".join(d.text.rstrip("。！？") for d in draws[:-1]) + "；另外，" + draws[-1].text
    else:
        parts = [d.text.rstrip(".?! ") for d in draws]
        joiner = rng.choice([", and ", ", then "] if n == 2 else [". Also, ", ". Then "])
        text = rng.choice(["Two things: ", "A few things: ", "First, ", "", ""]) + joiner.join(parts) + "."
        text = text[0].upper() + text[1:]
    offered = fs + w.funcs(w.siblings(specs[0], rng.randint(0, 2)), masked)
    offered = unique(offered)
    rng.shuffle(offered)
    c = conv("parallel_multi", lang, offered, masked)
    grounded(c, draws, rng, text=text, category="parallel")
    return c


def sc_no_call_near(w, rng, lang, masked):
    """A request for a function that is not offered; the offered ones are of the same domain and cannot serve it."""
    spec = rng.choice(w.specs)
    target = make_func(rng, spec)
    # services that could stand in for each other (a conversion from an exchange rate) are not offered together
    near = [s for s in w.siblings(spec, rng.randint(1, 5)) if not (spec[0] == s[0] == "service" and spec[1] in OVERLAPPING)]
    offered = w.funcs(near, masked)
    offered = [f for f in offered if f.key != target.key] or w.funcs([s for s in w.specs if s[1] != spec[1]][:1], masked)
    return unserved("no_call_near", target, offered, rng, lang, masked)


def unserved(kind, target, offered, rng, lang, masked):
    """The conversation of a request for target, which no offered function serves: a text reply, no call."""
    d = Draw(target, lang, rng)
    want = f"{target.verb_en} {'the ' + target.obj_en if target.action != 'service' else ''}".strip()
    c = conv(kind, lang, offered, masked)
    c["messages"] += [{"role": "user", "content": d.text}, {"role": "assistant", "content": no_tool_reply(lang, want, offered, rng)}]
    c["cases"].append((1, "no_call", lang, {"no_call": True}))
    return c


def sc_no_call_far(w, rng, lang, masked):
    """A request for a function of one domain; only functions of other domains are offered (a tool-like request
    that none of the offered tools serves: answer in text, call nothing)."""
    spec = rng.choice(w.specs)
    target = make_func(rng, spec)
    others = [s for s in w.specs if s[1] != spec[1]]
    offered = w.funcs(rng.sample(others, rng.randint(1, 5)), masked)
    c = unserved("no_call_far", target, offered, rng, lang, masked)
    c["request_domain"] = spec[1]
    return c


THEN_EN = [", then ", ", and then ", ". After that, ", ", and once you have it, ", ". Then "]
THEN_ZH = ["，然后", "，之后", "。接着", "，拿到结果后"]


def chain_plans(w):
    """The two-step chains this world allows: (kind, first spec, second spec). The second call needs a value that
    only the first call's result has (an ID, a text), so only the first call can be made at once."""
    specs = set(w.specs)
    plans = []
    for s in w.specs:
        if s[0] == "object" and s[3] == "list" and ("object", s[1], s[2], "get") in specs:
            plans.append(("list_get", s, ("object", s[1], s[2], "get")))
        if s[0] == "object" and s[3] == "create" and ("object", s[1], s[2], "update") in specs:
            plans.append(("create_update", s, ("object", s[1], s[2], "update")))
    translate = ("service", "language", 0)
    if translate in specs:
        for s in w.specs:
            if s[0] == "service" and s != translate and any(k == "cond" for _, k in SERVICES[s[1]][s[2]][7]):
                plans.append(("then_translate", s, translate))
    return plans


def sc_chain(w, rng, lang, masked):
    """A request in two dependent steps ("list the open invoices, then open the first one"; "create an event, then
    move it"; "get the forecast, then translate the conditions"): the first turn calls only the first step, with
    the request's values; the second call takes its missing value from the first result; then the answer."""
    if not w.chains:
        return sc_choice(w, rng, lang, masked)
    kind, sa, sb = rng.choice(w.chains)
    fa, fb = w.funcs([sa, sb], masked)
    offered = unique([fa, fb] + w.funcs(w.siblings(sa, rng.randint(0, 3)), masked))
    rng.shuffle(offered)
    c = conv("chain", lang, offered, masked)
    da = Draw(fa, lang, rng, plain=rng.random() < 0.5)
    ra = result_for(da, rng)
    then = rng.choice(THEN_ZH if lang == "zh" else THEN_EN)
    head = da.text.rstrip("。！？，.!? ")
    idp = next((p for p in fb.params if p.kind == "id"), None)
    if kind == "list_get":
        new_id = f"{idp.id_prefix}-{rng.randint(1000, 99999)}"
        ra = {fld: (new_id if k == "id" else max(1, ra.get(fld, 1)) if fld == "count" else ra.get(fld)) for fld, k in fa.results}
        db = Draw(fb, lang, rng, optional_rate=0, fixed={idp.name: (new_id, new_id)})
        tail = rng.choice(["查看第一个的详情", "打开第一个"]) if lang == "zh" else rng.choice(
            ["show me the details of the first one", "open the first one", "look up the first of them"])
    elif kind == "create_update":
        new_id = f"{idp.id_prefix}-{rng.randint(1000, 99999)}"
        ra = {fld: (new_id if k == "id" else ra.get(fld)) for fld, k in fa.results}
        db = Draw(fb, lang, rng, optional_rate=0.2, fixed={idp.name: (new_id, new_id)})
        rest = [mention(p, db.words[p.name], lang, rng) for p in fb.params if p.name in db.words and p is not idp]
        if lang == "zh":
            tail = "再把它改一下：" + "，".join(rest)
        else:
            tail = rng.choice(["update it with ", "change it: ", "set "]) + join_en(rest)
    else:  # then_translate
        fld = next(f for f, k in fa.results if k == "cond")
        text_p = next(p for p in fb.params if p.kind == "text")
        db = Draw(fb, lang, rng, optional_rate=0, fixed={text_p.name: (ra[fld], ra[fld])})
        lang_p = next(p for p in fb.params if p is not text_p)
        label = fld.replace("_", " ")
        tail = f"把{label}翻译成{db.words[lang_p.name]}" if lang == "zh" else f"translate the {label} into {db.words[lang_p.name]}"
    text = head + then + tail + ("。" if lang == "zh" else rng.choice([".", ".", "?", ""]))
    m = c["messages"]
    m.append({"role": "user", "content": text})
    c["cases"].append((len(m), "chain_first", lang, {"calls": [da]}))
    m.append(call_msg([da]))
    m.append({"role": "tool", "name": fa.name, "content": json.dumps(ra, ensure_ascii=False)})
    call_then_answer(c, db, "chain_next", lang, rng)
    return c


def sc_no_call_pool(pool, kind):
    def sc(w, rng, lang, masked):
        offered = w.funcs(rng.sample(w.specs, rng.randint(1, 5)), masked)
        _, q, a = rng.choice([x for x in pool if x[0] == lang])
        c = conv(kind, lang, offered, masked)
        c["messages"] += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        c["cases"].append((1, "no_call", lang, {"no_call": True}))
        return c
    return sc


def sc_ask_missing(w, rng, lang, masked):
    for _ in range(30):
        spec = rng.choice(w.specs)
        f = w.funcs([spec], masked)[0]
        req = [p for p in f.params if p.required and not p.kind.startswith("enum:")]
        if req:
            break
    p = rng.choice(req)
    full = Draw(f, lang, rng)
    partial = Draw(f, lang, rng, optional_rate=0, omit=p.name, fixed={q: (full.args[q], full.words[q]) for q in full.args if q != p.name})
    offered = [f] + w.funcs(w.siblings(spec, rng.randint(0, 3)), masked)
    offered = unique(offered)
    rng.shuffle(offered)
    c = conv("ask_missing", lang, offered, masked)
    m = c["messages"]
    m += [{"role": "user", "content": partial.text}, {"role": "assistant", "content": ask_text(lang, p, rng)}]
    c["cases"].append((1, "ask", lang, {"no_call": True}))
    m.append({"role": "user", "content": give_text(lang, p, full.words[p.name], rng)})
    call_then_answer(c, full, "single", lang, rng)
    return c


def sc_followup_answer(w, rng, lang, masked):
    c = sc_choice(w, rng, lang, masked) if rng.random() < 0.5 else sc_single(w, rng, lang, masked)
    c["scenario"] = "followup_answer"
    d_call = c["messages"][1]["tool_calls"][0]
    result = json.loads(c["messages"][2]["content"])
    func = next(f for f in c["funcs"] if f.name == d_call["function"]["name"])
    fld, kind = rng.choice([(f, k) for f, k in func.results if f in result])
    c["messages"].append({"role": "user", "content": followup_question(lang, fld, rng)})
    c["cases"].append((len(c["messages"]), "followup", lang, {"answer": must_say(result, [(fld, kind)])}))
    c["messages"].append({"role": "assistant", "content": followup_answer(lang, fld, kind, result[fld], rng)})
    return c


def sc_topic_change(w, rng, lang, masked, switch=False):
    spec_a = rng.choice(w.specs)
    spec_b = rng.choice([s for s in w.specs if s[1] != spec_a[1]] if rng.random() < 0.6 else w.siblings(spec_a, 1) or w.specs)
    fa, fb = w.funcs([spec_a, spec_b], masked)
    offered = [fa, fb] + w.funcs(w.siblings(spec_b, rng.randint(0, 2)), masked)
    offered = unique(offered)
    rng.shuffle(offered)
    c = conv("language_switch" if switch else "topic_change", lang, offered, masked)
    grounded(c, [Draw(fa, lang, rng)], rng, category="single")
    lang2 = ("en" if lang == "zh" else "zh") if switch else lang
    c["lang_turn"] = lang2
    grounded(c, [Draw(fb, lang2, rng)], rng, category="lang_switch" if switch else "topic_change")
    return c


FNS = {"single": sc_single, "choice": sc_choice, "parallel_same": sc_parallel_same, "parallel_multi": sc_parallel_multi,
       "no_call_near": sc_no_call_near, "no_call_general": sc_no_call_pool(GENERAL, "no_call_general"),
       "no_call_small_talk": sc_no_call_pool(SMALL_TALK, "no_call_small_talk"), "ask_missing": sc_ask_missing,
       "followup_answer": sc_followup_answer, "topic_change": sc_topic_change, "chain": sc_chain, "no_call_far": sc_no_call_far,
       "language_switch": lambda w, rng, lang, masked: sc_topic_change(w, rng, lang, masked, switch=True)}


def draw_conv(w, rng, zh_rate):
    name = rng.choices([s for s, _ in SCENARIOS], [x for _, x in SCENARIOS])[0]
    lang = "zh" if rng.random() < zh_rate else "en"
    masked = rng.random() < w.mask_rate
    return FNS[name](w, rng, lang, masked)


# ---- output ---------------------------------------------------------------------------------------------------


def training_line(c):
    return {"tools": [f.schema() for f in c["funcs"]], "messages": c["messages"]}


def dev_cases(c, cid):
    out = []
    for turn, category, lang, exp in c["cases"]:
        case = {"id": f"{cid}-{turn}", "category": category, "language": lang, "tools": [f.schema() for f in c["funcs"]],
                "messages": c["messages"][:turn]}
        if "calls" in exp:
            # every argument the user gave, with the one right value; optional parameters the user did not give
            # are NOT listed as optional: adding them is an unexpected argument (argument fidelity)
            case["expected"] = {"calls": [{"name": d.func.name, "arguments": {k: [v] for k, v in d.args.items()}} for d in exp["calls"]]}
        elif "answer" in exp:
            case["expected"] = {"no_call": True, "answer_contains": exp["answer"]}
        else:
            case["expected"] = {"no_call": True}
        out.append(case)
    return out


def composition(convs, name):
    n = len(convs)
    sc = collections.Counter(c["scenario"] for c in convs)
    calls = collections.Counter()
    turns = collections.Counter()
    distinct = set()
    no_call_convs = 0
    indirect = args = 0
    for c in convs:
        user_turns = sum(m["role"] == "user" for m in c["messages"])
        turns[min(user_turns, 3)] += 1
        distinct.update(json.dumps(f.schema(), sort_keys=True) for f in c["funcs"])
        called = False
        for m in c["messages"]:
            if m["role"] == "assistant" and m.get("tool_calls"):
                calls[len(m["tool_calls"])] += 1
                called = True
        no_call_convs += not called
    for c in convs:
        for _, _, _, exp in c["cases"]:
            for d in exp.get("calls", []):
                args += len(d.args)
                indirect += len(d.indirect)
    call_turns = sum(calls.values())
    lines = [f"{name}: {n} conversations, {len(distinct)} distinct function schemas"]
    lines.append("  scenarios: " + ", ".join(f"{k} {100 * v / n:.1f}%" for k, v in sorted(sc.items(), key=lambda x: -x[1])))
    lines.append("  calls per call turn: " + ", ".join(f"{k}: {v} ({100 * v / call_turns:.1f}%)" for k, v in sorted(calls.items())))
    lines.append(f"  conversations with no call at all: {100 * no_call_convs / n:.1f}%; no-call scenarios: "
                 f"{100 * sum(v for k, v in sc.items() if k.startswith('no_call')) / n:.1f}%")
    lines.append("  languages: " + ", ".join(f"{k} {100 * v / n:.1f}%" for k, v in collections.Counter(c["lang"] for c in convs).items()))
    lines.append(f"  masked (random function/parameter names): {100 * sum(c['masked'] for c in convs) / n:.1f}%")
    lines.append("  user turns: " + ", ".join(f"{'3+' if k == 3 else k}: {100 * v / n:.1f}%" for k, v in sorted(turns.items())))
    lines.append(f"  arguments stated indirectly (unit, date, zone, code to derive): {100 * indirect / max(args, 1):.1f}% of {args}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--train", type=int, default=3000, help="training conversations")
    ap.add_argument("--dev", type=int, default=250, help="dev conversations (each gives 1-4 eval cases)")
    ap.add_argument("--max-dev-cases", type=int, default=400)
    ap.add_argument("--zh-rate", type=float, default=0.3)
    ap.add_argument("--mask-rate", type=float, default=0.15)
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    dev_domains = [d for d in all_domains() if d in DEV_DOMAINS]
    train_domains = [d for d in all_domains() if d not in DEV_DOMAINS]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(a.seed)
    w = World(train_domains, rng, a.mask_rate)
    train = [draw_conv(w, rng, a.zh_rate) for _ in range(a.train)]
    with open(out / "train.jsonl", "w") as f:
        for c in train:
            f.write(json.dumps(training_line(c), ensure_ascii=False) + "\n")
    rng = random.Random(a.seed + 1)
    w = World(dev_domains, rng, a.mask_rate)
    dev = [draw_conv(w, rng, a.zh_rate) for _ in range(a.dev)]
    # a grounded-answer case from every other conversation (they take the longest to run)
    cases = [case for i, c in enumerate(dev) for case in dev_cases(c, f"wd{i:04d}") if i % 2 == 0 or case["category"] != "grounded"]
    rng.shuffle(cases)
    cases = sorted(cases[: a.max_dev_cases], key=lambda x: x["id"])
    with open(out / "dev-set.jsonl", "w") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(composition(train, "train"))
    print(composition(dev, "dev"))
    cats = collections.Counter(c["category"] for c in cases)
    ncalls = collections.Counter(len(c["expected"].get("calls", [])) for c in cases)
    print(f"dev cases: {len(cases)}; categories: " + ", ".join(f"{k} {v}" for k, v in sorted(cats.items())) +
          "; expected calls: " + ", ".join(f"{k}: {v}" for k, v in sorted(ncalls.items())) +
          "; languages: " + ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(c["language"] for c in cases).items())))
    meta = {"generator": "world", "train_domains": train_domains, "dev_domains": dev_domains, "train_conversations": a.train,
            "dev_conversations": a.dev, "dev_cases": len(cases), "seed": a.seed, "zh_rate": a.zh_rate, "mask_rate": a.mask_rate,
            "objects": sum(len(v) for v in OBJECTS.values()), "services": sum(len(v) for v in SERVICES.values())}
    (out / "split.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
