"""The documentation's code blocks, run as written against the shared test server (conftest.py), so that the docs
cannot drift from what the binary does.

The convention, in README.md, docs/*.md and Examples/README.md: the line before a fenced block may carry

    <!-- doc-test: run ID -->       the block is executed here; CHECKS[ID] checks what it printed or built
    <!-- doc-test: skip REASON -->  the block is not executed, and REASON says why (a GPU, vLLM, `make test` itself…)

Every ```sh, ```bash and ```python block must carry one of the two (docs/swift-api.md, owned by the Swift API's
authors, is exempt from this rule only). Shell blocks run with bash; Python blocks run in this process, so that a
check can look at the variables they leave (a tool call in `message`). The documented address
http://127.0.0.1:8000 (what `make serve` listens on) is replaced by the test server's. Independently of the
markers, every `functionary SUBCOMMAND --flag` in any shell block of the docs must be a flag of that subcommand's
`--help`, every `make TARGET` a target of the Makefile, every `--flag` named in backticks in the prose a flag of
some subcommand (or of the other programs listed in OTHER_PROGRAMS_FLAGS), and every relative link must resolve.
"""

import contextlib
import functools
import io
import json
import os
import pathlib
import re
import shlex
import subprocess
from dataclasses import dataclass

import pytest

from conftest import binary

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "Examples" / "README.md"]
MARKER_EXEMPT = {ROOT / "docs" / "swift-api.md"}
CHECKED_LANGUAGES = {"sh", "bash", "python"}
DOCUMENTED_BASE = "http://127.0.0.1:8000"
DOCUMENTED_MODEL = "gemma-3-270m-q4_k_m"
MARKER = re.compile(r"^<!--\s*doc-test:\s*(run|skip)\b\s*(.*?)\s*-->$")

# Flags in backticks that belong to programs other than `functionary` (vLLM, SGLang, bubblewrap, bench/bench.py).
OTHER_PROGRAMS_FLAGS = {
    "--tensor-parallel-size", "--max-model-len", "--pipeline-parallel-size", "--structured-outputs-config",
    "--guided-decoding-backend", "--grammar-backend", "--dp", "--disable-userns", "--unshare-user", "--size",
    "--phases", "--only", "--quick",
    # llama-server's and vLLM's speculation settings (docs/server.md, docs/benchmarks.md)
    "--spec-type", "--spec-ngram-simple-size-n", "--spec-ngram-simple-size-m", "--speculative-config", "--swa-full",
    "--speculative-algorithm",
    # swift build's and swift format's (docs/architecture.md, docs/development.md) and bench/bench.py's
    "--explicit-target-dependency-import-check", "--strict", "--binary", "--llama-spec", "--rounds", "--reps", "--ours-arg",
}


@dataclass
class Block:
    path: pathlib.Path
    line: int  # 1-based line of the opening fence
    language: str
    text: str
    mode: str | None  # "run", "skip" or None (no marker)
    argument: str  # the run ID or the skip reason

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def read_blocks(path: pathlib.Path) -> list[Block]:
    """The fenced blocks of a Markdown file, each with the doc-test marker on the last non-blank line before it."""
    lines = path.read_text().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        opening = lines[i]
        if not opening.startswith("```"):
            i += 1
            continue
        language = opening[3:].strip().split(" ")[0]
        end = i + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = MARKER.match(before)
        blocks.append(Block(path, i + 1, language, "\n".join(lines[i + 1:end]),
                            marker.group(1) if marker else None, marker.group(2) if marker else ""))
        i = end + 1
    return blocks


ALL_BLOCKS = [block for path in DOCS for block in read_blocks(path)]


# ---- what each executed block must produce ----

def parse_json_output(stdout: str):
    try:
        return json.loads(stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(f"the block did not print one JSON document ({error}):\n{stdout[:2000]}")


def check_weather_chat_curl(stdout, namespace):
    body = parse_json_output(stdout)
    assert body.get("object") == "chat.completion", f"not a chat completion: {body}"
    choice = body["choices"][0]
    assert choice["finish_reason"] == "tool_calls", f"the default model was documented to call the tool: {body}"
    calls = choice["message"]["tool_calls"]
    assert [call["function"]["name"] for call in calls] == ["get_weather"], calls
    assert json.loads(calls[0]["function"]["arguments"])["city"].lower().startswith("paris"), calls
    assert choice["message"]["content"] is None, body


def check_chat_openai(stdout, namespace):
    message = namespace["message"]
    assert message.tool_calls, f"the first turn was documented to call get_weather: {message}"
    assert message.tool_calls[0].function.name == "get_weather"
    assert json.loads(message.tool_calls[0].function.arguments)["city"].lower().startswith("paris")
    final = namespace["response"].choices[0].message
    assert final.content and not final.tool_calls, f"the second turn should answer in text: {final}"
    assert final.content.strip() in stdout


def check_responses_curl(stdout, namespace):
    body = parse_json_output(stdout)
    assert body.get("object") == "response" and body.get("status") == "completed", f"not a completed response: {body}"
    calls = [item for item in body["output"] if item["type"] == "function_call"]
    assert [call["name"] for call in calls] == ["get_weather"], body["output"]
    assert json.loads(calls[0]["arguments"])["city"].lower().startswith("paris"), calls


def check_responses_openai(stdout, namespace):
    assert namespace["call"].name == "get_weather"
    second = namespace["second"]
    assert second.previous_response_id == namespace["first"].id
    assert second.output_text and second.output_text.strip() in stdout, second


def check_messages_curl(stdout, namespace):
    body = parse_json_output(stdout)
    assert body.get("type") == "message" and body.get("stop_reason") == "tool_use", f"not a tool_use message: {body}"
    uses = [block for block in body["content"] if block["type"] == "tool_use"]
    assert [use["name"] for use in uses] == ["get_weather"], body["content"]
    assert uses[0]["input"]["city"].lower().startswith("paris"), uses


def check_messages_anthropic(stdout, namespace):
    assert namespace["use"].name == "get_weather"
    answer = namespace["answer"]
    assert answer.stop_reason in ("end_turn", "max_tokens"), answer
    assert any(block.type == "text" and block.text for block in answer.content), answer
    tokens = int(stdout.strip().splitlines()[-1])
    assert 20 < tokens < 2048, f"count_tokens printed {tokens}"


CHECKS = {
    "quickstart-curl": check_weather_chat_curl,
    "chat-curl": check_weather_chat_curl,
    "chat-openai": check_chat_openai,
    "responses-curl": check_responses_curl,
    "responses-openai": check_responses_openai,
    "messages-curl": check_messages_curl,
    "messages-anthropic": check_messages_anthropic,
}
# The blocks the docs must keep executable: the README's quick start, the server page's curl and client examples.
REQUIRED_RUN_IDS = {"quickstart-curl": "README.md", "chat-curl": "docs/server.md", "chat-openai": "docs/server.md",
                    "responses-curl": "docs/server.md", "messages-curl": "docs/server.md"}


def run_blocks() -> dict[str, Block]:
    return {block.argument: block for block in ALL_BLOCKS if block.mode == "run"}


# ---- the convention ----

def test_every_shell_and_python_block_is_run_or_says_why_not():
    unmarked = [block.where() for block in ALL_BLOCKS
                if block.language in CHECKED_LANGUAGES and block.mode is None and block.path not in MARKER_EXEMPT]
    assert not unmarked, f"blocks without a <!-- doc-test: run ID --> or <!-- doc-test: skip REASON --> line: {unmarked}"
    reasonless = [block.where() for block in ALL_BLOCKS if block.mode == "skip" and len(block.argument) < 8]
    assert not reasonless, f"skip markers must say why: {reasonless}"


def test_run_markers_name_known_checks():
    ids = [block.argument for block in ALL_BLOCKS if block.mode == "run"]
    assert len(ids) == len(set(ids)), f"a run ID is used twice: {ids}"
    unknown = [block.where() + " " + block.argument for block in ALL_BLOCKS
               if block.mode == "run" and block.argument not in CHECKS]
    assert not unknown, f"run markers without a check in CHECKS: {unknown}"
    blocks = run_blocks()
    for run_id, page in REQUIRED_RUN_IDS.items():
        assert run_id in blocks, f"{page} lost its executed block {run_id!r}"
        assert blocks[run_id].path == ROOT / page, f"{run_id!r} moved from {page} to {blocks[run_id].where()}"


# ---- the executed blocks ----

@pytest.mark.parametrize("run_id", sorted(CHECKS))
def test_documented_block_runs(run_id, server):
    blocks = run_blocks()
    if run_id not in blocks:
        pytest.fail(f"no block is marked <!-- doc-test: run {run_id} -->")
    block = blocks[run_id]
    assert DOCUMENTED_MODEL == server.model, f"the docs name {DOCUMENTED_MODEL}, the default model serves as {server.model}"
    assert DOCUMENTED_BASE in block.text, f"{block.where()} does not talk to {DOCUMENTED_BASE}"
    source = block.text.replace(DOCUMENTED_BASE, server.base)
    namespace = {"__name__": "doc_block"}
    if block.language in ("sh", "bash"):
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", source], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{block.where()} exited {result.returncode}:\n{result.stderr}"
        stdout = result.stdout
    elif block.language == "python":
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            exec(compile(source, block.where(), "exec"), namespace)
        stdout = captured.getvalue()
    else:
        pytest.fail(f"{block.where()}: cannot run a {block.language!r} block")
    CHECKS[run_id](stdout, namespace)


# ---- commands, flags, targets and links named in the docs ----

@functools.cache
def help_flags(*subcommand: str) -> frozenset[str]:
    result = subprocess.run([str(binary()), *subcommand, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"functionary {' '.join(subcommand)} --help exited {result.returncode}: {result.stderr}"
    return frozenset(re.findall(r"--[a-z][a-z0-9-]+", result.stdout))


@functools.cache
def subcommands(*parent: str) -> frozenset[str]:
    result = subprocess.run([str(binary()), *parent, "--help"], capture_output=True, text=True, timeout=60)
    section = result.stdout.split("SUBCOMMANDS:", 1)
    return frozenset(re.findall(r"^  ([a-z][a-z-]*) ", section[1], re.M)) if len(section) == 2 else frozenset()


def shell_commands(text: str) -> list[list[str]]:
    """The simple commands of a shell block: continuation lines joined, comments dropped, split at ; && | &."""
    commands = []
    for line in text.replace("\\\n", " ").split("\n"):
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        current = []
        for word in words:
            if word in (";", "&&", "||", "|", "&") or word.endswith(";"):
                commands.append(current)
                current = []
            else:
                current.append(word.rstrip("&"))
        commands.append(current)
    return [command for command in commands if command]


def documented_invocations():
    for block in ALL_BLOCKS:
        if block.language not in ("sh", "bash"):
            continue
        for command in shell_commands(block.text):
            while command and re.match(r"^[A-Z_]+=", command[0]):  # VAR=value before the program
                command = command[1:]
            if command and (command[0] == "functionary" or command[0].endswith("/functionary")):
                yield block, "functionary", command[1:]
            elif command and command[0] == "make":
                yield block, "make", command[1:]


def test_documented_functionary_flags_exist():
    wrong = []
    for block, program, words in documented_invocations():
        if program != "functionary" or not words:
            continue
        path = []
        while words and words[0] in subcommands(*path):
            path.append(words.pop(0))
        assert path, f"{block.where()}: `functionary {' '.join(words)}` names no subcommand"
        known = help_flags(*path)
        for word in words:
            flag = word.split("=", 1)[0]
            if flag.startswith("--") and flag not in known:
                wrong.append(f"{block.where()}: functionary {' '.join(path)} has no {flag}")
    assert not wrong, "\n".join(wrong)


def test_documented_make_targets_exist():
    targets = set(re.findall(r"^([a-z][a-z0-9-]*):", (ROOT / "Makefile").read_text(), re.M))
    wrong = [f"{block.where()}: make {word}" for block, program, words in documented_invocations() if program == "make"
             for word in words if not word.startswith("-") and "=" not in word and word not in targets]
    prose = re.findall(r"`(?:[A-Z_]+=\S+ )*make ([a-z][a-z0-9 -]*)`", "\n".join(p.read_text() for p in DOCS))
    wrong += [f"`make {names}` in the prose" for names in prose for name in names.split() if name not in targets]
    assert not wrong, "\n".join(wrong)


def training_flags() -> set[str]:
    """The flags of the training scripts (training/*.py, argparse), which docs/model.md names."""
    flags = set()
    for script in (ROOT / "training").glob("*.py"):
        flags |= set(re.findall(r"add_argument\(\s*\"(--[a-z][a-z0-9-]*)\"", script.read_text()))
    return flags


def test_flags_named_in_the_prose_exist():
    every_flag = set()
    for path in [(), *[(name,) for name in subcommands()]]:
        every_flag |= help_flags(*path)
        every_flag |= {flag for sub in subcommands(*path) for flag in help_flags(*path, sub)}
    named = {}
    for path in DOCS:
        for span in re.findall(r"`([^`\n]+)`", path.read_text()):
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", span):
                named.setdefault(flag, path.relative_to(ROOT))
    unknown = {flag: page for flag, page in named.items() if flag not in every_flag | OTHER_PROGRAMS_FLAGS | training_flags()}
    assert not unknown, f"flags the docs name that no subcommand has: {unknown}"


def github_anchor(heading: str) -> str:
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_relative_links_resolve():
    broken = []
    for path in DOCS:
        text = path.read_text()
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            linked = (path.parent / file).resolve() if file else path
            if not linked.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
                continue
            if anchor and linked.suffix == ".md":
                lines = linked.read_text().split("\n")
                headings, fenced = set(), False
                for line in lines:
                    fenced ^= line.startswith("```")
                    if not fenced and line.startswith("#"):
                        headings.add(github_anchor(line.lstrip("#")))
                if anchor not in headings:
                    broken.append(f"{path.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_no_machine_paths_in_the_docs():
    found = [f"{path.relative_to(ROOT)}: {match}" for path in DOCS
             for match in re.findall(r"/(?:work|home|Users|tmp)/[\w./-]+", path.read_text())]
    assert not found, f"machine-specific paths: {found}"


def documented_default(text: str, flag: str) -> float | None:
    """A table's default written for people (`8 MiB`, `100,000`, `1000 ms`, `10 s`, `1024 bytes`) as the number the
    flag takes, or None when it is not a plain quantity (`the context size`, `--parallel`)."""
    match = re.fullmatch(r"`?([\d,.]+)`?\s*(MiB|KiB|bytes|ms|s|h)?", text.strip())
    if not match:
        return None
    number = float(match.group(1).replace(",", ""))
    unit = match.group(2)
    scale = {"MiB": 2**20, "KiB": 2**10, "h": 3600}.get(unit, 1)
    if unit == "s" and "-ms-" in flag:
        scale = 1000
    return number * scale


def test_documented_defaults_match_the_binary():
    """Each row of the docs' flag tables that names one `functionary serve` flag and a plain default must give the
    default that `functionary serve --help` prints."""
    result = subprocess.run([str(binary()), "serve", "--help"], capture_output=True, text=True, timeout=60)
    defaults = {}
    for entry in re.split(r"\n(?=  (?:-\w, )?--[a-z])", result.stdout):  # one option per entry, with its description
        option = re.match(r"\s*(?:-\w, )?(--[a-z][a-z0-9-]+)", entry)
        default = re.search(r"\(default: ([^)]*)\)", re.sub(r"\s+", " ", entry))
        if option and default:
            defaults[option.group(1)] = default.group(1)
    wrong, compared = [], 0
    for path in (ROOT / "docs" / "server.md", ROOT / "docs" / "security.md", ROOT / "docs" / "remote-engines.md"):
        for row in re.findall(r"^\|(.+)\|$", path.read_text(), re.M):
            cells = [cell.strip() for cell in row.split("|")]
            flags = [flag for cell in cells for flag in re.findall(r"`(--[a-z][a-z0-9-]+)", cell)]
            if len(set(flags)) != 1 or flags[0] not in defaults:
                continue
            flag = flags[0]
            for cell in cells:
                value = documented_default(cell, flag)
                if value is None:
                    continue
                compared += 1
                try:
                    actual = float(defaults[flag])
                except ValueError:
                    break
                if actual != value:
                    wrong.append(f"{path.relative_to(ROOT)}: {flag} documented as {cell}, --help says {defaults[flag]}")
                break
    assert compared >= 20, f"only {compared} documented defaults found: did the tables change shape?"
    assert not wrong, "\n".join(wrong)
