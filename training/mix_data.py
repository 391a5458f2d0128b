"""One training set from both generators: the library's conversations (training/gen_data.py: 164 hand-written
tools of realistic services) and the world's (training/gen_world.py: composed functions, chains, far no-calls).

    python training/mix_data.py --library DIR --world DIR --out DIR [--seed 1234]

Writes OUT/train.jsonl (both, shuffled with the seed), OUT/dev-set.jsonl (the world's dev set: domains that
neither part trains on) and OUT/library-dev-set.jsonl (the library's, its held-out tool families). Library
conversations that offer a tool of a world dev domain (a record family named like one of those domains' objects,
e.g. contracts for `legal`) are left out, so the world dev set stays unseen. Prints the counts.
"""

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from library import library  # noqa: E402
from world_tools import DEV_DOMAINS, OBJECTS  # noqa: E402


def held_out_names():
    """Names of library tools whose domain is a world dev domain or one of its objects."""
    objects = {o[0] for d in DEV_DOMAINS for o in OBJECTS.get(d, [])}
    return {t.name for t in library() if t.domain in DEV_DOMAINS or t.domain.removeprefix("records:") in objects}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--library", required=True, help="gen_data.py's output folder")
    ap.add_argument("--world", required=True, help="gen_world.py's output folder")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args()
    held = held_out_names()
    lines, dropped = [], 0
    for line in open(Path(a.library) / "train.jsonl", encoding="utf-8"):
        names = {t["function"]["name"] for t in json.loads(line).get("tools") or []}
        if names & held:
            dropped += 1
        else:
            lines.append(line)
    n_library = len(lines)
    lines += open(Path(a.world) / "train.jsonl", encoding="utf-8").readlines()
    random.Random(a.seed).shuffle(lines)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "train.jsonl").write_text("".join(lines), encoding="utf-8")
    shutil.copyfile(Path(a.world) / "dev-set.jsonl", out / "dev-set.jsonl")
    shutil.copyfile(Path(a.library) / "dev-set.jsonl", out / "library-dev-set.jsonl")
    print(f"mix: {n_library} library conversations ({dropped} left out: they offer a tool of a world dev domain) + "
          f"{len(lines) - n_library} world conversations = {len(lines)}")


if __name__ == "__main__":
    main()
