#!/usr/bin/env python3
"""The layering rule: no import loop between the folders of one module.

For every module under Sources/, each top-level folder (files directly in the module folder form the
folder "."), maps the top-level types its files declare (struct, class, enum, protocol, actor, typealias;
not private or fileprivate ones) and the type names its files mention. Folder A uses folder B when a file
in A names a type declared only in B. A cycle (A uses B and B uses A, or a longer ring) is reported with
the names that make each edge, and the check fails, unless the allowlist names that cycle's folders.

  scripts/check_layering.py [--allow FILE] [--graph] [SOURCES]

The allowlist (default scripts/layering-allowlist.txt, optional) has one cycle a line, "Module: A B ...";
`#` starts a comment. A cycle is allowed when its folders are all in one allowlist line of its module.
Standard library only (run by `make lint`).
"""

import argparse
import os
import re
import sys
from collections import defaultdict

DECLARATION = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*"
    r"((?:(?:public|package|internal|private|fileprivate|open|final|indirect|nonisolated|distributed)\s+)*)"
    r"(?:struct|class|enum|protocol|actor|typealias)\s+([A-Za-z_]\w*)"
)
IDENTIFIER = re.compile(r"\b[A-Z_][A-Za-z0-9_]*\b")


def strip_comments_and_strings(text):
    """The code without comments and string literals (so that prose and prompts do not count as uses)."""
    out = []
    i, n = 0, len(text)
    block = 0
    while i < n:
        c = text[i]
        if block:
            if text.startswith("/*", i):
                block += 1
                i += 2
            elif text.startswith("*/", i):
                block -= 1
                i += 2
            else:
                i += 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            block = 1
            i += 2
            continue
        if c == '"' or (c == "#" and re.match(r'#+"', text[i:])):
            hashes = len(re.match(r"#*", text[i:]).group(0))
            i += hashes
            multiline = text.startswith('"""', i)
            quote = '"""' if multiline else '"'
            i += len(quote)
            close = quote + "#" * hashes
            while i < n and not text.startswith(close, i):
                if text[i] == "\\" and hashes == 0:
                    # Interpolations name types too: keep them.
                    if i + 1 < n and text[i + 1] == "(":
                        depth, j = 1, i + 2
                        while j < n and depth:
                            depth += {"(": 1, ")": -1}.get(text[j], 0)
                            j += 1
                        out.append(" " + text[i + 2 : j - 1] + " ")
                        i = j
                        continue
                    i += 2
                    continue
                i += 1
            i += len(close)
            out.append(" ")
            continue
        out.append(c)
        i += 1
    return "".join(out)


def folder_of(module_dir, path):
    relative = os.path.relpath(path, module_dir)
    parts = relative.split(os.sep)
    return "." if len(parts) == 1 else parts[0]


def module_graph(module_dir):
    """(edges, declared): edges[a][b] is the set of names by which folder a uses folder b."""
    files = []
    for base, folders, names in os.walk(module_dir):
        folders[:] = [folder for folder in folders if not folder.startswith(".")]  # as SwiftPM, skip hidden folders
        files += [os.path.join(base, name) for name in names if name.endswith(".swift")]
    declared = defaultdict(set)  # type name -> folders declaring it
    code = {}
    for path in sorted(files):
        with open(path, encoding="utf-8") as handle:
            text = strip_comments_and_strings(handle.read())
        code[path] = text
        folder = folder_of(module_dir, path)
        for line in text.splitlines():
            match = DECLARATION.match(line)
            if match and not re.search(r"\b(private|fileprivate)\b", match.group(1)):
                declared[match.group(2)].add(folder)
    edges = defaultdict(lambda: defaultdict(set))
    for path, text in code.items():
        folder = folder_of(module_dir, path)
        for name in set(IDENTIFIER.findall(text)):
            owners = declared.get(name)
            if not owners or folder in owners or len(owners) != 1:
                continue
            (owner,) = owners
            edges[folder][owner].add(name)
    return edges


def cycles(edges):
    """The strongly connected components with more than one folder (Tarjan)."""
    nodes = set(edges) | {b for a in edges for b in edges[a]}
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return result


def read_allowlist(path):
    allowed = defaultdict(list)
    if not path or not os.path.exists(path):
        return allowed
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            module, _, folders = line.partition(":")
            allowed[module.strip()].append(set(folders.split()))
    return allowed


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="?", default=os.path.join(root, "Sources"))
    parser.add_argument("--allow", default=os.path.join(root, "scripts", "layering-allowlist.txt"))
    parser.add_argument("--graph", action="store_true", help="print every module's folder graph")
    args = parser.parse_args()
    allowed = read_allowlist(args.allow)
    failures = 0
    for module in sorted(os.listdir(args.sources)):
        module_dir = os.path.join(args.sources, module)
        if module.startswith(".") or not os.path.isdir(module_dir):
            continue
        edges = module_graph(module_dir)
        if args.graph:
            for a in sorted(edges):
                for b in sorted(edges[a]):
                    print(f"{module}: {a} -> {b} ({', '.join(sorted(edges[a][b])[:6])})")
        for component in cycles(edges):
            inside = set(component)
            tolerated = any(inside <= entry for entry in allowed.get(module, []))
            label = "allowed cycle" if tolerated else "cycle"
            print(f"{module}: {label} between folders {' '.join(component)}")
            for a in component:
                for b in component:
                    if b in edges.get(a, {}):
                        names = sorted(edges[a][b])
                        more = f" (+{len(names) - 6})" if len(names) > 6 else ""
                        print(f"    {a} -> {b}: {', '.join(names[:6])}{more}")
            if not tolerated:
                failures += 1
    if failures:
        print(f"check_layering: {failures} import loop(s) between folders of one module", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
