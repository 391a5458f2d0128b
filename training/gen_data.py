"""Synthetic tool-use conversations in Functionary's training format (test_case_v2.json shape, one per line),
and the dev set for `functionary eval`.

    python training/gen_data.py --out DIR [--train N] [--dev N] [--seed S]

writes DIR/train.jsonl (conversations over the training tools) and DIR/dev-set.jsonl (eval cases over the dev
tools). The split is by tool family: no dev tool, nor any tool of the same family, is ever in training.
"""

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from library import library  # noqa: E402

# ---- split ---------------------------------------------------------------------------------------------------

# Whole families held out for the dev set: four hand-written domains and five record families.
DEV_DOMAINS = {"health", "entertainment", "auto", "pets", "records:invoice", "records:claim", "records:rental",
               "records:lead", "records:prescription"}

SMALL_TALK = [
    ("en", "Hi there!", "Hello! How can I help you today?"),
    ("en", "Thanks, that's all I needed.", "You're welcome! Let me know if you need anything else."),
    ("en", "How are you doing?", "I'm doing well, thanks for asking! What can I do for you?"),
    ("en", "Tell me a joke.", "Why don't scientists trust atoms? Because they make up everything!"),
    ("en", "What's the capital of Italy?", "The capital of Italy is Rome."),
    ("en", "Who wrote Romeo and Juliet?", "Romeo and Juliet was written by William Shakespeare."),
    ("en", "What can you do?", "I can answer questions and use the tools I have been given. What would you like to do?"),
    ("en", "Good night!", "Good night! Sleep well."),
    ("en", "How many days are in a leap year?", "A leap year has 366 days."),
    ("en", "Write a haiku about autumn.", "Crisp leaves drift and fall,\ngolden light on quiet paths,\nthe year breathes slowly."),
    ("en", "What is 7 times 8?", "7 times 8 is 56."),
    ("en", "Can you explain what a noun is?", "A noun is a word that names a person, place, thing or idea, like 'teacher', 'city' or 'happiness'."),
    ("en", "Thank you so much!", "You're very welcome!"),
    ("en", "What's your name?", "I'm a helpful assistant. How can I help?"),
    ("en", "Give me a tip for staying focused.", "Try working in short blocks of 25 minutes with a 5-minute break in between."),
    ("en", "Which planet is closest to the sun?", "Mercury is the planet closest to the sun."),
    ("zh", "你好！", "你好！有什么可以帮你的吗？"),
    ("zh", "谢谢你的帮助。", "不客气！还有其他需要随时告诉我。"),
    ("zh", "你今天怎么样？", "我很好，谢谢关心！有什么我可以帮你的？"),
    ("zh", "给我讲个笑话吧。", "为什么数学书总是很忧郁？因为它有太多的问题。"),
    ("zh", "中国的首都是哪里？", "中国的首都是北京。"),
    ("zh", "你能做什么？", "我可以回答问题，也可以使用提供给我的工具。你想做什么？"),
    ("zh", "晚安！", "晚安，好梦！"),
    ("zh", "一年有几个月？", "一年有十二个月。"),
    ("zh", "写一句关于春天的诗。", "春风拂面花自开，燕子归来绿满台。"),
    ("zh", "3加5等于几？", "3加5等于8。"),
    ("zh", "太好了，谢谢！", "不客气，很高兴能帮到你！"),
    ("zh", "推荐一个放松的方法。", "可以试试深呼吸：吸气四秒，屏住四秒，再慢慢呼气四秒。"),
]


def intro_en(tool):
    return tool.desc[0].lower() + tool.desc[1:]


# ---- drawing a request ----------------------------------------------------------------------------------------


class Draw:
    """One request for one tool: the arguments, and the user's words for them."""

    def __init__(self, tool, lang, rng, optional_rate=0.35):
        self.tool = tool
        self.lang = lang
        self.args = {}
        self.words = {}
        for p in tool.params:
            if p.required or (rng.random() < optional_rate and (p.en if lang == "en" else p.zh)):
                v, w = p.draw(rng, lang)
                self.args[p.name] = v
                self.words[p.name] = w
        template = rng.choice(tool.en if lang == "en" else tool.zh)
        text = template.format(**self.words)
        frags = "".join(
            (p.en if lang == "en" else p.zh).format(v=self.words[p.name])
            for p in tool.params if not p.required and p.name in self.args)
        if frags:
            if text[-1] in ".?!。？！":
                text = text[:-1] + frags + text[-1]
            else:
                text += frags
        self.text = text

    def call(self):
        return {"name": self.tool.name, "arguments": self.args}


def join_requests(lang, texts):
    if lang == "zh":
        out = texts[0]
        for t in texts[1:]:
            out = out.rstrip("。？！") + ("？" if out.endswith("？") else "，") + "另外，" + t
        return out
    first = texts[0]
    rest = [t[0].lower() + t[1:] if not t[:2].isupper() else t for t in texts[1:]]
    return first.rstrip(".?!") + (", and " if len(texts) == 2 else ", ") + ", and ".join(x.rstrip(".?!") for x in rest) + ("?" if first.endswith("?") else ".")


def format_value(v):
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return ", ".join(format_value(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k} {format_value(x)}" for k, x in v.items())
    return str(v)


def answer_text(lang, pairs):
    """A grounded answer: every value of each result is said, labeled with its key."""
    parts = []
    for draw, result in pairs:
        flat = []
        for k, v in result.items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                v = v[0]
            flat.append((k.replace("_", " "), format_value(v)))
        subject = next((format_value(v) for v in draw.args.values() if isinstance(v, (str, int, float)) and not isinstance(v, bool)), None)
        if lang == "zh":
            body = "，".join(f"{k}为{v}" for k, v in flat)
            parts.append((f"{subject}：" if subject else "") + body + "。")
        else:
            body = ", ".join(f"{k} {v}" for k, v in flat)
            parts.append((f"For {subject}: " if subject else "Result: ") + body + ".")
    if lang == "zh":
        return "查询结果如下。" + "".join(parts)
    return "Here is what I found. " + " ".join(parts)


def call_message(calls):
    return {
        "role": "assistant", "content": None,
        "tool_calls": [{"type": "function", "function": {"name": c["name"], "arguments": json.dumps(c["arguments"], ensure_ascii=False)}} for c in calls],
    }


def tool_messages(draws, rng):
    results = [d.tool.result(d.args, rng) for d in draws]
    msgs = [{"role": "tool", "name": d.tool.name, "content": json.dumps(r, ensure_ascii=False)} for d, r in zip(draws, results)]
    return msgs, results


def offered(rng, needed, pool, lo, hi):
    """The needed tools plus distractors, shuffled; between lo and hi in all."""
    n = max(len(needed), rng.randint(lo, hi))
    names = {t.name for t in needed}
    others = [t for t in pool if t.name not in names]
    chosen = list(needed) + rng.sample(others, min(len(others), n - len(needed)))
    rng.shuffle(chosen)
    return chosen


def no_tool_reply(lang, tools):
    if lang == "zh":
        return "抱歉，我现有的工具无法完成这个请求。我可以帮你：" + "；".join(t.desc for t in tools[:3]) + "。"
    return "Sorry, I can't do that with the tools I have. I can " + "; ".join(intro_en(t) for t in tools[:3]) + "."


def ask_for(lang, tool, missing):
    p = tool.param(missing)
    if lang == "zh":
        return tool.ask_zh.get(missing) or f"好的。请告诉我{p.desc}。"
    return tool.ask_en.get(missing) or f"Sure. What is the {p.desc[0].lower() + p.desc[1:]}?"


# ---- scenarios --------------------------------------------------------------------------------------------------
# Each returns (category, tools offered, messages, index of the turn a dev case asks for, expected).


def sc_single(rng, pool, lang, all_tools):
    d = Draw(rng.choice(pool), lang, rng)
    tools = offered(rng, [d.tool], pool, 1, 3)
    return grounded_turns("single", rng, lang, tools, [d])


def sc_choice(rng, pool, lang, all_tools):
    d = Draw(rng.choice(pool), lang, rng)
    tools = offered(rng, [d.tool], pool, 3, 8)
    return grounded_turns("choice", rng, lang, tools, [d])


def sc_parallel_same(rng, pool, lang, all_tools):
    tool = rng.choice([t for t in pool if t.params])
    draws = []
    for _ in range(rng.choice([2, 2, 3])):
        for _ in range(10):
            d = Draw(tool, lang, rng)
            if all(d.args != x.args for x in draws):
                draws.append(d)
                break
    tools = offered(rng, [tool], pool, 1, 4)
    return grounded_turns("parallel", rng, lang, tools, draws)


def sc_parallel_two(rng, pool, lang, all_tools):
    a, b = rng.sample(pool, 2)
    draws = [Draw(a, lang, rng), Draw(b, lang, rng)]
    tools = offered(rng, [a, b], pool, 2, 5)
    return grounded_turns("parallel", rng, lang, tools, draws)


def grounded_turns(category, rng, lang, tools, draws):
    user = {"role": "user", "content": join_requests(lang, [d.text for d in draws]) if len(draws) > 1 else draws[0].text}
    call = call_message([d.call() for d in draws])
    results_msgs, results = tool_messages(draws, rng)
    answer = {"role": "assistant", "content": answer_text(lang, list(zip(draws, results)))}
    messages = [user, call] + results_msgs + [answer]
    return {"category": category, "lang": lang, "tools": tools, "messages": messages,
            "cases": [(1, {"calls": [d.call() for d in draws], "draws": draws}), (2 + len(draws), {"grounded": results, "draws": draws})]}


def sc_no_call(rng, pool, lang, all_tools):
    tools = offered(rng, [], pool, 1, 5)
    if rng.random() < 0.5:
        _, q, a = rng.choice([s for s in SMALL_TALK if s[0] == lang])
    else:
        # a request that none of the offered tools can serve
        names = {t.name for t in tools}
        domains = {t.domain for t in tools}
        other = rng.choice([t for t in all_tools if t.name not in names and t.domain not in domains])
        q = Draw(other, lang, rng).text
        a = no_tool_reply(lang, tools)
    messages = [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
    return {"category": "no_call", "lang": lang, "tools": tools, "messages": messages, "cases": [(1, {"no_call": True})]}


def sc_missing(rng, pool, lang, all_tools):
    tool = rng.choice([t for t in pool if (t.ask_en if lang == "en" else t.ask_zh)])
    d = Draw(tool, lang, rng)
    missing = rng.choice(list((tool.ask_en if lang == "en" else tool.ask_zh).keys()))
    tools = offered(rng, [tool], pool, 1, 4)
    if lang == "zh":
        first = f"我想{tool.desc}。" if rng.random() < 0.5 else f"帮我处理一下：{tool.desc}。"
        reply = ask_for(lang, tool, missing)
    else:
        first = rng.choice(["I want to {x}.", "Can you help me {x}?", "I need to {x}."]).format(x=intro_en(tool))
        reply = ask_for(lang, tool, missing)
    call = call_message([d.call()])
    results_msgs, results = tool_messages([d], rng)
    messages = [{"role": "user", "content": first}, {"role": "assistant", "content": reply},
                {"role": "user", "content": d.text}, call] + results_msgs + [
                   {"role": "assistant", "content": answer_text(lang, [(d, results[0])])}]
    return {"category": "no_call", "lang": lang, "tools": tools, "messages": messages,
            "cases": [(1, {"no_call": True}), (3, {"calls": [d.call()], "draws": [d]})]}


def sc_follow_up(rng, pool, lang, all_tools):
    first = sc_single(rng, pool, lang, all_tools)
    used = first["messages"][1]["tool_calls"][0]["function"]["name"]
    tool = rng.choice(first["tools"]) if rng.random() < 0.5 else next(t for t in first["tools"] if t.name == used)
    d = Draw(tool, lang, rng)
    call = call_message([d.call()])
    results_msgs, results = tool_messages([d], rng)
    base = len(first["messages"])
    msgs = first["messages"] + [{"role": "user", "content": d.text}, call] + results_msgs + [
        {"role": "assistant", "content": answer_text(lang, [(d, results[0])])}]
    return {"category": "single", "lang": lang, "tools": first["tools"], "messages": msgs,
            "cases": [(base + 1, {"calls": [d.call()], "draws": [d]})]}


SCENARIOS = [  # (function, weight)
    (sc_single, 18), (sc_choice, 20), (sc_parallel_same, 12), (sc_parallel_two, 12), (sc_no_call, 16),
    (sc_missing, 8), (sc_follow_up, 10),
]


def draw_scenario(rng, pool, all_tools, zh_rate):
    fn = rng.choices([s for s, _ in SCENARIOS], [w for _, w in SCENARIOS])[0]
    lang = "zh" if rng.random() < zh_rate else "en"
    return fn(rng, pool, lang, all_tools)


# ---- output ---------------------------------------------------------------------------------------------------


def training_line(sc):
    return {"tools": [t.schema() for t in sc["tools"]], "messages": sc["messages"]}


def acceptable(p, value, draw):
    """The values `functionary eval` accepts for an argument: the drawn value, and for strings also the words."""
    vals = [value]
    w = draw.words.get(p.name)
    if isinstance(value, str) and w and w != value:
        vals.append(w)
    return vals


def eval_cases(sc, case_id, grounded=True):
    out = []
    for turn, exp in sc["cases"]:
        if "grounded" in exp and not grounded:
            continue
        messages = sc["messages"][:turn]
        case = {"id": f"{case_id}-{turn}", "category": sc["category"], "language": sc["lang"],
                "tools": [t.schema() for t in sc["tools"]], "messages": messages}
        if "calls" in exp:
            calls = []
            for d in exp["draws"]:
                args = {name: acceptable(d.tool.param(name), v, d) for name, v in d.args.items()}
                optional = [p.name for p in d.tool.params if not p.required and p.name not in d.args]
                calls.append({"name": d.tool.name, "arguments": args, "optional": optional})
            case["expected"] = {"calls": calls}
        elif "grounded" in exp:
            case["category"] = "grounded"
            # the answer must mention each scalar value of the results (numbers and short strings)
            must = []
            for r in exp["grounded"]:
                for v in r.values():
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        must.append(str(v))
                    elif isinstance(v, str) and len(v) <= 24:
                        must.append(v)
            case["expected"] = {"no_call": True, "answer_contains": must[:3]}
        else:
            case["expected"] = {"no_call": True}
        out.append(case)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--train", type=int, default=1200, help="training conversations")
    ap.add_argument("--dev", type=int, default=100, help="dev conversations (each gives 1-2 eval cases)")
    ap.add_argument("--zh-rate", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    tools = library()
    train_tools = [t for t in tools if t.domain not in DEV_DOMAINS]
    dev_tools = [t for t in tools if t.domain in DEV_DOMAINS]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(a.seed)
    with open(out / "train.jsonl", "w") as f:
        for _ in range(a.train):
            f.write(json.dumps(training_line(draw_scenario(rng, train_tools, train_tools, a.zh_rate)), ensure_ascii=False) + "\n")
    rng = random.Random(a.seed + 1)
    n_cases = 0
    with open(out / "dev-set.jsonl", "w") as f:
        for i in range(a.dev):
            # no_call scenarios in the dev set draw their off-topic requests from dev tools only
            sc = draw_scenario(rng, dev_tools, dev_tools, a.zh_rate)
            # a grounded-answer case from every other conversation (they take the longest to run)
            for case in eval_cases(sc, f"dev{i:04d}", grounded=i % 2 == 0):
                f.write(json.dumps(case, ensure_ascii=False) + "\n")
                n_cases += 1
    meta = {"tools": len(tools), "train_tools": len(train_tools), "dev_tools": len(dev_tools),
            "dev_tool_names": sorted(t.name for t in dev_tools), "train_conversations": a.train, "dev_cases": n_cases, "seed": a.seed}
    (out / "split.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in meta.items() if k != "dev_tool_names"}))


if __name__ == "__main__":
    main()
