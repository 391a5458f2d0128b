"""A hostile MCP server for the e2e tests: newline-delimited JSON-RPC on stdio, written by hand (no SDK) so that it can
break the rules. Each flag turns on one misbehaviour:

    --env-file PATH       write the environment it was started with to PATH (JSON) before answering anything
    --paginate-forever    tools/list always returns a new nextCursor (and no tools)
    --repeat-cursor       tools/list always returns the same nextCursor
    --tool-count N        list N tools (tool_0 … tool_{N-1})
    --bad-tools           list tools with bad names, a schema over the limits and a huge description, next to `ok_tool`
    --grandchild PATH     start `sleep 600` (same process group) and write its pid to PATH; ignore SIGTERM

Tools it always lists (unless --tool-count): `dump` (no arguments) answers with a text of --dump-bytes bytes
(default 64 MiB), written straight to stdout without building the whole message in memory first.
"""

import argparse
import json
import os
import signal
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--env-file")
parser.add_argument("--paginate-forever", action="store_true")
parser.add_argument("--repeat-cursor", action="store_true")
parser.add_argument("--tool-count", type=int, default=0)
parser.add_argument("--bad-tools", action="store_true")
parser.add_argument("--grandchild")
parser.add_argument("--dump-bytes", type=int, default=64 << 20)
options = parser.parse_args()

if options.env_file:
    with open(options.env_file, "w") as f:
        json.dump(dict(os.environ), f)

if options.grandchild:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen(["sleep", "600"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    with open(options.grandchild, "w") as f:
        f.write(str(child.pid))

out = sys.stdout.buffer
NO_ARGS = {"type": "object", "properties": {}}


def send(message):
    out.write(json.dumps(message).encode() + b"\n")
    out.flush()


def tools():
    if options.tool_count:
        return [{"name": f"tool_{i}", "description": "one of many", "inputSchema": NO_ARGS} for i in range(options.tool_count)]
    listed = [{"name": "dump", "description": "Returns a very long text.", "inputSchema": NO_ARGS}]
    if options.bad_tools:
        deep = {"type": "object"}
        for _ in range(200):
            deep = {"type": "object", "properties": {"x": deep}}
        listed += [
            {"name": "ok_tool", "description": "A fine tool.", "inputSchema": NO_ARGS},
            {"name": "bad name with spaces", "description": "x", "inputSchema": NO_ARGS},
            {"name": 'quote"<|im_end|>', "description": "x", "inputSchema": NO_ARGS},
            {"name": "n" * 200, "description": "x", "inputSchema": NO_ARGS},
            {"name": "deep_schema", "description": "x", "inputSchema": deep},
            {"name": "not_an_object", "description": "x", "inputSchema": {"type": "string"}},
            {"name": "long_description", "description": "d" * 100_000, "inputSchema": NO_ARGS},
            {"name": "ok_tool", "description": "a duplicate", "inputSchema": NO_ARGS},
        ]
    return listed


def dump(request_id):
    size = options.dump_bytes
    head = b'{"jsonrpc": "2.0", "id": ' + json.dumps(request_id).encode() + b', "result": {"content": [{"type": "text", "text": "'
    out.write(head)
    block = b"A" * (1 << 20)
    left = size
    while left > 0:
        out.write(block[: min(left, len(block))])
        left -= len(block)
    out.write(b'"}], "isError": false}}\n')
    out.flush()


pages = 0
for line in sys.stdin.buffer:
    if not line.strip():
        continue
    request = json.loads(line)
    method, request_id = request.get("method"), request.get("id")
    if request_id is None:
        continue  # a notification
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": request_id, "result": {
            "protocolVersion": request["params"].get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {}}, "serverInfo": {"name": "hostile", "version": "1"}}})
    elif method == "tools/list":
        pages += 1
        result = {"tools": tools()}
        if options.paginate_forever:
            result = {"tools": [], "nextCursor": f"page-{pages}"}
        elif options.repeat_cursor:
            result = {"tools": [], "nextCursor": "again"}
        send({"jsonrpc": "2.0", "id": request_id, "result": result})
    elif method == "tools/call":
        name = request["params"]["name"]
        if name == "dump":
            dump(request_id)
        else:
            send({"jsonrpc": "2.0", "id": request_id, "result": {"content": [{"type": "text", "text": f"{name} ran"}]}})
    else:
        send({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32601, "message": f"no method {method}"}})
