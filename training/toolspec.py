"""The building blocks of the tool library: a parameter (`P`) knows its JSON Schema and how to draw a value
together with the words a user would say for it; a tool (`T`) knows its schema, request phrasings in English
and Chinese, and how to make a plausible result for a call."""

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass
class P:
    name: str
    type: str  # string, integer, number, boolean, array, object
    desc: str
    # draw(rng, lang) -> (value, words); words is what the user says for the value
    draw: Callable[[random.Random, str], tuple[Any, str]]
    required: bool = True
    enum: Optional[list] = None
    items: Optional[dict] = None  # array item schema
    props: Optional[dict] = None  # object properties schema
    props_required: Optional[list] = None
    # optional parameters: how the value is said, appended to the request ({v} is the words)
    en: Optional[str] = None
    zh: Optional[str] = None

    def schema(self) -> dict:
        s: dict = {"type": self.type, "description": self.desc}
        if self.enum is not None:
            s["enum"] = self.enum
        if self.items is not None:
            s["items"] = self.items
        if self.props is not None:
            s["properties"] = self.props
            if self.props_required:
                s["required"] = self.props_required
        return s


@dataclass
class T:
    domain: str
    name: str
    desc: str
    params: list
    en: list  # request templates with {param} slots (required params only; optional ones are appended)
    zh: list
    result: Callable[[dict, random.Random], dict]
    ask_en: dict = field(default_factory=dict)  # question asking for a missing required parameter
    ask_zh: dict = field(default_factory=dict)

    def schema(self) -> dict:
        props = {p.name: p.schema() for p in self.params}
        req = [p.name for p in self.params if p.required]
        parameters: dict = {"type": "object", "properties": props}
        if req:
            parameters["required"] = req
        return {"type": "function", "function": {"name": self.name, "description": self.desc, "parameters": parameters}}

    def param(self, name: str) -> P:
        return next(p for p in self.params if p.name == name)


# ---- value drawers -------------------------------------------------------------------------------------------


def pick(en_pool, zh_pool=None):
    """A string drawn from the language's pool; the value is the words themselves."""

    def draw(rng, lang):
        pool = zh_pool if (lang == "zh" and zh_pool) else en_pool
        v = rng.choice(pool)
        return v, v

    return draw


def integer(lo, hi):
    def draw(rng, lang):
        v = rng.randint(lo, hi)
        return v, str(v)

    return draw


def number(lo, hi, digits=1):
    def draw(rng, lang):
        v = round(rng.uniform(lo, hi), digits)
        if v == int(v):
            v += 0.5
        return v, f"{v:g}"

    return draw


def enum(values, zh_words=None):
    """An enum value; in Chinese the user may say a translated word (zh_words maps value -> words)."""

    def draw(rng, lang):
        v = rng.choice(values)
        if lang == "zh" and zh_words and v in zh_words:
            return v, zh_words[v]
        return v, v

    return draw


def flag(en_words, zh_words):
    """A boolean that the user turns on by saying the words (only drawn for optional parameters)."""

    def draw(rng, lang):
        return True, (zh_words if lang == "zh" else en_words)

    return draw


def listing(pool_en, pool_zh=None, lo=2, hi=3):
    def draw(rng, lang):
        pool = pool_zh if (lang == "zh" and pool_zh) else pool_en
        n = rng.randint(lo, min(hi, len(pool)))
        vs = rng.sample(pool, n)
        if lang == "zh":
            words = "、".join(vs[:-1]) + "和" + vs[-1]
        else:
            words = ", ".join(vs[:-1]) + " and " + vs[-1]
        return vs, words

    return draw


def code(prefix, digits=4):
    def draw(rng, lang):
        v = prefix + "".join(rng.choice("0123456789") for _ in range(digits))
        return v, v

    return draw


def email(rng, lang):
    from pools import NAMES_EN, DOMAINS

    v = f"{rng.choice(NAMES_EN).lower()}@{rng.choice(DOMAINS)}"
    return v, v


def emails(rng, lang):
    n = rng.randint(1, 2)
    vs = sorted({email(rng, lang)[0] for _ in range(n)})
    words = ("和" if lang == "zh" else " and ").join(vs)
    return vs, words


def phrase(en_pool, zh_pool):
    return pick(en_pool, zh_pool)
