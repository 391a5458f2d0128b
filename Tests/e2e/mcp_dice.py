"""A small MCP server for the e2e tests, on the official Python SDK (`mcp`): one tool, `roll_dice`, whose result holds
a marker the test looks for in the agent's transcript.

    python mcp_dice.py --http PORT      streamable HTTP on 127.0.0.1:PORT/mcp (JSON answers)
    python mcp_dice.py --exit-after N   stdio; the process exits after its N-th call (the agent must start it again)
"""

import argparse
import json
import os
import sys

from mcp.server.mcpserver import MCPServer

parser = argparse.ArgumentParser()
parser.add_argument("--http", type=int)
parser.add_argument("--exit-after", type=int, default=0)
options = parser.parse_args()

server = MCPServer("dice")
calls = 0


@server.tool()
def roll_dice(sides: int) -> str:
    """Roll one die with the given number of sides."""
    global calls
    calls += 1
    result = json.dumps({"sides": sides, "rolled": min(4, max(1, sides)), "marker": f"DICE-{os.getpid()}-{calls}"})
    if options.exit_after and calls >= options.exit_after:
        # Answer this call, then go away.
        import threading
        threading.Timer(0.2, lambda: os._exit(0)).start()
    return result


if options.http:
    server.run(transport="streamable-http", port=options.http, json_response=True)
else:
    server.run()
