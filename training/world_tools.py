"""The functions of training/gen_world.py: composed, not listed. A function is a domain's object and an action on it
(get / list / create / update / cancel / export), or one of the domain's services, with parameters drawn from
the shapes of world_values.py, named in one of several conventions (snake_case, camelCase, PascalCase, dotted
module paths, vendor prefixes, kebab-case) and described in one of several registers (one line, a paragraph, a
docstring with parameter notes). `make_func(rng, spec)` composes one; every call gives a new variant."""

import copy
import random
import re
from dataclasses import dataclass, field

from world_values import ENUMS, KINDS

# domain -> [(object en, object zh, id prefix, attribute kinds)]
OBJECTS = {
    "commerce": [("order", "订单", "ORD", ["items", "address", "email"]), ("product", "商品", "PRD", ["query", "amount", "quantity"]),
                 ("coupon", "优惠券", "CPN", ["percent", "date"])],
    "billing": [("invoice", "发票", "INV", ["amount", "date", "email"]), ("payment", "付款", "PAY", ["amount", "date", "company"]),
                ("subscription", "订阅", "SUB", ["email", "date"])],
    "travel": [("flight booking", "机票预订", "BKG", ["date", "city", "person"]), ("hotel reservation", "酒店预订", "HTL", ["city", "date", "quantity"]),
               ("car rental", "租车订单", "CAR", ["city", "date", "person"])],
    "calendar": [("event", "日程", "EVT", ["date", "time", "minutes", "emails", "text"]), ("reminder", "提醒", "REM", ["date", "time", "text"])],
    "messaging": [("message", "消息", "MSG", ["phone", "text"]), ("channel", "频道", "CH", ["text", "tags"])],
    "support": [("ticket", "工单", "TKT", ["text", "email", "tags"]), ("complaint", "投诉", "CMP", ["text", "person"])],
    "hr": [("employee record", "员工档案", "EMP", ["person", "email", "date"]), ("leave request", "请假申请", "LV", ["date", "person", "text"])],
    "logistics": [("shipment", "货运单", "SHP", ["grams", "address", "date"]), ("parcel", "包裹", "PCL", ["grams", "address", "phone"])],
    "fitness": [("workout", "训练记录", "WKT", ["meters", "minutes", "date"]), ("meal log", "饮食记录", "MEAL", ["grams", "date", "text"])],
    "smarthome": [("thermostat schedule", "温控计划", "THS", ["celsius", "time"]), ("scene", "场景", "SCN", ["time", "text"])],
    "realestate": [("listing", "房源", "LST", ["city", "amount", "address"]), ("viewing", "看房预约", "VW", ["date", "time", "person"])],
    "banking": [("account", "账户", "ACC", ["long_int", "person"]), ("transfer", "转账", "TRF", ["amount", "long_int", "text"])],
    "education": [("course", "课程", "CRS", ["query", "language", "date"]), ("enrollment", "报名", "ENR", ["person", "email", "date"])],
    "healthcare": [("appointment", "预约", "APT", ["date", "time", "person"]), ("prescription", "处方", "RX", ["person", "date", "quantity"])],
    "media": [("playlist", "歌单", "PL", ["text", "tags"]), ("podcast episode", "播客节目", "EP", ["query", "year", "minutes"])],
    "devtools": [("repository", "代码仓库", "REPO", ["url", "text"]), ("issue", "问题单", "ISS", ["text", "tags", "person"]),
                 ("deployment", "部署", "DEP", ["text", "time"])],
    "marketing": [("campaign", "营销活动", "CMPN", ["amount", "date", "percent"]), ("newsletter", "邮件简报", "NL", ["emails", "text", "date"])],
    "legal": [("contract", "合同", "CTR", ["company", "date", "amount"]), ("case file", "案件档案", "CASE", ["person", "date", "text"])],
    "dining": [("table reservation", "餐厅订位", "TBL", ["date", "time", "quantity", "person"]), ("delivery order", "外卖订单", "DLV", ["items", "address"])],
    "insurance": [("claim", "理赔", "CLM", ["amount", "date", "text"]), ("policy", "保单", "POL", ["long_int", "person", "date"])],
    "library": [("book loan", "借书记录", "LN", ["person", "date"]), ("hold request", "预约借阅", "HLD", ["person", "query"])],
    "pets": [("vet visit", "宠物就诊", "VET", ["date", "time", "person"]), ("pet profile", "宠物档案", "PET", ["person", "grams", "year"])],
    "energy": [("meter reading", "电表读数", "MTR", ["long_int", "date"]), ("outage report", "停电报告", "OUT", ["address", "text"])],
    "crm": [("lead", "销售线索", "LD", ["person", "company", "email"]), ("deal", "商机", "DL", ["amount", "company", "date"])],
    "events": [("ticket order", "门票订单", "TIX", ["quantity", "date", "city"]), ("venue booking", "场地预订", "VEN", ["date", "quantity", "city"])],
    "facilities": [("work order", "维修工单", "WO", ["text", "address", "date"]), ("room booking", "会议室预订", "RM", ["date", "time", "minutes"])],
}

# action -> (name verb, English verb phrase, Chinese verb, what the description says it does)
ACTIONS = {
    "get": ("get", "look up", "查询", "Retrieve one {obj} by its ID, with all of its details"),
    "list": ("list", "list", "列出", "List {objs}, filtered by status"),
    "create": ("create", "create", "新建", "Create a new {obj}"),
    "update": ("update", "update", "修改", "Change fields of an existing {obj} given its ID"),
    "cancel": ("cancel", "cancel", "取消", "Cancel {a_obj} by its ID; it cannot be undone"),
    "export": ("export", "export", "导出", "Export {objs} from a date onwards as a file"),
}

# domain -> [(service words, verb en, verb zh, what en, what zh, description, [(kind, required)], result fields)]
SERVICES = {
    "weather": [(["get", "forecast"], "get the forecast", "查天气预报", "weather forecast", "天气预报", "Weather forecast for a city on a date",
                 [("city", True), ("date", True), ("enum:unit", False)], [("high_c", "celsius"), ("low_c", "celsius"), ("conditions", "cond")]),
                (["get", "air", "quality"], "check the air quality", "查空气质量", "air quality", "空气质量", "Current air quality index of a city",
                 [("city", True)], [("aqi", "int"), ("level", "cond")])],
    "time": [(["get", "local", "time"], "get the local time", "查当地时间", "local time", "当地时间", "Current local time in an IANA time zone",
              [("tz", True)], [("local_time", "time"), ("utc_offset", "offset")]),
             (["convert", "time"], "convert a time", "换算时间", "time conversion", "时间换算", "Convert a time of day into another IANA time zone",
              [("time", True), ("tz", True)], [("converted", "time")])],
    "finance": [(["convert", "currency"], "convert money", "换算货币", "currency conversion", "货币换算", "Convert an amount of money into another currency",
                 [("amount", True), ("currency", True)], [("converted_amount", "money"), ("rate", "rate")]),
                (["get", "exchange", "rate"], "get the exchange rate", "查汇率", "exchange rate", "汇率", "Exchange rate from US dollars to a currency",
                 [("currency", True), ("date", False)], [("rate", "rate")])],
    "geo": [(["get", "route"], "plan a route", "规划路线", "route", "路线", "Travel time and distance between two cities",
             [("city", True), ("city", True), ("enum:mode", False)], [("distance_km", "km"), ("duration_min", "min")]),
            (["list", "holidays"], "list public holidays", "查公共假期", "public holidays", "公共假期", "Public holidays of a country in a year",
             [("country", True), ("year", True)], [("count", "int"), ("next_holiday", "date")])],
    "language": [(["translate", "text"], "translate", "翻译", "translation", "翻译", "Translate a text into a target language",
                  [("text", True), ("language", True)], [("translation", "text")])],
    "health": [(["estimate", "calories"], "estimate calories burned", "估算消耗的卡路里", "calorie estimate", "卡路里估算",
                "Calories burned for a run of a given distance and duration", [("meters", True), ("minutes", True)], [("calories_kcal", "kcal")]),
               (["shipping", "quote"], "get a shipping quote", "查运费", "shipping quote", "运费报价", "Shipping price for a parcel to a country",
                [("grams", True), ("country", True)], [("price", "money"), ("days", "int")])],
}
DEV_DOMAINS = ["insurance", "pets", "energy", "legal", "facilities", "health"]  # held out: no dev family is in training

RESULT_NAMES = {"date": "scheduled_date", "person": "name", "grams": "weight_g", "meters": "distance_m", "minutes": "duration_min",
                "celsius": "temperature_c", "long_int": "number", "text": "note", "items": "items", "emails": "attendees", "query": "topic"}
STYLES = ["snake", "snake", "camel", "pascal", "dotted", "vendor", "kebab"]
VENDORS = ["Acme", "Zeta", "Northwind", "Contoso", "Globex", "Initech", "Nimbus"]


def plural(w):
    if w.endswith("y") and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    return w + ("es" if w.endswith(("s", "ch", "sh", "x")) else "s")


def words_of(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def name_in(style, words, domain, vendor):
    if style == "snake":
        return "_".join(words)
    if style == "kebab":
        return "-".join(words)
    if style == "camel":
        return words[0] + "".join(w.title() for w in words[1:])
    if style == "pascal":
        return "".join(w.title() for w in words)
    if style == "dotted":  # module path: domain.object.verb
        return ".".join([domain] + ["_".join(words[1:])] + [words[0]]) if len(words) > 1 else f"{domain}.{words[0]}"
    return vendor + "_" + "".join(w.title() for w in words)  # vendor-style


def param_name(style, stem):
    parts = stem.split("_")
    if style in ("camel", "pascal", "vendor"):
        return parts[0] + "".join(p.title() for p in parts[1:])
    return stem


@dataclass
class Param:
    name: str
    kind: str  # a KINDS key, "enum:<ENUMS key>", "bool:<stem>", or "id"
    required: bool
    desc: str
    schema_extra: dict
    label: str  # the words for it in English ("due date")
    label_zh: str
    default: object = None
    id_prefix: str = ""

    def schema(self):
        t = "boolean" if self.kind.startswith("bool:") else "string" if self.kind in ("id",) or self.kind.startswith("enum:") else KINDS[self.kind][0]
        s = {"type": t, "description": self.desc}
        s.update(copy.deepcopy(self.schema_extra))
        return s


@dataclass
class Func:
    domain: str
    family: str  # what the dev split holds out
    key: str  # what the function does, independent of naming: "billing/invoice/get"
    name: str
    summary: str  # one line
    style_desc: str  # oneline, paragraph, docstring
    params: list
    results: list  # [(field, result kind)]
    verb_en: str
    verb_zh: str
    obj_en: str
    obj_zh: str
    action: str
    extra_sentences: list = field(default_factory=list)

    def description(self):
        if self.style_desc == "oneline":
            return self.summary + "."
        text = self.summary + ". " + " ".join(self.extra_sentences)
        if self.style_desc == "docstring":
            lines = [self.summary + ".", "", "Args:"]
            for p in self.params:
                lines.append(f"    {p.name}: {p.desc}" + ("" if p.required else " (optional)"))
            lines += ["", "Returns:", "    " + ", ".join(f for f, _ in self.results) + "."]
            text = "\n".join(lines)
        return text.strip()

    def schema(self):
        props = {p.name: p.schema() for p in self.params}
        req = [p.name for p in self.params if p.required]
        parameters = {"type": "object", "properties": props}
        if req:
            parameters["required"] = req
        return {"type": "function", "function": {"name": self.name, "description": self.description(), "parameters": parameters}}

    def param(self, name):
        return next(p for p in self.params if p.name == name)

    def masked(self, rng):
        """The same function with random function and parameter names; descriptions kept."""
        f = copy.deepcopy(self)
        alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
        f.name = rng.choice(["fn_", "tool_", "f", "op_", "svc."]) + "".join(rng.choice(alpha) for _ in range(rng.randint(4, 7)))
        used = set()
        for p in f.params:
            n = rng.choice(["p_", "arg", "x", "k_"]) + "".join(rng.choice(alpha) for _ in range(rng.randint(2, 4)))
            while n in used:
                n += rng.choice(alpha)
            used.add(n)
            p.name = n
        return f


BOOLS = [("notify", "and notify them", "并通知对方", "Send a notification to the people concerned"),
         ("include_archived", "including archived ones", "包括已归档的", "Include archived records"),
         ("dry_run", "as a dry run only", "只做试运行", "Validate without making the change"),
         ("send_receipt", "and send a receipt", "并发送回执", "Email a receipt when done")]


def _param(rng, style, kind, required, used, label=None):
    if kind.startswith("enum:"):
        stem = kind[5:]
        values, _ = ENUMS[stem]
        desc = rng.choice([f"One of: {', '.join(values)}", f"The {stem}", f"{stem.title()} filter"])
        p = Param(param_name(style, stem), kind, required, desc, {"enum": list(values)}, stem, {"status": "状态", "priority": "优先级",
                  "sort": "排序", "unit": "单位", "mode": "出行方式", "visibility": "可见性", "format": "格式", "period": "周期"}.get(stem, stem))
        if not required and rng.random() < 0.5:
            p.default = values[0]
            p.desc += f". Defaults to {values[0]}."
        return p
    if kind.startswith("bool:"):
        stem, en, zh, desc = next(b for b in BOOLS if b[0] == kind[5:])
        p = Param(param_name(style, stem), kind, False, desc + ". Defaults to false.", {}, en, zh, default=False)
        return p
    jtype, descs, extra, _, stems, _, label_zh = KINDS[kind]
    stem = rng.choice([s for s in stems if param_name(style, s) not in used] or [stems[0] + "_2"])
    desc = rng.choice(descs).replace("{cur}", rng.choice(["USD", "EUR", "the account's currency"]))
    return Param(param_name(style, stem), kind, required, desc, dict(extra), label or stem.replace("_", " "), label_zh)


def make_func(rng: random.Random, spec):
    """A function for spec = ("object", domain, object index, action) or ("service", domain, service index)."""
    style = rng.choice(STYLES)
    vendor = rng.choice(VENDORS)
    desc_style = rng.choices(["oneline", "paragraph", "docstring"], [5, 3, 2])[0]
    if spec[0] == "service":
        _, domain, i = spec
        words, verb_en, verb_zh, what_en, what_zh, summary, kinds, results = SERVICES[domain][i]
        params, used = [], set()
        for n, (kind, req) in enumerate(kinds):
            p = _param(rng, style, kind, req, used)
            if kind == "city" and n == 1:  # a route's second city
                p.name, p.label, p.label_zh, p.desc = param_name(style, "destination"), "destination", "目的地", "Destination city"
            elif kind == "city" and any(k == "city" for k, _ in kinds[1:]):
                p.name, p.label, p.label_zh, p.desc = param_name(style, "origin"), "origin", "出发地", "Origin city"
            used.add(p.name)
            params.append(p)
        extra = [rng.choice(["Use it only for this; it does nothing else.", "Data comes from a live provider.",
                             "Values follow the formats stated for each parameter."])]
        return Func(domain, domain, f"{domain}/{'_'.join(words)}", name_in(style, words, domain, vendor), summary, desc_style, params,
                    results, verb_en, verb_zh, what_en, what_zh, "service", extra)
    _, domain, oi, action = spec
    obj, obj_zh, prefix, attrs = OBJECTS[domain][oi]
    verb_word, verb_en, verb_zh, what = ACTIONS[action]
    objs = plural(obj)
    summary = what.format(obj=obj, objs=objs, a_obj=("an " if obj[0] in "aeiou" else "a ") + obj)
    obj_words = words_of(obj)
    words = [verb_word] + obj_words
    if action in ("list", "export"):
        words = [verb_word] + obj_words[:-1] + [plural(obj_words[-1])]
    params, used = [], set()

    def add(p):
        used.add(p.name)
        params.append(p)

    id_stem = rng.choice([f"{obj_words[-1]}_id", "id", f"{obj_words[-1]}_number" if len(obj_words[-1]) < 9 else "ref"])
    id_param = Param(param_name(style, id_stem), "id", True, rng.choice([f"The {obj} ID, e.g. {prefix}-10293", f"ID of the {obj}", f"Unique {obj} identifier"]),
                     {}, f"{obj} ID", f"{obj_zh}编号", id_prefix=prefix)
    results = [("status", "status")]
    if action == "get":
        add(id_param)
        if rng.random() < 0.3:
            add(_param(rng, style, "bool:include_archived", False, used))
        results = [(id_param.name if id_param.name != "id" else "id", "id"), ("status", "status")] + \
            [(RESULT_NAMES.get(a, a), a) for a in rng.sample(attrs, min(2, len(attrs)))]
    elif action == "list":
        add(_param(rng, style, "enum:status", True, used))
        for kind in rng.sample(["count", "enum:sort", "date", "bool:include_archived"], rng.randint(1, 3)):
            add(_param(rng, style, kind, False, used))
        results = [("count", "int"), ("first_id", "id")]
    elif action == "create":
        req = rng.sample(attrs, max(1, min(len(attrs), rng.randint(1, 3))))
        for kind in req:
            add(_param(rng, style, kind, True, used))
        for kind in [a for a in attrs if a not in req][:2] + (["enum:priority"] if rng.random() < 0.4 else []):
            add(_param(rng, style, kind, False, used))
        results = [("id", "id"), ("status", "status")]
    elif action == "update":
        add(id_param)
        for i, kind in enumerate(rng.sample(attrs, max(1, min(len(attrs), rng.randint(1, 2))))):
            add(_param(rng, style, kind, i == 0 or rng.random() < 0.5, used))
        if not any(not p.required for p in params) and rng.random() < 0.5:
            add(_param(rng, style, "bool:notify", False, used))
        results = [("updated", "bool"), ("status", "status")]
    elif action == "cancel":
        add(id_param)
        if rng.random() < 0.6:
            p = _param(rng, style, "text", False, used, label="reason")
            p.desc = "Why it is cancelled"
            add(p)
        if rng.random() < 0.5:
            add(_param(rng, style, "bool:notify", False, used))
        results = [("status", "status"), ("refund", "money") if domain in ("commerce", "billing", "travel", "events", "dining") else ("cancelled_at", "date")]
    elif action == "export":
        add(_param(rng, style, "date", True, used, label="start date"))
        add(_param(rng, style, "enum:format", rng.random() < 0.5, used))
        results = [("rows", "int"), ("file_url", "url")]
    extra = [rng.choice([f"Use {'this' if action != 'list' else 'it'} only to {verb_en} {objs}.",
                         f"Does not {rng.choice([a for a in ('create', 'cancel', 'list', 'update') if a != action])} {objs}.",
                         f"Requires the {obj} to exist." if action in ("get", "update", "cancel") else "Returns the new record."])]
    return Func(domain, domain, f"{domain}/{obj}/{action}", name_in(style, words, domain, vendor), summary, desc_style, params, results,
                verb_en, verb_zh, obj, obj_zh, action, extra)


def all_specs(domains):
    specs = []
    for d in domains:
        for oi in range(len(OBJECTS.get(d, []))):
            specs += [("object", d, oi, a) for a in ACTIONS]
        specs += [("service", d, i) for i in range(len(SERVICES.get(d, [])))]
    return specs


def all_domains():
    return sorted(set(OBJECTS) | set(SERVICES))
