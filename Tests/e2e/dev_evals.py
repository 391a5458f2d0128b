"""The dev-set evals that the jump-forward and speculation tests compare: `functionary eval` on the first CASES cases
of the dev set (the project's adapter, tool_choice auto, temperature 0), each setting run once per session and
shared. The one-thread settings run side by side: each uses one core, so three of them on two cores take about the
time of one and a half run after run."""

import json
import pathlib
import subprocess
import tempfile

from conftest import binary

CASES = 80

# Each compared setting, by name: `functionary eval` options.
SETTINGS = {
    "default": ["--jump-forward", "on"],
    "jump_forward_off": ["--jump-forward", "off"],
    "one_thread": ["--jump-forward", "on", "--speculation", "off", "--threads", "1"],
    "one_thread_jump_forward_off": ["--jump-forward", "off", "--threads", "1"],
    "one_thread_speculation": ["--speculation", "lookup", "--threads", "1"],
}
ONE_THREAD = [name for name, options in SETTINGS.items() if "--threads" in options]

_calls: dict[str, dict[str, list]] = {}
_folder = pathlib.Path(tempfile.mkdtemp(prefix="functionary-dev-evals-"))


def calls(report: dict) -> dict[str, list]:
    """Each case's calls, names and parsed arguments, in order."""
    out = {}
    for result in report["results"]:
        parsed = []
        for call in result.get("calls") or []:
            arguments = call.get("arguments")
            try:
                arguments = json.loads(arguments) if isinstance(arguments, str) else arguments
            except ValueError:
                pass
            parsed.append((call.get("name"), arguments))
        out[result["id"]] = parsed
    return out


def _run(names: list[str]) -> None:
    """Starts an eval for each setting at once and waits for all of them."""
    running = []
    for name in names:
        report = _folder / f"{name}.json"
        args = [str(binary()), "eval", "--limit", str(CASES), "--report", str(report), *SETTINGS[name]]
        running.append((name, report, subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    failures = []
    for name, report, process in running:
        try:
            _, stderr = process.communicate(timeout=1800)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        if process.returncode != 0:
            failures.append(f"{name}: exit {process.returncode}: {stderr[-2000:]}")
            continue
        _calls[name] = calls(json.loads(report.read_text()))
    assert not failures, "\n".join(failures)


def dev_calls(name: str) -> dict[str, list]:
    """The calls of every case under one setting. A one-thread setting runs together with the other one-thread
    settings not run yet; the others run alone (a default run uses every core)."""
    if name not in _calls:
        _run([other for other in ONE_THREAD if other not in _calls] if name in ONE_THREAD else [name])
    made = _calls[name]
    assert len(made) == CASES, f"{name}: {len(made)} cases"
    assert sum(1 for calls_made in made.values() if calls_made) >= CASES // 2, "most dev cases should make calls"
    return made


def differences(first: str, second: str) -> dict:
    """The cases whose calls differ between two settings, with both sides."""
    a, b = dev_calls(first), dev_calls(second)
    assert a.keys() == b.keys()
    return {case: (a[case], b[case]) for case in a if a[case] != b[case]}
