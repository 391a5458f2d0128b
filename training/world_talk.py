"""What people say to the functions of world_tools.py, and what the assistant says back: requests in English and
Chinese in several registers (terse, polite, chatty, with context), arguments drawn with the words for them, results
made up for a call, grounded answers in varied wording with units, replies when nothing fits, questions for a
missing value, small talk and general questions."""

import json
import random

from world_tools import plural
from world_values import ENUMS, KINDS


def article(w):
    return ("an " if w[0] in "aeiou" else "a ") + w


class Draw:
    """One request for one function: the arguments, the user's words for each, and the request text."""

    def __init__(self, func, lang, rng: random.Random, optional_rate=0.35, omit=None, fixed=None, plain=False):
        self.func, self.lang, self.plain = func, lang, plain
        self.args, self.words, self.indirect = {}, {}, set()
        for p in func.params:
            if p.name == omit:
                continue
            if fixed and p.name in fixed:
                self.args[p.name], self.words[p.name] = fixed[p.name]
                continue
            if p.required or rng.random() < optional_rate:
                v, w, ind = draw_value(p, lang, rng)
                self.args[p.name], self.words[p.name] = v, w
                if ind:
                    self.indirect.add(p.name)
        self.text = request_text(self, rng)

    def call(self):
        return {"name": self.func.name, "arguments": self.args}


def draw_value(p, lang, rng):
    if p.kind == "id":
        v = f"{p.id_prefix}-{rng.randint(1000, 99999)}" if rng.random() < 0.6 else f"{p.id_prefix}{rng.randint(100000, 9999999)}"
        return v, v, False
    if p.kind.startswith("enum:"):
        values, zh = ENUMS[p.kind[5:]]
        v = rng.choice(values if p.required or p.default is None else [x for x in values if x != p.default])
        return v, (zh.get(v, v) if lang == "zh" else v.replace("_", " ")), lang == "zh" and v in zh
    if p.kind.startswith("bool:"):
        if rng.random() < 0.75:
            return True, (p.label_zh if lang == "zh" else p.label), False
        neg = {"notify": ("without notifying anyone", "不用通知任何人"), "include_archived": ("excluding archived ones", "不包括已归档的"),
               "dry_run": ("for real, not as a dry run", "直接执行，不是试运行"), "send_receipt": ("without a receipt", "不用发回执")}[p.kind[5:]]
        return False, neg[1] if lang == "zh" else neg[0], False
    v, words, indirect = KINDS[p.kind][3](rng, lang)
    if p.kind == "date" and "MM/DD/YYYY" in p.desc:
        y, m, d = v.split("-")
        return f"{m}/{d}/{y}", words, True
    if p.kind == "date" and "YYYY-MM-DD" not in p.desc:  # no format stated: the value as the user wrote it
        return words, words, False
    return v, words, indirect


def mention(p, w, lang, rng):
    """How the user says one argument."""
    if p.kind.startswith("bool:"):
        return w
    if lang == "zh":
        return rng.choice([f"{p.label_zh}是{w}", f"{p.label_zh}：{w}", f"{p.label_zh}为{w}"])
    if p.kind.startswith("enum:"):
        return rng.choice([f"{p.label} {w}", f"with {p.label} {w}", f"{p.label}: {w}"])
    templates = [f"{p.label} {w}", f"with {p.label} {w}", f"{p.label}: {w}"]
    if p.kind in KINDS:
        templates += [t.replace("{w}", w).replace("{cur}", "").strip() for t in KINDS[p.kind][5]]
    return rng.choice(templates)


PREFIX_EN = ["", "", "Please ", "Could you ", "Can you ", "hey, can you ", "I need you to ", "Quick favor: ", "I'd like you to "]
CONTEXT_EN = ["I'm sorting things out before the weekend. ", "My manager just asked me about this. ", "Following up on yesterday's call. ",
              "This is for a client. ", "Long day, sorry if this is terse. "]
PREFIX_ZH = ["", "请", "麻烦", "帮我", "能不能帮我", "我想"]
CONTEXT_ZH = ["周末前想把事情理一理。", "领导刚问到这个。", "这是给客户办的。"]


def join_en(parts):
    parts = [x for x in parts if x]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def request_text(d, rng, vary=None):
    """The request for draw d. vary=(param name, [words…]) asks for several values of one parameter at once."""
    f, lang = d.func, d.lang
    words = dict(d.words)
    if vary:
        name, ws = vary
        words[name] = join_en(ws) if lang == "en" else "、".join(ws)
    key = next((p for p in f.params if p.kind == "id" and p.name in words), None)
    status = next((p for p in f.params if p.kind == "enum:status" and p.name in words), None)
    rest = [mention(p, words[p.name], lang, rng) for p in f.params if p.name in words and p is not key and p is not status]
    obj = f.obj_en
    if lang == "zh":
        head = rng.choice(PREFIX_ZH) + f.verb_zh
        if f.action == "service":
            head += f.obj_zh if rng.random() < 0.5 else ""
        elif status is not None:
            head += f"{words[status.name]}的{f.obj_zh}"
        else:
            head += ("" if key is not None or f.action not in ("get", "update", "cancel") else rng.choice(["一个", "我的"])) + f.obj_zh + (f" {words[key.name]}" if key is not None else "")
        text = head + ("，" + "，".join(rest) if rest else "") + rng.choice(["。", "。", "，谢谢。", "！", "？"] if head.startswith("能不能") else ["。", "，谢谢。"])
        return (rng.choice(CONTEXT_ZH) if rng.random() < 0.15 and not d.plain else "") + text
    if f.action == "service":
        head = f.verb_en
    elif status is not None:
        head = f"{f.verb_en} the {words[status.name]} {plural(obj)}" if f.action == "list" else f"{f.verb_en} {plural(obj)} with status {words[status.name]}"
    elif key is not None:
        head = f"{f.verb_en} {obj} {words[key.name]}" if rng.random() < 0.6 else f"{f.verb_en} the {obj} {words[key.name]}"
    elif f.action in ("get", "update", "cancel"):  # the ID not given (the assistant will ask for it)
        head = f"{f.verb_en} {rng.choice(['a', 'my', 'an existing'] if obj[0] not in 'aeiou' else ['my', 'an existing'])} {obj}"
    elif f.action == "create":
        head = f"{rng.choice(['create', 'set up', 'add', 'make'])} {article(obj) if rng.random() < 0.5 else 'a new ' + obj}"
    else:
        head = f"{f.verb_en} the {plural(obj)}"
    tail = ""
    if rest:
        tail = " " + (join_en(rest) if rng.random() < 0.6 else ", ".join(rest))
    prefix = rng.choice(PREFIX_EN)
    text = prefix + head + tail
    if prefix.startswith(("Could", "Can", "hey")):
        text += rng.choice(["?", "?", " please?"])
    else:
        text += rng.choice([".", ".", "", " thanks.", " asap."])
    text = text[0].upper() + text[1:] if rng.random() < 0.8 and not d.plain else text[0].lower() + text[1:]
    return (rng.choice(CONTEXT_EN) if rng.random() < 0.15 and not d.plain else "") + text


# ---- results and answers ------------------------------------------------------------------------------------------

UNIT = {"celsius": "°C", "km": " km", "min": " min", "kcal": " kcal", "grams": " g", "meters": " m", "minutes": " min"}


def result_for(d, rng):
    """A plausible result: each field a value of its kind; echoes the arguments it is about."""
    out = {}
    for fld, kind in d.func.results:
        if kind == "id":
            key = next((v for p, v in ((d.func.param(n), v) for n, v in d.args.items()) if p.kind == "id"), None)
            out[fld] = key or f"{d.func.obj_en[:3].upper()}-{rng.randint(10000, 99999)}"
        elif kind == "status":
            out[fld] = rng.choice(["confirmed", "pending", "shipped", "active", "closed", "cancelled"] if d.func.action != "cancel" else ["cancelled"])
        elif kind in ("int",):
            out[fld] = rng.randint(0, 60)
        elif kind == "bool":
            out[fld] = True
        elif kind == "money":
            out[fld] = {"amount": round(rng.uniform(5, 900), 2), "currency": rng.choice(["USD", "EUR", "CNY", "GBP"])}
        elif kind == "rate":
            out[fld] = round(rng.uniform(0.1, 160), 4)
        elif kind == "cond":
            out[fld] = rng.choice(["sunny", "light rain", "overcast", "snow", "good", "moderate"])
        elif kind == "offset":
            out[fld] = rng.choice(["+01:00", "+09:00", "-05:00", "+05:30", "+08:00"])
        elif kind == "text":
            out[fld] = rng.choice(["Bonjour tout le monde", "Hola, ¿qué tal?", "Guten Morgen", "こんにちは", "Obrigado pela ajuda"])
        elif kind in UNIT:
            out[fld] = round(rng.uniform(1, 40), 1) if kind in ("celsius", "km") else rng.randint(10, 900)
        elif kind in KINDS:
            out[fld] = KINDS[kind][3](rng, "en")[0]
        elif kind == "time":
            out[fld] = f"{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30, 45]):02d}"
        elif kind == "date":
            out[fld] = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        elif kind == "url":
            out[fld] = f"https://files.example.com/{rng.randint(1000, 9999)}.csv"
        else:
            out[fld] = rng.randint(1, 100)
    return out


def say(fld, kind, v, lang):
    """One result value as a phrase, with its unit."""
    label = fld.replace("_", " ")
    for suffix in (" c", " km", " min", " kcal", " g", " m"):
        if label.endswith(suffix):
            label = label[: -len(suffix)]
    if isinstance(v, dict) and "amount" in v:
        val = f"{v['amount']} {v['currency']}"
    elif isinstance(v, list):
        val = ", ".join(json.dumps(x, ensure_ascii=False) if isinstance(x, dict) else str(x) for x in v)
    elif isinstance(v, dict):
        val = ", ".join(str(x) for x in v.values())
    elif isinstance(v, bool):
        val = ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")
    else:
        val = f"{v}{UNIT.get(kind, '')}" if kind in UNIT else str(v)
        if kind == "cond" or kind == "status":
            val = str(v)
    if lang == "zh":
        return f"{label}为{val}"
    return f"{label} {val}" if label not in ("status",) else f"status {val}"


def must_say(result, kinds):
    """The values a grounded answer has to contain (for the dev set)."""
    out = []
    for fld, kind in kinds:
        v = result.get(fld)
        if isinstance(v, dict) and "amount" in v:
            out.append(str(v["amount"]))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append(str(v))
        elif isinstance(v, str) and len(v) <= 24:
            out.append(v)
    return out


OPEN_EN = ["", "Done. ", "Here you go: ", "Sure! ", "OK — ", "Got it. ", "I checked: "]
OPEN_ZH = ["", "好的，", "查好了：", "完成了。", "结果如下："]


def answer_text(lang, pairs, rng):
    parts = []
    for d, result in pairs:
        kinds = d.func.results
        phrases = [say(f, k, result[f], lang) for f, k in kinds if f in result]
        subject = next((str(v) for p, v in ((d.func.param(n), v) for n, v in d.args.items())
                        if isinstance(v, (str, int, float)) and not isinstance(v, bool) and p.kind not in ("text",)), "")
        what = d.func.obj_zh if lang == "zh" else d.func.obj_en
        if lang == "zh":
            body = "，".join(phrases)
            parts.append(rng.choice([f"{what}{subject}：{body}。", f"{subject}的{what}：{body}。", f"{body}（{what}{subject}）。"]) if subject else f"{what}：{body}。")
        else:
            body = join_en(phrases) if rng.random() < 0.5 else "; ".join(phrases)
            forms = [f"For {subject}: {body}.", f"The {what} for {subject} shows {body}.", f"{subject} — {body}."] if subject else [f"The {what}: {body}.", f"Result: {body}."]
            parts.append(rng.choice(forms))
    if lang == "zh":
        return rng.choice(OPEN_ZH) + "".join(parts)
    return rng.choice(OPEN_EN) + " ".join(parts)


def no_tool_reply(lang, want, tools, rng):
    """Text when nothing offered fits: say so and what the tools do."""
    can = [t.summary[0].lower() + t.summary[1:] for t in tools[:3]]
    if lang == "zh":
        return rng.choice(["抱歉，我现在的工具做不到这一点。", "这个我办不到：没有合适的工具。", "抱歉，这件事超出了我手头工具的范围。"]) + \
            "我能做的是：" + "；".join(t.summary for t in tools[:3]) + "。"
    return rng.choice([f"Sorry, I can't {want} with the tools I have here.", f"I'm not able to {want} — none of my tools does that.",
                       f"Unfortunately there's no tool here to {want}."]) + " " + rng.choice(["I can ", "What I can do: ", "They only let me "]) + \
        "; ".join(can) + "."


def ask_text(lang, p, rng):
    if lang == "zh":
        return rng.choice([f"好的。请告诉我{p.label_zh}。", f"可以，{p.label_zh}是多少？", f"没问题，请提供{p.label_zh}。"])
    return rng.choice([f"Sure — what's the {p.label}?", f"Happy to. Which {p.label} should I use?", f"I can do that. I just need the {p.label}."])


def give_text(lang, p, words, rng):
    if lang == "zh":
        return rng.choice([f"{words}。", f"{p.label_zh}是{words}。", f"是{words}"])
    return rng.choice([f"{words}", f"It's {words}.", f"The {p.label} is {words}.", f"{words}, thanks"])


SMALL_TALK = [
    ("en", "Hi there!", "Hello! How can I help you today?"), ("en", "Thanks, that's all.", "You're welcome — happy to help."),
    ("en", "How's your day going?", "Pretty good, thanks for asking! What can I do for you?"),
    ("en", "Tell me a joke.", "Why did the scarecrow win an award? He was outstanding in his field."),
    ("en", "You're awesome.", "Thank you, that's kind of you! Anything else I can help with?"), ("en", "Good morning!", "Good morning! What's on your list today?"),
    ("en", "ok", "Alright! Let me know if you need anything."), ("en", "Never mind.", "No problem. I'm here if you need me."),
    ("zh", "你好！", "你好！有什么可以帮你的吗？"), ("zh", "谢谢，没别的事了。", "不客气，有需要随时找我。"), ("zh", "讲个笑话吧。", "为什么数学书总是很忧郁？因为它有太多的问题。"),
    ("zh", "早上好！", "早上好！今天有什么要办的吗？"), ("zh", "算了，不用了。", "好的，有需要再叫我。"),
]
GENERAL = [
    ("en", "What's the capital of Australia?", "The capital of Australia is Canberra."), ("en", "How many centimeters are in an inch?", "One inch is 2.54 centimeters."),
    ("en", "Who painted the Mona Lisa?", "Leonardo da Vinci painted the Mona Lisa."), ("en", "What does HTTP stand for?", "HTTP stands for Hypertext Transfer Protocol."),
    ("en", "Is a tomato a fruit?", "Botanically, yes: a tomato is a fruit, though it's usually cooked as a vegetable."),
    ("en", "What's the boiling point of water in Fahrenheit?", "Water boils at 212°F at sea level."),
    ("en", "Explain what an invoice is in one sentence.", "An invoice is a document a seller sends a buyer that lists what was supplied and how much is owed."),
    ("en", "What's the difference between a debit and a credit card?", "A debit card spends money already in your account; a credit card borrows it and you pay it back later."),
    ("en", "How many minutes are in a day?", "A day has 1,440 minutes."), ("en", "What is 15% of 80?", "15% of 80 is 12."),
    ("en", "Give me a tip for writing a good email subject line.", "Keep it short and specific: say what the email is about and what you need, e.g. \"Approval needed: Q3 budget by Friday\"."),
    ("en", "Why is the sky blue?", "Sunlight scatters off air molecules, and shorter blue wavelengths scatter the most, so the sky looks blue."),
    ("en", "What time zone is used in Iceland?", "Iceland uses Greenwich Mean Time (UTC+0) all year, with no daylight saving time."),
    ("en", "Which is heavier, a kilogram of feathers or a kilogram of steel?", "Neither — both weigh one kilogram."),
    ("zh", "澳大利亚的首都是哪里？", "澳大利亚的首都是堪培拉。"), ("zh", "一英寸等于多少厘米？", "一英寸等于2.54厘米。"), ("zh", "什么是发票？", "发票是卖方开给买方的凭证，列明所提供的商品或服务以及应付金额。"),
    ("zh", "一天有多少分钟？", "一天有1440分钟。"), ("zh", "为什么天空是蓝色的？", "阳光被空气分子散射，波长较短的蓝光散射最多，所以天空看起来是蓝色的。"),
    ("zh", "80的15%是多少？", "80的15%是12。"), ("zh", "水的沸点是多少摄氏度？", "在标准大气压下，水的沸点是100摄氏度。"),
]


def followup_question(lang, fld, rng):
    label = fld.replace("_", " ")
    if lang == "zh":
        return rng.choice([f"刚才的{label}是多少来着？", f"再说一下{label}？"])
    return rng.choice([f"What was the {label} again?", f"Sorry, remind me of the {label}?", f"and the {label}?"])


def followup_answer(lang, fld, kind, v, rng):
    phrase = say(fld, kind, v, lang)
    if lang == "zh":
        return rng.choice([f"{phrase}。", f"刚才的结果里，{phrase}。"])
    return rng.choice([f"The {phrase}.", f"It was {phrase.split(' ', 1)[-1] if ' ' in phrase else phrase}.", f"From the result above: {phrase}."])
